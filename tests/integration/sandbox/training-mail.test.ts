/**
 * Training mode's mailbox over real protocols (issue #4, point 6): the sandbox serves the training
 * mailbox over IMAP (hoodiecrow-imap) and SMTP (smtp-server) on loopback, and the production code —
 * the real MailAdapter (imapflow), the core's sync, links and mail rules — runs against it exactly as
 * against a real account. The tests share one sandbox and run in order.
 */
import { ImapFlow } from 'imapflow';
import { simpleParser } from 'mailparser';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AdapterError, type NormalizedRecord } from '../../../src/core/adapters/adapter';
import { createAdapter } from '../../../src/core/adapters/adapter.registry';
import { MailAdapter } from '../../../src/core/adapters/mail.adapter';
import {
  TRAINING_DOCUMENT_BACKEND_ID,
  TRAINING_MAIL_BACKEND_ID,
  TRAINING_PROCEDURE_BACKEND_ID,
  trainingConfig,
} from '../../../src/core/config/config.schema';
import { createCore, type Core } from '../../../src/core/core';
import { defaultCalendar } from '../../../src/core/deadline';
import { extractLinks, foldNotation } from '../../../src/shared/mail-links';
import { startWebApp } from '../../../src/host/web-app';
import { generateDataset } from '../../../src/sandbox/data-generator';
import { bulkMailbox } from '../../../src/sandbox/mailbox/bulk-mailbox';
import { TrainingSandbox } from '../../../src/sandbox/sandbox';
import type { BackendStatus, Envelope } from '../../../src/shared/api';
import { SandboxReadySchema } from '../../../src/shared/core-channel';
import type { WorkItem } from '../../../src/shared/work-item';
import { syncAll } from '../adapters/adapter-contract';
import { ok } from '../../support/envelope';

const P = TRAINING_PROCEDURE_BACKEND_ID;
const D = TRAINING_DOCUMENT_BACKEND_ID;
const M = TRAINING_MAIL_BACKEND_ID;
const WAIT = { timeout: 15_000, interval: 25 };

let sandbox: TrainingSandbox;
const adapters: MailAdapter[] = [];
const clients: ImapFlow[] = [];

function ports(): { imap: number; smtp: number } {
  const imap = sandbox.imapPort;
  const smtp = sandbox.smtpPort;
  if (imap === null || smtp === null) throw new Error('the sandbox serves no mail');
  return { imap, smtp };
}

function makeAdapter(): MailAdapter {
  const { user, password } = sandbox.credentials.mail;
  const adapter = new MailAdapter({
    id: 'training-mail-test',
    label: 'Thư công vụ (đào tạo)',
    host: '127.0.0.1',
    port: ports().imap,
    tls: 'none',
    user,
    password,
    folders: ['INBOX', 'Sent'],
    pageSize: 10,
    timeoutMs: 3000,
  });
  adapters.push(adapter);
  return adapter;
}

async function imapClient(): Promise<ImapFlow> {
  const { user, password } = sandbox.credentials.mail;
  const client = new ImapFlow({ host: '127.0.0.1', port: ports().imap, secure: false, doSTARTTLS: false, auth: { user, pass: password }, logger: false });
  client.on('error', () => undefined);
  await client.connect();
  clients.push(client);
  return client;
}

function smtp(auth: { user: string; pass: string } | null) {
  return nodemailer.createTransport({
    host: '127.0.0.1',
    port: ports().smtp,
    secure: false,
    ignoreTLS: true,
    ...(auth ? { auth } : {}),
  });
}

beforeAll(async () => {
  sandbox = await TrainingSandbox.start({ seed: 3, days: 15, dossiersPerDay: 40, documentsPerDay: 10, streamIntervalMs: 0 });
});

afterAll(async () => {
  for (const c of clients) if (c.usable) await c.logout().catch(() => undefined);
  for (const a of adapters) await a.close();
  await sandbox?.stop();
});

