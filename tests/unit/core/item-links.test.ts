/**
 * Links edited by hand (issue #4): links.add / links.remove through ItemLinksService over a real
 * cache file — normalised values, resolution now or later, tombstones that survive the mail landing
 * again, rules re-applied, audit entries, items.changed for both sides, citizen links shown on every
 * dossier of the citizen, and links found deep in a cached body kept across syncs.
 */
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NormalizedRecord } from '../../../src/core/adapters/adapter';
import { normalizeMail } from '../../../src/core/adapters/mail.normalize';
import { ApiFailure } from '../../../src/core/api/api.dispatcher';
import { AuditLog } from '../../../src/core/audit/audit.log';
import { openCacheDatabase } from '../../../src/core/db/cache.database';
import { defaultCalendar } from '../../../src/core/deadline';
import { ItemLinksService } from '../../../src/core/mail/item-links.service';
import { calendarDeadlinePolicy } from '../../../src/core/queue/deadline.policy';
import { QueueService } from '../../../src/core/queue/queue.service';
import { SyncStateRepository } from '../../../src/core/sync/sync-state.repository';
import type { CoreEvent } from '../../../src/shared/api';
import { document, dossier, NOW, tempDir } from './fixtures/records.fixture';

const calendar = defaultCalendar();
const CODE = '000.26.13.H26-251003-0012';
const CODE2 = '000.26.13.H26-251004-0001';
const CITIZEN = '001084000999';
let cleanup: () => void;
let db: Database.Database;
let queue: QueueService;
let audit: AuditLog;
let links: ItemLinksService;
let events: CoreEvent[];

function mail(o: { uid: number; subject: string; preview?: string | null; seen?: boolean; flagged?: boolean; from?: string }): NormalizedRecord {
  const flags = new Set<string>();
  if (o.seen ?? true) flags.add('\\Seen');
  if (o.flagged) flags.add('\\Flagged');
  return normalizeMail(
    {
      uid: o.uid,
      flags,
      size: 1000,
      internalDate: new Date(NOW),
      envelope: {
        subject: o.subject,
        messageId: `<m${o.uid}@test>`,
        from: [{ name: 'Người gửi', address: o.from ?? 'someone@example.com' }],
        to: [{ address: 'lan@phuong.gov.vn' }],
      },
    },
    { folder: 'INBOX', uid: o.uid, uidValidity: '1' },
    o.preview ?? null,
  );
}

function land(record: NormalizedRecord): string {
  queue.upsertBatch('mail', [record], [], `m${Math.random()}`);
  return `mail:${record.externalId}`;
}

function row(id: string): { is_open: number; due_at: number | null; urgency: number } {
  return db.prepare('SELECT is_open, due_at, urgency FROM items WHERE id = ?').get(id) as never;
}

function changedIds(): string[] {
  return events.flatMap((e) => (e.type === 'items.changed' ? e.ids : []));
}

function failure(fn: () => unknown): ApiFailure {
  try {
    fn();
  } catch (error) {
    if (error instanceof ApiFailure) return error;
    throw error;
  }
  throw new Error('expected an ApiFailure');
}

beforeEach(() => {
  let dir: string;
  ({ dir, cleanup } = tempDir('cw-item-links-'));
  db = openCacheDatabase(dir);
  queue = new QueueService(db, calendarDeadlinePolicy(calendar), new SyncStateRepository(db), { username: 'canbo.lan', now: () => NOW });
  audit = new AuditLog(db, () => NOW);
  events = [];
  links = new ItemLinksService({ db, queue, audit, emit: (e) => events.push(e), now: () => NOW, actor: { username: 'canbo.lan', fullName: 'Nguyễn Thị Lan' } });
  queue.upsertBatch('p', [dossier({ externalId: CODE }), dossier({ externalId: CODE2, updatedAt: NOW - 120_000 })], [], 'c1');
  queue.upsertBatch('d', [document({ externalId: '7816' })], [], 'c1');
});

afterEach(() => {
  db.close();
  cleanup();
});

