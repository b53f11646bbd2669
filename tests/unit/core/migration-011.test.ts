/**
 * Migration 011 (what the encrypted cache cost): the search's narrow covering index gives the same
 * results as reading `items`, and applicants deferred by sync pages reach `citizens` at the flush —
 * or at the next start after a crash — exactly as if each dossier had landed its applicant at once.
 */
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { keyFileCacheKey } from '../../../src/core/db/cache-key';
import { openCacheDatabase } from '../../../src/core/db/cache.database';
import { MIGRATIONS, schemaVersion } from '../../../src/core/db/migrations';
import { migration011CipherSpeed, SEARCH_COVER_INDEX } from '../../../src/core/db/migrations/011-cipher-speed';
import { defaultCalendar } from '../../../src/core/deadline';
import type { NormalizedRecord } from '../../../src/core/adapters/adapter';
import { calendarDeadlinePolicy } from '../../../src/core/queue/deadline.policy';
import { QueueService, type QueueFilterValue } from '../../../src/core/queue/queue.service';
import { SyncStateRepository } from '../../../src/core/sync/sync-state.repository';
import { document, dossier, NOW, tempDir } from './fixtures/records.fixture';

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir('cw-migration-011-'));
});
afterEach(() => cleanup());

function queueOf(db: Database.Database): QueueService {
  return new QueueService(db, calendarDeadlinePolicy(defaultCalendar()), new SyncStateRepository(db), { username: 'canbo.lan', now: () => NOW });
}

/** A dossier of applicant `idNumber` (a CCCD: 12 digits), with its name. */
function applicantDossier(externalId: string, idNumber: string, name: string, updatedAt: number): NormalizedRecord {
  const record = dossier({ externalId, applicant: name, updatedAt });
  if (record.detail.source !== 'procedure') throw new Error('fixture');
  return { ...record, detail: { ...record.detail, applicant: name, applicantIdNumber: idNumber, identities: [{ type: 1, number: idNumber }] } };
}

function citizens(db: Database.Database): unknown[] {
  return db.prepare('SELECT id_number, full_name, source_item_id FROM citizens ORDER BY id_number').all();
}

/** 300 items with varied status, deadline, urgency, assignee and words (ties on deadline included). */
function variedRecords(): NormalizedRecord[] {
  const words = ['khai sinh', 'kết hôn', 'chứng thực bản sao', 'xây dựng'];
  const out: NormalizedRecord[] = [];
  for (let n = 0; n < 300; n++) {
    const title = `Hồ sơ ${words[n % 4] ?? ''} số ${n}`;
    const dueAt = n % 7 === 0 ? null : NOW + ((n * 37) % 11) * 3_600_000 - 5 * 3_600_000;
    if (n % 5 === 4) {
      out.push(document({ externalId: `D${n}`, subject: title, dueAt, urgency: n % 3, status: n % 10 === 9 ? '06' : '03', assignee: n % 2 ? 'canbo.lan' : null }));
    } else {
      out.push(dossier({ externalId: `H${n}`, title, dueAt, urgency: n % 3, status: ['2', '4', '5', '10'][n % 4], assignee: n % 3 ? 'canbo.lan' : 'canbo.mai' }));
    }
  }
  return out;
}

