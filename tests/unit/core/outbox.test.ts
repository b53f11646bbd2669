import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AdapterError } from '../../../src/core/adapters/adapter';
import { ApiFailure } from '../../../src/core/api/api.dispatcher';
import { AuditLog } from '../../../src/core/audit/audit.log';
import { openCacheDatabase } from '../../../src/core/db/cache.database';
import { defaultCalendar } from '../../../src/core/deadline';
import { OutboxRepository } from '../../../src/core/outbox/outbox.repository';
import { OutboxRunner, outboxRetryDelay } from '../../../src/core/outbox/outbox.runner';
import { OutboxService } from '../../../src/core/outbox/outbox.service';
import { calendarDeadlinePolicy } from '../../../src/core/queue/deadline.policy';
import { QueueService } from '../../../src/core/queue/queue.service';
import { SyncStateRepository } from '../../../src/core/sync/sync-state.repository';
import type { CoreEvent, OutboxEntry } from '../../../src/shared/api';
import type { ItemAction } from '../../../src/shared/actions';
import { FakeAdapter } from './fixtures/fake.adapter';
import { document, dossier, NOW, tempDir } from './fixtures/records.fixture';

const ACTOR = { username: 'canbo.lan', fullName: 'Nguyễn Thị Lan' };
const RETRY = { baseMs: 1000, maxMs: 8000, maxAttempts: 3 };

let dir: string;
let cleanup: () => void;
let db: Database.Database;
let clock: number;
let adapter: FakeAdapter;
let docs: FakeAdapter;
let events: CoreEvent[];
let queue: QueueService;
let audit: AuditLog;
let outbox: OutboxService;
let runner: OutboxRunner;

function build(): void {
  const syncState = new SyncStateRepository(db);
  queue = new QueueService(db, calendarDeadlinePolicy(defaultCalendar()), syncState, {
    username: 'canbo.lan',
    now: () => clock,
    marks: new OutboxRepository(db),
  });
  audit = new AuditLog(db, () => clock);
  outbox = new OutboxService({
    db,
    queue,
    audit,
    emit: (e) => events.push(e),
    now: () => clock,
    actor: ACTOR,
    acceptsActions: (id) => id === 'p' || id === 'd',
  });
  runner = new OutboxRunner({ adapters: [adapter, docs], outbox, actor: ACTOR, now: () => clock, log: () => {}, retry: RETRY, random: () => 0.5 });
}

beforeEach(() => {
  ({ dir, cleanup } = tempDir('cw-outbox-'));
  db = openCacheDatabase(dir);
  clock = NOW;
  events = [];
  adapter = new FakeAdapter('p');
  docs = new FakeAdapter('d');
  adapter.records = [
    dossier({ externalId: 'X', status: '4', updatedAt: NOW - 60_000 }),
    dossier({ externalId: 'Y', status: '1', updatedAt: NOW - 50_000 }),
    dossier({ externalId: 'Z', status: '9', updatedAt: NOW - 40_000 }),
  ];
  docs.records = [document({ externalId: 'D1', status: '03', updatedAt: NOW - 30_000 })];
  build();
  queue.upsertBatch('p', adapter.records, [], null);
  queue.upsertBatch('d', docs.records, [], null);
});

afterEach(async () => {
  await runner.stop();
  db.close();
  cleanup();
});

function item(id: string): { status: string; pendingActions: number; attention: string; updatedAt: number; sla: string } {
  const found = queue.getItem(id, clock);
  if (!found) throw new Error(`no item ${id}`);
  return found;
}

function submit(itemId: string, action: ItemAction): OutboxEntry {
  return outbox.submit({ itemId, action, baseUpdatedAt: item(itemId).updatedAt });
}

function state(id: string): OutboxEntry {
  const e = outbox.get(id);
  if (!e) throw new Error(`no entry ${id}`);
  return e;
}

/** Run the backend's worker until nothing is due. */
async function drain(backendId = 'p', max = 50): Promise<void> {
  for (let i = 0; i < max; i++) if ((await runner.runOnce(backendId)) === 'idle') return;
  throw new Error('did not drain');
}

