import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openCacheDatabase } from '../../../src/core/db/cache.database';
import { defaultCalendar } from '../../../src/core/deadline';
import { calendarDeadlinePolicy } from '../../../src/core/queue/deadline.policy';
import { QueueService } from '../../../src/core/queue/queue.service';
import { backoffDelay, SyncEngine } from '../../../src/core/sync/sync.engine';
import { SyncStateRepository } from '../../../src/core/sync/sync-state.repository';
import type { BackendStatus, CoreEvent } from '../../../src/shared/api';
import { QueueFilterSchema } from '../../../src/shared/api';
import { FakeAdapter, upsertInto } from './fixtures/fake.adapter';
import { dossier, NOW, tempDir } from './fixtures/records.fixture';

let dir: string;
let cleanup: () => void;
let db: Database.Database;
let syncState: SyncStateRepository;
let queue: QueueService;
let events: CoreEvent[];
let engine: SyncEngine | null;

function openServices(): void {
  db = openCacheDatabase(dir);
  syncState = new SyncStateRepository(db);
  queue = new QueueService(db, calendarDeadlinePolicy(defaultCalendar()), syncState, { username: 'canbo.lan', now: () => NOW });
}

function makeEngine(adapters: FakeAdapter[], pollIntervalMs = 60_000, baseMs = 20): SyncEngine {
  engine = new SyncEngine({
    backends: adapters.map((adapter) => ({ adapter, pollIntervalMs, training: true })),
    queue,
    syncState,
    emit: (e) => events.push(e),
    now: () => NOW,
    log: () => {},
    backoff: { baseMs, maxMs: 200 },
  });
  return engine;
}

function statuses(id: string): BackendStatus[] {
  return events.flatMap((e) => (e.type === 'backend.status' && e.backend.id === id ? [e.backend] : []));
}

function changedIds(): string[] {
  return events.flatMap((e) => (e.type === 'items.changed' ? e.ids : []));
}

function allIds(): string[] {
  return queue.list(QueueFilterSchema.parse({ includeClosed: true }), 0, 500, NOW).items.map((i) => i.id).sort();
}

function records(n: number, prefix = 'r'): ReturnType<typeof dossier>[] {
  return Array.from({ length: n }, (_, i) => dossier({ externalId: `${prefix}${String(i).padStart(3, '0')}`, dueAt: NOW + i * 60_000 }));
}

beforeEach(() => {
  ({ dir, cleanup } = tempDir('cw-sync-'));
  events = [];
  engine = null;
  openServices();
});

afterEach(async () => {
  await engine?.stop();
  db.close();
  cleanup();
});

