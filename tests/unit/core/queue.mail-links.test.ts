/**
 * Mail in the cache (issue #4): links from subject + preview resolved with indexed lookups and
 * stored both ways, the mail rules deciding open work, deadline and urgency, deletions closing the
 * item without blanking it, and links waiting for an item that lands later.
 */
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NormalizedRecord } from '../../../src/core/adapters/adapter';
import { deletedMail, normalizeMail } from '../../../src/core/adapters/mail.normalize';
import { openCacheDatabase } from '../../../src/core/db/cache.database';
import { defaultCalendar } from '../../../src/core/deadline';
import { loadMailRules } from '../../../src/core/mail/mail-rules';
import { calendarDeadlinePolicy } from '../../../src/core/queue/deadline.policy';
import { QueueService } from '../../../src/core/queue/queue.service';
import { SyncStateRepository } from '../../../src/core/sync/sync-state.repository';
import { QueueFilterSchema } from '../../../src/shared/api';
import { document, dossier, NOW, tempDir } from './fixtures/records.fixture';

const calendar = defaultCalendar();
const CODE = '000.26.13.H26-251003-0012';
let cleanup: () => void;
let db: Database.Database;
let queue: QueueService;

function mail(o: { uid: number; subject: string; from?: string; preview?: string | null; seen?: boolean; flagged?: boolean; receivedAt?: number }): NormalizedRecord {
  const flags = new Set<string>();
  if (o.seen) flags.add('\\Seen');
  if (o.flagged) flags.add('\\Flagged');
  return normalizeMail(
    {
      uid: o.uid,
      flags,
      size: 1000,
      internalDate: new Date(o.receivedAt ?? NOW),
      envelope: {
        subject: o.subject,
        messageId: `<m${o.uid}@test>`,
        from: [{ name: 'Sở Tư pháp', address: o.from ?? 'vanthu@sotuphap.hanoi.gov.vn' }],
        to: [{ address: 'lan@phuong.gov.vn' }],
      },
    },
    { folder: 'INBOX', uid: o.uid, uidValidity: '1' },
    o.preview ?? null,
  );
}

function row(id: string): { title: string; status: string; is_open: number; due_at: number | null; urgency: number; clock_running: number; detail_json: string } {
  return db.prepare('SELECT title, status, is_open, due_at, urgency, clock_running, detail_json FROM items WHERE id = ?').get(id) as never;
}

function due(hours: number, receivedAt = NOW): number {
  return calendar.addWorkingMinutes(calendar.normalizeStart(receivedAt), hours * 60);
}

beforeEach(() => {
  let dir: string;
  ({ dir, cleanup } = tempDir('cw-mail-links-'));
  db = openCacheDatabase(dir);
  queue = new QueueService(db, calendarDeadlinePolicy(calendar), new SyncStateRepository(db), { username: 'canbo.lan', now: () => NOW });
  queue.upsertBatch('p', [dossier({ externalId: CODE })], [], 'c1');
  queue.upsertBatch('d', [document({ externalId: '7816' })], [], 'c1');
});

afterEach(() => {
  db.close();
  cleanup();
});