describe('submit', () => {
  it('stores the entry, its audit entry and the optimistic status together, and announces them', () => {
    const entry = submit('p:X', { kind: 'dossier.requestSupplement', missing: 'Bản sao giấy chứng sinh' });
    expect(entry).toMatchObject({ state: 'pending', attempts: 0, itemId: 'p:X', backendId: 'p', itemRef: 'X', lastError: null, conflict: null });
    expect(entry.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(item('p:X')).toMatchObject({ status: '5', pendingActions: 1, attention: 'none', sla: 'paused' });
    const list = queue.list({ scope: 'all', includeClosed: false }, 0, 10, clock);
    expect(list.items.find((i) => i.id === 'p:X')).toMatchObject({ status: '5', pendingActions: 1 });
    expect(list.items.find((i) => i.id === 'p:Y')).toMatchObject({ status: '1', pendingActions: 0, attention: 'none' });
    expect(events.map((e) => e.type)).toEqual(['outbox.changed', 'items.changed']);
    const log = audit.list(0, 10).entries;
    expect(log[0]).toMatchObject({ actor: 'canbo.lan', kind: 'action', summary: 'Yêu cầu bổ sung hồ sơ X' });
    expect(log[0]?.data).toMatchObject({ event: 'submit', outboxId: entry.id, fromStatus: '4', toStatus: '5' });
  });

  it('refuses unknown items, actions of the other source, and illegal transitions — also after pending ones', () => {
    const refuse = (itemId: string, action: ItemAction): string => {
      try {
        submit(itemId, action);
      } catch (e) {
        expect(e).toBeInstanceOf(ApiFailure);
        expect((e as ApiFailure).code).toBe('invalid_input');
        return (e as Error).message;
      }
      throw new Error('accepted');
    };
    expect(() => outbox.submit({ itemId: 'p:nope', action: { kind: 'dossier.receive' }, baseUpdatedAt: 0 })).toThrow(/No item/);
    expect(refuse('p:X', { kind: 'document.inProgress' })).toMatch(/does not apply/);
    expect(refuse('d:D1', { kind: 'dossier.receive' })).toMatch(/does not apply to a document/);
    expect(refuse('p:X', { kind: 'dossier.receive' })).toMatch(/not allowed on X in status 4; allowed from status 1/);
    submit('p:X', { kind: 'dossier.requestSupplement', missing: 'Tờ khai' });
    // From the optimistic 5: forward is no longer legal, supplementReceived is.
    expect(refuse('p:X', { kind: 'dossier.forward', toUser: 'canbo.mai' })).toMatch(/status 5 \(after the actions still pending\)/);
    expect(submit('p:X', { kind: 'dossier.supplementReceived' }).state).toBe('pending');
    expect(item('p:X')).toMatchObject({ status: '4', pendingActions: 2 });
    expect(outbox.list({ limit: 10 }).counts).toMatchObject({ pending: 2, done: 0 });
  });

  it('keeps the pending mark and the optimistic status when a sync page brings the old version', () => {
    submit('p:Z', { kind: 'dossier.returnResult', method: 0 });
    expect(item('p:Z').status).toBe('10');
    queue.upsertBatch('p', [dossier({ externalId: 'Z', status: '9', updatedAt: NOW - 1000, title: 'changed elsewhere' })], [], 'c1');
    expect(item('p:Z')).toMatchObject({ status: '10', pendingActions: 1, updatedAt: NOW - 1000 });
  });
});

describe('runner', () => {
  it('applies an entry: the returned record lands in the cache, the entry is done, the mark goes away', async () => {
    const entry = submit('p:X', { kind: 'dossier.forward', toUser: 'canbo.mai' });
    await drain();
    expect(state(entry.id)).toMatchObject({ state: 'done', attempts: 1, lastError: null });
    expect(adapter.performCalls).toHaveLength(1);
    expect(adapter.performCalls[0]?.ctx).toMatchObject({ idempotencyKey: entry.id, baseUpdatedAt: NOW - 60_000, actor: ACTOR, createdAt: NOW });
    expect(adapter.performCalls[0]?.ctx.progress?.value).toBeNull();
    const cached = queue.getItem('p:X', clock);
    expect(cached).toMatchObject({ status: '4', assignee: 'canbo.mai', pendingActions: 0, attention: 'none' });
    // The next sync brings the same version: nothing changes.
    expect(queue.upsertBatch('p', adapter.records, [], null).changed).toEqual([]);
    expect(audit.verify()).toMatchObject({ ok: true });
    const kinds = audit.list(0, 10).entries.map((e) => e.data['event']).reverse();
    expect(kinds).toEqual(['submit', 'send', 'applied']);
  });

  it("sends an item's actions in creation order, one at a time, moving the version along its own results", async () => {
    const a1 = submit('p:X', { kind: 'dossier.requestSupplement', missing: 'Tờ khai' });
    const a2 = submit('p:X', { kind: 'dossier.supplementReceived' });
    const b1 = submit('p:Y', { kind: 'dossier.receive' });
    const a3 = submit('p:X', { kind: 'dossier.forward', toUser: 'canbo.tuan' });
    await drain();
    expect(adapter.performCalls.map((c) => c.ctx.idempotencyKey)).toEqual([a1.id, a2.id, b1.id, a3.id]);
    expect(adapter.overlaps).toBe(0);
    // a2 was chosen while a1 was pending: it is checked against a1's result, not the version the official saw.
    expect(adapter.performCalls[1]?.ctx.baseUpdatedAt).toBe(
      (adapter.answers.get(a1.id) as { record: { updatedAt: number } }).record.updatedAt,
    );
    for (const e of [a1, a2, b1, a3]) expect(state(e.id).state).toBe('done');
    expect(item('p:X')).toMatchObject({ status: '4', pendingActions: 0 });
    expect(adapter.applied).toEqual([a1.id, a2.id, b1.id, a3.id]);
  });

  it('lets other items go while one waits out a backoff, and holds the later actions of that item', async () => {
    const a1 = submit('p:X', { kind: 'dossier.requestSupplement', missing: 'Tờ khai' });
    const a2 = submit('p:X', { kind: 'dossier.supplementReceived' });
    const b1 = submit('p:Y', { kind: 'dossier.receive' });
    adapter.performScript = [{ throw: new AdapterError('server_error', 'HTTP 500', true) }];
    await drain();
    expect(state(a1.id)).toMatchObject({ state: 'pending', attempts: 1, nextAttemptAt: NOW + 750, lastError: { code: 'server_error' } });
    expect(state(a2.id)).toMatchObject({ state: 'pending', attempts: 0 });
    expect(state(b1.id).state).toBe('done');
    expect(item('p:X')).toMatchObject({ status: '4', pendingActions: 2 }); // still the optimistic outcome of both
    clock += 750;
    await drain();
    expect(adapter.performCalls.map((c) => c.ctx.idempotencyKey)).toEqual([a1.id, b1.id, a1.id, a2.id]);
    expect(state(a2.id).state).toBe('done');
  });

  it('backs off exponentially with jitter, capped; unreachable and time-outs do not count toward the cap', async () => {
    expect([1, 2, 3, 4, 5, 9].map((n) => outboxRetryDelay(n, RETRY, () => 0))).toEqual([500, 1000, 2000, 4000, 4000, 4000]);
    expect([1, 2, 3, 4].map((n) => outboxRetryDelay(n, RETRY, () => 1))).toEqual([1000, 2000, 4000, 8000]);
    expect(outboxRetryDelay(1000, { baseMs: 1000, maxMs: 60_000 }, () => 1)).toBe(60_000);

    const e = submit('p:X', { kind: 'dossier.forward', toUser: 'canbo.mai' });
    const offline = (): AdapterError => new AdapterError('unreachable', 'ECONNREFUSED', true);
    adapter.performScript = [{ throw: offline() }, { throw: new AdapterError('timeout', 'no answer', true) }, { throw: offline() }, { throw: offline() }];
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      await drain();
      const s = state(e.id);
      expect(s.state).toBe('pending');
      waits.push((s.nextAttemptAt ?? 0) - clock);
      clock = s.nextAttemptAt ?? clock;
    }
    expect(waits).toEqual([750, 1500, 3000, 6000]);
    expect(state(e.id).attempts).toBe(4);
    // Three counted failures (maxAttempts 3) → needs attention.
    const boom = (): AdapterError => new AdapterError('server_error', 'HTTP 500', true);
    adapter.performScript = [{ throw: boom() }, { throw: boom() }, { throw: boom() }];
    for (let i = 0; i < 3; i++) {
      await drain();
      clock = state(e.id).nextAttemptAt ?? clock;
    }
    expect(state(e.id)).toMatchObject({ state: 'needs_attention', attempts: 7, lastError: { code: 'server_error', message: 'HTTP 500' } });
    expect(item('p:X')).toMatchObject({ pendingActions: 0, attention: 'needs_attention' });
    expect(adapter.applied).toEqual([]);
  });

  it('a non-retryable failure needs attention at once', async () => {
    const e = submit('p:X', { kind: 'dossier.forward', toUser: 'canbo.mai' });
    adapter.performScript = [{ throw: new AdapterError('auth_failed', 'bad password', false) }];
    await drain();
    expect(state(e.id)).toMatchObject({ state: 'needs_attention', attempts: 1, lastError: { code: 'auth_failed' } });
  });

  it('rejected and not_found need attention with the backend message; retry sends again', async () => {
    const e = submit('p:X', { kind: 'dossier.forward', toUser: 'canbo.mai' });
    adapter.performScript = [{ result: { outcome: 'rejected', message: 'Hồ sơ đang ở bước khác, không thể chuyển' } }];
    await drain();
    expect(state(e.id)).toMatchObject({
      state: 'needs_attention',
      lastError: { code: 'rejected', message: 'Hồ sơ đang ở bước khác, không thể chuyển' },
    });
    expect(item('p:X')).toMatchObject({ status: '4', pendingActions: 0, attention: 'needs_attention' });
    expect(() => outbox.discard('nope')).toThrow(/No outbox entry/);
    expect(() => outbox.resolveConflict(e.id, 'apply_anyway')).toThrow(/needs_attention; this is only possible when it is conflict/);
    expect(outbox.retry(e.id).state).toBe('pending');
    await drain();
    expect(state(e.id).state).toBe('done');
    expect(item('p:X')).toMatchObject({ assignee: 'canbo.mai', attention: 'none' });

    const n = submit('p:Y', { kind: 'dossier.receive' });
    adapter.performScript = [{ result: { outcome: 'not_found', message: 'Không tìm thấy hồ sơ' } }];
    await drain();
    expect(state(n.id)).toMatchObject({ state: 'needs_attention', lastError: { code: 'not_found', message: 'Không tìm thấy hồ sơ' } });
  });

  it('a conflict keeps both sides; apply anyway resends against the current version; discard drops it', async () => {
    const e = submit('p:X', { kind: 'dossier.forward', toUser: 'canbo.mai' });
    // Someone else changed X on the backend meanwhile.
    const changed = dossier({ externalId: 'X', status: '4', updatedAt: NOW + 5000, assignee: 'canbo.hung' });
    adapter.records[0] = changed;
    await drain();
    const c = state(e.id);
    expect(c).toMatchObject({ state: 'conflict', lastError: { code: 'conflict' } });
    expect(c.conflict?.base).toMatchObject({ id: 'p:X', updatedAt: NOW - 60_000, assignee: 'canbo.lan' });
    expect(c.conflict?.current).toMatchObject({ id: 'p:X', updatedAt: NOW + 5000, assignee: 'canbo.hung' });
    expect(item('p:X')).toMatchObject({ attention: 'conflict', pendingActions: 0, updatedAt: NOW + 5000 });
    expect(outbox.resolveConflict(e.id, 'apply_anyway')).toMatchObject({ state: 'pending', conflict: null });
    await drain();
    expect(state(e.id).state).toBe('done');
    expect(adapter.performCalls.at(-1)?.ctx.baseUpdatedAt).toBe(NOW + 5000);
    // The backend stored its 409 under the first key: the resend goes out under a new round's key.
    expect(adapter.performCalls.at(-1)?.ctx.idempotencyKey).toBe(`${e.id}~1`);
    expect(item('p:X')).toMatchObject({ assignee: 'canbo.mai', attention: 'none' });

    const d = submit('p:X', { kind: 'dossier.forward', toUser: 'canbo.tuan' });
    adapter.records[0] = { ...adapter.records.find((r) => r.externalId === 'X')!, updatedAt: NOW + 99_000 };
    await drain();
    expect(state(d.id).state).toBe('conflict');
    expect(outbox.resolveConflict(d.id, 'discard').state).toBe('discarded');
    expect(adapter.applied).toEqual([`${e.id}~1`]);
  });

  it('discard reverts the optimistic status; a sending entry cannot be discarded', async () => {
    const e = submit('p:Y', { kind: 'dossier.refuse', reason: 'Sai thẩm quyền giải quyết' });
    expect(item('p:Y').status).toBe('3');
    expect(outbox.discard(e.id).state).toBe('discarded');
    expect(item('p:Y')).toMatchObject({ status: '1', pendingActions: 0, attention: 'none' });
    expect(() => outbox.retry(e.id)).toThrow(/discarded/);
    await drain();
    expect(adapter.performCalls).toEqual([]);

    const s = submit('p:Y', { kind: 'dossier.receive' });
    let open!: () => void;
    adapter.performScript = [{ gate: new Promise<void>((r) => (open = r)) }];
    const sending = runner.runOnce('p');
    await new Promise((r) => setTimeout(r, 5));
    expect(state(s.id).state).toBe('sending');
    expect(() => outbox.discard(s.id)).toThrow(/sending/);
    open();
    await sending;
    expect(state(s.id).state).toBe('done');
  });

  it('after a crash mid-send, the entry is resent with the same key and applied exactly once', async () => {
    const e = submit('p:X', { kind: 'dossier.requestSupplement', missing: 'Tờ khai' });
    // The backend applies it, then the process dies before the answer is recorded.
    adapter.performScript = [{ hang: true }];
    const inFlight = runner.runOnce('p');
    await new Promise((r) => setTimeout(r, 5));
    expect(state(e.id).state).toBe('sending');
    adapter.performScript = [];
    adapter.records[0] = { ...adapter.records[0]! };
    // Simulate the backend having applied it: call perform directly with the same key.
    await adapter.perform('X', { kind: 'dossier.requestSupplement', missing: 'Tờ khai' }, { idempotencyKey: e.id, baseUpdatedAt: NOW - 60_000, actor: ACTOR });
    // "Crash": a new service on the same file, without the old runner writing anything more.
    const crashed = runner;
    build();
    expect(outbox.recoverInterrupted()).toBe(1);
    expect(state(e.id)).toMatchObject({ state: 'pending', attempts: 1 });
    await drain();
    expect(state(e.id)).toMatchObject({ state: 'done', attempts: 2 });
    expect(adapter.performCalls.filter((c) => c.ctx.idempotencyKey === e.id)).toHaveLength(3);
    expect(adapter.applied).toEqual([e.id]);
    expect(item('p:X')).toMatchObject({ status: '5', pendingActions: 0 });
    await crashed.stop();
    await inFlight;
  });

  it('an answer lost after the backend applied the action is recovered by resending the same key', async () => {
    const e = submit('p:X', { kind: 'dossier.forward', toUser: 'canbo.mai' });
    adapter.performScript = [{ applyThenThrow: new AdapterError('timeout', 'no answer within 300 ms', true) }];
    await drain();
    expect(state(e.id)).toMatchObject({ state: 'pending', lastError: { code: 'timeout' } });
    clock = state(e.id).nextAttemptAt ?? clock;
    await drain();
    expect(state(e.id).state).toBe('done');
    expect(adapter.applied).toEqual([e.id]);
  });

  it('stop aborts the send in flight and puts it back to pending, nothing counted', async () => {
    const e = submit('p:X', { kind: 'dossier.forward', toUser: 'canbo.mai' });
    adapter.performScript = [{ hang: true }];
    runner.start();
    for (let i = 0; i < 100 && state(e.id).state !== 'sending'; i++) await new Promise((r) => setTimeout(r, 2));
    expect(state(e.id).state).toBe('sending');
    await runner.stop();
    expect(state(e.id)).toMatchObject({ state: 'pending', attempts: 1, lastError: null });
    expect(await runner.runOnce('p')).toBe('idle');
  });

  it('a backend coming back online makes what waited for it due at once and wakes the worker', async () => {
    const e = submit('p:X', { kind: 'dossier.forward', toUser: 'canbo.mai' });
    adapter.performScript = [{ throw: new AdapterError('unreachable', 'ECONNREFUSED', true) }];
    await drain();
    expect(state(e.id).nextAttemptAt).toBeGreaterThan(clock);
    runner.start();
    runner.backendOnline('p');
    for (let i = 0; i < 200 && state(e.id).state !== 'done'; i++) await new Promise((r) => setTimeout(r, 2));
    expect(state(e.id).state).toBe('done');
  });

  it('the running worker picks up a submit at once, documents included', async () => {
    runner.start();
    const e = submit('d:D1', { kind: 'document.assign', lead: 'canbo.hung', cooperating: [], forInfo: [] });
    expect(item('d:D1')).toMatchObject({ status: '04', pendingActions: 1 });
    for (let i = 0; i < 200 && state(e.id).state !== 'done'; i++) await new Promise((r) => setTimeout(r, 2));
    expect(state(e.id).state).toBe('done');
    expect(item('d:D1')).toMatchObject({ status: '04', pendingActions: 0 });
    const outboxEvents = events.filter((ev) => ev.type === 'outbox.changed').map((ev) => (ev.type === 'outbox.changed' ? ev.entry.state : ''));
    expect(outboxEvents).toEqual(['pending', 'sending', 'done']);
  });
});
