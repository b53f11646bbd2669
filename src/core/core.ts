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
import type { CoreEvent, Envelope } from '../shared/api';
import type { BackendAdapter } from './adapters/adapter';
import { createAdapter as registryCreateAdapter } from './adapters/adapter.registry';
import { ApiDispatcher, ApiFailure, type ApiHandlers } from './api/api.dispatcher';
import { AuditLog } from './audit/audit.log';
import { backendSignInRecorder, recordStartup } from './audit/audit.startup';
import { parseConfig, TRAINING_USERS, type WorkstationConfig, type WorkstationConfigInput } from './config/config.schema';
import { writeTrainingRole } from './config/training-role';
import { silentLog, type CoreLog } from './core.log';
import { shellHandlers } from './shell/shell.handlers';
import { dashboardHandlers } from './dashboard/dashboard.handlers';
import { settingsHandlers } from './settings/settings.handlers';
import { LogRing } from './settings/log-ring';
import { openCacheDatabase } from './db/cache.database';
import { resolveCacheKey } from './db/cache-key';
import { defaultCalendar, loadCalendar, type WorkCalendar } from './deadline';
import { CoreEventHub } from './events/event.hub';
import { ItemLinksService } from './mail/item-links.service';
import { MailBodyService, mailReaderOf, type MailReader, type OpenedAttachment } from './mail/mail-body.service';
import { DEFAULT_MAIL_FILES_MAX_BYTES, MailFileCache } from './mail/mail-files.cache';
import { DEFAULT_MAIL_RULES } from './mail/mail-rules';
import { RemoteImageFetcher } from './mail/remote-images';
import { OutboxRunner, type OutboxRetryOptions } from './outbox/outbox.runner';
import { OutboxRepository } from './outbox/outbox.repository';
import { OutboxService } from './outbox/outbox.service';
import { OutboxFiles } from './outbox/outbox.files';
import { MailAdapter } from './adapters/mail.adapter';
import { calendarDeadlinePolicy } from './queue/deadline.policy';
import { QueueService, type ItemLinks } from './queue/queue.service';
import { SyncEngine, type BackoffOptions } from './sync/sync.engine';
import { MailSearchBackfill } from './mail/mail-search-backfill';
import { SyncStateRepository } from './sync/sync-state.repository';
import { ConfigSecretError, resolveAdapterSecrets } from './secrets/config-secrets';
import type { SecretStore } from './secrets/secret-store';
import { UnavailableAdapter } from './secrets/unavailable.adapter';
import { SourceSchema } from '../shared/domain';
import { AttachmentTextService } from './citizen/attachment-text.service';
import { citizenHandlers } from './citizen/citizen.handlers';
import { registerHandlers } from './citizen/register.handlers';
import { desktopNotifications } from './notify/notify.handlers';

export interface Core {
  handle(method: string, input: unknown): Promise<Envelope<unknown>>;
  subscribe(listener: (e: CoreEvent) => void): () => void;
  /** Links of a cached item, both directions, as stored (`item.get` shows them with the other item). */
  linksOf(itemId: string): ItemLinks;
  /**
   * A mail attachment as a stream (not in the JSON contract: the browser host's
   * GET /api/mail/attachment streams it). Served from `<dataDir>/mail-files/` when downloaded before,
   * else streamed from the server into that cache first. Throws ApiFailure (not_found, invalid_input,
   * unavailable with a Vietnamese reason).
   */
  openAttachment(itemId: string, index: number): Promise<OpenedAttachment>;
  /**
   * Electron: write a mail attachment to `path`, a file the shell's save dialog returned (the
   * core-channel message `saveAttachment`). Answers an envelope like `handle`:
   * `{saved: true, path, size}` or the error.
   */
  saveAttachment(itemId: string, index: number, path: string): Promise<Envelope<{ saved: true; path: string; size: number }>>;
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
  /** Where `{"$secret": name}` references in adapter configs are read from (the OS keyring, safeStorage). */
  secrets?: SecretStore;
  /** better-sqlite3 native binding built for another ABI (Electron). */
  sqliteNativeBinding?: string;
  /** Bound of the attachment cache `<dataDir>/mail-files/` (default 512 MiB). */
  mailFilesMaxBytes?: number;
  /** Bound of the mail bodies cached in SQLite (default 256 MiB; oldest dropped first, links kept). */
  mailBodiesMaxBytes?: number;
  /**
   * TESTS ONLY: which resolved addresses `mail.remoteImages` may connect to. The default admits public
   * unicast addresses only (never loopback/private/link-local); a test's image server on 127.0.0.1
   * needs this.
   */
  remoteImageAddressAllowed?: (address: string) => boolean;
}