describe('links.add', () => {
  it('links a mail to a dossier by hand: normalised, resolved, shown both ways, the mail becomes work, audited, announced', () => {
    const id = land(mail({ uid: 1, subject: 'Trao đổi công việc' }));
    expect(row(id).is_open).toBe(0);
    const view = links.add({ fromId: id, kind: 'dossier', value: ' 000.26.13.h26 - 251003 - 0012 ' });
    expect(view).toMatchObject({
      fromId: id,
      toId: `p:${CODE}`,
      kind: 'dossier',
      value: CODE,
      origin: 'manual',
      createdAt: NOW,
      other: { id: `p:${CODE}`, source: 'procedure', ref: CODE, status: '4' },
    });
    // "Gắn với hồ sơ TTHC": work, 8 working hours, urgency 1.
    expect(row(id)).toEqual({ is_open: 1, due_at: calendar.addWorkingMinutes(calendar.normalizeStart(NOW), 480), urgency: 1 });
    expect(links.views(id).outgoing.map((l) => [l.kind, l.value, l.origin, l.other?.ref])).toEqual([['dossier', CODE, 'manual', CODE]]);
    expect(links.views(`p:${CODE}`).incoming.map((l) => [l.fromId, l.other?.title])).toEqual([[id, 'Trao đổi công việc']]);
    const entry = audit.list(0, 1).entries[0];
    expect(entry).toMatchObject({ kind: 'action', actor: 'canbo.lan', summary: `Liên kết thư "Trao đổi công việc" với hồ sơ ${CODE}` });
    expect(entry?.data).toMatchObject({ event: 'link.add', itemId: id, kind: 'dossier', value: CODE, toId: `p:${CODE}` });
    expect(changedIds()).toEqual([id, `p:${CODE}`]);
    expect(audit.verify().ok).toBe(true);
  });

  it('refuses invalid values, items that are not mail, unknown items — with Vietnamese messages', () => {
    const id = land(mail({ uid: 2, subject: 'x' }));
    const bad = failure(() => links.add({ fromId: id, kind: 'citizen', value: '12345' }));
    expect(bad.code).toBe('invalid_input');
    expect(bad.message).toMatch(/căn cước công dân 12 chữ số/);
    expect(failure(() => links.add({ fromId: id, kind: 'document', value: 'công văn gì đó' })).message).toMatch(/Số\/ký hiệu/);
    expect(failure(() => links.add({ fromId: `p:${CODE}`, kind: 'document', value: '7816/VPCP-TTĐT' }))).toMatchObject({ code: 'invalid_input' });
    expect(failure(() => links.add({ fromId: 'mail:nope', kind: 'document', value: '7816/VPCP-TTĐT' }))).toMatchObject({ code: 'not_found' });
    expect(audit.list(0, 10).total).toBe(0);
  });

  it('a value the cache does not know yet waits and resolves when the item lands; the manual link survives re-syncs', () => {
    const id = land(mail({ uid: 3, subject: 'Hỏi về văn bản' }));
    const view = links.add({ fromId: id, kind: 'document', value: '45/2026/QĐ-UBND' });
    expect(view).toMatchObject({ toId: null, other: null, value: '45/2026/QĐ-UBND' });
    queue.upsertBatch('d', [{ ...document({ externalId: '45x' }), ref: '45/2026/QĐ-UBND' }], [], 'c2');
    expect(links.views(id).outgoing).toEqual([expect.objectContaining({ toId: 'd:45x', origin: 'manual' })]);
    land(mail({ uid: 3, subject: 'Hỏi về văn bản', flagged: true }));
    expect(links.views(id).outgoing).toEqual([expect.objectContaining({ toId: 'd:45x', origin: 'manual' })]);
  });

  it('a citizen link shows on every dossier of that ID number, and the event names them', () => {
    const id = land(mail({ uid: 4, subject: 'Công dân hỏi' }));
    links.add({ fromId: id, kind: 'citizen', value: '001 084 000 999' });
    for (const dossierId of [`p:${CODE}`, `p:${CODE2}`]) {
      expect(links.views(dossierId).incoming.map((l) => [l.fromId, l.kind, l.value]), dossierId).toEqual([[id, 'citizen', CITIZEN]]);
    }
    expect(new Set(changedIds())).toEqual(new Set([id, `p:${CODE}`, `p:${CODE2}`]));
    // A citizen link does not make the mail work under the default rules (only dossier links do).
    expect(row(id).is_open).toBe(0);
  });
});

