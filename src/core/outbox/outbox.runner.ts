/**
 * The outbox runner: one worker per backend, in the core process, sending the outbox's pending
 * entries to the backend's adapter (`perform`) one at a time.
 *
 * - Order: an item's entries go strictly in creation order, and an entry waits while an earlier one
 *   on the same item is unfinished (pending, sending, needs_attention, conflict) — a later action was
 *   chosen from the status the earlier one leads to. Different items interleave: an entry waiting
 *   out a backoff never holds up another item's.
 * - Every attempt carries the entry id as the idempotency key, and the version to check (the version
 *   the official saw, moved along their own confirmed actions; see OutboxRepository.effectiveBase).
 * - Failures: AdapterError unreachable/timeout → pending again with exponential backoff + jitter,
 *   not counted; other retryable failures are counted and, after `maxAttempts`, need attention;
 *   non-retryable failures, `rejected` and `not_found` need attention at once with the backend's
 *   message; `conflict` → conflict; `applied` → done (the returned record lands in the cache).
 * - `backendOnline(id)` (the sync engine reached the backend) makes entries that waited for an
 *   unreachable backend due at once and wakes the worker; a submit wakes it too.
 * - Actions without idempotency on the backend (SMTP) get a durable checkpoint in the context
 *   (`progress`, saved synchronously to the entry's row) and the paths of the entry's files.
 * - `stop()` takes no new work and aborts the send in flight; that entry goes back to pending (or
 *   stays `sending` if the process dies first — recovered at the next start). Either way it is
 *   resent with the same key, which the backend deduplicates.
 */
import { stagedFilesOf } from '../../shared/actions';
import { WakeableSleep } from '../util/wakeable-sleep';
import { type PerformContext, type PerformResult, AdapterError, type BackendAdapter } from '../adapters/adapter';
import type { CoreLog } from '../core.log';
import type { OutboxFiles } from './outbox.files';
import { idempotencyKeyOf, type OutboxError, type OutboxRecord } from './outbox.repository';
import type { OutboxActor, OutboxService } from './outbox.service';

export interface OutboxRetryOptions {
  /** First retry delay (doubles per attempt). */
  baseMs: number;
  /** Largest delay. */
  maxMs: number;
  /** Counted failures (anything but unreachable/timeout) before the entry needs attention. */
  maxAttempts: number;
}

export const DEFAULT_OUTBOX_RETRY: OutboxRetryOptions = { baseMs: 1000, maxMs: 60_000, maxAttempts: 8 };
/** Longest single sleep; the worker re-reads the table after it. */
const MAX_SLEEP_MS = 60_000;

export interface OutboxRunnerDeps {
  adapters: readonly BackendAdapter[];
  outbox: OutboxService;
  actor: OutboxActor;
  now: () => number;
  log: CoreLog;
  retry?: Partial<OutboxRetryOptions>;
  /** Jitter source (tests pin it). */
  random?: () => number;
  /** Where the files of entries live (mail attachments). */
  files?: OutboxFiles;
}

/** Delay before resending after the `sends`-th send failed: exponential, capped, "equal jitter". */
export function outboxRetryDelay(sends: number, options: Pick<OutboxRetryOptions, 'baseMs' | 'maxMs'>, random: () => number = Math.random): number {
  const exp = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(Math.max(sends - 1, 0), 30));
  return Math.round(exp / 2 + random() * (exp / 2));
}

class StoppedError extends Error {
  constructor() {
    super('outbox runner stopped');
    this.name = 'StoppedError';
  }
}

type StepResult = 'sent' | 'idle';

class BackendWorker {
  private stopped = false;
  private running: Promise<void> | null = null;
  private readonly pause = new WakeableSleep();
  private readonly abort = new AbortController();
  private busy: Promise<StepResult> | null = null;

  constructor(
    private readonly adapter: BackendAdapter,
    private readonly deps: OutboxRunnerDeps,
    private readonly retry: OutboxRetryOptions,
  ) {}

  get id(): string {
    return this.adapter.id;
  }

  start(): void {
    if (this.running || this.stopped) return;
    this.running = this.loop();
  }

  poke(): void {
    this.pause.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort(new StoppedError());
    this.pause.interrupt();
    await this.running;
    await this.busy?.catch(() => undefined);
  }

