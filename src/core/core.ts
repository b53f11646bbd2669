/**
 * The composition root of the workstation core: the only place that builds services.
 *
 * Where the core runs: never on a UI thread. In Electron it runs in its own utilityProcess
 * (src/core/main.ts, plain Node; the Electron main process only relays messages); in the browser
 * host (`npm run web`, e2e tests) it runs inside the host's Node process, which has no UI. Either
 * way this process owns the ONE writer connection to `<dataDir>/cache.sqlite`; nothing else opens
 * that file for writing.
 *
 * Start-up order: config validated → calendar loaded → database opened and migrated (before any
 * service exists) → adapters built by the registry → audit log (session start, configuration
 * change) → repository, outbox (entries interrupted mid-send go back to pending), queue, sync
 * engine, outbox runner, dispatcher.
 * `start()` starts the sync loops and the outbox workers; `close()` drains the outbox (no new work,
 * the send in flight aborted — it is resent with the same idempotency key later), stops the sync
 * loops (aborting pulls), closes adapters and the database.
 */
import type Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { CoreEvent, Envelope, ItemLinksView, ItemLinkView } from '../shared/api';
import type { BackendAdapter } from './adapters/adapter';
import { createAdapter as registryCreateAdapter } from './adapters/adapter.registry';
import { ApiDispatcher, ApiFailure, type ApiHandlers } from './api/api.dispatcher';
import { AuditLog } from './audit/audit.log';
import { backendSignInRecorder, recordStartup } from './audit/audit.startup';
import { parseConfig, type WorkstationConfig, type WorkstationConfigInput } from './config/config.schema';
import { silentLog, type CoreLog } from './core.log';
import { openCacheDatabase } from './db/cache.database';
import { defaultCalendar, loadCalendar, type WorkCalendar } from './deadline';
import { CoreEventHub } from './events/event.hub';
import { DEFAULT_MAIL_RULES } from './mail/mail-rules';
import { OutboxRunner, type OutboxRetryOptions } from './outbox/outbox.runner';
import { OutboxRepository } from './outbox/outbox.repository';
import { OutboxService } from './outbox/outbox.service';
import { calendarDeadlinePolicy } from './queue/deadline.policy';
import { QueueService, type ItemLinks } from './queue/queue.service';
import { SyncEngine, type BackoffOptions } from './sync/sync.engine';
import { SyncStateRepository } from './sync/sync-state.repository';

export interface Core {
  handle(method: string, input: unknown): Promise<Envelope<unknown>>;
  subscribe(listener: (e: CoreEvent) => void): () => void;
  /**
   * Links of a cached item, both directions (in-process only for now: not part of the shared API
   * contract, `item.get` is unchanged).
   */
  linksOf(itemId: string): ItemLinks;
  /** Start the sync loops (idempotent). */
  start(): void;
  /** Stop syncing (aborting pulls in flight), close adapters and the database (idempotent). */
  close(): Promise<void>;
}

export interface CreateCoreOptions {
  dataDir: string;
  config: WorkstationConfigInput;
  /** Clock (epoch ms); tests pin it. */
  now?: () => number;
  /** Overrides the configured calendar. */
  calendar?: WorkCalendar;
  log?: CoreLog;
  /** Builds an adapter from its config; the adapter registry by default. */
  createAdapter?: (config: unknown) => BackendAdapter;
  /** Backoff between failed sync cycles (default 1 s doubling, capped at 60 s). */
  backoff?: BackoffOptions;
  /** Outbox resend policy; overrides config.outbox (default 1 s → 60 s, 8 counted failures). */
  outboxRetry?: Partial<OutboxRetryOptions>;
  /** better-sqlite3 native binding built for another ABI (Electron). */
  sqliteNativeBinding?: string;
}

function notYet(method: string): never {
  throw new ApiFailure('unavailable', `${method} is not available yet`);
}

/** Links of an item as the UI shows them, with the item on the other side when cached. */
function linkViews(queue: QueueService, itemId: string, at: number): ItemLinksView {
  const links = queue.linksOf(itemId);
  const other = (id: string | null): ItemLinkView['other'] => {
    if (id === null) return null;
    const item = queue.getItem(id, at);
    return item ? { id: item.id, source: item.source, ref: item.ref, title: item.title, status: item.status } : null;
  };
  return {
    outgoing: links.outgoing.map((l) => ({ ...l, other: other(l.toId) })),
    incoming: links.incoming.map((l) => ({ ...l, other: other(l.fromId) })),
  };
}

function resolveCalendar(config: WorkstationConfig, dataDir: string): WorkCalendar {
  const source = config.calendar;
  if (!source) return defaultCalendar();
  if (source.path !== undefined) {
    const file = isAbsolute(source.path) ? source.path : join(dataDir, source.path);
    return loadCalendar(readFileSync(file, 'utf8'));
  }
  return loadCalendar(source.data);
}