describe('the training mailbox over IMAP and SMTP', () => {
  let firstSync: NormalizedRecord[] = [];
  let cursor: string | null = null;

  it('serves INBOX and Sent with SPECIAL-USE folders, CONDSTORE and IDLE, behind the training login', async () => {
    expect(sandbox.credentials.mail).toMatchObject({ user: 'canbo.lan', address: 'canbo.lan@ngocha.hanoi.gov.vn', displayName: 'Nguyễn Thị Lan' });
    const client = await imapClient();
    const folders = await client.list();
    const byPath = new Map(folders.map((f) => [f.path, f.specialUse ?? null]));
    expect(byPath.get('INBOX')).toBe('\\Inbox');
    expect(byPath.get('Sent')).toBe('\\Sent');
    expect(byPath.get('Drafts')).toBe('\\Drafts');
    expect(byPath.get('Trash')).toBe('\\Trash');
    expect(client.capabilities.has('IDLE')).toBe(true);
    expect(client.enabled.has('CONDSTORE')).toBe(true);
    const inbox = await client.status('INBOX', { messages: true, unseen: true });
    const sent = await client.status('Sent', { messages: true });
    if (!inbox || !sent) throw new Error('STATUS failed');
    expect(inbox.messages).toBe(sandbox.mailMessages('INBOX').length);
    expect(inbox.messages).toBeGreaterThanOrEqual(35);
    expect(inbox.unseen).toBeGreaterThan(10);
    expect(sent.messages).toBe(sandbox.mailMessages('Sent').length);
    await client.logout();

    // The address logs in too; a wrong password is refused.
    const byAddress = new ImapFlow({
      host: '127.0.0.1', port: ports().imap, secure: false, doSTARTTLS: false, logger: false,
      auth: { user: sandbox.credentials.mail.address, pass: sandbox.credentials.mail.password },
    });
    byAddress.on('error', () => undefined);
    await byAddress.connect();
    await byAddress.logout();
    const wrong = new MailAdapter({ id: 'x', label: 'x', host: '127.0.0.1', port: ports().imap, tls: 'none', user: 'canbo.lan', password: 'sai-mat-khau', timeoutMs: 3000 });
    adapters.push(wrong);
    const error = await wrong.pull(null).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(AdapterError);
    expect((error as AdapterError).code).toBe('auth_failed');
  });

  it('the real MailAdapter syncs every message of INBOX and Sent, headers first, keyed by Message-ID', async () => {
    const adapter = makeAdapter();
    const result = await syncAll(adapter);
    firstSync = result.records;
    cursor = result.cursor;
    expect(result.quarantined).toEqual([]);
    expect(result.pages.length).toBeGreaterThan(4); // pageSize 10: paged, newest first
    const expected = [
      ...sandbox.mailMessages('INBOX').map((m) => `INBOX:${m.messageId}`),
      ...sandbox.mailMessages('Sent').map((m) => `Sent:${m.messageId}`),
    ].sort();
    expect(firstSync.map((r) => r.externalId).sort()).toEqual(expected);
    // The three older mails (45–160 days) come by the history backfill, after the 30-day window.
    const history = firstSync.filter((r) => r.detail.source === 'mail' && r.detail.history === true);
    expect(history.map((r) => Math.round((Date.now() - r.receivedAt) / 86_400_000)).every((d) => d > 30)).toBe(true);
    expect(history).toHaveLength(3);
    const inbox = firstSync.filter((r) => r.externalId.startsWith('INBOX:'));
    expect(inbox.slice(-3)).toEqual(history);
    // Vietnamese subjects decoded (RFC 2047 B, Q and one windows-1258), senders, seen state as on the server.
    for (const m of sandbox.mailMessages('INBOX')) {
      const parsed = await simpleParser(m.raw);
      const record = firstSync.find((r) => r.externalId === `INBOX:${m.messageId}`);
      expect(record?.title.normalize('NFC')).toBe((parsed.subject ?? '').normalize('NFC'));
      expect(record?.status).toBe(m.flags.includes('\\Seen') ? 'seen' : 'unseen');
      expect(record?.ref).toBe(parsed.from?.value[0]?.address);
    }
    const previews = firstSync.map((r) => (r.detail as { preview: string | null }).preview).filter((p) => p !== null);
    expect(previews.length).toBe(firstSync.length);
    expect(previews.some((p) => /Kính gửi/.test(p ?? ''))).toBe(true);
    // Citizens' mails cite dossiers the procedure backend serves; city mails cite its documents.
    const codes = new Set(sandbox.dossiers().map((d) => d.MaHoSo));
    const cited = firstSync.flatMap((r) => r.title.match(/000\.26\.13\.H26-\d{6}-\d{4}/g) ?? []);
    expect(cited.length).toBeGreaterThanOrEqual(8);
    for (const code of cited) expect(codes.has(code)).toBe(true);
    const notations = new Set(sandbox.documents().map((d) => foldNotation(`${d.CodeNumber}/${d.CodeNotation}`)));
    const docMails = firstSync.filter((r) => /^(Công văn|Kế hoạch|Thông báo|Quyết định|Chỉ thị|Báo cáo|Giấy mời) số \S+\/\S+/.test(r.title));
    expect(docMails.length).toBeGreaterThanOrEqual(5);
    for (const r of docMails) {
      const notation = /số (\S+\/\S+)/.exec(r.title)?.[1] ?? '';
      if (!/\/\d{4}\//.test(notation)) expect(notations.has(foldNotation(notation))).toBe(true);
    }
  });

  it('flags go both ways: the app marks read and flagged, another client\'s changes come back', async () => {
    const adapter = adapters[adapters.length - 1] as MailAdapter;
    const unseen = sandbox.mailMessages('INBOX').find((m) => !m.flags.includes('\\Seen') && !m.flags.includes('\\Flagged'));
    expect(unseen).toBeDefined();
    const id = `INBOX:${unseen?.messageId}`;
    await adapter.setFlags(id, { seen: true, flagged: true });
    const after = sandbox.mailMessages('INBOX').find((m) => m.messageId === unseen?.messageId);
    expect(after?.flags).toEqual(expect.arrayContaining(['\\Seen', '\\Flagged']));
    expect(after?.modseq).toBeGreaterThan(unseen?.modseq ?? 0);

    // Another device: over IMAP (STORE) and on the server itself.
    const other = await imapClient();
    await other.mailboxOpen('INBOX');
    await other.messageFlagsRemove(String(after?.uid), ['\\Seen'], { uid: true });
    const seen = sandbox.mailMessages('INBOX').find((m) => m.flags.includes('\\Seen') && m.messageId !== unseen?.messageId);
    expect(sandbox.setMailFlags('INBOX', seen?.messageId ?? '', [])).toBe(true);

    const changes: NormalizedRecord[] = [];
    const next = await syncAll(adapter, cursor);
    changes.push(...next.records);
    cursor = next.cursor;
    const byId = new Map(changes.map((r) => [r.externalId, r]));
    expect(byId.get(id)).toMatchObject({ status: 'unseen', urgency: 1 });
    expect(byId.get(`INBOX:${seen?.messageId}`)).toMatchObject({ status: 'unseen' });
    // Only what changed comes back (CONDSTORE CHANGEDSINCE).
    expect(changes.length).toBe(2);
    await other.logout();
  });

  it('IDLE: a stream mail citing a new dossier wakes a watching adapter and syncs with its links', async () => {
    const adapter = adapters[adapters.length - 1] as MailAdapter;
    let woken = 0;
    const stop = await adapter.watch(() => {
      woken++;
    });
    try {
      const [code] = sandbox.emit('procedure', 1);
      const mail = sandbox.deliverStreamMail({ dossierCode: code ?? '', category: 'citizen' });
      expect(mail.links).toContainEqual({ kind: 'dossier', value: code });
      await vi.waitFor(() => expect(woken).toBeGreaterThan(0), { timeout: 5000, interval: 10 });
      const next = await syncAll(adapter, cursor);
      cursor = next.cursor;
      const record = next.records.find((r) => r.externalId === `INBOX:${mail.messageId}`);
      expect(record).toMatchObject({ title: mail.subject, status: 'unseen' });
      expect(record?.title).toContain(code);

      // Flags changed on another device reach the watcher too (announced like Dovecot does).
      const before = woken;
      sandbox.setMailFlags('INBOX', mail.messageId, ['\\Seen']);
      await vi.waitFor(() => expect(woken).toBeGreaterThan(before), { timeout: 5000, interval: 10 });
    } finally {
      await stop();
    }
  });

  it('the steady stream brings mail now and then', () => {
    const before = sandbox.mailMessages('INBOX').length;
    for (let i = 0; i < 30; i++) sandbox.tick();
    const added = sandbox.mailMessages('INBOX').slice(before);
    expect(added.length).toBeGreaterThan(2);
    expect(added.length).toBeLessThan(30);
  });

  it('SMTP: AUTH required; mail to herself lands in INBOX, mail to others is recorded as sent out', async () => {
    const { user, password, address } = sandbox.credentials.mail;
    await expect(smtp(null).sendMail({ from: address, to: 'ai.do@example.vn', subject: 'x', text: 'x' })).rejects.toMatchObject({ responseCode: 530 });
    await expect(smtp({ user, pass: 'sai' }).sendMail({ from: address, to: 'ai.do@example.vn', subject: 'x', text: 'x' })).rejects.toMatchObject({ responseCode: 535 });

    const client = await imapClient();
    await client.mailboxOpen('INBOX');
    let exists = 0;
    client.on('exists', () => {
      exists++;
    });
    const idle = client.idle();
    const subject = 'Gửi lại chính mình: hồ sơ cần xem ngày mai';
    const sentBefore = sandbox.sentMail().length;
    const info = await smtp({ user, pass: password }).sendMail({
      from: { name: 'Nguyễn Thị Lan', address },
      to: [{ name: 'Nguyễn Thị Lan', address }],
      cc: 'nguyen.van.an@gmail.com',
      subject,
      text: 'Nhớ kiểm tra hồ sơ của ông Nguyễn Văn An trước 10 giờ sáng.',
    });
    expect(info.rejected).toEqual([]);
    await vi.waitFor(() => expect(exists).toBeGreaterThan(0), { timeout: 5000, interval: 10 });
    await client.logout().catch(() => undefined);
    await idle.catch(() => undefined);

    const delivered = sandbox.mailMessages('INBOX').find((m) => m.messageId === info.messageId.replace(/^<|>$/g, ''));
    expect(delivered).toBeDefined();
    const parsed = await simpleParser(delivered?.raw ?? Buffer.alloc(0));
    expect(parsed.subject).toBe(subject);
    expect(parsed.headers.get('return-path')).toMatchObject({ value: [{ address }] });
    expect(String(parsed.headers.get('received'))).toMatch(/by mail\.ngocha\.hanoi\.gov\.vn/);
    const out = sandbox.sentMail().slice(sentBefore);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ from: address, to: ['nguyen.van.an@gmail.com'], messageId: info.messageId.replace(/^<|>$/g, '') });
    expect((await simpleParser(out[0]?.raw ?? Buffer.alloc(0))).subject).toBe(subject);
  });

  it('APPEND to Sent (what a mail client does after sending) answers APPENDUID and shows up in the next sync', async () => {
    const client = await imapClient();
    const raw = [
      'From: =?UTF-8?B?Tmd1eeG7hW4gVGjhu4sgTGFu?= <canbo.lan@ngocha.hanoi.gov.vn>',
      'To: nguyen.van.an@gmail.com',
      'Subject: =?UTF-8?B?VHLhuqMgbOG7nWkgaOG7kyBzxqE=?=',
      'Message-ID: <sent-append-1@ngocha.hanoi.gov.vn>',
      `Date: ${new Date().toUTCString()}`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      'Hồ sơ của ông đã có kết quả, mời ông đến nhận.',
      '',
    ].join('\r\n');
    const appended = await client.append('Sent', Buffer.from(raw, 'utf8'), ['\\Seen']);
    expect(appended && appended.uid).toBeGreaterThan(0);
    expect(sandbox.mailMessages('Sent').map((m) => m.messageId)).toContain('sent-append-1@ngocha.hanoi.gov.vn');
    await client.logout();
    const adapter = adapters[adapters.length - 1] as MailAdapter;
    const next = await syncAll(adapter, cursor);
    cursor = next.cursor;
    expect(next.records.find((r) => r.externalId === 'Sent:sent-append-1@ngocha.hanoi.gov.vn')).toMatchObject({ title: 'Trả lời hồ sơ', status: 'seen' });
  });

  it('mail down and up: the adapter reports the server unreachable, then syncs again on the same port', async () => {
    const adapter = adapters[adapters.length - 1] as MailAdapter;
    const { imap } = ports();
    await sandbox.stopMail();
    const error = await adapter.pull(cursor).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(AdapterError);
    expect((error as AdapterError).code).toBe('unreachable');
    expect((error as AdapterError).retryable).toBe(true);
    await sandbox.startMail();
    expect(sandbox.imapPort).toBe(imap);
    const again = await syncAll(adapter, cursor);
    cursor = again.cursor;
    expect(again.quarantined).toEqual([]);
  });
});

