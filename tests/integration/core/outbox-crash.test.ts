import { describe, expect, it } from 'vitest';
import { runOutboxCrashScenario } from '../../support/outbox-harness';

/**
 * Crash and fault proof of the outbox: the core as its own process, killed with SIGKILL at seeded
 * random moments and restarted on the same data directory, against a sandbox where ~30 % of requests
 * misbehave (HTTP 500, answers that never come — some after the action was applied —, latency).
 * Every acknowledged action must be applied on the backend exactly once, and the cache must agree
 * with the backend. `npm run bench` runs the same scenario with N = 1000.
 */
describe('outbox under SIGKILL and faults (core process + sandbox)', () => {
  it('applies 100 actions exactly once across 5 kills, and the cache agrees with the backend', async () => {
    const result = await runOutboxCrashScenario({
      actions: 100,
      kills: 5,
      seed: 20261125,
      drainBudgetMs: 30_000,
      faults: { errorRate: 0.1, timeoutRate: 0.1, latencyMs: 2 },
      clientTimeoutMs: 250,
    });
    console.log(`outbox crash test: ${JSON.stringify({ ...result, cacheMismatches: result.cacheMismatches.length })}`);
    expect(result.kills).toBeGreaterThanOrEqual(5);
    expect(result.acknowledged).toBe(100);
    expect(result.drained).toBe(true);
    expect(result.states).toEqual({ done: result.outboxEntries });
    expect(result.lost).toBe(0);
    expect(result.duplicates).toBe(0);
    expect(result.unknownApplied).toBe(0);
    expect(result.appliedOnBackend).toBe(result.outboxEntries);
    expect(result.cacheMismatches).toEqual([]);
    expect(result.auditOk).toBe(true);
    expect(result.events['submit']).toBe(result.outboxEntries);
    expect(result.events['applied']).toBe(result.outboxEntries);
    // The faults were real: more requests reached the backend than actions were applied.
    expect(result.deliveries).toBeGreaterThan(result.appliedOnBackend);
  }, 60_000);
});