describe('011-cipher-speed', () => {
  it('is the eleventh migration', () => {
    expect(MIGRATIONS[10]).toBe(migration011CipherSpeed);
  });

  it('applies on a version-10 encrypted file with items; a search reads the covering index and finds what it found before', () => {
    const key = keyFileCacheKey(dir);
    const filters: QueueFilterValue[] = [
      { scope: 'all', includeClosed: false, q: 'khai sinh' },
      { scope: 'all', includeClosed: true, q: 'ho so' },
      { scope: 'mine', includeClosed: false, q: 'so' },
      { scope: 'all', includeClosed: true, q: 'chung thuc', sources: ['procedure'] },
      { scope: 'all', includeClosed: false, q: 'xay', sla: ['overdue', 'none'] },
      { scope: 'all', includeClosed: true, q: 'ho', statuses: ['4', '03'] },
    ];
    const v10 = openCacheDatabase(dir, { key, migrations: MIGRATIONS.slice(0, 10) });
    const before = queueOf(v10);
    before.upsertBatch('p', variedRecords(), [], null);
    const expected = filters.map((f) => [before.list(f, 0, 40, NOW), before.list(f, 40, 40, NOW), before.counts(f, NOW)]);
    v10.close();

    const db = openCacheDatabase(dir, { key, migrations: MIGRATIONS.slice(0, 11) });
    try {
      expect(schemaVersion(db)).toBe(11);
      const after = queueOf(db);
      const actual = filters.map((f) => [after.list(f, 0, 40, NOW), after.list(f, 40, 40, NOW), after.counts(f, NOW)]);
      expect(actual).toEqual(expected);
      expect(expected[1]?.[0]).toMatchObject({ hasMore: true }); // the paging is exercised
      const plan = db
        .prepare<[], { detail: string }>(
          `EXPLAIN QUERY PLAN SELECT i.rowid FROM items_fts AS h CROSS JOIN items AS i INDEXED BY ${SEARCH_COVER_INDEX}
             ON i.rowid = h.rowid WHERE items_fts MATCH 'ho*' AND i.is_open = 1 ORDER BY i.due_key, i.urgency DESC, i.id`,
        )
        .all()
        .map((r) => r.detail)
        .join('\n');
      expect(plan).toContain(`COVERING INDEX ${SEARCH_COVER_INDEX}`);
    } finally {
      db.close();
    }
  });

  it('sync pages defer their applicants to the flush; a newer dossier still wins', () => {
    const db = openCacheDatabase(dir);
    try {
      const queue = queueOf(db);
      queue.upsertBatch('p', [applicantDossier('H1', '001084000111', 'Nguyễn Văn An', NOW - 5000), applicantDossier('H2', '001190000222', 'Lê Thị Hoa', NOW - 4000)], [], 'c1', { deferCitizens: true });
      queue.upsertBatch('p', [applicantDossier('H3', '001084000111', 'Nguyễn Văn Ân', NOW - 1000)], [], 'c2', { deferCitizens: true });
      // An older dossier of the same citizen, landed after the newer one: it must not win.
      queue.upsertBatch('p', [applicantDossier('H0', '001084000111', 'Nguyễn An', NOW - 9000)], [], 'c3', { deferCitizens: true });
      expect(citizens(db)).toEqual([]);
      expect(db.prepare('SELECT count(*) FROM citizens_pending').pluck().get()).toBe(3);
      expect(queue.flushPendingCitizens()).toBe(4);
      expect(citizens(db)).toEqual([
        { id_number: '001084000111', full_name: 'Nguyễn Văn Ân', source_item_id: 'p:H3' },
        { id_number: '001190000222', full_name: 'Lê Thị Hoa', source_item_id: 'p:H2' },
      ]);
      expect(db.prepare('SELECT count(*) FROM citizens_pending').pluck().get()).toBe(0);
      expect(queue.flushPendingCitizens()).toBe(0);
      // Without the option (tests, seeding, an action's answer) the applicant lands at once.
      queue.upsertBatch('p', [applicantDossier('H4', '001300000444', 'Trần Văn Bình', NOW)], [], 'c4');
      expect(citizens(db)).toHaveLength(3);
    } finally {
      db.close();
    }
  });

  it('applicants a crash left in citizens_pending are folded in at the next start', () => {
    const db = openCacheDatabase(dir);
    queueOf(db).upsertBatch('p', [applicantDossier('H1', '001084000111', 'Nguyễn Văn An', NOW)], [], 'c1', { deferCitizens: true });
    db.close(); // the process dies before the end of the cycle
    const reopened = openCacheDatabase(dir);
    try {
      expect(citizens(reopened)).toEqual([]);
      queueOf(reopened);
      expect(citizens(reopened)).toEqual([{ id_number: '001084000111', full_name: 'Nguyễn Văn An', source_item_id: 'p:H1' }]);
      expect(reopened.prepare('SELECT count(*) FROM citizens_pending').pluck().get()).toBe(0);
    } finally {
      reopened.close();
    }
  });

  it('an action answer after deferred pages lands its applicant after them (landing order kept)', () => {
    const db = openCacheDatabase(dir);
    try {
      const queue = queueOf(db);
      queue.upsertBatch('p', [applicantDossier('H1', '001084000111', 'Nguyễn Văn An', NOW)], [], 'c1', { deferCitizens: true });
      // Same instant, another dossier: the one landed last wins a tie, as when each landed at once.
      expect(queue.upsertRecord('p', applicantDossier('H2', '001084000111', 'Nguyễn Văn Ân', NOW))).toBe(true);
      expect(citizens(db)).toEqual([{ id_number: '001084000111', full_name: 'Nguyễn Văn Ân', source_item_id: 'p:H2' }]);
      expect(db.prepare('SELECT count(*) FROM citizens_pending').pluck().get()).toBe(0);
    } finally {
      db.close();
    }
  });
});
