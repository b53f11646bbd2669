/**
 * The sync engine: one loop per configured backend.
 *
 *   cycle: pull pages from the stored cursor until hasMore is false; each page lands with
 *          QueueService.upsertBatch (items + quarantine + cursor in one transaction), then an
 *          `items.changed` event. A crash mid-cycle resumes from the last stored cursor: a page is
 *          either entirely in the cache with its cursor or not at all, and upserts are idempotent.
 *          The pages' applicants wait in `citizens_pending` (stored with each page) and are folded
 *          into `citizens` when the cycle ends, however it ends (QueueService.flushPendingCitizens).
 *   wait:  pollIntervalMs after a success; after failures an exponential backoff (capped);
 *          `syncNow` wakes the loop at once (and a request during a cycle runs one more cycle).
 *
 * One loop per backend means never two concurrent pulls for the same backend. `stop()` aborts the
 * in-flight pull (AbortSignal) and resolves when every loop has ended. Backend states:
 * connecting (first cycle / after a failure) → syncing {done, total} while more pages follow →
 * online; AdapterError unreachable/timeout → offline, anything else → error. The cache stays fully
 * usable whatever the state. Each successful cycle calls `onOnline` (the outbox runner's wake-up).
 *
 * Push: when the adapter has `watch(onChange, onEnd)` (IMAP IDLE), it is started after the first
 * successful cycle and every change wakes the loop like `syncNow`. A watch that fails to start is
 * logged and tried again after the next successful cycle. A watch that ends by itself (`onEnd`: the
 * IDLE connection dropped, the server restarted) is forgotten and, after a backoff (the loop's
 * baseMs doubling while watches keep dying within WATCH_STABLE_MS of their start), a sync is requested:
 * it catches what arrived while nobody watched, and its success starts a new watch. `stop()` stops the
 * watch and the pending restart. Polling goes on regardless.
 */
import { WakeableSleep } from '../util/wakeable-sleep';
import type { BackendStatus, CoreEvent } from '../../shared/api';
import { AdapterError, type BackendAdapter, type PullPage } from '../adapters/adapter';
import type { CoreLog } from '../core.log';
import type { QueueService } from '../queue/queue.service';
import type { SyncStateRepository } from './sync-state.repository';

export const CHANGED_IDS_CAP = 500;
/** A watch that lived this long before ending resets the restart backoff. */
export const WATCH_STABLE_MS = 30_000;

export interface SyncBackend {
  adapter: BackendAdapter;
  pollIntervalMs: number;
  training: boolean;
}

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

export interface SyncEngineDeps {
  backends: readonly SyncBackend[];
  /** flushPendingCitizens: the pages' deferred applicants into `citizens` when a cycle ends (QueueService). */
  queue: Pick<QueueService, 'upsertBatch'> & Partial<Pick<QueueService, 'flushPendingCitizens'>>;
  syncState: SyncStateRepository;
  emit: (event: CoreEvent) => void;
  now: () => number;
  log: CoreLog;
  backoff?: BackoffOptions;
  /** Called after each successful cycle: the backend answers (the outbox resends what waited for it). */
  onOnline?: (backendId: string) => void;
}

const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1000, maxMs: 60_000 };

type BackendState = BackendStatus['state'];

class StoppedError extends Error {
  constructor() {
    super('sync stopped');
    this.name = 'StoppedError';
  }
}

/** Delay before the next cycle after `failures` consecutive failed cycles (≥ 1). */
export function backoffDelay(failures: number, options: BackoffOptions): number {
  const exponent = Math.min(Math.max(failures - 1, 0), 30);
  return Math.min(options.maxMs, options.baseMs * 2 ** exponent);
}

class BackendLoop {
  private state: BackendState = 'connecting';
  private progress: BackendStatus['progress'] = null;
  private lastSyncAt: number | null;
  private lastAttemptAt: number | null;
  private lastError: BackendStatus['lastError'];
  private failures = 0;
  private readonly pause = new WakeableSleep();
  private running: Promise<void> | null = null;
  private stopped = false;
  private readonly abort = new AbortController();
  /** The adapter's push watch: its stop function once started, 'starting' while it connects. */
  private watcher: (() => Promise<void>) | 'starting' | null = null;
  /** Generation of the current watch; an end reported by an older one is ignored. */
  private watchGeneration = 0;
  private watchEndedGeneration = -1;
  private watchStartedAt = 0;
  /** Consecutive watches that ended soon after starting (restart backoff). */
  private watchEnds = 0;
  private watchRestart: NodeJS.Timeout | null = null;

  constructor(
    private readonly backend: SyncBackend,
    private readonly deps: SyncEngineDeps,
    private readonly backoff: BackoffOptions,
  ) {
    const stored = deps.syncState.get(backend.adapter.id);
    this.lastSyncAt = stored.lastSyncAt;
    this.lastAttemptAt = stored.lastAttemptAt;
    this.lastError = stored.lastError;
  }

