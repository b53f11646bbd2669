import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCacheDatabase } from '../../../src/core/db/cache.database';
import { defaultCalendar, slaFor, slaBoundaries } from '../../../src/core/deadline';
import { calendarDeadlinePolicy } from '../../../src/core/queue/deadline.policy';
import {
  ftsMatchExpression,
  unifiedMatch,
  QueueService,
  type QueueFilterValue,
} from '../../../src/core/queue/queue.service';
import { SyncStateRepository } from '../../../src/core/sync/sync-state.repository';
import { QueueFilterSchema } from '../../../src/shared/api';
import { SLA_STATES, type SlaState } from '../../../src/shared/domain';
import { at, document, dossier, NOW, tempDir } from './fixtures/records.fixture';

const calendar = defaultCalendar();
let dir: string;
let cleanup: () => void;
let db: Database.Database;
let syncState: SyncStateRepository;
let queue: QueueService;

function filter(f: Partial<QueueFilterValue> = {}): QueueFilterValue {
  return QueueFilterSchema.parse(f);
}

function ids(f: Partial<QueueFilterValue> = {}, limit = 100): string[] {
  return queue.list(filter(f), 0, limit, NOW).items.map((i) => i.id);
}

beforeEach(() => {
  ({ dir, cleanup } = tempDir('cw-queue-'));
  db = openCacheDatabase(dir);
  syncState = new SyncStateRepository(db);
  queue = new QueueService(db, calendarDeadlinePolicy(calendar), syncState, { username: 'canbo.lan', now: () => NOW });
});

afterEach(() => {
  db.close();
  cleanup();
});

/** One item per SLA state, plus closed and no-deadline ones (fixed now: Wed 2026-11-25 10:00). */
function seedSlaSet(): void {
  queue.upsertBatch(
    'p',
    [
      dossier({ externalId: 'overdue', dueAt: at('2026-11-24T16:00:00') }),
      dossier({ externalId: 'today', dueAt: at('2026-11-25T16:00:00'), assignee: 'canbo.hung' }),
      dossier({ externalId: 'soon', dueAt: at('2026-11-26T11:00:00') }),
      dossier({ externalId: 'later', dueAt: at('2026-12-04T17:00:00'), assignee: null }),
      dossier({ externalId: 'paused', status: '5', dueAt: at('2026-11-20T17:00:00') }),
      dossier({ externalId: 'resolved', status: '9', dueAt: at('2026-11-20T17:00:00') }),
      dossier({ externalId: 'nodue', status: '2', dueAt: null }),
      dossier({ externalId: 'returned', status: '10', dueAt: at('2026-11-19T17:00:00') }),
    ],
    [],
    'cursor-1',
  );
}