function unavailableAdapter(adapter: Record<string, unknown>, reason: string): BackendAdapter {
  const str = (k: string, fallback: string): string => (typeof adapter[k] === 'string' ? (adapter[k] as string) : fallback);
  const kind = SourceSchema.safeParse(adapter['kind']);
  const id = str('id', 'unknown');
  return new UnavailableAdapter(id, kind.success ? kind.data : 'procedure', str('label', id), reason);
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

/** The roles as the audit log names them. */
const TRAINING_ROLE_NAMES = { official: 'cán bộ một cửa', supervisor: 'lãnh đạo', it: 'cán bộ CNTT' } as const;

export async function createCore(options: CreateCoreOptions): Promise<Core> {
  // The newest log entries, secrets redacted: the IT staff's log viewer (logs.tail) and, its last 300
  // lines, the diagnostics bundle (which redacts personal data on top).
  const logRing = new LogRing();
  const log = logRing.wrap(options.log ?? silentLog);
  const now = options.now ?? Date.now;
  const config = parseConfig(options.config);
  const calendar = options.calendar ?? resolveCalendar(config, options.dataDir);
  const makeAdapter = options.createAdapter ?? registryCreateAdapter;
  // Secrets ({"$secret": name} in adapter configs) come from the keyring before anything is built; a
  // backend whose secret is missing still appears, in error with the reason, beside working ones.
  const resolved = await Promise.all(
    config.backends.map(async (entry) => {
      try {
        return { adapter: await resolveAdapterSecrets(entry.adapter, options.secrets ?? null), error: null };
      } catch (error) {
        if (!(error instanceof ConfigSecretError)) throw error;
        log('error', 'backend secret unavailable', { backend: entry.adapter['id'], secret: error.secretName });
        return { adapter: entry.adapter, error };
      }
    }),
  );

  // Issue #7: the cache is encrypted at rest; its key comes from the secret store (cache-key.ts).
  const cacheKey = await resolveCacheKey({ dataDir: options.dataDir, secrets: options.secrets ?? null, training: config.backends.some((b) => b.training), log });
  const db: Database.Database = openCacheDatabase(options.dataDir, {
    key: cacheKey,
    ...(options.sqliteNativeBinding !== undefined ? { nativeBinding: options.sqliteNativeBinding } : {}),
  });
  const adapters: BackendAdapter[] = [];
  try {
    for (const { adapter, error } of resolved) {
      adapters.push(error ? unavailableAdapter(adapter, error.message) : makeAdapter(adapter));
    }
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
  // Mail backends that can send (SMTP configured): the "From" choices and the check of mail.send.
  const mailAccounts = new Map(
    adapters.flatMap((a) =>
      a instanceof MailAdapter && a.sendingAccount ? [[a.id, { address: a.sendingAccount.address, displayName: a.sendingAccount.displayName }] as const] : [],
    ),
  );
  const outboxFiles = new OutboxFiles(db, options.dataDir, now);
  const outbox = new OutboxService({
    db,
    queue,
    audit,
    emit: (event) => events.emit(event),
    now,
    actor,
    acceptsActions: (backendId) => typeof adapterById.get(backendId)?.perform === 'function',
    files: outboxFiles,
    mailAccount: (backendId) => mailAccounts.get(backendId) ?? null,
  });
  const recovered = outbox.recoverInterrupted();
  if (recovered > 0) log('info', 'outbox entries interrupted mid-send are pending again', { count: recovered });
  const swept = outboxFiles.sweep((id) => outbox.repo.stateOf(id));
  if (swept.finishedFolders + swept.orphanFolders + swept.stagedRemoved > 0) log('info', 'outbox files swept', { ...swept });
  const runner = new OutboxRunner({
    adapters,
    outbox,
    actor,
    now,
    log,
    files: outboxFiles,
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
  // Issue #4 progress: "còn N thư chưa tìm được" in the top bar while the backfill runs (event only;
  // a renderer that connects mid-pass hears the next report within ~250 ms, before that: nothing pending).
  const mailSearch = new MailSearchBackfill(db, {
    log,
    onProgress: ({ pending, indexed }) => events.emit({ type: 'mail.searchIndex', pending, indexed }),
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
    onOnline: (backendId) => {
      runner.backendOnline(backendId);
      // Issue #4: a large first mail sync landed headers first; its search entries follow in the background.
      mailSearch.start();
    },
  });

  const links = new ItemLinksService({ db, queue, audit, emit: (event) => events.emit(event), now, actor });
  // Issue #7 notifications and tray counts (src/core/notify/): started with the sync loops.
  const notify = desktopNotifications({ db, queue, calendar, settings: config.notifications, username: config.user.username, emit: (event) => events.emit(event), subscribe: (l) => events.subscribe(l), now, log });
  const mailReaders = new Map<string, MailReader>();
  for (const adapter of adapters) {
    const reader = mailReaderOf(adapter);
    if (reader) mailReaders.set(adapter.id, reader);
  }
  // Issue #6: the text of downloaded PDF/DOCX attachments goes into the search (bounded, never throws).
  const attachmentTexts = new AttachmentTextService(db, now, log);
  const bodies = new MailBodyService({
    db,
    queue,
    onAttachmentCached: (file) => void attachmentTexts.index(file),
    readerFor: (backendId) => mailReaders.get(backendId) ?? null,
    files: new MailFileCache(join(options.dataDir, 'mail-files'), options.mailFilesMaxBytes ?? DEFAULT_MAIL_FILES_MAX_BYTES),
    images: new RemoteImageFetcher(
      options.remoteImageAddressAllowed ? { isAllowedAddress: options.remoteImageAddressAllowed } : {},
    ),
    emit: (event) => events.emit(event),
    now,
    log,
    ...(options.mailBodiesMaxBytes !== undefined ? { maxBodyBytes: options.mailBodiesMaxBytes } : {}),
  });

  // The adapter configurations (secrets resolved) whose secret values are scrubbed from the log viewer
  // and the diagnostics bundle. Not the training sandbox's: its accounts are public constants (the
  // password is the word "training"), and scrubbing that word turned the backend ids into
  // "[bí mật]-procedure".
  const secretBearing = resolved.filter((_, i) => config.backends[i]?.training !== true).map((r) => r.adapter);
  const handlers: ApiHandlers = {
    'session.get': () => ({
      user: { ...config.user },
      officeName: config.office.name,
      officials: (config.office.officials ?? []).map((o) => ({ ...o })),
      training: config.backends.some((b) => b.training),
      now: now(),
      mailAccounts: [...mailAccounts].map(([backendId, a]) => ({ backendId, address: a.address, displayName: a.displayName })),
    }),
    'training.setRole': ({ role }) => {
      if (config.backends.length === 0 || !config.backends.every((b) => b.training)) {
        throw new ApiFailure('unauthorized', 'Chỉ đổi được vai trò trong chế độ đào tạo; ngoài chế độ này người dùng do bộ phận CNTT cấu hình.');
      }
      const user = TRAINING_USERS[role];
      writeTrainingRole(options.dataDir, role);
      audit.append({
        actor: config.user.username,
        kind: 'config',
        summary: `Chế độ đào tạo: đăng nhập với vai trò ${TRAINING_ROLE_NAMES[role]} (${user.username})`,
        data: { trainingRole: role, from: config.user.role },
      });
      return { role, username: user.username, fullName: user.fullName };
    },
    'queue.list': ({ filter, offset, limit }) => queue.list(filter, offset, limit, now()),
    'queue.counts': ({ filter }) => queue.counts(filter, now()),
    'item.get': ({ id }) => {
      const found = queue.get(id, now());
      if (!found) throw new ApiFailure('not_found', `No item with id "${id}"`);
      return { ...found, links: links.views(id) };
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
    'links.add': (input) => links.add(input),
    'links.remove': (input) => links.remove(input),
    'mail.body': ({ itemId }) => bodies.body(itemId),
    'mail.remoteImages': ({ itemId, urls }) => bodies.remoteImages(itemId, urls),
    'mail.stageAttachment': (input) => outboxFiles.stage(input),
    'mail.compose': ({ backendId, action }) => outbox.submitCompose(backendId, action),
    // Issue #6 declare once: dossier.register (a new dossier through the outbox), procedures.list; src/core/citizen/register.handlers.ts.
    ...registerHandlers({ outbox, adapters, role: config.user.role, db, now }),
    // Electron's shell answers this method itself (save dialog, then the core-channel message
    // `saveAttachment` with the chosen path); reaching the core directly means the browser host.
    'mail.saveAttachment': () => {
      throw new ApiFailure(
        'invalid_input',
        'Trong trình duyệt, tệp đính kèm được tải về qua đường dẫn GET /api/mail/attachment?itemId=…&index=… ' +
          '(trình duyệt hỏi nơi lưu); mail.saveAttachment chỉ dùng trong ứng dụng máy tính.',
      );
    },
    // Issue #7 shell: diagnostics bundle for IT staff (src/core/shell/).
    ...shellHandlers({ db, config, role: config.user.role, resolvedAdapters: () => secretBearing, statuses: () => engine.statuses(), recentLog: () => logRing.lines(300), now }),
    // Issue #5 supervisor: dashboard, exports, reassignment, authority matrix (src/core/dashboard/).
    ...dashboardHandlers({ db, calendar, config, queue, outbox, audit, emit: (event) => events.emit(event), now }),
    // Issue #5 IT-staff settings: config, test connection, calendar, profiles, sync health, log (src/core/settings/).
    ...settingsHandlers({ dataDir: options.dataDir, config, secrets: options.secrets ?? null, db, audit, now, statuses: () => engine.statuses(), subscribe: (l) => events.subscribe(l), logRing, resolvedAdapters: secretBearing }),
    // Issue #6 citizens (feature `citizen`): citizen.find/view, search.query; src/core/citizen/.
    ...citizenHandlers({ db, queue, audit, calendar, now, actor, role: config.user.role }),
    // Issue #7 notifications and tray (feature `desktop`): notify.list, notify.markRead.
    ...notify.handlers,
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
    openAttachment(itemId, index) {
      if (closing) return Promise.reject(new ApiFailure('unavailable', 'The workstation core is shutting down'));
      return bodies.openAttachment(itemId, index);
    },
    async saveAttachment(itemId, index, path) {
      if (closing) return { ok: false, error: { code: 'unavailable', message: 'The workstation core is shutting down' } };
      try {
        return { ok: true, data: await bodies.saveAttachment(itemId, index, path) };
      } catch (error) {
        if (error instanceof ApiFailure) {
          return { ok: false, error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) } };
        }
        log('error', 'saveAttachment failed', { error: error instanceof Error ? error.message : String(error) });
        return { ok: false, error: { code: 'internal', message: 'Internal error in the workstation core' } };
      }
    },
    start() {
      if (closing) return;
      engine.start();
      runner.start();
      mailSearch.start(); // what an interrupted backfill left pending
      notify.service.start();
    },
    close() {
      closing ??= (async () => {
        notify.service.stop();
        await runner.stop();
        await engine.stop();
        await mailSearch.stop();
        await Promise.allSettled(adapters.map((a) => a.close()));
        events.clear();
        db.close();
        log('info', 'core closed');
      })();
      return closing;
    },
  };
}