export async function createCore(options: CreateCoreOptions): Promise<Core> {
  const log = options.log ?? silentLog;
  const now = options.now ?? Date.now;
  const config = parseConfig(options.config);
  const calendar = options.calendar ?? resolveCalendar(config, options.dataDir);
  const makeAdapter = options.createAdapter ?? registryCreateAdapter;

  const db: Database.Database = openCacheDatabase(options.dataDir, {
    ...(options.sqliteNativeBinding !== undefined ? { nativeBinding: options.sqliteNativeBinding } : {}),
  });
  const adapters: BackendAdapter[] = [];
  try {
    for (const entry of config.backends) adapters.push(makeAdapter(entry.adapter));
  } catch (error) {
    await Promise.allSettled(adapters.map((a) => a.close()));
    db.close();
    throw error;
  }

  const events = new CoreEventHub(log);
  const audit = new AuditLog(db, now);
  recordStartup(audit, config);
  const syncState = new SyncStateRepository(db);
  const queue = new QueueService(db, calendarDeadlinePolicy(calendar), syncState, {
    username: config.user.username,
    now,
    marks: new OutboxRepository(db),
    mail: { rules: config.mailRules?.rules ?? DEFAULT_MAIL_RULES, calendar },
  });
  const actor = { username: config.user.username, fullName: config.user.fullName };
  const adapterById = new Map(adapters.map((a) => [a.id, a]));
  const outbox = new OutboxService({
    db,
    queue,
    audit,
    emit: (event) => events.emit(event),
    now,
    actor,
    acceptsActions: (backendId) => typeof adapterById.get(backendId)?.perform === 'function',
  });
  const recovered = outbox.recoverInterrupted();
  if (recovered > 0) log('info', 'outbox entries interrupted mid-send are pending again', { count: recovered });
  const runner = new OutboxRunner({
    adapters,
    outbox,
    actor,
    now,
    log,
    retry: {
      ...(config.outbox
        ? { baseMs: config.outbox.retryBaseMs, maxMs: config.outbox.retryMaxMs, maxAttempts: config.outbox.maxAttempts }
        : {}),
      ...options.outboxRetry,
    },
  });
  const recordSignIn = backendSignInRecorder(audit, config.user.username);
  events.subscribe((event) => {
    if (event.type === 'backend.status') recordSignIn(event.backend);
  });
  const engine = new SyncEngine({
    backends: config.backends.map((entry, i) => ({
      adapter: adapters[i] as BackendAdapter,
      pollIntervalMs: entry.pollIntervalMs,
      training: entry.training,
    })),
    queue,
    syncState,
    emit: (event) => events.emit(event),
    now,
    log,
    ...(options.backoff ? { backoff: options.backoff } : {}),
    onOnline: (backendId) => runner.backendOnline(backendId),
  });

  const handlers: ApiHandlers = {
    'session.get': () => ({
      user: { ...config.user },
      officeName: config.office.name,
      officials: (config.office.officials ?? []).map((o) => ({ ...o })),
      training: config.backends.some((b) => b.training),
      now: now(),
      mailAccounts: [],
    }),
    'queue.list': ({ filter, offset, limit }) => queue.list(filter, offset, limit, now()),
    'queue.counts': ({ filter }) => queue.counts(filter, now()),
    'item.get': ({ id }) => {
      const found = queue.get(id, now());
      if (!found) throw new ApiFailure('not_found', `No item with id "${id}"`);
      return { ...found, links: linkViews(queue, id, now()) };
    },
    'backends.list': () => engine.statuses(),
    'sync.now': ({ backendId }) => {
      if (backendId !== undefined && !engine.hasBackend(backendId)) {
        throw new ApiFailure('not_found', `No backend with id "${backendId}"`);
      }
      return { started: engine.isStarted ? engine.syncNow(backendId) : [] };
    },
    'action.submit': (input) => outbox.submit(input),
    'outbox.list': (input) => outbox.list(input),
    'outbox.retry': ({ id }) => outbox.retry(id),
    'outbox.discard': ({ id }) => outbox.discard(id),
    'outbox.resolveConflict': ({ id, resolution }) => outbox.resolveConflict(id, resolution),
    'audit.list': ({ offset, limit }) => audit.list(offset, limit),
    'audit.verify': () => audit.verify(),
    'audit.export': () => audit.exportJsonl(),
    // Issue #4 methods: being wired (each helper replaces its own line).
    'links.add': () => notYet('links.add'),
    'links.remove': () => notYet('links.remove'),
    'mail.body': () => notYet('mail.body'),
    'mail.remoteImages': () => notYet('mail.remoteImages'),
    'mail.stageAttachment': () => notYet('mail.stageAttachment'),
    'mail.compose': () => notYet('mail.compose'),
    'mail.saveAttachment': () => notYet('mail.saveAttachment'),
  };
  const dispatcher = new ApiDispatcher(handlers, log);

  let closing: Promise<void> | null = null;
  log('info', 'core ready', { backends: adapters.map((a) => a.id) });

  return {
    handle(method, input) {
      if (closing) {
        return Promise.resolve({ ok: false, error: { code: 'unavailable', message: 'The workstation core is shutting down' } });
      }
      return dispatcher.handle(method, input);
    },
    subscribe: (listener) => events.subscribe(listener),
    linksOf: (itemId) => queue.linksOf(itemId),
    start() {
      if (closing) return;
      engine.start();
      runner.start();
    },
    close() {
      closing ??= (async () => {
        await runner.stop();
        await engine.stop();
        await Promise.allSettled(adapters.map((a) => a.close()));
        events.clear();
        db.close();
        log('info', 'core closed');
      })();
      return closing;
    },
  };
}