describe('upsertBatch', () => {
  it('inserts, reports changed ids, stores the cursor; a repeated page is a no-op', () => {
    const records = [dossier({ externalId: 'A' }), dossier({ externalId: 'B' })];
    expect(queue.upsertBatch('p', records, [], 'c1')).toEqual({ changed: ['p:A', 'p:B'], quarantined: 0 });
    expect(syncState.get('p')).toMatchObject({ cursor: 'c1', itemCount: 2 });
    expect(queue.upsertBatch('p', records, [], 'c1')).toEqual({ changed: [], quarantined: 0 });
    const count = db.prepare('SELECT COUNT(*) AS n FROM items').get() as { n: number };
    expect(count.n).toBe(2);
  });

  it('updates a row when updated_at or status change, not otherwise', () => {
    queue.upsertBatch('p', [dossier({ externalId: 'A', updatedAt: 1000 })], [], 'c1');
    // Same updated_at and status, other fields differ: skipped (the backend did not say it changed).
    expect(queue.upsertBatch('p', [dossier({ externalId: 'A', updatedAt: 1000, title: 'x' })], [], 'c2').changed).toEqual([]);
    expect(queue.upsertBatch('p', [dossier({ externalId: 'A', updatedAt: 2000, title: 'Mới' })], [], 'c3').changed).toEqual([
      'p:A',
    ]);
    expect(queue.upsertBatch('p', [dossier({ externalId: 'A', updatedAt: 2000, status: '9' })], [], 'c4').changed).toEqual([
      'p:A',
    ]);
    const item = queue.get('p:A', NOW);
    expect(item?.item).toMatchObject({ title: 'Đăng ký khai sinh cho con của Trần Thị Bình', status: '9', sla: 'none' });
    expect(syncState.get('p').cursor).toBe('c4');
  });

  it('keeps backends apart by id prefix', () => {
    queue.upsertBatch('p1', [dossier({ externalId: 'A' })], [], null);
    queue.upsertBatch('p2', [dossier({ externalId: 'A' })], [], null);
    expect(ids().sort()).toEqual(['p1:A', 'p2:A']);
  });

  it('gives documents without a deadline the default due time by priority; procedures keep null', () => {
    const receivedAt = at('2026-11-25T09:00:00');
    queue.upsertBatch(
      'd',
      [
        document({ externalId: 'normal', urgency: 0, receivedAt }),
        document({ externalId: 'express', urgency: 3, receivedAt }),
        document({ externalId: 'dated', dueAt: at('2026-11-30T17:00:00'), receivedAt }),
      ],
      [],
      null,
    );
    queue.upsertBatch('p', [dossier({ externalId: 'nodue', dueAt: null })], [], null);
    const byId = new Map(queue.list(filter(), 0, 100, NOW).items.map((i) => [i.id, i]));
    expect(byId.get('d:express')?.dueAt).toBe(at('2026-11-25T14:00:00')); // 4 working hours, lunch skipped
    expect(byId.get('d:normal')?.dueAt).toBe(at('2026-12-02T09:00:00')); // 40 working hours
    expect(byId.get('d:dated')?.dueAt).toBe(at('2026-11-30T17:00:00'));
    expect(byId.get('p:nodue')?.dueAt).toBeNull();
  });

  it('quarantines adapter rejects and invalid records while the rest land, all in one transaction', () => {
    const bad = { ...dossier({ externalId: 'BAD' }), urgency: 9 };
    const result = queue.upsertBatch(
      'p',
      [dossier({ externalId: 'OK' }), bad],
      [
        { externalId: 'RAW1', error: 'NgayHenTra: invalid date', raw: '{"MaHoSo":"RAW1"}' },
        { externalId: null, error: 'no MaHoSo', raw: '{}' },
      ],
      'c1',
    );
    expect(result).toEqual({ changed: ['p:OK'], quarantined: 3 });
    expect(syncState.quarantinedCount('p')).toBe(3);
    // Seen again: counted once.
    queue.upsertBatch(
      'p',
      [],
      [
        { externalId: 'RAW1', error: 'NgayHenTra: invalid date', raw: '{"MaHoSo":"RAW1"}' },
        { externalId: null, error: 'no MaHoSo', raw: '{}' },
      ],
      'c2',
    );
    expect(syncState.quarantinedCount('p')).toBe(3);
    // Fixed upstream: the valid record clears its quarantine entry.
    queue.upsertBatch('p', [dossier({ externalId: 'RAW1' })], [], 'c3');
    expect(syncState.quarantinedCount('p')).toBe(2);
    expect(ids().sort()).toEqual(['p:OK', 'p:RAW1']);
  });

  it('never stores adapter records whose detail breaks the contract', () => {
    const broken = dossier({ externalId: 'X' });
    const record = { ...broken, detail: { ...broken.detail, channel: 'counter' } } as unknown as typeof broken;
    expect(queue.upsertBatch('p', [record], [], null)).toEqual({ changed: [], quarantined: 1 });
    const row = db.prepare('SELECT external_id, error FROM quarantine').get() as { external_id: string; error: string };
    expect(row.external_id).toBe('X');
    expect(row.error).toMatch(/detail\.channel/);
  });
});