describe('sync engine', () => {
  it('pulls every page from the stored cursor, lands items, reports progress and goes online', async () => {
    const a = new FakeAdapter('p');
    a.records = records(25);
    a.quarantine = [{ externalId: 'BAD', error: 'NgayHenTra invalid', raw: '{}' }];
    makeEngine([a]).start();
    await vi.waitFor(() => expect(statuses('p').at(-1)?.state).toBe('online'));
    expect(a.pulls).toEqual([null, '10', '20']);
    expect(allIds()).toHaveLength(25);
    expect(syncState.get('p').cursor).toBe('25');
    const states = statuses('p').map((s) => s.state);
    expect(states[0]).toBe('connecting');
    expect(states).toContain('syncing');
    const progress = statuses('p').flatMap((s) => (s.progress ? [s.progress] : []));
    expect(progress[0]).toEqual({ done: 11, total: 26 }); // 10 records + 1 quarantined of 25 + 1
    const last = statuses('p').at(-1);
    expect(last).toMatchObject({ state: 'online', itemCount: 25, quarantined: 1, lastError: null, lastSyncAt: NOW, progress: null });
    expect(changedIds()).toHaveLength(25);
  });

  it('a poll without changes emits no items.changed; syncNow picks up new records at once', async () => {
    const a = new FakeAdapter('p');
    a.records = records(3);
    const e = makeEngine([a]);
    e.start();
    await vi.waitFor(() => expect(statuses('p').at(-1)?.state).toBe('online'));
    events.length = 0;
    expect(e.syncNow()).toEqual(['p']);
    await vi.waitFor(() => expect(a.pulls).toHaveLength(2));
    await vi.waitFor(() => expect(statuses('p').at(-1)?.state).toBe('online'));
    expect(changedIds()).toEqual([]);
    upsertInto(a, dossier({ externalId: 'new' }));
    upsertInto(a, dossier({ externalId: 'r001', status: '9', updatedAt: NOW }));
    e.syncNow('p');
    await vi.waitFor(() => expect(changedIds().sort()).toEqual(['p:new', 'p:r001']));
    expect(a.pulls.at(-1)).toBe('3');
  });

  it('caps items.changed ids at 500 and flags more', async () => {
    const a = new FakeAdapter('p');
    a.pageSize = 1000;
    a.records = records(700);
    makeEngine([a]).start();
    await vi.waitFor(() => expect(events.some((e) => e.type === 'items.changed')).toBe(true));
    const changed = events.find((e) => e.type === 'items.changed');
    expect(changed).toMatchObject({ more: true });
    expect(changed?.type === 'items.changed' && changed.ids.length).toBe(500);
  });

  it('goes offline on unreachable, error on auth_failed, keeps the cache, backs off, recovers', async () => {
    const a = new FakeAdapter('p');
    a.records = records(5);
    const b = new FakeAdapter('q');
    b.failWith = 'auth_failed';
    const e = makeEngine([a, b], 60_000, 30);
    e.start();
    await vi.waitFor(() => expect(statuses('p').at(-1)?.state).toBe('online'));
    await vi.waitFor(() => expect(statuses('q').at(-1)?.state).toBe('error'));
    expect(statuses('q').at(-1)?.lastError).toEqual({ code: 'auth_failed', message: 'fake failure auth_failed', at: NOW });

    a.failWith = 'unreachable';
    e.syncNow('p');
    await vi.waitFor(() => expect(statuses('p').at(-1)?.state).toBe('offline'));
    expect(statuses('p').at(-1)?.lastError?.code).toBe('unreachable');
    expect(statuses('p').at(-1)?.lastSyncAt).toBe(NOW);
    expect(allIds()).toHaveLength(5);
    // Backoff retries on its own (30 ms, 60 ms, …) without waiting for the 60 s poll interval.
    const pullsAfterFailure = a.pulls.length;
    await vi.waitFor(() => expect(a.pulls.length).toBeGreaterThanOrEqual(pullsAfterFailure + 2));
    // Recovery.
    a.failWith = null;
    e.syncNow('p');
    await vi.waitFor(() => expect(statuses('p').at(-1)).toMatchObject({ state: 'online', lastError: null }));
    expect(syncState.get('p').lastError).toBeNull();
    expect(syncState.get('q').lastError?.code).toBe('auth_failed');
    expect(e.statuses().map((s) => [s.id, s.state])).toEqual([
      ['p', 'online'],
      ['q', 'error'],
    ]);
  });

  it('never runs two pulls at once for a backend, whatever syncNow does', async () => {
    const a = new FakeAdapter('p');
    a.records = records(30);
    let release: () => void = () => {};
    a.gate = new Promise((r) => (release = r));
    const e = makeEngine([a], 5);
    e.start();
    await vi.waitFor(() => expect(a.inFlight).toBe(1));
    for (let i = 0; i < 20; i++) e.syncNow();
    release();
    a.gate = null;
    await vi.waitFor(() => expect(a.pulls.length).toBeGreaterThan(6));
    expect(a.maxInFlight).toBe(1);
  });

  it('stop() aborts a pull in flight and resolves', async () => {
    const a = new FakeAdapter('p');
    a.records = records(3);
    a.gate = new Promise(() => {}); // never answers by itself
    const e = makeEngine([a]);
    e.start();
    await vi.waitFor(() => expect(a.inFlight).toBe(1));
    await e.stop();
    expect(a.aborted).toBe(1);
    expect(allIds()).toEqual([]);
    engine = null;
  });

  it('resumes from the stored cursor after a stop mid-sync: nothing lost, nothing twice', async () => {
    const a = new FakeAdapter('p');
    a.records = records(50);
    let release: () => void = () => {};
    const e = makeEngine([a]);
    // Hold the third pull.
    const original = a.pull.bind(a);
    a.pull = (cursor, signal) => {
      if (cursor === '20') a.gate = new Promise((r) => (release = r));
      return original(cursor, signal);
    };
    e.start();
    await vi.waitFor(() => expect(a.pulls).toContain('20'));
    await e.stop();
    release();
    expect(syncState.get('p').cursor).toBe('20');
    expect(allIds()).toHaveLength(20);
    db.close();

    openServices();
    events = [];
    const b = new FakeAdapter('p');
    b.records = a.records;
    makeEngine([b]).start();
    await vi.waitFor(() => expect(statuses('p').at(-1)?.state).toBe('online'));
    expect(b.pulls[0]).toBe('20');
    const ids = allIds();
    expect(ids).toHaveLength(50);
    expect(new Set(ids).size).toBe(50);
    expect(changedIds()).toHaveLength(30);
  });
});

