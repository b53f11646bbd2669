import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ApiInput, ApiMethod, ApiOutput, WorkstationApi } from '../../../src/shared/api';
import type { WorkItem } from '../../../src/shared/work-item';
import { defaultFilter } from '../../../src/renderer/state/queue-filter';
import { PAGE_SIZE, QueueStore } from '../../../src/renderer/state/queue.store';

function item(i: number): WorkItem {
  return {
    id: `mc:${i}`,
    source: 'procedure',
    backendId: 'mc',
    externalId: String(i),
    ref: `REF-${i}`,
    title: `Hồ sơ ${i}`,
    party: null,
    kind: null,
    status: '4',
    receivedAt: 0,
    dueAt: null,
    urgency: 0,
    assignee: null,
    assigneeName: null,
    updatedAt: 0,
    sla: i % 2 ? 'overdue' : 'on_track',
    remainingWorkingMinutes: null,
    pendingActions: 0,
    attention: 'none',
  };
}

/** A core holding `total` items that answers list/counts like the contract says. */
function fakeCore(total: { n: number }) {
  const calls: { method: string; input: unknown }[] = [];
  const call = async <M extends ApiMethod>(method: M, input: ApiInput<M>): Promise<ApiOutput<M>> => {
    calls.push({ method, input });
    if (method === 'queue.list') {
      const { offset = 0, limit = 100 } = input as ApiInput<'queue.list'>;
      const items = [];
      for (let i = offset; i < Math.min(total.n, offset + limit); i++) items.push(item(i));
      return { items, hasMore: offset + limit < total.n, now: 1 } as ApiOutput<M>;
    }
    if (method === 'queue.counts') {
      const half = Math.floor(total.n / 2);
      return {
        total: total.n,
        bySla: { overdue: total.n - half, due_today: 0, due_soon: 0, on_track: half, paused: 0, none: 0 },
        bySource: { procedure: total.n, document: 0, mail: 0 },
      } as ApiOutput<M>;
    }
    throw new Error(`unexpected ${method}`);
  };
  return { api: { call } as Pick<WorkstationApi, 'call'>, calls };
}

const settle = async (ms = 0): Promise<void> => {
  await vi.advanceTimersByTimeAsync(ms);
};

describe('QueueStore', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('loads the first page, then sizes the list from the counts', async () => {
    vi.useFakeTimers();
    const total = { n: 200_000 };
    const { api, calls } = fakeCore(total);
    const store = new QueueStore(api);
    store.setFilter(defaultFilter('all'));
    expect(store.getSnapshot().status).toBe('loading');
    await settle();
    const snap = store.getSnapshot();
    expect(snap.status).toBe('ready');
    expect(snap.rowCount).toBe(200_000);
    expect(snap.total).toBe(200_000);
    expect(store.itemAt(0)?.id).toBe('mc:0');
    expect(store.itemAt(PAGE_SIZE)).toBeUndefined();
    expect(calls.map((c) => c.method)).toEqual(['queue.list', 'queue.counts']);
  });

  it('fetches only the pages that come into view', async () => {
    vi.useFakeTimers();
    const { api, calls } = fakeCore({ n: 200_000 });
    const store = new QueueStore(api);
    store.setFilter(defaultFilter('all'));
    await settle();
    store.setVisibleRange(150_010, 150_040);
    await settle(100);
    const offsets = calls.filter((c) => c.method === 'queue.list').map((c) => (c.input as { offset: number }).offset);
    expect(offsets).toEqual([0, 150_000]);
    expect(store.itemAt(150_020)?.id).toBe('mc:150020');
  });

  it('trusts the end of a short list over the counts', async () => {
    vi.useFakeTimers();
    const { api } = fakeCore({ n: 42 });
    const store = new QueueStore(api);
    store.setFilter(defaultFilter('mine'));
    await settle();
    expect(store.getSnapshot().rowCount).toBe(42);
    expect(store.getSnapshot().exact).toBe(true);
  });

  it('counts the selected SLA states only, from counts taken without the SLA filter', async () => {
    vi.useFakeTimers();
    const { api, calls } = fakeCore({ n: 1000 });
    const store = new QueueStore(api);
    store.setFilter({ ...defaultFilter('all'), sla: ['overdue'] });
    await settle();
    const countsCall = calls.find((c) => c.method === 'queue.counts');
    expect((countsCall?.input as { filter: { sla?: unknown } }).filter.sla).toBeUndefined();
    expect(store.getSnapshot().total).toBe(500);
  });

  it('refreshes in place on change events, coalescing bursts', async () => {
    vi.useFakeTimers();
    const total = { n: 150 };
    const { api, calls } = fakeCore(total);
    const store = new QueueStore(api);
    store.setFilter(defaultFilter('all'));
    await settle();
    store.setVisibleRange(0, 30);
    await settle(100);
    const before = calls.length;
    total.n = 160;
    store.refresh();
    store.refresh();
    store.refresh();
    // Rows stay visible while the refresh is pending.
    expect(store.itemAt(0)?.id).toBe('mc:0');
    await settle(3000);
    const lists = calls.slice(before).filter((c) => c.method === 'queue.list');
    expect(lists).toHaveLength(1);
    expect(store.getSnapshot().rowCount).toBe(160);
  });

  it('ignores answers for a filter that was replaced', async () => {
    vi.useFakeTimers();
    const { api } = fakeCore({ n: 10 });
    const store = new QueueStore(api);
    store.setFilter(defaultFilter('all'));
    store.setFilter({ ...defaultFilter('all'), q: 'x' });
    await settle();
    expect(store.getSnapshot().status).toBe('ready');
    expect(store.getSnapshot().rowCount).toBe(10);
  });
});
