/**
 * Mail in the core (issue #4): the real training sandbox (procedure + document backends) and a real
 * Dovecot/Postfix pair (tests/support/mail-servers.ts) behind createCore with three backends. A mail
 * citing a sandbox dossier and document lands linked both ways as open work with the rule's
 * deadline; a 90-day-old mail comes by the history backfill, linked but not work; a newsletter is
 * closed; IMAP IDLE brings a new mail in without sync.now; an expunged mail closes its item and
 * keeps its title.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { trainingConfig } from '../../../src/core/config/config.schema';
import { createCore, type Core } from '../../../src/core/core';
import { defaultCalendar } from '../../../src/core/deadline';
import { extractLinks, foldNotation } from '../../../src/shared/mail-links';
import { TrainingSandbox } from '../../../src/sandbox/sandbox';
import type { BackendStatus } from '../../../src/shared/api';
import type { ItemDetail, WorkItem } from '../../../src/shared/work-item';
import { connectedImap, type MailServers, startMailServers } from '../../support/mail-servers';
import { ok } from '../../support/envelope';

const P = 'training-procedure';
const D = 'training-document';
const M = 'mail';
const USER = 'lan';
const PASSWORD = 'Mật-khẩu-thử-2024';
const WAIT = { timeout: 15_000, interval: 25 };
const calendar = defaultCalendar();

let sandbox: TrainingSandbox;
let servers: MailServers;
let core: Core;
let dataDir: string;
const logLines: string[] = [];

async function mails(): Promise<WorkItem[]> {
  return ok<{ items: WorkItem[] }>(
    await core.handle('queue.list', { filter: { scope: 'all', sources: ['mail'], includeClosed: true }, offset: 0, limit: 500 }),
  ).items;
}

async function mailWithSubject(subject: string): Promise<WorkItem> {
  let found: WorkItem | undefined;
  await vi.waitFor(async () => {
    found = (await mails()).find((i) => i.title === subject);
    expect(found).toBeDefined();
  }, WAIT);
  return found as WorkItem;
}

function b64(text: string): string {
  return `=?UTF-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`;
}

function rawMail(o: { from: string; subject: string; body: string; messageId: string }): string {
  return [
    `From: ${b64('Văn thư')} <${o.from}>`,
    `To: ${USER}@${servers.domain}`,
    `Subject: ${b64(o.subject)}`,
    `Message-ID: <${o.messageId}>`,
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    o.body,
    '',
  ].join('\r\n');
}

function due(hours: number, receivedAt: number): number {
  return calendar.addWorkingMinutes(calendar.normalizeStart(receivedAt), hours * 60);
}

async function state(id: string): Promise<BackendStatus | undefined> {
  return ok<BackendStatus[]>(await core.handle('backends.list', {})).find((b) => b.id === id);
}

beforeAll(async () => {
  [sandbox, servers] = await Promise.all([
    TrainingSandbox.start({ seed: 11, streamIntervalMs: 0, days: 6, dossiersPerDay: 30, documentsPerDay: 8 }),
    startMailServers({ users: [{ user: USER, password: PASSWORD }], tls: false }),
  ]);
  dataDir = mkdtempSync(join(tmpdir(), 'cw-mail-sync-'));
});

afterAll(async () => {
  await core?.close();
  await servers?.stop();
  await sandbox?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('mail in the core (sandbox + Dovecot/Postfix)', () => {
  let dossierCode = '';
  let documentRef = '';
  const workSubject = 'Đề nghị phối hợp giải quyết hồ sơ';
  const newsSubject = 'Bản tin khuyến mãi tháng này';
  const historySubject = 'Hồ sơ quý trước (thư cũ)';

  it('syncs a cited dossier and document into links both ways; the mail is open work due 8 working hours after receipt', async () => {
    const dossier = sandbox.dossiers()[0];
    const doc = sandbox
      .documents()
      .map((d) => `${d.CodeNumber}/${d.CodeNotation}`)
      .find((ref) => extractLinks(ref).some((l) => l.kind === 'document' && foldNotation(l.value) === foldNotation(ref)));
    expect(dossier).toBeDefined();
    expect(doc).toBeDefined();
    dossierCode = dossier?.MaHoSo ?? '';
    documentRef = doc ?? '';

    await servers.deliver(
      rawMail({
        from: 'vanthu@sotuphap.hanoi.gov.vn',
        subject: workSubject,
        body: `Kính gửi UBND phường, đề nghị xem xét hồ sơ ${dossierCode} theo Công văn số ${documentRef}. Trân trọng.`,
        messageId: 'work-1@sotuphap.hanoi.gov.vn',
      }),
      USER,
    );
    await servers.deliver(
      rawMail({ from: 'news@shop.example.com', subject: newsSubject, body: 'Giảm giá 50% mọi mặt hàng.', messageId: 'news-1@shop.example.com' }),
      USER,
    );
    // 90 days old: outside the 30-day first-sync window, so it comes by the history backfill.
    const imap = await connectedImap(servers, { user: USER, password: PASSWORD });
    try {
      const old = new Date(Date.now() - 90 * 86_400_000);
      await imap.append(
        'INBOX',
        rawMail({ from: 'vanthu@sotuphap.hanoi.gov.vn', subject: historySubject, body: `Về hồ sơ ${dossierCode}.`, messageId: 'history-1@sotuphap.hanoi.gov.vn' }),
        [],
        old,
      );
    } finally {
      await imap.logout();
    }

    const base = trainingConfig({ procedureUrl: sandbox.procedureUrl, documentUrl: sandbox.documentUrl, credentials: sandbox.credentials, pollIntervalMs: 60_000 });
    core = await createCore({
      dataDir,
      config: {
        ...base,
        backends: [
          ...base.backends.map((b) => ({ ...b, adapter: { ...b.adapter, retries: 0, timeoutMs: 5000 } })),
          {
            adapter: { kind: 'mail', id: M, label: 'Thư công vụ', host: '127.0.0.1', port: servers.imap.port, tls: 'none', user: USER, password: PASSWORD, timeoutMs: 5000 },
            pollIntervalMs: 60_000,
            training: false,
          },
        ],
      },
      backoff: { baseMs: 50, maxMs: 200 },
      log: (level, message, data) => logLines.push(`${level} ${message} ${JSON.stringify(data ?? {})}`),
    });
    core.start();
    for (const id of [P, D, M]) await vi.waitFor(async () => expect((await state(id))?.state).toBe('online'), WAIT);

    const work = await mailWithSubject(workSubject);
    expect(work).toMatchObject({ source: 'mail', backendId: M, urgency: 1 });
    expect(work.dueAt).toBe(due(8, work.receivedAt));
    const open = ok<{ items: WorkItem[] }>(
      await core.handle('queue.list', { filter: { scope: 'all', sources: ['mail'] }, offset: 0, limit: 100 }),
    ).items;
    expect(open.map((i) => i.id)).toContain(work.id);
    // The account is the official's own mailbox: its work shows under "Của tôi" too.
    expect(work.assignee).toBe('canbo.lan');
    const mine = ok<{ items: WorkItem[] }>(
      await core.handle('queue.list', { filter: { scope: 'mine', sources: ['mail'] }, offset: 0, limit: 100 }),
    ).items;
    expect(mine.map((i) => i.id)).toContain(work.id);

    const dossierId = `${P}:${dossierCode}`;
    await vi.waitFor(() => {
      const links = core.linksOf(work.id);
      expect(links.outgoing.filter((l) => l.toId !== null).map((l) => [l.kind, l.toId])).toEqual(
        expect.arrayContaining([['dossier', dossierId], ['document', expect.stringMatching(new RegExp(`^${D}:`))]]),
      );
    }, WAIT);
    const documentLink = core.linksOf(work.id).outgoing.find((l) => l.kind === 'document');
    expect(foldNotation(documentLink?.value ?? '')).toBe(foldNotation(documentRef));
    const linkedDoc = ok<{ item: WorkItem }>(await core.handle('item.get', { id: documentLink?.toId ?? '' })).item;
    expect(foldNotation(linkedDoc.ref)).toBe(foldNotation(documentRef));
    expect(core.linksOf(dossierId).incoming.map((l) => [l.fromId, l.kind])).toContainEqual([work.id, 'dossier']);
    // item.get carries the same links both ways (issue #4 contract), with the item on the other side.
    const got = ok<{ item: WorkItem; links: { outgoing: { toId: string | null; other: { ref: string } | null }[] } }>(
      await core.handle('item.get', { id: work.id }),
    );
    expect(got.links.outgoing.find((l) => l.toId === dossierId)?.other?.ref).toBe(dossierCode);
  });

  it('an unread official mail of 90 days ago comes by the history backfill: linked, not work', async () => {
    const old = await mailWithSubject(historySubject);
    expect(Date.now() - old.receivedAt).toBeGreaterThan(89 * 86_400_000);
    const { detail } = ok<{ detail: ItemDetail }>(await core.handle('item.get', { id: old.id }));
    expect(detail.source === 'mail' && detail.history).toBe(true);
    expect(detail.source === 'mail' && detail.seen).toBe(false);
    // Without the history rule it would be work twice over (unread from gov.vn, citing a dossier).
    expect(old.dueAt).toBeNull();
    const open = ok<{ items: WorkItem[] }>(
      await core.handle('queue.list', { filter: { scope: 'all', sources: ['mail'] }, offset: 0, limit: 100 }),
    ).items;
    expect(open.map((i) => i.id)).not.toContain(old.id);
    await vi.waitFor(() => {
      expect(core.linksOf(old.id).outgoing.map((l) => [l.kind, l.toId])).toContainEqual(['dossier', `${P}:${dossierCode}`]);
    }, WAIT);
  });

  it('a newsletter is closed', async () => {
    const news = await mailWithSubject(newsSubject);
    expect(news.dueAt).toBeNull();
    const open = ok<{ items: WorkItem[] }>(
      await core.handle('queue.list', { filter: { scope: 'all', sources: ['mail'] }, offset: 0, limit: 100 }),
    ).items;
    expect(open.map((i) => i.id)).not.toContain(news.id);
    expect(news.sla).toBe('none');
  });

  it('IMAP IDLE: a delivered mail is in the queue within 2 s without sync.now', async () => {
    await vi.waitFor(() => expect(logLines.some((l) => l.includes('watching for changes') && l.includes(`"${M}"`))).toBe(true), WAIT);
    const subject = 'Thư mới đến qua IDLE';
    const started = Date.now();
    await servers.deliver(
      rawMail({ from: 'vanthu@ubnd.hanoi.gov.vn', subject, body: 'Đề nghị báo cáo số liệu.', messageId: 'idle-1@ubnd.hanoi.gov.vn' }),
      USER,
    );
    let found: WorkItem | undefined;
    await vi.waitFor(async () => {
      found = (await mails()).find((i) => i.title === subject);
      expect(found).toBeDefined();
    }, { timeout: 2000, interval: 20 });
    expect(Date.now() - started).toBeLessThan(2000);
    // Unread, from gov.vn, no link: 16 working hours.
    expect(found?.dueAt).toBe(due(16, found?.receivedAt ?? 0));
  });

  it('an expunged mail closes its item and keeps its title', async () => {
    const work = await mailWithSubject(workSubject);
    const client = await connectedImap(servers, { user: USER, password: PASSWORD });
    try {
      await client.mailboxOpen('INBOX');
      const uids = (await client.search({ header: { 'message-id': 'work-1@sotuphap.hanoi.gov.vn' } }, { uid: true })) || [];
      expect(uids.length).toBe(1);
      await client.messageDelete(uids.join(','), { uid: true });
    } finally {
      await client.logout();
    }
    await vi.waitFor(async () => {
      const got = ok<{ item: WorkItem; detail: { source: string; subject?: string } }>(await core.handle('item.get', { id: work.id }));
      expect(got.item.status).toBe('deleted');
      expect(got.item.title).toBe(workSubject);
      expect(got.detail).toMatchObject({ source: 'mail', subject: workSubject });
    }, WAIT);
    const open = ok<{ items: WorkItem[] }>(
      await core.handle('queue.list', { filter: { scope: 'all', sources: ['mail'] }, offset: 0, limit: 100 }),
    ).items;
    expect(open.map((i) => i.id)).not.toContain(work.id);
  });
});