  get id(): string {
    return this.backend.adapter.id;
  }

  start(): void {
    if (this.running || this.stopped) return;
    this.running = this.run();
  }

  /** Run a cycle now (or right after the current one). */
  requestSync(): void {
    this.pause.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.watchRestart) clearTimeout(this.watchRestart);
    this.watchRestart = null;
    this.abort.abort();
    this.pause.interrupt();
    await this.running;
    await this.stopWatch();
  }

  /** Start the adapter's push watch if it has one and it is not running (never throws). */
  private startWatch(): void {
    const adapter = this.backend.adapter;
    if (typeof adapter.watch !== 'function' || this.watcher !== null || this.stopped) return;
    this.watcher = 'starting';
    const generation = ++this.watchGeneration;
    let started: Promise<() => Promise<void>>;
    try {
      started = adapter.watch(
        () => {
          if (!this.stopped) this.requestSync();
        },
        (reason) => this.watchEnded(generation, reason),
      );
    } catch (error) {
      started = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    started.then(
      (stop) => {
        if (this.stopped) {
          this.watcher = null;
          void stop().catch(() => undefined);
          return;
        }
        if (this.watchEndedGeneration === generation) {
          // It ended before its start was reported: already forgotten, restart scheduled.
          return;
        }
        this.watcher = stop;
        this.watchStartedAt = Date.now();
        this.deps.log('info', 'watching for changes', { backend: this.id });
      },
      (error: unknown) => {
        this.watcher = null;
        this.deps.log('warn', 'watch failed; retried after the next sync cycle', { backend: this.id, error: messageOf(error) });
      },
    );
  }

  /**
   * The watch ended by itself: forget it and, after the backoff, request a sync (mail may have arrived
   * meanwhile); the sync's success starts a new watch.
   */
  private watchEnded(generation: number, reason: Error): void {
    if (this.stopped || generation !== this.watchGeneration || this.watchEndedGeneration === generation) return;
    this.watchEndedGeneration = generation;
    const wasRunning = typeof this.watcher === 'function';
    this.watcher = null;
    const lived = wasRunning ? Date.now() - this.watchStartedAt : 0;
    this.watchEnds = lived >= WATCH_STABLE_MS ? 1 : this.watchEnds + 1;
    const delay = backoffDelay(this.watchEnds, this.backoff);
    this.deps.log('warn', 'watch ended; sync and watch again after a delay', {
      backend: this.id,
      reason: messageOf(reason),
      delayMs: delay,
    });
    if (this.watchRestart) clearTimeout(this.watchRestart);
    this.watchRestart = setTimeout(() => {
      this.watchRestart = null;
      if (!this.stopped) this.requestSync();
    }, delay);
    this.watchRestart.unref?.();
  }

  private async stopWatch(): Promise<void> {
    const watcher = this.watcher;
    if (typeof watcher !== 'function') return;
    this.watcher = null;
    try {
      await watcher();
    } catch (error) {
      this.deps.log('warn', 'stopping the watch failed', { backend: this.id, error: messageOf(error) });
    }
  }

  status(): BackendStatus {
    const { adapter, training } = this.backend;
    return {
      id: adapter.id,
      kind: adapter.kind,
      label: adapter.label,
      training,
      state: this.state,
      lastSyncAt: this.lastSyncAt,
      lastAttemptAt: this.lastAttemptAt,
      lastError: this.lastError,
      progress: this.progress,
      itemCount: this.deps.syncState.get(adapter.id).itemCount,
      quarantined: this.deps.syncState.quarantinedCount(adapter.id),
    };
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.cycle();
      } catch (error) {
        // cycle() handles its own failures; this is a last resort so the loop never dies.
        this.deps.log('error', 'sync loop failure', { backend: this.id, error: messageOf(error) });
      }
      if (this.stopped) break;
      const delay = this.failures === 0 ? this.backend.pollIntervalMs : backoffDelay(this.failures, this.backoff);
      await this.sleep(delay);
    }
  }

  private sleep(ms: number): Promise<void> {
    return this.pause.sleep(ms, this.stopped);
  }

  private async cycle(): Promise<void> {
    const { syncState, queue, now, log } = this.deps;
    const id = this.id;
    // A request made before this cycle started is served by it.
    this.pause.consume();
    this.lastAttemptAt = now();
    syncState.recordAttempt(id, this.lastAttemptAt);
    if (this.state !== 'online' && this.state !== 'connecting') this.setState('connecting');
    else if (this.state === 'connecting') this.publish();

    let cursor = syncState.get(id).cursor;
    let done = 0;
    // The next page is requested before this one is written, so the backend works while we write.
    // Only a page that has landed moves the stored cursor: a prefetched page lost in a crash is
    // simply asked for again.
    let prefetched: Promise<PullPage> | null = null;
    try {
      for (;;) {
        const previousCursor = cursor;
        const page = await (prefetched ?? this.pull(cursor));
        prefetched = null;
        if (this.stopped) return;
        const nextCursor = page.cursor ?? cursor;
        const advanced = page.records.length + page.quarantined.length > 0 || page.cursor !== previousCursor;
        if (page.hasMore && advanced) {
          const next = this.pull(nextCursor);
          next.catch(() => undefined); // awaited (and its failure handled) on the next turn
          prefetched = next;
          await new Promise<void>((resolve) => setImmediate(resolve)); // let the request go out
          if (this.stopped) return;
        }
        const result = queue.upsertBatch(id, page.records, page.quarantined, nextCursor, { deferCitizens: true });
        cursor = nextCursor;
        if (result.changed.length > 0) {
          this.deps.emit({
            type: 'items.changed',
            ids: result.changed.slice(0, CHANGED_IDS_CAP),
            more: result.changed.length > CHANGED_IDS_CAP,
          });
        }
        const landed = page.records.length + page.quarantined.length;
        const total = page.remaining === null ? null : done + Math.max(page.remaining, landed);
        done += landed;
        if (!page.hasMore) break;
        if (landed === 0 && page.cursor === previousCursor) {
          // "More pages" without progress would spin forever: report it and back off instead.
          throw new AdapterError('malformed', 'The backend says more pages follow, but the cursor does not advance', true);
        }
        this.progress = { done, total };
        this.setState('syncing');
      }
    } catch (error) {
      if (this.stopped) return;
      this.fail(error);
      return;
    } finally {
      // Whatever ended the cycle, the applicants of what it landed go into `citizens` — before
      // "online", so the citizen view sees them once the sync is done.
      this.flushCitizens();
    }
    this.failures = 0;
    this.lastSyncAt = now();
    this.lastError = null;
    this.progress = null;
    syncState.recordSuccess(id, this.lastSyncAt);
    this.setState('online');
    try {
      this.deps.onOnline?.(id);
    } catch (error) {
      log('warn', 'onOnline hook failed', { backend: id, error: messageOf(error) });
    }
    this.startWatch();
    if (done > 0) log('info', 'sync cycle done', { backend: id, records: done });
  }

  /** The applicants deferred by this cycle's pages into `citizens` (one transaction; never throws). */
  private flushCitizens(): void {
    try {
      this.deps.queue.flushPendingCitizens?.();
    } catch (error) {
      // They stay in citizens_pending: the next cycle (or the next start) folds them in.
      this.deps.log('warn', 'citizens flush failed', { backend: this.id, error: messageOf(error) });
    }
  }

  private fail(error: unknown): void {
    const at = this.deps.now();
    const code = error instanceof AdapterError ? error.code : 'unknown';
    const message = messageOf(error).slice(0, 500);
    this.failures += 1;
    this.progress = null;
    this.lastError = { code, message, at };
    this.deps.syncState.recordError(this.id, this.lastError);
    this.deps.log('warn', 'sync failed', { backend: this.id, code, message, failures: this.failures });
    this.setState(code === 'unreachable' || code === 'timeout' ? 'offline' : 'error');
  }

  /** adapter.pull, abandoned at once when the engine stops (the adapter also gets the signal). */
  private pull(cursor: string | null): Promise<PullPage> {
    const signal = this.abort.signal;
    if (signal.aborted) return Promise.reject(new StoppedError());
    return new Promise<PullPage>((resolve, reject) => {
      const onAbort = (): void => reject(new StoppedError());
      signal.addEventListener('abort', onAbort, { once: true });
      this.backend.adapter
        .pull(cursor, signal)
        .then(resolve, reject)
        .finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  private setState(state: BackendState): void {
    this.state = state;
    this.publish();
  }

  private publish(): void {
    if (this.stopped) return;
    this.deps.emit({ type: 'backend.status', backend: this.status() });
  }
}

export class SyncEngine {
  private readonly loops: BackendLoop[];
  private started = false;

  constructor(deps: SyncEngineDeps) {
    const backoff = deps.backoff ?? DEFAULT_BACKOFF;
    const seen = new Set<string>();
    this.loops = deps.backends.map((backend) => {
      if (seen.has(backend.adapter.id)) throw new Error(`Two backends share the id "${backend.adapter.id}"`);
      seen.add(backend.adapter.id);
      return new BackendLoop(backend, deps, backoff);
    });
  }

  start(): void {
    this.started = true;
    for (const loop of this.loops) loop.start();
  }

  hasBackend(backendId: string): boolean {
    return this.loops.some((l) => l.id === backendId);
  }

  /** Wake the given backend (or all); returns the ids asked to sync. */
  syncNow(backendId?: string): string[] {
    const targets = backendId === undefined ? this.loops : this.loops.filter((l) => l.id === backendId);
    for (const loop of targets) loop.requestSync();
    return targets.map((l) => l.id);
  }

  get isStarted(): boolean {
    return this.started;
  }

  statuses(): BackendStatus[] {
    return this.loops.map((l) => l.status());
  }

  async stop(): Promise<void> {
    await Promise.all(this.loops.map((l) => l.stop()));
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