  /** Send the next due entry, if any (one step of the loop; tests drive it directly). */
  step(): Promise<StepResult> {
    if (this.busy) return this.busy;
    this.busy = this.sendNext().finally(() => {
      this.busy = null;
    });
    return this.busy;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      let result: StepResult = 'idle';
      try {
        result = await this.step();
      } catch (error) {
        this.deps.log('error', 'outbox worker failure', { backend: this.id, error: messageOf(error) });
        await this.sleep(1000);
        continue;
      }
      if (this.stopped) break;
      if (result === 'sent') continue;
      const { wakeAt } = this.deps.outbox.nextDue(this.id, this.deps.now());
      const wait = wakeAt === null ? MAX_SLEEP_MS : Math.max(0, wakeAt - this.deps.now());
      await this.sleep(Math.min(wait, MAX_SLEEP_MS));
    }
  }

  private sleep(ms: number): Promise<void> {
    return this.pause.sleep(ms, this.stopped);
  }

  private async sendNext(): Promise<StepResult> {
    if (this.stopped) return 'idle';
    const { outbox } = this.deps;
    // A wake that comes in while this step reads the table is served by the step.
    this.pause.consume();
    const next = outbox.nextDue(this.id, this.deps.now());
    if (next.unreadable !== null) {
      outbox.parkUnreadable(next.unreadable);
      return 'sent';
    }
    if (!next.entry) return 'idle';
    const entry = outbox.markSending(next.entry);
    let result: PerformResult;
    try {
      result = await this.perform(entry);
    } catch (error) {
      if (this.stopped && (error instanceof StoppedError || this.abort.signal.aborted)) {
        outbox.markInterrupted(entry);
        return 'idle';
      }
      this.failed(entry, error);
      return 'sent';
    }
    this.settle(entry, result);
    return 'sent';
  }

  private perform(entry: OutboxRecord): Promise<PerformResult> {
    const perform = this.adapter.perform?.bind(this.adapter);
    if (!perform) {
      return Promise.reject(new AdapterError('config_invalid', `The backend "${this.id}" does not accept actions`, false));
    }
    const signal = this.abort.signal;
    if (signal.aborted) return Promise.reject(new StoppedError());
    return new Promise<PerformResult>((resolve, reject) => {
      const onAbort = (): void => reject(new StoppedError());
      signal.addEventListener('abort', onAbort, { once: true });
      perform(entry.base.externalId, entry.action, this.contextOf(entry), signal)
        .then(resolve, reject)
        .finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  private contextOf(entry: OutboxRecord): PerformContext {
    const { outbox, files } = this.deps;
    let value = entry.progress;
    const ctx: PerformContext = {
      idempotencyKey: idempotencyKeyOf(entry),
      baseUpdatedAt: entry.baseUpdatedAt,
      actor: { ...this.deps.actor },
      createdAt: entry.createdAt,
      progress: {
        get value() {
          return value;
        },
        save(next) {
          outbox.saveProgress(entry, next);
          value = next;
        },
      },
    };
    const staged = stagedFilesOf(entry.action);
    if (staged.length > 0 && files) ctx.attachmentPaths = files.pathsFor(entry.id, staged);
    return ctx;
  }

  private settle(entry: OutboxRecord, result: PerformResult): void {
    const { outbox, now } = this.deps;
    switch (result.outcome) {
      case 'applied':
        outbox.markApplied(entry, result.record);
        return;
      case 'conflict':
        outbox.markConflict(entry, result.current, result.message);
        return;
      case 'rejected':
        outbox.markNeedsAttention(entry, { code: 'rejected', message: result.message, at: now() });
        return;
      case 'not_found':
        outbox.markNeedsAttention(entry, { code: 'not_found', message: result.message, at: now() });
        return;
      default: {
        const unknown: never = result;
        outbox.markNeedsAttention(entry, { code: 'unknown', message: `Unexpected answer: ${JSON.stringify(unknown)}`.slice(0, 500), at: now() });
      }
    }
  }

  private failed(entry: OutboxRecord, error: unknown): void {
    const { outbox, now, log } = this.deps;
    const at = now();
    const code = error instanceof AdapterError ? error.code : 'unknown';
    const lastError: OutboxError = { code, message: messageOf(error).slice(0, 1000), at };
    const waitingForNetwork = code === 'unreachable' || code === 'timeout';
    const retryable = error instanceof AdapterError ? error.retryable || waitingForNetwork : true;
    if (!retryable) {
      log('warn', 'outbox entry needs attention', { backend: this.id, id: entry.id, code });
      outbox.markNeedsAttention(entry, lastError);
      return;
    }
    const counted = entry.countedFailures + (waitingForNetwork ? 0 : 1);
    if (counted >= this.retry.maxAttempts) {
      log('warn', 'outbox entry needs attention after repeated failures', { backend: this.id, id: entry.id, code, counted });
      outbox.markNeedsAttention(entry, lastError, counted);
      return;
    }
    const delay = outboxRetryDelay(entry.attempts, this.retry, this.deps.random);
    outbox.markRetry(entry, lastError, at + delay, counted);
  }
}

export class OutboxRunner {
  private readonly workers = new Map<string, BackendWorker>();
  private started = false;

  constructor(private readonly deps: OutboxRunnerDeps) {
    const retry = { ...DEFAULT_OUTBOX_RETRY, ...deps.retry };
    for (const adapter of deps.adapters) this.workers.set(adapter.id, new BackendWorker(adapter, deps, retry));
    deps.outbox.onWork((backendId) => this.wake(backendId));
  }

  start(): void {
    this.started = true;
    for (const w of this.workers.values()) w.start();
  }

  get isStarted(): boolean {
    return this.started;
  }

  /** New or re-queued work for a backend (or all). */
  wake(backendId?: string): void {
    for (const w of this.workers.values()) if (backendId === undefined || w.id === backendId) w.poke();
  }

  /** The backend answered (sync success): what waited for it is due now. */
  backendOnline(backendId: string): void {
    if (!this.workers.has(backendId)) return;
    this.deps.outbox.expedite(backendId);
    this.wake(backendId);
  }

  /** One step of a backend's worker, for tests: sends the next due entry if there is one. */
  runOnce(backendId: string): Promise<StepResult> {
    const w = this.workers.get(backendId);
    if (!w) return Promise.reject(new Error(`No backend "${backendId}"`));
    return w.step();
  }

  /** Stop taking work, abort the sends in flight, wait for the workers to end. */
  async stop(): Promise<void> {
    await Promise.all([...this.workers.values()].map((w) => w.stop()));
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