describe('list', () => {
  it('orders by due time ascending, NULLs last, then urgency desc, then id', () => {
    queue.upsertBatch(
      'p',
      [
        dossier({ externalId: 'n2', dueAt: null }),
        dossier({ externalId: 'late', dueAt: at('2026-11-30T17:00:00') }),
        dossier({ externalId: 'b', dueAt: at('2026-11-26T17:00:00'), urgency: 0 }),
        dossier({ externalId: 'a', dueAt: at('2026-11-26T17:00:00'), urgency: 0 }),
        dossier({ externalId: 'urgent', dueAt: at('2026-11-26T17:00:00'), urgency: 3 }),
        dossier({ externalId: 'n1', dueAt: null }),
        dossier({ externalId: 'first', dueAt: at('2026-11-20T17:00:00') }),
      ],
      [],
      null,
    );
    expect(ids()).toEqual(['p:first', 'p:urgent', 'p:a', 'p:b', 'p:late', 'p:n1', 'p:n2']);
  });

  it('pages with offset/limit and says whether more follow', () => {
    queue.upsertBatch(
      'p',
      Array.from({ length: 7 }, (_, i) => dossier({ externalId: `x${i}`, dueAt: NOW + i * 60_000 })),
      [],
      null,
    );
    const first = queue.list(filter(), 0, 3, NOW);
    expect(first.items.map((i) => i.externalId)).toEqual(['x0', 'x1', 'x2']);
    expect(first.hasMore).toBe(true);
    const last = queue.list(filter(), 6, 3, NOW);
    expect(last.items.map((i) => i.externalId)).toEqual(['x6']);
    expect(last.hasMore).toBe(false);
    expect(last.now).toBe(NOW);
  });

  it('hides closed items unless includeClosed', () => {
    seedSlaSet();
    expect(ids()).not.toContain('p:returned');
    expect(ids({ includeClosed: true })).toContain('p:returned');
  });

  it.each([
    ['overdue', ['p:overdue']],
    ['due_today', ['p:today']],
    ['due_soon', ['p:soon']],
    ['on_track', ['p:later']],
    ['paused', ['p:paused']],
    ['none', ['p:resolved', 'p:nodue']],
  ] as Array<[SlaState, string[]]>)('filters SLA %s in SQL', (state, expected) => {
    seedSlaSet();
    const result = queue.list(filter({ sla: [state] }), 0, 100, NOW).items;
    expect(result.map((i) => i.id)).toEqual(expected);
    for (const item of result) expect(item.sla).toBe(state);
  });

  it('combines SLA states with OR and other filters with AND', () => {
    seedSlaSet();
    expect(ids({ sla: ['overdue', 'due_today'] })).toEqual(['p:overdue', 'p:today']);
    expect(ids({ sla: ['overdue', 'due_today'], scope: 'mine' })).toEqual(['p:overdue']);
    expect(ids({ statuses: ['5', '9'] })).toEqual(['p:paused', 'p:resolved']);
    expect(ids({ sources: ['document'] })).toEqual([]);
    expect(ids({ sources: ['procedure', 'document'] })).toHaveLength(7);
  });

  it('computes sla and remaining working minutes like the deadline engine', () => {
    seedSlaSet();
    const items = queue.list(filter({ includeClosed: true }), 0, 100, NOW).items;
    for (const item of items) {
      const expected = slaFor(calendar, NOW, {
        dueAt: item.dueAt,
        clockRunning: !['9', '10'].includes(item.status),
        paused: item.status === '5',
      });
      expect({ id: item.id, ...expected }).toEqual({
        id: item.id,
        sla: item.sla,
        remainingWorkingMinutes: item.remainingWorkingMinutes,
      });
    }
    const today = items.find((i) => i.id === 'p:today');
    expect(today?.remainingWorkingMinutes).toBe(5 * 60); // 10:00 → 16:00 minus the 12:00–13:00 break
  });

  it('agrees with slaFor on every boundary (SQL ranges vs JS classification)', () => {
    const b = slaBoundaries(calendar, NOW);
    const dues = [b.now - 1, b.now, b.now + 1, b.endOfToday, b.endOfToday + 1, b.endOfNextWorkingDay, b.endOfNextWorkingDay + 1];
    queue.upsertBatch(
      'p',
      dues.map((dueAt, i) => dossier({ externalId: `e${i}`, dueAt })),
      [],
      null,
    );
    for (const state of SLA_STATES) {
      for (const item of queue.list(filter({ sla: [state] }), 0, 100, NOW).items) {
        expect(slaFor(calendar, NOW, { dueAt: item.dueAt, clockRunning: true, paused: false }).sla).toBe(state);
      }
    }
    const total = SLA_STATES.reduce((n, s) => n + queue.list(filter({ sla: [s] }), 0, 100, NOW).items.length, 0);
    expect(total).toBe(dues.length);
  });

  it('agrees with slaFor for every combination of SLA states, in list and counts', () => {
    seedSlaSet();
    const b = slaBoundaries(calendar, NOW);
    queue.upsertBatch(
      'q',
      [b.now - 1, b.now, b.endOfToday, b.endOfToday + 1, b.endOfNextWorkingDay, b.endOfNextWorkingDay + 1].map((dueAt, i) =>
        dossier({ externalId: `edge${i}`, dueAt }),
      ),
      [],
      null,
    );
    const everything = queue.list(filter(), 0, 500, NOW).items;
    for (let mask = 1; mask < 1 << SLA_STATES.length; mask++) {
      const states = SLA_STATES.filter((_, i) => mask & (1 << i));
      const expected = everything.filter((i) => states.includes(i.sla)).map((i) => i.id);
      expect(ids({ sla: states }, 500), states.join('+')).toEqual(expected);
      expect(queue.counts(filter({ sla: states }), NOW).total, states.join('+')).toBe(expected.length);
    }
  });

  it('scope mine is the signed-in user; all is everyone', () => {
    seedSlaSet();
    expect(ids({ scope: 'mine' })).toEqual(['p:paused', 'p:resolved', 'p:overdue', 'p:soon', 'p:nodue']);
    expect(ids({ scope: 'all' })).toHaveLength(7);
  });
});