describe('training mode with three backends (createCore + trainingConfig)', () => {
  let core: Core;
  let dataDir: string;
  const logLines: string[] = [];

  async function mails(): Promise<WorkItem[]> {
    return ok<{ items: WorkItem[] }>(
      await core.handle('queue.list', { filter: { scope: 'all', sources: ['mail'], includeClosed: true }, offset: 0, limit: 500 }),
    ).items;
  }

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'cw-training-mail-'));
  });

  afterAll(async () => {
    await core?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('trainingConfig adds the training mailbox as a third backend the adapter registry accepts', () => {
    const { imap, smtp: smtpPort } = ports();
    const config = trainingConfig({ procedureUrl: sandbox.procedureUrl, documentUrl: sandbox.documentUrl, mail: { imapPort: imap, smtpPort } });
    expect(config.backends.map((b) => [b.adapter['kind'], b.adapter['id'], b.training])).toEqual([
      ['procedure', P, true],
      ['document', D, true],
      ['mail', M, true],
    ]);
    expect(config.backends[2]?.adapter).toMatchObject({
      label: 'Thư công vụ (đào tạo)',
      host: '127.0.0.1',
      port: imap,
      tls: 'none',
      user: 'canbo.lan',
      address: 'canbo.lan@ngocha.hanoi.gov.vn',
      displayName: 'Nguyễn Thị Lan',
      folders: ['INBOX', 'Sent'],
      smtp: { host: '127.0.0.1', port: smtpPort, tls: 'none' },
    });
    expect(createAdapter(config.backends[2]?.adapter).kind).toBe('mail');
    // Without the mail ports: the two HTTP backends, as before.
    expect(trainingConfig({ procedureUrl: sandbox.procedureUrl, documentUrl: sandbox.documentUrl }).backends).toHaveLength(2);
  });

  it('syncs all three; training mails link to the cached dossiers and documents both ways', async () => {
    const { imap, smtp: smtpPort } = ports();
    core = await createCore({
      dataDir,
      config: trainingConfig({
        procedureUrl: sandbox.procedureUrl,
        documentUrl: sandbox.documentUrl,
        mail: { imapPort: imap, smtpPort },
        credentials: sandbox.credentials,
        pollIntervalMs: 60_000,
      }),
      backoff: { baseMs: 50, maxMs: 200 },
      log: (level, message, data) => logLines.push(`${level} ${message} ${JSON.stringify(data ?? {})}`),
    });
    core.start();
    await vi.waitFor(async () => {
      const list = ok<BackendStatus[]>(await core.handle('backends.list', {}));
      expect(list.map((b) => [b.id, b.state])).toEqual([
        [P, 'online'],
        [D, 'online'],
        [M, 'online'],
      ]);
      expect(list.every((b) => b.lastSyncAt !== null)).toBe(true);
    }, { timeout: 30_000, interval: 50 });
    const expected = sandbox.mailMessages('INBOX').length + sandbox.mailMessages('Sent').length;
    await vi.waitFor(async () => expect((await mails()).length).toBe(expected), WAIT);

    const all = await mails();
    let dossierLinks = 0;
    let documentLinks = 0;
    for (const mail of all) {
      const links = core.linksOf(mail.id);
      for (const link of links.outgoing) {
        if (link.kind === 'dossier') {
          // Every dossier a training mail cites is one the procedure backend serves: resolved.
          expect(link.toId, `${mail.title} → ${link.value}`).toBe(`${P}:${link.value}`);
          expect(core.linksOf(link.toId ?? '').incoming.map((l) => l.fromId)).toContain(mail.id);
          dossierLinks++;
        }
        if (link.kind === 'document' && link.toId !== null) {
          expect(link.toId.startsWith(`${D}:`)).toBe(true);
          documentLinks++;
        }
      }
    }
    expect(dossierLinks).toBeGreaterThanOrEqual(12);
    expect(documentLinks).toBeGreaterThanOrEqual(8);
    // Mails about dossiers are work (rule "Gắn với hồ sơ TTHC"), newsletters are not.
    const open = ok<{ items: WorkItem[] }>(await core.handle('queue.list', { filter: { scope: 'all', sources: ['mail'] }, offset: 0, limit: 500 })).items;
    expect(open.length).toBeGreaterThan(5);
    const titles = new Set(open.map((i) => i.title));
    expect([...titles].some((t) => /000\.26\.13\.H26-/.test(t))).toBe(true);
    expect(titles.has('Siêu sale 12.12 - giảm đến 50% cho đơn từ 199.000đ')).toBe(false);
  });

  it('a stream mail about a dossier just received arrives by IDLE and links once the dossier lands', async () => {
    await vi.waitFor(() => expect(logLines.some((l) => l.includes('watching for changes') && l.includes(`"${M}"`))).toBe(true), WAIT);
    const [code] = sandbox.emit('procedure', 1);
    const mail = sandbox.deliverStreamMail({ dossierCode: code ?? '', category: 'citizen' });
    let item: WorkItem | undefined;
    await vi.waitFor(async () => {
      item = (await mails()).find((i) => i.title === mail.subject);
      expect(item).toBeDefined();
    }, { timeout: 10_000, interval: 25 }); // the poll interval is 60 s: only IDLE brings it this fast
    ok(await core.handle('sync.now', { backendId: P }));
    await vi.waitFor(() => {
      const link = core.linksOf(item?.id ?? '').outgoing.find((l) => l.kind === 'dossier');
      expect(link?.toId).toBe(`${P}:${code}`);
    }, WAIT);
    const open = ok<{ items: WorkItem[] }>(await core.handle('queue.list', { filter: { scope: 'all', sources: ['mail'] }, offset: 0, limit: 500 })).items;
    expect(open.map((i) => i.id)).toContain(item?.id);
  });
});

