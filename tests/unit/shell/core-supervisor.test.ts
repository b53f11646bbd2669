import { describe, expect, it } from 'vitest';
import { CoreSupervisor, type CoreSupervisorOptions } from '../../../src/shared/core-supervisor';

/** A fake clock and timer queue: time moves only when the test says so. */
function harness(patch: Partial<CoreSupervisorOptions> = {}) {
  let t = 1_000_000;
  const timers: Array<{ at: number; fn: () => void; cancelled: boolean }> = [];
  const log: string[] = [];
  let failNext = 0;
  const sup = new CoreSupervisor({
    launch: async () => {
      if (failNext > 0) {
        failNext -= 1;
        log.push('launch-failed');
        throw new Error('did not start');
      }
      log.push('launch');
    },
    now: () => t,
    schedule: (fn, ms) => {
      const timer = { at: t + ms, fn, cancelled: false };
      timers.push(timer);
      return () => {
        timer.cancelled = true;
      };
    },
    onRestarted: (i) => log.push(`restarted ${i.restartsLastMinute}`),
    onGaveUp: (i) => log.push(`gave-up ${i.restartsLastMinute} code=${i.lastExitCode}`),
    ...patch,
  });
  /** Advance the clock, firing due timers (and letting their async launch settle). */
  const advance = async (ms: number) => {
    t += ms;
    for (const timer of timers.filter((x) => !x.cancelled && x.at <= t)) {
      timer.cancelled = true;
      timer.fn();
      await new Promise((r) => setImmediate(r));
    }
  };
  return { sup, log, advance, failNext: (n: number) => (failNext = n), pendingTimers: () => timers.filter((x) => !x.cancelled).length };
}

describe('CoreSupervisor: restarting a crashed core', () => {
  it('restarts after an unexpected exit, with doubling delays, and tells the official each time', async () => {
    const h = harness();
    await h.sup.start();
    expect(h.sup.current).toBe('running');
    expect(h.sup.exited(1)).toEqual({ action: 'restarting', delayMs: 500 });
    expect(h.sup.current).toBe('waiting');
    await h.advance(499);
    expect(h.log).toEqual(['launch']);
    await h.advance(1);
    expect(h.log).toEqual(['launch', 'launch', 'restarted 1']);
    expect(h.sup.current).toBe('running');
    // A second crash soon after: the delay doubles.
    await h.advance(1000);
    expect(h.sup.exited(null)).toEqual({ action: 'restarting', delayMs: 1000 });
    await h.advance(1000);
    expect(h.log.at(-1)).toBe('restarted 2');
  });

  it('gives up after the per-minute cap and says so; a minute later it would restart again', async () => {
    const h = harness({ maxRestartsPerMinute: 3, baseDelayMs: 100, maxDelayMs: 200 });
    await h.sup.start();
    for (let i = 0; i < 3; i++) {
      expect(h.sup.exited(134).action).toBe('restarting');
      await h.advance(200);
      expect(h.sup.current).toBe('running');
    }
    expect(h.sup.exited(134)).toEqual({ action: 'gave_up' });
    expect(h.sup.current).toBe('gave_up');
    expect(h.log.at(-1)).toBe('gave-up 3 code=134');
    // No timer left: nothing restarts by itself after giving up.
    expect(h.pendingTimers()).toBe(0);
    expect(h.sup.exited(1)).toEqual({ action: 'ignored' });
  });

  it('counts only the last minute: spaced crashes never hit the cap, and a stable run resets the backoff', async () => {
    const h = harness({ maxRestartsPerMinute: 2 });
    await h.sup.start();
    for (let i = 0; i < 6; i++) {
      await h.advance(61_000);
      expect(h.sup.exited(1)).toEqual({ action: 'restarting', delayMs: 500 });
      await h.advance(500);
      expect(h.sup.current).toBe('running');
    }
    expect(h.log.filter((l) => l.startsWith('restarted'))).toHaveLength(6);
  });

  it('an intended shutdown is not a crash, and cancels a pending restart', async () => {
    const h = harness();
    await h.sup.start();
    h.sup.exited(1);
    h.sup.stop();
    await h.advance(60_000);
    expect(h.log).toEqual(['launch']);
    expect(h.sup.exited(0)).toEqual({ action: 'ignored' });
  });

  it('a restart that fails to start counts as a crash and is retried with a longer delay', async () => {
    const h = harness({ maxRestartsPerMinute: 10 });
    await h.sup.start();
    h.failNext(2);
    h.sup.exited(1);
    await h.advance(500); // fails → next in 1000
    await h.advance(1000); // fails → next in 2000
    await h.advance(2000); // starts
    expect(h.log).toEqual(['launch', 'launch-failed', 'launch-failed', 'launch', 'restarted 3']);
    expect(h.sup.current).toBe('running');
  });

  it('exits while a restart is starting are ignored (the launch itself reports the failure)', async () => {
    const h = harness();
    await h.sup.start();
    h.sup.exited(1);
    expect(h.sup.exited(1)).toEqual({ action: 'ignored' });
    await expect(h.sup.start()).rejects.toThrow(/already/);
  });
});
