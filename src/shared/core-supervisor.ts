/**
 * Issue #7 (shell resilience): when the core process stops unexpectedly, start it again with a
 * backoff, at most `maxRestartsPerMinute` times in any minute, and say so (the official sees a banner;
 * the outbox is in SQLite, so waiting actions survive). Pure: the process, the clock and the timer
 * are injected, so the Electron shell (src/main/index.ts) and tests drive the same logic.
 *
 * Use: `start()` once; report every exit of the process with `exited(code)`; call `stop()` before an
 * intended shutdown so its exit is not taken for a crash.
 */

export interface CoreSupervisorOptions {
  /** Starts the process; resolves when it is ready (rejects if it failed to start). */
  launch: () => Promise<void>;
  /** Clock (epoch ms). */
  now?: () => number;
  /** Timer; returns a cancel function. */
  schedule?: (fn: () => void, ms: number) => () => void;
  /** First restart delay; doubles for each crash in a row (default 500 ms). */
  baseDelayMs?: number;
  /** Longest restart delay (default 15 s). */
  maxDelayMs?: number;
  /** Crashes allowed in any 60 s window before giving up (default 5). */
  maxRestartsPerMinute?: number;
  /** A process that ran this long before crashing resets the backoff (default 60 s). */
  stableAfterMs?: number;
  /** After a restart completed: tell the official. */
  onRestarted?: (info: { restartsLastMinute: number; at: number }) => void;
  /** Too many crashes: the shell stops restarting (the official is told to call IT staff). */
  onGaveUp?: (info: { restartsLastMinute: number; at: number; lastExitCode: number | null }) => void;
  /** A restart attempt failed to start (it counts as a crash). */
  onLaunchFailed?: (error: unknown) => void;
}

export type SupervisorState = 'idle' | 'running' | 'waiting' | 'restarting' | 'stopped' | 'gave_up';

const MINUTE = 60_000;

export class CoreSupervisor {
  private state: SupervisorState = 'idle';
  private readonly now: () => number;
  private readonly schedule: (fn: () => void, ms: number) => () => void;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly maxPerMinute: number;
  private readonly stableAfterMs: number;
  /** Times of the restarts (crashes that led to a restart attempt). */
  private restarts: number[] = [];
  private crashesInARow = 0;
  private runningSince = 0;
  private cancelTimer: (() => void) | null = null;

  constructor(private readonly options: CoreSupervisorOptions) {
    this.now = options.now ?? Date.now;
    this.schedule =
      options.schedule ??
      ((fn, ms) => {
        const t = setTimeout(fn, ms);
        return () => clearTimeout(t);
      });
    this.baseDelayMs = options.baseDelayMs ?? 500;
    this.maxDelayMs = options.maxDelayMs ?? 15_000;
    this.maxPerMinute = options.maxRestartsPerMinute ?? 5;
    this.stableAfterMs = options.stableAfterMs ?? MINUTE;
  }

  get current(): SupervisorState {
    return this.state;
  }

  /** Restarts in the last minute. */
  restartsLastMinute(): number {
    const since = this.now() - MINUTE;
    this.restarts = this.restarts.filter((t) => t > since);
    return this.restarts.length;
  }

  /** The first start; a failure here is the caller's (nothing to restart yet). */
  async start(): Promise<void> {
    if (this.state !== 'idle') throw new Error(`supervisor already ${this.state}`);
    this.state = 'restarting';
    await this.options.launch();
    this.markRunning();
  }

  /** An intended shutdown follows: exits from now on are expected. */
  stop(): void {
    this.state = 'stopped';
    this.cancelTimer?.();
    this.cancelTimer = null;
  }

  /**
   * The process exited. Returns what the supervisor does about it: `ignored` (intended, or already
   * handled), `restarting` (a restart is scheduled after `delayMs`), `gave_up`.
   */
  exited(code: number | null): { action: 'ignored' } | { action: 'restarting'; delayMs: number } | { action: 'gave_up' } {
    if (this.state !== 'running') return { action: 'ignored' };
    const at = this.now();
    if (at - this.runningSince >= this.stableAfterMs) this.crashesInARow = 0;
    return this.crashed(code, at);
  }

  private crashed(code: number | null, at: number): { action: 'restarting'; delayMs: number } | { action: 'gave_up' } {
    if (this.restartsLastMinute() >= this.maxPerMinute) {
      this.state = 'gave_up';
      this.options.onGaveUp?.({ restartsLastMinute: this.restarts.length, at, lastExitCode: code });
      return { action: 'gave_up' };
    }
    this.crashesInARow += 1;
    this.restarts.push(at);
    const delayMs = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (this.crashesInARow - 1));
    this.state = 'waiting';
    this.cancelTimer = this.schedule(() => {
      this.cancelTimer = null;
      void this.relaunch();
    }, delayMs);
    return { action: 'restarting', delayMs };
  }

  private async relaunch(): Promise<void> {
    if (this.state !== 'waiting') return;
    this.state = 'restarting';
    try {
      await this.options.launch();
    } catch (error) {
      this.options.onLaunchFailed?.(error);
      if (this.state !== 'restarting') return;
      this.crashed(null, this.now());
      return;
    }
    if (this.state !== 'restarting') return;
    this.markRunning();
    this.options.onRestarted?.({ restartsLastMinute: this.restartsLastMinute(), at: this.now() });
  }

  private markRunning(): void {
    this.state = 'running';
    this.runningSince = this.now();
  }
}