describe('startWebApp in training mode', () => {
  it('connects the core to all three training backends and keeps extra backends', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cw-training-web-'));
    const app = await startWebApp({
      dataDir,
      seed: 5,
      sandboxDays: 3,
      streamIntervalMs: 0,
      pollIntervalMs: 60_000,
      extraBackends: [
        { adapter: { kind: 'mail', id: 'extra-mail', label: 'Hộp thư khác', host: '127.0.0.1', port: 9, tls: 'none', user: 'x', password: 'y', timeoutMs: 1000 }, pollIntervalMs: 60_000 },
      ],
    });
    try {
      expect(app.sandbox?.imapPort).toBeGreaterThan(0);
      const ready = SandboxReadySchema.safeParse({
        type: 'sandbox-ready',
        procedureUrl: app.sandbox?.procedureUrl,
        documentUrl: app.sandbox?.documentUrl,
        imapPort: app.sandbox?.imapPort,
        smtpPort: app.sandbox?.smtpPort,
      });
      expect(ready.success).toBe(true);
      await vi.waitFor(async () => {
        const envelope = (await app.core.handle('backends.list', {})) as Envelope<BackendStatus[]>;
        if (!envelope.ok) throw new Error('backends.list failed');
        const states = new Map(envelope.data.map((b) => [b.id, b]));
        expect([...states.keys()]).toEqual([P, D, M, 'extra-mail']);
        expect(states.get(M)).toMatchObject({ state: 'online', kind: 'mail', training: true, label: 'Thư công vụ (đào tạo)' });
        expect(states.get(M)?.itemCount).toBe((app.sandbox?.mailMessages('INBOX').length ?? 0) + (app.sandbox?.mailMessages('Sent').length ?? 0));
        expect(states.get('extra-mail')?.state).toBe('offline');
      }, { timeout: 30_000, interval: 50 });
    } finally {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('the benchmark mailbox (bulk-mailbox.ts)', () => {
  it('is deterministic, 7-bit, dated over the year, parses with Vietnamese text and cites real dossiers', async () => {
    const now = Date.UTC(2026, 10, 25, 3);
    const dataset = generateDataset({ seed: 21, now, days: 10, calendar: defaultCalendar() });
    const box = [...bulkMailbox({ dataset, count: 400, seed: 21, attachmentRate: 0.02 })];
    expect(box).toHaveLength(400);
    expect([...bulkMailbox({ dataset, count: 400, seed: 21, attachmentRate: 0.02 })].map((m) => m.raw)).toEqual(box.map((m) => m.raw));
    const codes = new Set(dataset.dossiers.map((d) => d.code));
    let html = 0;
    let attachments = 0;
    for (const [i, m] of box.entries()) {
      expect(m.raw).toMatch(/^[\x00-\x7f]*$/);
      if (i > 0) expect(m.internalDate).toBeGreaterThanOrEqual(box[i - 1]?.internalDate ?? 0);
      expect(m.internalDate).toBeGreaterThan(now - 366 * 86_400_000);
      expect(m.internalDate).toBeLessThan(now);
      for (const code of m.dossiers) expect(codes.has(code)).toBe(true);
    }
    for (const m of box.filter((_, i) => i % 10 === 0 || box[i]?.raw.includes('Content-Disposition: attachment'))) {
      const parsed = await simpleParser(m.raw);
      expect(parsed.messageId).toBe(`<${m.messageId}>`);
      expect(parsed.subject ?? '').toMatch(/[ăâđêôơưàáảãạ]/i);
      const found = extractLinks(`${parsed.subject ?? ''}\n${parsed.text ?? ''}`, { now }).filter((l) => l.kind === 'dossier').map((l) => l.value);
      expect([...new Set(found)].sort()).toEqual([...new Set(m.dossiers)].sort());
      if (typeof parsed.html === 'string') html++;
      const big = parsed.attachments.filter((a) => a.size >= 150 * 1024);
      attachments += big.length;
      for (const a of big) expect(a.size).toBeLessThanOrEqual(600 * 1024);
    }
    expect(html).toBeGreaterThan(3);
    expect(attachments).toBeGreaterThan(2);
    expect(box.filter((m) => m.dossiers.length > 0).length).toBeGreaterThan(150);
  });
});
