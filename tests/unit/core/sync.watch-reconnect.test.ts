/**
 * A push watch that ends by itself (the IMAP IDLE connection dropped): the engine forgets it, requests
 * a sync after the backoff, and the sync's success starts a new watch; a watch dying again and again
 * backs off; stop() cancels a pending restart.
 */
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openCacheDatabase } from '../../../src/core/db/cache.database';
import { defaultCalendar } from '../../../src/core/deadline';
import { calendarDeadlinePolicy } from '../../../src/core/queue/deadline.policy';
import { QueueService } from '../../../src/core/queue/queue.service';
import { SyncEngine } from '../../../src/core/sync/sync.engine';
import { SyncStateRepository } from '../../../src/core/sync/sync-state.repository';
import { FakeAdapter, upsertInto } from './fixtures/fake.adapter';
import { dossier, NOW, tempDir } from './fixtures/records.fixture';

class EndingWatchAdapter extends FakeAdapter {
  watchCalls = 0;
  stops = 0;
  onEnd: ((reason: Error) => void) | null = null;
  onChange: (() => void) | null = null;

  watch(onChange: () => void, onEnd?: (reason: Error) => void): Promise<() => Promise<void>> {
    this.watchCalls += 1;
    this.onChange = onChange;
    this.onEnd = onEnd ?? null;
    return Promise.resolve(async () => {
      this.stops += 1;
    });
  }

  /** The connection drops. */
  drop(): void {
    const end = this.onEnd;
    this.onEnd = null;
    this.onChange = null;
    end?.(new Error('connection closed'));
  }
}

let cleanup: () => void;
let db: Database.Database;
let engine: SyncEngine | null = null;
let logs: { level: string; msg: string; data?: unknown }[];

function makeEngine(adapter: FakeAdapter, baseMs: number): SyncEngine {
  const syncState = new SyncStateRepository(db);
  const queue = new QueueService(db, calendarDeadlinePolicy(defaultCalendar()), syncState, { username: 'canbo.lan', now: () => NOW });
  engine = new SyncEngine({
    backends: [{ adapter, pollIntervalMs: 600_000, training: false }],
    queue,
    syncState,
    emit: () => undefined,
    now: () => NOW,
    log: (level, msg, data) => logs.push({ level, msg, data }),
    backoff: { baseMs, maxMs: 4 * baseMs },
  });
  return engine;
}

beforeEach(() => {
  let dir: string;
  ({ dir, cleanup } = tempDir('cw-watch-'));
  db = openCacheDatabase(dir);
  logs = [];
});

afterEach(async () => {
  await engine?.stop();
  engine = null;
  db.close();
  cleanup();
});

describe('watch reconnect', () => {
  it('a dropped watch: sync requested after the backoff (mail that arrived meanwhile lands), then a new watch', async () => {
    const adapter = new EndingWatchAdapter('m');
    const e = makeEngine(adapter, 50);
    e.start();
    await vi.waitFor(() => expect(adapter.watchCalls).toBe(1));
    const pulls = adapter.pulls.length;
    upsertInto(adapter, dossier({ externalId: 'arrived-while-down' }));
    const dropped = Date.now();
    adapter.drop();
    expect(logs.some((l) => l.level === 'warn' && l.msg.startsWith('watch ended'))).toBe(true);
    // The poll interval is 10 minutes: only the engine's own request can bring the next pull.
    await vi.waitFor(() => expect(adapter.pulls.length).toBeGreaterThan(pulls), { timeout: 2000 });
    expect(Date.now() - dropped).toBeGreaterThanOrEqual(40);
    await vi.waitFor(() => expect(adapter.watchCalls).toBe(2), { timeout: 2000 });
    // The new watch works like the first.
    const before = adapter.pulls.length;
    adapter.onChange?.();
    await vi.waitFor(() => expect(adapter.pulls.length).toBeGreaterThan(before));
    expect(adapter.stops).toBe(0);
  });

  it('backs off while watches keep dying right after they start; a failing sync delays the restart', async () => {
    const adapter = new EndingWatchAdapter('m');
    const e = makeEngine(adapter, 40);
    e.start();
    await vi.waitFor(() => expect(adapter.watchCalls).toBe(1));
    const delays: number[] = [];
    for (let i = 0; i < 3; i++) {
      adapter.drop();
      const d = logs.filter((l) => l.msg.startsWith('watch ended')).at(-1)?.data as { delayMs: number };
      delays.push(d.delayMs);
      await vi.waitFor(() => expect(adapter.watchCalls).toBe(i + 2), { timeout: 2000 });
    }
    expect(delays).toEqual([40, 80, 160]);
    // Server down: the requested sync fails; the watch comes back only after a successful cycle.
    adapter.failWith = 'unreachable';
    adapter.drop();
    await new Promise((r) => setTimeout(r, 400));
    expect(adapter.watchCalls).toBe(4);
    adapter.failWith = null;
    await vi.waitFor(() => expect(adapter.watchCalls).toBe(5), { timeout: 3000 });
  });

  it('stop() cancels a pending restart and never calls watch again', async () => {
    const adapter = new EndingWatchAdapter('m');
    const e = makeEngine(adapter, 200);
    e.start();
    await vi.waitFor(() => expect(adapter.watchCalls).toBe(1));
    const pulls = adapter.pulls.length;
    adapter.drop();
    await e.stop();
    engine = null;
    await new Promise((r) => setTimeout(r, 350));
    expect(adapter.pulls.length).toBe(pulls);
    expect(adapter.watchCalls).toBe(1);
  });
});