describe('links.remove and tombstones', () => {
  it('an automatic link removed by hand stays removed when the mail lands again; adding it back restores it', () => {
    const record = mail({ uid: 5, subject: `Về hồ sơ ${CODE}` });
    const id = land(record);
    expect(links.views(id).outgoing.map((l) => [l.kind, l.origin])).toEqual([['dossier', 'auto']]);
    expect(row(id).is_open).toBe(1);

    events = [];
    expect(links.remove({ fromId: id, kind: 'dossier', value: CODE.toLowerCase() })).toEqual({ removed: true });
    expect(links.views(id).outgoing).toEqual([]);
    expect(links.views(`p:${CODE}`).incoming).toEqual([]);
    expect(row(id).is_open).toBe(0);
    expect(changedIds()).toEqual([id, `p:${CODE}`]);
    expect(audit.list(0, 1).entries[0]).toMatchObject({ kind: 'action', summary: `Bỏ liên kết thư "Về hồ sơ ${CODE}" với hồ sơ ${CODE}` });

    // The mail lands again (a flag changed on the server): the tombstone holds, the verdict too.
    land(mail({ uid: 5, subject: `Về hồ sơ ${CODE}`, seen: false }));
    land(record);
    expect(links.views(id).outgoing).toEqual([]);
    expect(row(id).is_open).toBe(0);
    expect(links.remove({ fromId: id, kind: 'dossier', value: CODE })).toEqual({ removed: false });

    const restored = links.add({ fromId: id, kind: 'dossier', value: CODE });
    expect(restored).toMatchObject({ origin: 'manual', toId: `p:${CODE}` });
    expect(row(id).is_open).toBe(1);
    expect(audit.list(0, 1).entries[0]?.summary).toBe(`Khôi phục liên kết thư "Về hồ sơ ${CODE}" với hồ sơ ${CODE}`);
    land(mail({ uid: 5, subject: `Về hồ sơ ${CODE}`, flagged: true }));
    expect(links.views(id).outgoing.map((l) => [l.kind, l.origin])).toEqual([['dossier', 'manual']]);
    expect(audit.verify().ok).toBe(true);
  });

  it('removing a link that is not there changes nothing and records nothing', () => {
    const id = land(mail({ uid: 6, subject: 'x' }));
    expect(links.remove({ fromId: id, kind: 'document', value: '7816/VPCP-TTĐT' })).toEqual({ removed: false });
    expect(audit.list(0, 10).total).toBe(0);
    expect(events).toEqual([]);
  });
});

describe('links found in a cached body', () => {
  it('are merged by relinkMail, re-apply the rules, and survive the mail landing again', () => {
    const record = mail({ uid: 7, subject: 'Công văn gửi phường', preview: 'Kính gửi…' });
    const id = land(record);
    expect(row(id).is_open).toBe(0);
    db.prepare(`INSERT INTO mail_bodies (item_id, text, html, body_links_json, fetched_at) VALUES (?, ?, NULL, ?, ?)`).run(
      id,
      `… (đoạn rất dài) … đề nghị xử lý hồ sơ ${CODE}.`,
      JSON.stringify([{ kind: 'dossier', value: CODE }]),
      NOW,
    );
    expect(new Set(queue.relinkMail(id))).toEqual(new Set([id, `p:${CODE}`]));
    expect(links.views(id).outgoing.map((l) => [l.kind, l.value, l.origin])).toEqual([['dossier', CODE, 'auto']]);
    expect(row(id).is_open).toBe(1);
    expect(queue.relinkMail(id)).toEqual([]);
    land(mail({ uid: 7, subject: 'Công văn gửi phường', preview: 'Kính gửi…', flagged: true }));
    expect(links.views(id).outgoing.map((l) => l.value)).toEqual([CODE]);
    // Removed by hand, it stays removed even though the body still cites it.
    links.remove({ fromId: id, kind: 'dossier', value: CODE });
    queue.relinkMail(id);
    land(record);
    expect(links.views(id).outgoing).toEqual([]);
  });
});
