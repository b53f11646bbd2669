/**
 * Mail bodies through the core against a real Dovecot (tests/support/mail-servers.ts): `mail.body`
 * in the charsets Vietnamese mail arrives in, malformed MIME, links found deep in a body (the rules
 * run again), attachments by index (bytes of that part, then from the disk cache), remote images
 * (only the mail's own URLs, private addresses refused), and what happens offline, after a deletion
 * on the server and with a wrong password. A fake procedure backend provides the cited dossier.
 * The tests share one mailbox and one core, and run in order.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAdapter as registryCreateAdapter } from '../../../src/core/adapters/adapter.registry';
import type { WorkstationConfigInput } from '../../../src/core/config/config.schema';
import { createCore, type Core } from '../../../src/core/core';
import type { BackendStatus, CoreEvent, ItemLinksView, MailBodyView } from '../../../src/shared/api';
import type { WorkItem } from '../../../src/shared/work-item';
import { connectedImap, type MailServers, startMailServers } from '../../support/mail-servers';
import { FakeAdapter } from '../../unit/core/fixtures/fake.adapter';
import { dossier } from '../../unit/core/fixtures/records.fixture';
import { charsetMail, deepLinkMail, PNG, richMail, sha256, singlePartAttachmentMail, VN_TEXT, type CharsetMail, type RichMail } from './mail-body-fixtures';
import { malformedMail } from './mail-fixtures';
import { ok } from '../../support/envelope';

const USER = 'lan';
const PASSWORD = 'Mật-khẩu-thử-2024';
const CODE = '000.26.13.H26-251003-0012';
const WAIT = { timeout: 15_000, interval: 25 };

let servers: MailServers;
let imageServer: Server;
const imageHits: string[] = [];
let dataDir: string;
let core: Core;
const events: CoreEvent[] = [];
const logs: string[] = [];
let rich: RichMail;
let deep: CharsetMail;
let single: ReturnType<typeof singlePartAttachmentMail>;
const charsets: Record<string, CharsetMail> = {};

function config(password: string): WorkstationConfigInput {
  return {
    office: { name: 'UBND phường Ngọc Hà', unitCode: '000.26.13.H26' },
    user: { username: 'canbo.lan', fullName: 'Nguyễn Thị Lan', role: 'official' },
    backends: [
      { adapter: { kind: 'procedure', id: 'p' }, pollIntervalMs: 600_000, training: true },
      {
        adapter: { kind: 'mail', id: 'mail', label: 'Thư công vụ', host: '127.0.0.1', port: servers.imap.port, tls: 'none', user: USER, password, timeoutMs: 4000 },
        pollIntervalMs: 600_000,
      },
    ],
  };
}

async function openCore(password: string, mailBodiesMaxBytes?: number): Promise<Core> {
  const procedure = new FakeAdapter('p');
  procedure.records = [dossier({ externalId: CODE })];
  const c = await createCore({
    dataDir,
    config: config(password),
    createAdapter: (cfg) => ((cfg as { kind?: string }).kind === 'procedure' ? procedure : registryCreateAdapter(cfg)),
    backoff: { baseMs: 50, maxMs: 500 },
    remoteImageAddressAllowed: (address) => address === '127.0.0.1',
    log: (level, msg, data) => logs.push(`${level} ${msg} ${JSON.stringify(data ?? {})}`),
    ...(mailBodiesMaxBytes !== undefined ? { mailBodiesMaxBytes } : {}),
  });
  c.subscribe((e) => events.push(e));
  c.start();
  return c;
}

async function state(id: string): Promise<BackendStatus | undefined> {
  return ok<BackendStatus[]>(await core.handle('backends.list', {})).find((b) => b.id === id);
}

async function mailItem(subject: string, exact = true): Promise<WorkItem> {
  let found: WorkItem | undefined;
  await vi.waitFor(async () => {
    const items = ok<{ items: WorkItem[] }>(
      await core.handle('queue.list', { filter: { scope: 'all', sources: ['mail'], includeClosed: true }, offset: 0, limit: 500 }),
    ).items;
    found = items.find((i) => (exact ? i.title === subject : i.title.includes(subject)));
    expect(found, subject).toBeDefined();
  }, WAIT);
  return found as WorkItem;
}

async function body(itemId: string): Promise<MailBodyView> {
  return ok<MailBodyView>(await core.handle('mail.body', { itemId }));
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function expunge(messageId: string): Promise<void> {
  const client = await connectedImap(servers, { user: USER, password: PASSWORD });
  try {
    await client.mailboxOpen('INBOX');
    const uids = (await client.search({ header: { 'message-id': messageId } }, { uid: true })) || [];
    expect(uids.length).toBe(1);
    await client.messageDelete(uids.join(','), { uid: true });
  } finally {
    await client.logout();
  }
}

beforeAll(async () => {
  servers = await startMailServers({ users: [{ user: USER, password: PASSWORD }], tls: false });
  imageServer = createServer((req, res) => {
    imageHits.push(req.url ?? '');
    res.writeHead(200, { 'Content-Type': 'image/png' }).end(PNG);
  });
  await new Promise<void>((r) => imageServer.listen(0, '127.0.0.1', r));
  dataDir = mkdtempSync(join(tmpdir(), 'cw-mail-body-'));
  rich = richMail(servers.domain, `http://127.0.0.1:${(imageServer.address() as AddressInfo).port}`);
  deep = deepLinkMail(servers.domain, CODE);
  single = singlePartAttachmentMail(servers.domain);
  for (const cs of ['windows-1258', 'viscii', 'utf-8-8bit', 'iso-8859-1'] as const) charsets[cs] = charsetMail(servers.domain, cs);
  for (const m of [rich, deep, single, ...Object.values(charsets), malformedMail(servers.domain)]) await servers.deliver(Buffer.from(m.raw, 'utf8'), USER);
  core = await openCore(PASSWORD);
  await vi.waitFor(async () => expect((await state('mail'))?.state).toBe('online'), WAIT);
});

afterAll(async () => {
  await core?.close();
  imageServer?.closeAllConnections();
  await new Promise((r) => imageServer?.close(r));
  await servers?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('mail bodies against Dovecot', () => {
  it('decodes Vietnamese bodies and headers in UTF-8 (8bit, split encoded words), windows-1258, VISCII and ISO-8859-1; the second read comes from the cache', async () => {
    for (const [name, m] of Object.entries(charsets)) {
      const item = await mailItem(m.subject);
      expect(item.title, name).toBe(m.subject);
      expect(item.party, name).toBe('Trần Thị Mai');
      if (name === 'iso-8859-1') continue; // first read while the server is down, then after (below)
      const first = await body(item.id);
      expect(first.text?.trim(), name).toBe(m.text);
      expect(first.text, name).toBe(first.text?.normalize('NFC'));
      expect(first.fromCache, name).toBe(false);
      expect((await body(item.id)).fromCache, name).toBe(true);
    }
  });

  it('lists attachments by index, keeps inline images as data: URIs, and each index downloads the bytes of that part', async () => {
    const item = await mailItem(rich.subject);
    const view = await body(item.id);
    expect(view.text?.trim()).toBe(VN_TEXT);
    expect(view.html).toContain(VN_TEXT);
    expect(view.html).toContain('cid:logo@ngocha');
    expect(view.inlineImages).toEqual({ 'logo@ngocha': `data:image/png;base64,${PNG.toString('base64')}` });
    expect(view.attachments).toEqual(
      rich.attachments.map((a, index) => ({ index, filename: a.filename, contentType: a.contentType, size: a.bytes.length, inline: a.inline, contentId: a.contentId })),
    );
    for (const [index, expected] of rich.attachments.entries()) {
      const first = await core.openAttachment(item.id, index);
      expect(first.fromCache, `index ${index}`).toBe(false);
      expect(first.filename).toBe(expected.filename);
      expect(first.size).toBe(expected.bytes.length);
      expect(sha256(await readAll(first.stream)), `index ${index}`).toBe(sha256(expected.bytes));
      const again = await core.openAttachment(item.id, index);
      expect(again.fromCache).toBe(true);
      expect(sha256(await readAll(again.stream))).toBe(sha256(expected.bytes));
    }
    await expect(core.openAttachment(item.id, 9)).rejects.toMatchObject({ code: 'not_found', message: expect.stringMatching(/không có tệp đính kèm/) });
    // A message that is one attachment: IMAP part 1 (imapflow reads it as TEXT, decoded by the header's encoding).
    const only = await mailItem(single.subject);
    expect((await body(only.id)).attachments).toEqual([
      { index: 0, filename: single.filename, contentType: 'application/pdf', size: single.bytes.length, inline: false, contentId: null },
    ]);
    expect(sha256(await readAll((await core.openAttachment(only.id, 0)).stream))).toBe(sha256(single.bytes));
  });

  it('remote images: only URLs of the mail are fetched, private and link-local addresses never', async () => {
    const item = await mailItem(rich.subject);
    const notInMail = `http://127.0.0.1:${(imageServer.address() as AddressInfo).port}/khong-co-trong-thu.png`;
    const urls = [rich.remoteUrls.allowed, rich.remoteUrls.privateLiteral, rich.remoteUrls.linkLocal, notInMail];
    const { images } = ok<{ images: Record<string, string | null> }>(await core.handle('mail.remoteImages', { itemId: item.id, urls }));
    expect(images).toEqual({
      [rich.remoteUrls.allowed]: `data:image/png;base64,${PNG.toString('base64')}`,
      [rich.remoteUrls.privateLiteral]: null,
      [rich.remoteUrls.linkLocal]: null,
      [notInMail]: null,
    });
    expect(imageHits).toEqual(['/anh-minh-hoa.png']);
  });

  it('a dossier code deep in the body links the mail once the body is read; the rules make it work; both sides are announced', async () => {
    const item = await mailItem(deep.subject);
    const before = ok<{ item: WorkItem; links: ItemLinksView }>(await core.handle('item.get', { id: item.id }));
    expect(before.links.outgoing).toEqual([]);
    expect(before.item.dueAt).toBeNull();
    events.length = 0;
    expect((await body(item.id)).text).toContain(`đề nghị xem hồ sơ ${CODE}`);
    const after = ok<{ item: WorkItem; links: ItemLinksView }>(await core.handle('item.get', { id: item.id }));
    expect(after.links.outgoing).toEqual([
      expect.objectContaining({ kind: 'dossier', value: CODE, toId: `p:${CODE}`, origin: 'auto', other: expect.objectContaining({ ref: CODE, source: 'procedure' }) }),
    ]);
    expect(after.item.urgency).toBe(1);
    expect(after.item.dueAt).not.toBeNull();
    const dossierView = ok<{ links: ItemLinksView }>(await core.handle('item.get', { id: `p:${CODE}` }));
    expect(dossierView.links.incoming.map((l) => [l.fromId, l.other?.title])).toEqual([[item.id, deep.subject]]);
    const changed = events.flatMap((e) => (e.type === 'items.changed' ? e.ids : []));
    expect(changed).toEqual(expect.arrayContaining([item.id, `p:${CODE}`]));
  });

  it('malformed MIME: the body is shown as far as readable, nothing crashes', async () => {
    const item = await mailItem('Thư hỏng', false);
    const view = await body(item.id);
    expect(view.fromCache).toBe(false);
    expect(view.attachments).toEqual([]);
    expect(typeof (view.text ?? '')).toBe('string');
    expect((await body(item.id)).fromCache).toBe(true);
  });

  it('mail.saveAttachment answers the browser host with the download route; the Electron path writes the file', async () => {
    const item = await mailItem(rich.subject);
    const answer = await core.handle('mail.saveAttachment', { itemId: item.id, index: 1 });
    expect(answer).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringContaining('/api/mail/attachment') } });
    const target = join(dataDir, 'Công văn đã lưu.pdf');
    const saved = await core.saveAttachment(item.id, 1, target);
    expect(saved).toEqual({ ok: true, data: { saved: true, path: target, size: rich.attachments[1]!.bytes.length } });
    expect(sha256(readFileSync(target))).toBe(sha256(rich.attachments[1]!.bytes));
    expect(await core.saveAttachment(item.id, 1, 'relative/x.pdf')).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });

  it('server down: read bodies and downloaded attachments still open; an unread body says offline in Vietnamese; the backend goes offline, nothing crashes', async () => {
    const richItem = await mailItem(rich.subject);
    const unread = await mailItem(charsets['iso-8859-1']!.subject);
    // Down for real: established sessions die too (stopImap alone leaves them running).
    expect(await servers.killImapSessions()).toBeGreaterThan(0);
    await servers.stopImap();
    try {
      expect(await body(richItem.id)).toMatchObject({ fromCache: true, text: expect.stringContaining('Kính gửi') });
      const file = await core.openAttachment(richItem.id, 1);
      expect(file.fromCache).toBe(true);
      expect(sha256(await readAll(file.stream))).toBe(sha256(rich.attachments[1]!.bytes));
      const answer = await core.handle('mail.body', { itemId: unread.id });
      expect(answer).toMatchObject({
        ok: false,
        error: { code: 'unavailable', message: expect.stringMatching(/^Không tải được nội dung thư vì đang ngoại tuyến: Không kết nối được máy chủ thư/), details: ['reason:offline'] },
      });
      ok(await core.handle('sync.now', { backendId: 'mail' }));
      await vi.waitFor(async () => expect((await state('mail'))?.state).toBe('offline'), WAIT);
      expect((await state('p'))?.state).toBe('online');
    } finally {
      await servers.startImap();
    }
    const back = await body(unread.id);
    expect(back.fromCache).toBe(false);
    expect(back.text?.trim()).toBe(charsets['iso-8859-1']!.text);
    expect((await body(unread.id)).fromCache).toBe(true);
  });

  it('a mail deleted on the server stays readable from the cache; one never read says it is gone', async () => {
    const richItem = await mailItem(rich.subject);
    const late = charsetMail(servers.domain, 'viscii');
    late.raw = late.raw.replace(late.messageId, `late-${late.messageId}`);
    const lateSubject = 'Thư đến muộn, chưa đọc';
    late.raw = late.raw.replace(/^Subject: .*$/m, `Subject: =?UTF-8?B?${Buffer.from(lateSubject, 'utf8').toString('base64')}?=`);
    await servers.deliver(late.raw, USER);
    ok(await core.handle('sync.now', { backendId: 'mail' }));
    const lateItem = await mailItem(lateSubject);
    await expunge(rich.messageId);
    await expunge(`late-${late.messageId}`);
    ok(await core.handle('sync.now', { backendId: 'mail' }));
    await vi.waitFor(async () => {
      const got = ok<{ item: WorkItem }>(await core.handle('item.get', { id: richItem.id }));
      expect(got.item.status).toBe('deleted');
    }, WAIT);
    const kept = await body(richItem.id);
    expect(kept).toMatchObject({ fromCache: true, html: expect.stringContaining(VN_TEXT) });
    expect(kept.attachments).toHaveLength(4);
    await vi.waitFor(async () => {
      const got = ok<{ item: WorkItem }>(await core.handle('item.get', { id: lateItem.id }));
      expect(got.item.status).toBe('deleted');
    }, WAIT);
    expect(await core.handle('mail.body', { itemId: lateItem.id })).toMatchObject({
      ok: false,
      error: { code: 'unavailable', message: expect.stringMatching(/không còn trên máy chủ \(đã bị chuyển sang thư mục khác hoặc bị xoá\)/), details: ['reason:gone'] },
    });
  });

  it('wrong password: a clear Vietnamese message, cached bodies still served', async () => {
    const subject = 'Thư chưa đọc trước khi đổi mật khẩu';
    const m = deepLinkMail(servers.domain, CODE);
    await servers.deliver(m.raw.replace(m.messageId, 'pw-test@example.com').replace(/^Subject: .*$/m, `Subject: =?UTF-8?B?${Buffer.from(subject, 'utf8').toString('base64')}?=`), USER);
    ok(await core.handle('sync.now', { backendId: 'mail' }));
    const item = await mailItem(subject);
    const cachedItem = await mailItem(charsets['viscii']!.subject);
    await core.close();
    core = await openCore('mat-khau-sai');
    await vi.waitFor(async () => expect((await state('mail'))?.lastError?.code).toBe('auth_failed'), WAIT);
    expect((await state('mail'))?.state).toBe('error');
    const answer = await core.handle('mail.body', { itemId: item.id });
    expect(answer).toMatchObject({
      ok: false,
      error: { code: 'unavailable', message: expect.stringMatching(/Đăng nhập hộp thư thất bại.*mật khẩu/), details: ['reason:auth_failed'] },
    });
    expect(JSON.stringify(answer)).not.toContain('mat-khau-sai');
    expect((await body(cachedItem.id)).fromCache).toBe(true);
    expect(logs.some((l) => l.includes('mat-khau-sai'))).toBe(false);
  });
});

describe('the body cache is bounded', () => {
  it('drops the oldest bodies beyond the limit, keeps the links found in them, and fetches a dropped body again', async () => {
    await core.close();
    core = await openCore(PASSWORD, 1); // every new body pushes the older ones out
    await vi.waitFor(async () => expect((await state('mail'))?.state).toBe('online'), WAIT);
    const deepItem = await mailItem(deep.subject);
    const subject = 'Thư mới sau khi giới hạn bộ nhớ đệm';
    const m = deepLinkMail(servers.domain, CODE);
    await servers.deliver(m.raw.replace(m.messageId, 'bound-test@example.com').replace(/^Subject: .*$/m, `Subject: =?UTF-8?B?${Buffer.from(subject, 'utf8').toString('base64')}?=`), USER);
    ok(await core.handle('sync.now', { backendId: 'mail' }));
    const other = await mailItem(subject);
    // The deep-link mail's body was read (and its link found) earlier; storing a new body evicts it.
    expect((await body(other.id)).fromCache).toBe(false);
    expect(logs.some((l) => l.includes('mail body cache over its limit'))).toBe(true);
    const linked = ok<{ links: ItemLinksView }>(await core.handle('item.get', { id: deepItem.id }));
    expect(linked.links.outgoing.map((l) => [l.kind, l.toId])).toEqual([['dossier', `p:${CODE}`]]);
    // A sync that lands the mail again keeps the link found deep in its (dropped) body.
    ok(await core.handle('sync.now', { backendId: 'mail' }));
    const again = await body(deepItem.id);
    expect(again.fromCache).toBe(false);
    expect(again.text).toContain(`đề nghị xem hồ sơ ${CODE}`);
    const relinked = ok<{ links: ItemLinksView }>(await core.handle('item.get', { id: deepItem.id }));
    expect(relinked.links.outgoing.map((l) => [l.kind, l.toId])).toEqual([['dossier', `p:${CODE}`]]);
  });
});