describe('mail landing', () => {
  it('links a mail to the dossier, document and citizen it cites, both ways, and makes it work due in 8 working hours', () => {
    const m = mail({ uid: 1, subject: `Về hồ sơ ${CODE}`, preview: 'Theo Công văn số 7816/VPCP-TTĐT, công dân CCCD 001084000999 …' });
    const result = queue.upsertBatch('mail', [m], [], 'm1');
    const id = `mail:${m.externalId}`;
    expect(result.changed).toEqual([id]);
    const links = queue.linksOf(id);
    expect(links.outgoing.map((l) => [l.kind, l.value, l.toId, l.origin])).toEqual([
      ['dossier', CODE, `p:${CODE}`, 'auto'],
      ['document', '7816/VPCP-TTĐT', 'd:7816', 'auto'],
      ['citizen', '001084000999', `p:${CODE}`, 'auto'],
    ].sort((a, b) => String(a[0]).localeCompare(String(b[0])) || String(a[1]).localeCompare(String(b[1]))));
    expect(links.incoming).toEqual([]);
    const reverse = queue.linksOf(`p:${CODE}`);
    expect(reverse.outgoing).toEqual([]);
    expect(reverse.incoming.map((l) => [l.fromId, l.kind])).toEqual(
      expect.arrayContaining([[id, 'dossier'], [id, 'citizen']]),
    );
    expect(queue.linksOf('d:7816').incoming.map((l) => l.fromId)).toEqual([id]);
    const r = row(id);
    expect(r).toMatchObject({ is_open: 1, clock_running: 1, due_at: due(8), urgency: 1 });
    const listed = queue.list(QueueFilterSchema.parse({ sources: ['mail'] }), 0, 10, NOW).items;
    expect(listed.map((i) => [i.id, i.dueAt])).toEqual([[id, due(8)]]);
  });

  it('an unread gov.vn mail without links is work due in 16 working hours; a newsletter is closed', () => {
    const work = mail({ uid: 2, subject: 'Đề nghị báo cáo tình hình' });
    const news = mail({ uid: 3, subject: 'Bản tin tuần', from: 'news@example.com' });
    queue.upsertBatch('mail', [work, news], [], 'm1');
    expect(row(`mail:${work.externalId}`)).toMatchObject({ is_open: 1, due_at: due(16), urgency: 0 });
    expect(row(`mail:${news.externalId}`)).toMatchObject({ is_open: 0, due_at: null, clock_running: 0 });
    expect(queue.linksOf(`mail:${news.externalId}`)).toEqual({ outgoing: [], incoming: [] });
  });

  it('re-evaluates when a flag changes (same version) and closes on deletion keeping title and detail', () => {
    const plain = mail({ uid: 4, subject: 'Thư hỏi', from: 'a@example.com' });
    queue.upsertBatch('mail', [plain], [], 'm1');
    const id = `mail:${plain.externalId}`;
    expect(row(id).is_open).toBe(0);
    expect(queue.upsertBatch('mail', [plain], [], 'm2').changed).toEqual([]);
    const flagged = mail({ uid: 4, subject: 'Thư hỏi', from: 'a@example.com', flagged: true });
    expect(queue.upsertBatch('mail', [flagged], [], 'm3').changed).toEqual([id]);
    expect(row(id)).toMatchObject({ is_open: 1, due_at: due(8), urgency: 1 });
    const before = row(id);
    const gone = deletedMail(plain.externalId, { folder: 'INBOX', uid: 4, uidValidity: '1' }, NOW + 1000);
    expect(queue.upsertBatch('mail', [gone], [], 'm4').changed).toEqual([id]);
    expect(row(id)).toMatchObject({ status: 'deleted', is_open: 0, clock_running: 0, title: 'Thư hỏi', detail_json: before.detail_json });
    expect(queue.upsertBatch('mail', [gone], [], 'm5').changed).toEqual([]);
    // A deletion of a mail never cached adds nothing.
    queue.upsertBatch('mail', [deletedMail('INBOX:<x@y>', { folder: 'INBOX', uid: 9, uidValidity: '1' }, NOW)], [], 'm6');
    expect(db.prepare("SELECT COUNT(*) AS n FROM items WHERE source = 'mail'").get()).toEqual({ n: 1 });
  });

  it('a cited dossier that lands later resolves the waiting link and re-applies the rules', () => {
    const later = '000.26.13.H26-251104-0007';
    const m = mail({ uid: 5, subject: `Hồ sơ ${later} cần bổ sung`, from: 'x@example.com', seen: true });
    queue.upsertBatch('mail', [m], [], 'm1');
    const id = `mail:${m.externalId}`;
    expect(row(id).is_open).toBe(0);
    expect(queue.linksOf(id).outgoing).toEqual([expect.objectContaining({ kind: 'dossier', value: later, toId: null })]);
    const result = queue.upsertBatch('p', [dossier({ externalId: later })], [], 'c2');
    expect(result.changed).toEqual([`p:${later}`, id]);
    expect(queue.linksOf(id).outgoing).toEqual([expect.objectContaining({ toId: `p:${later}` })]);
    expect(queue.linksOf(`p:${later}`).incoming.map((l) => l.fromId)).toEqual([id]);
    expect(row(id)).toMatchObject({ is_open: 1, due_at: due(8) });
  });

  it('uses configured rules', () => {
    const rules = loadMailRules({ rules: [{ name: 'Mọi thư', when: {}, then: { work: true, replyWithinWorkingHours: 4, urgency: 2 } }] });
    const q = new QueueService(db, calendarDeadlinePolicy(calendar), new SyncStateRepository(db), {
      username: 'canbo.lan',
      now: () => NOW,
      mail: { rules, calendar },
    });
    const m = mail({ uid: 6, subject: 'Chào', from: 'a@example.com', seen: true });
    q.upsertBatch('mail', [m], [], 'm1');
    expect(row(`mail:${m.externalId}`)).toMatchObject({ is_open: 1, due_at: due(4), urgency: 2 });
  });
});