describe('sync engine guards', () => {
  it('reports a backend that promises more pages without moving its cursor, instead of spinning', async () => {
    const a = new FakeAdapter('p');
    a.pull = async (cursor) => {
      a.pulls.push(cursor);
      return { records: [], quarantined: [], cursor: cursor, hasMore: true, remaining: null };
    };
    makeEngine([a]).start();
    await vi.waitFor(() => expect(statuses('p').at(-1)?.state).toBe('error'));
    expect(statuses('p').at(-1)?.lastError?.code).toBe('malformed');
    expect(a.pulls.length).toBeLessThan(5);
  });
});

describe('backoffDelay', () => {
  it('doubles from the base and stops at the cap', () => {
    const o = { baseMs: 1000, maxMs: 60_000 };
    expect([1, 2, 3, 4, 5, 6, 7, 8, 50].map((n) => backoffDelay(n, o))).toEqual([
      1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000,
    ]);
  });
});

describe('push watch', () => {
  /** A FakeAdapter with watch(): fails `failures` times, then hands out onChange. */
  class WatchingAdapter extends FakeAdapter {
    onChange: (() => void) | null = null;
    watchCalls = 0;
    stops = 0;
    failures = 0;

    watch(onChange: () => void): Promise<() => Promise<void>> {
      this.watchCalls += 1;
      if (this.failures > 0) {
        this.failures -= 1;
        return Promise.reject(new Error('IDLE refused'));
      }
      this.onChange = onChange;
      return Promise.resolve(async () => {
        this.stops += 1;
        this.onChange = null;
      });
    }
  }

  it('starts after the first successful cycle, syncs on change, retries a failed watch next cycle, stops on stop', async () => {
    const adapter = new WatchingAdapter('p');
    adapter.failures = 1;
    adapter.records = records(3);
    const e = makeEngine([adapter], 60_000);
    adapter.failWith = 'unreachable';
    e.start();
    await vi.waitFor(() => expect(statuses('p').at(-1)?.state).toBe('offline'));
    expect(adapter.watchCalls).toBe(0); // not before a successful cycle
    adapter.failWith = null;
    await vi.waitFor(() => expect(statuses('p').at(-1)?.state).toBe('online'), { timeout: 2000 });
    await vi.waitFor(() => expect(adapter.watchCalls).toBe(1)); // failed: logged, nothing crashes
    expect(adapter.onChange).toBeNull();
    e.syncNow('p');
    await vi.waitFor(() => expect(adapter.onChange).not.toBeNull()); // retried after the next cycle
    expect(adapter.watchCalls).toBe(2);

    upsertInto(adapter, dossier({ externalId: 'pushed' }));
    const pulls = adapter.pulls.length;
    adapter.onChange?.();
    await vi.waitFor(() => expect(allIds()).toContain('p:pushed'));
    expect(adapter.pulls.length).toBeGreaterThan(pulls);
    expect(adapter.watchCalls).toBe(2); // one watch while it runs

    await e.stop();
    expect(adapter.stops).toBe(1);
  });
});