describe('search', () => {
  beforeEach(() => {
    queue.upsertBatch(
      'p',
      [
        dossier({ externalId: 'duc', applicant: 'Nguyễn Văn Đức', title: 'Đăng ký kết hôn', dueAt: at('2026-11-27T17:00:00') }),
        dossier({ externalId: 'binh', applicant: 'Trần Thị Bình', title: 'Đăng ký khai sinh', dueAt: at('2026-11-26T17:00:00') }),
        dossier({ externalId: 'an', applicant: 'Lê Văn An', title: 'Chứng thực bản sao', kind: 'Chứng thực', dueAt: at('2026-11-25T16:00:00') }),
        dossier({ externalId: 'old', applicant: 'Nguyễn Văn Đức', title: 'Đăng ký khai tử', status: '10', dueAt: at('2026-12-10T17:00:00') }),
      ],
      [],
      null,
    );
    queue.upsertBatch('d', [document({ externalId: '7816', subject: 'V/v đăng ký tham gia hội thi' })], [], null);
  });

  const q = (text: string, extra: Partial<QueueFilterValue> = {}): string[] => ids({ q: text, ...extra });

  it('ignores diacritics and folds đ', () => {
    expect(q('nguyen van duc')).toEqual(['p:duc']);
    expect(q('Nguyễn Văn Đức')).toEqual(['p:duc']);
    expect(q('NGUYEN VAN ĐUC')).toEqual(['p:duc']);
    expect(q('đăng ký')).toEqual(q('dang ky'));
    expect(q('dang ky')).toEqual(['p:binh', 'p:duc', 'd:7816']);
  });

  it('matches word prefixes, orders by deadline, and combines with filters', () => {
    expect(q('ngu va d')).toEqual(['p:duc']);
    // A word still being typed (no whole-word hit) is taken as a prefix; whole words first otherwise.
    expect(q('nguye')).toEqual(['p:duc']);
    expect(q('nguyen van duc')).toEqual(['p:duc']);
    expect(q('dang ky', { sources: ['document'] })).toEqual(['d:7816']);
    expect(q('nguyen', { includeClosed: true })).toEqual(['p:duc', 'p:old']);
    expect(q('7816 vpcp')).toEqual(['d:7816']);
    expect(q('001084000999')).toHaveLength(3);
    expect(q('khai sinh', { sla: ['due_soon'] })).toEqual(['p:binh']);
    expect(q('khong co ai')).toEqual([]);
  });

  it.each([
    '"',
    '"dang',
    'dang"*',
    '*',
    'NEAR(dang ky)',
    'dang NEAR ky',
    '-dang',
    'title:dang',
    '(dang OR ky)',
    'dang AND',
    'OR',
    'NOT ky',
    '^dang',
    "'; DROP TABLE items; --",
    '{title}: x',
    '\u0000',
    '   ',
  ])('never turns user input into FTS syntax: %j', (text) => {
    expect(() => q(text)).not.toThrow();
    expect(() => queue.counts(filter({ q: text }), NOW)).not.toThrow();
  });

  it('treats hostile characters as separators', () => {
    expect(q('"dang" "ky"*')).toEqual(q('dang ky'));
    expect(q('NEAR(nguyen duc)')).toEqual([]); // "near" is just a word here
    expect(q('(nguyen)')).toEqual(['p:duc']);
    expect(q('title:nguyen')).toEqual([]);
    expect(ftsMatchExpression('NEAR("a" b)*')).toBe('"near"* AND "a"* AND "b"*');
    expect(unifiedMatch('NEAR("a" b)*')).toEqual({ first: '"near" AND "a" AND "b"*', fallback: null });
    expect(unifiedMatch('"hoa" nguyen)*')).toEqual({ first: '"hoa" AND "nguyen"', fallback: '"hoa" AND "nguyen"*' });
    expect(unifiedMatch('  "" * ')).toBeNull();
  });

  it('bounds a search to the newest candidates (documented limit)', () => {
    const bounded = new QueueService(db, calendarDeadlinePolicy(calendar), syncState, {
      username: 'canbo.lan',
      now: () => NOW,
      searchCandidateLimit: 2,
    });
    // "dang ky" matches duc, binh, old and 7816; the bound keeps the two newest rows (old, 7816).
    const hits = bounded.list(filter({ q: 'dang ky', includeClosed: true }), 0, 100, NOW).items.map((i) => i.id);
    expect(hits).toHaveLength(2);
    expect(hits).toContain('d:7816'); // inserted last
    expect(hits).toContain('p:old');
  });

  it('ignores a query without words', () => {
    expect(q('"*"')).toEqual(ids());
  });
});

describe('counts', () => {
  it('counts by SLA and by source in one pass, with the same filters as list', () => {
    seedSlaSet();
    queue.upsertBatch('d', [document({ externalId: 'doc', receivedAt: at('2026-11-25T09:00:00'), urgency: 3 })], [], null);
    const all = queue.counts(filter(), NOW);
    expect(all).toEqual({
      total: 8,
      bySla: { overdue: 1, due_today: 2, due_soon: 1, on_track: 1, paused: 1, none: 2 },
      bySource: { procedure: 7, document: 1, mail: 0 },
    });
    expect(queue.counts(filter({ scope: 'mine' }), NOW).total).toBe(5);
    expect(queue.counts(filter({ includeClosed: true }), NOW).bySla.none).toBe(3);
    expect(queue.counts(filter({ sla: ['overdue'] }), NOW).total).toBe(1);
    expect(queue.counts(filter({ q: 'van chuyen doi' }), NOW)).toMatchObject({ total: 1, bySource: { document: 1 } });
    // list and counts agree
    for (const state of SLA_STATES) {
      expect(queue.list(filter({ sla: [state] }), 0, 500, NOW).items).toHaveLength(all.bySla[state]);
    }
  });
});

describe('get', () => {
  it('returns the item with its validated detail, or null', () => {
    seedSlaSet();
    const found = queue.get('p:today', NOW);
    expect(found?.item).toMatchObject({ id: 'p:today', sla: 'due_today', assignee: 'canbo.hung' });
    expect(found?.detail).toMatchObject({ source: 'procedure', code: 'today', procedureName: 'Đăng ký khai sinh' });
    expect(queue.get('p:nope', NOW)).toBeNull();
  });

  it('refuses a corrupted cached detail', () => {
    seedSlaSet();
    db.prepare("UPDATE items SET detail_json = '{\"source\":\"procedure\"}' WHERE id = 'p:today'").run();
    expect(() => queue.get('p:today', NOW)).toThrow(/does not match the contract/);
  });
});
