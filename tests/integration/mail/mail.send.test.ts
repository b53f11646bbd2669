/**
 * Sending mail against real servers (issue #4, point 5): Postfix (SMTP AUTH, STARTTLS with the
 * harness's throw-away CA) delivering to Dovecot, read back over IMAP by the recipients. First the
 * mail adapter's perform() with an in-memory checkpoint (new / reply / reply-all / forward, the Sent
 * copy once, wrong password, refused recipients, TLS, a lost final reply and a cut mid-message through
 * a misbehaving proxy), then the whole core (createCore) with the outbox: attachments staged and
 * composed, the server down and back, a wrong password, an uncertain send found at start-up and
 * retried by the official, seen/flag from the app.
 */
import type Database from 'better-sqlite3';
import { type ImapFlow } from 'imapflow';
import { simpleParser, type ParsedMail } from 'mailparser';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type PerformContext, type PerformResult } from '../../../src/core/adapters/adapter';
import { MailAdapter, type MailAdapterConfig } from '../../../src/core/adapters/mail.adapter';
import { UNCERTAIN_SEND_MESSAGE } from '../../../src/core/adapters/mail.smtp';
import type { WorkstationConfigInput } from '../../../src/core/config/config.schema';
import { createCore, type Core } from '../../../src/core/core';
import type { MailSendAction, StagedAttachment } from '../../../src/shared/actions';
import type { AuditEntry, OutboxEntry, Session } from '../../../src/shared/api';
import type { WorkItem } from '../../../src/shared/work-item';
import { connectedImap, type MailServers, startMailServers } from '../../support/mail-servers';
import { SmtpProxy } from '../../support/smtp-proxy';
import { adapterError } from '../../support/adapter-error';
import { ok } from '../../support/envelope';
import { openTestCache } from '../../support/cache-file';

const LAN = { user: 'lan', password: 'Mật-khẩu-Lan-2024' };
const HUNG = { user: 'hung', password: 'Mật-khẩu-Hùng-2024' };
const MAI = { user: 'mai', password: 'Mật-khẩu-Mai-2024' };
const PASSWORDS: Record<string, string> = { lan: LAN.password, hung: HUNG.password, mai: MAI.password };
const WAIT = { timeout: 15_000, interval: 50 };

let servers: MailServers;
let proxy: SmtpProxy;
let workDir: string;
const adapters: MailAdapter[] = [];
const clients: ImapFlow[] = [];
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};

function addr(user: string): string {
  return servers.address(user);
}

function makeAdapter(smtp: Partial<NonNullable<MailAdapterConfig['smtp']>> = {}, over: Partial<MailAdapterConfig> = {}): MailAdapter {
  const adapter = new MailAdapter({
    id: 'mail',
    label: 'Thư công vụ',
    host: '127.0.0.1',
    port: servers.imap.port,
    tls: 'none',
    user: LAN.user,
    password: LAN.password,
    address: addr('lan'),
    displayName: 'Nguyễn Thị Lan',
    timeoutMs: 3000,
    smtp: { host: '127.0.0.1', port: servers.smtp.port, tls: 'none', ...smtp },
    ...over,
  });
  adapters.push(adapter);
  return adapter;
}

async function mailbox(user: string): Promise<ImapFlow> {
  const client = await connectedImap(servers, { user, password: PASSWORDS[user]! });
  clients.push(client);
  return client;
}

/** UIDs of the messages with this Message-ID in a user's folder (after Postfix delivered everything). */
async function copies(user: string, messageId: string, folder = 'INBOX'): Promise<number[]> {
  await servers.waitQueueEmpty();
  const client = await mailbox(user);
  try {
    const lock = await client.getMailboxLock(folder);
    try {
      return (await client.search({ header: { 'message-id': `<${messageId}>` } }, { uid: true })) || [];
    } finally {
      lock.release();
    }
  } finally {
    await client.logout();
  }
}

async function read(user: string, messageId: string, folder = 'INBOX'): Promise<{ parsed: ParsedMail; flags: Set<string> }> {
  const uids = await copies(user, messageId, folder);
  expect(uids, `${user}/${folder} has ${messageId} once`).toHaveLength(1);
  const client = await mailbox(user);
  try {
    const lock = await client.getMailboxLock(folder);
    try {
      const msg = await client.fetchOne(String(uids[0]), { uid: true, flags: true, source: true }, { uid: true });
      if (!msg || !msg.source) throw new Error('message gone');
      return { parsed: await simpleParser(msg.source), flags: msg.flags ?? new Set() };
    } finally {
      lock.release();
    }
  } finally {
    await client.logout();
  }
}

function memoryProgress(value: string | null = null): { value: string | null; saves: Array<string | null>; save(v: string | null): void } {
  return {
    value,
    saves: [],
    save(v) {
      this.saves.push(v);
      this.value = v;
    },
  };
}

function context(progress = memoryProgress(), attachmentPaths: Record<string, string> = {}): PerformContext & { progress: ReturnType<typeof memoryProgress> } {
  return { idempotencyKey: randomUUID(), baseUpdatedAt: null, actor: { username: 'canbo.lan', fullName: 'Nguyễn Thị Lan' }, createdAt: Date.parse('2026-11-25T09:15:00+07:00'), progress, attachmentPaths };
}

function send(over: Partial<MailSendAction>): MailSendAction {
  return {
    kind: 'mail.send',
    mode: 'new',
    to: [addr('hung')],
    cc: [],
    bcc: [],
    subject: 'Về việc báo cáo tình hình đăng ký hộ tịch quý III',
    text: 'Kính gửi anh Hùng,\n\nPhường Ngọc Hà gửi báo cáo số liệu đăng ký khai sinh, kết hôn, khai tử quý III.\nTrân trọng.',
    attachments: [],
    includeOriginalAttachments: false,
    ...over,
  };
}

function stagedFile(name: string, bytes: Buffer, contentType = 'application/pdf'): { staged: StagedAttachment; path: string } {
  const id = randomUUID();
  const path = join(workDir, id);
  writeFileSync(path, bytes);
  return { staged: { id, filename: name, contentType, size: bytes.length }, path };
}

function applied(result: PerformResult): Extract<PerformResult, { outcome: 'applied' }>['record'] {
  if (result.outcome !== 'applied') throw new Error(`expected applied, got ${JSON.stringify(result)}`);
  return result.record;
}

/** An original mail in lan's INBOX, as another office would send it. */
async function deliverOriginal(o: { messageId: string; references?: string; attachment?: { name: string; bytes: Buffer } }): Promise<void> {
  const subject = `=?UTF-8?B?${Buffer.from('Đề nghị cung cấp số liệu hộ tịch', 'utf8').toString('base64')}?=`;
  const head = [
    `From: =?UTF-8?B?${Buffer.from('Trần Văn Hùng', 'utf8').toString('base64')}?= <${addr('hung')}>`,
    `To: ${addr('lan')}`,
    `Cc: ${addr('mai')}`,
    `Subject: ${subject}`,
    `Message-ID: <${o.messageId}>`,
    ...(o.references ? [`References: ${o.references}`] : []),
    'Date: Tue, 24 Nov 2026 08:00:00 +0700',
    'MIME-Version: 1.0',
  ];
  const text = Buffer.from('Đề nghị phường gửi số liệu trước ngày 30/11.', 'utf8').toString('base64');
  const raw = o.attachment
    ? [
        ...head,
        'Content-Type: multipart/mixed; boundary="b1"',
        '',
        '--b1',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: base64',
        '',
        text,
        '--b1',
        `Content-Type: application/pdf; name="=?UTF-8?B?${Buffer.from(o.attachment.name).toString('base64')}?="`,
        `Content-Disposition: attachment; filename="=?UTF-8?B?${Buffer.from(o.attachment.name).toString('base64')}?="`,
        'Content-Transfer-Encoding: base64',
        '',
        (o.attachment.bytes.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n'),
        '--b1--',
        '',
      ]
    : [...head, 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: base64', '', text, ''];
  await servers.deliver(raw.join('\r\n'), 'lan');
}

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  workDir = mkdtempSync(join(tmpdir(), 'cw-mail-send-'));
  servers = await startMailServers({ users: [LAN, HUNG, MAI], rejectUnknownRecipients: true });
  proxy = new SmtpProxy(servers.smtp);
  await proxy.start();
});

afterAll(async () => {
  for (const a of adapters) await a.close();
  for (const c of clients) c.close();
  await proxy?.stop();
  await servers?.stop();
  rmSync(workDir, { recursive: true, force: true });
  process.off('unhandledRejection', onUnhandled);
  expect(unhandled, 'no unhandled rejection').toEqual([]);
});

describe('mail adapter: sending', () => {
  it('a new mail with a Vietnamese subject, body and attachment reaches the recipients; the Sent copy is stored once', async () => {
    const adapter = makeAdapter();
    const pdf = randomBytes(300_000);
    const file = stagedFile('Báo cáo hộ tịch quý III.pdf', pdf);
    const ctx = context(memoryProgress(), { [file.staged.id]: file.path });
    const action = send({ cc: [], bcc: [addr('mai')], attachments: [file.staged] });
    const record = applied(await adapter.perform(`outgoing:${randomUUID()}`, action, ctx));
    const messageId = `${ctx.idempotencyKey}@${servers.domain}`;
    expect(ctx.progress.saves).toEqual(['smtp_started', 'smtp_accepted']);
    expect(record).toMatchObject({ source: 'mail', externalId: `Sent:${messageId}`, status: 'seen', title: action.subject });
    expect(record.detail).toMatchObject({ folder: 'Sent', messageId, seen: true, from: { name: 'Nguyễn Thị Lan', address: addr('lan') } });

    const { parsed } = await read('hung', messageId);
    expect(parsed.subject).toBe(action.subject);
    expect(parsed.from?.value[0]).toEqual({ name: 'Nguyễn Thị Lan', address: addr('lan') });
    expect(parsed.text?.trim()).toBe(action.text.trim());
    expect(parsed.messageId).toBe(`<${messageId}>`);
    expect(parsed.date?.getTime()).toBe(ctx.createdAt);
    expect(parsed.headers.has('bcc')).toBe(false);
    expect(parsed.attachments).toHaveLength(1);
    expect(parsed.attachments[0]).toMatchObject({ filename: 'Báo cáo hộ tịch quý III.pdf', contentType: 'application/pdf' });
    expect(parsed.attachments[0]!.content.equals(pdf)).toBe(true);
    // Bcc: delivered, and only the Sent copy shows it.
    expect(await copies('mai', messageId)).toHaveLength(1);
    const sentCopy = await read('lan', messageId, 'Sent');
    expect(sentCopy.flags.has('\\Seen')).toBe(true);
    expect(sentCopy.parsed.bcc).toBeDefined();
    expect(sentCopy.parsed.attachments[0]!.content.equals(pdf)).toBe(true);

    // The step repeated (a crash after the APPEND, before the entry was marked done): nothing twice.
    const again = applied(await adapter.perform(`outgoing:${randomUUID()}`, action, ctx));
    expect(again.externalId).toBe(record.externalId);
    expect(ctx.progress.saves).toEqual(['smtp_started', 'smtp_accepted']);
    expect(await copies('lan', messageId, 'Sent')).toHaveLength(1);
    expect(await copies('hung', messageId)).toHaveLength(1);
  });

  it('reply: In-Reply-To and References from the original, \\Answered and \\Seen on it, the original re-read', async () => {
    const adapter = makeAdapter();
    await deliverOriginal({ messageId: 'de-nghi-01@so-tu-phap.example.test', references: '<dau-tien@so-tu-phap.example.test>' });
    const ctx = context();
    const record = applied(
      await adapter.perform('INBOX:de-nghi-01@so-tu-phap.example.test', send({ mode: 'reply', subject: 'Re: Đề nghị cung cấp số liệu hộ tịch' }), ctx),
    );
    expect(record).toMatchObject({ externalId: 'INBOX:de-nghi-01@so-tu-phap.example.test', status: 'seen', title: 'Đề nghị cung cấp số liệu hộ tịch' });
    const messageId = `${ctx.idempotencyKey}@${servers.domain}`;
    const { parsed } = await read('hung', messageId);
    expect(parsed.inReplyTo).toBe('<de-nghi-01@so-tu-phap.example.test>');
    expect(parsed.references).toEqual(['<dau-tien@so-tu-phap.example.test>', '<de-nghi-01@so-tu-phap.example.test>']);
    expect(parsed.subject).toBe('Re: Đề nghị cung cấp số liệu hộ tịch');
    const original = await read('lan', 'de-nghi-01@so-tu-phap.example.test');
    expect([...original.flags].sort()).toEqual(['\\Answered', '\\Seen']);
    expect(await copies('lan', messageId, 'Sent')).toHaveLength(1);
  });

  it('reply-all reaches To and Cc, threaded', async () => {
    const adapter = makeAdapter();
    await deliverOriginal({ messageId: 'de-nghi-02@so-tu-phap.example.test' });
    const ctx = context();
    applied(await adapter.perform('INBOX:de-nghi-02@so-tu-phap.example.test', send({ mode: 'replyAll', to: [addr('hung')], cc: [addr('mai')], subject: 'Re: số liệu' }), ctx));
    const messageId = `${ctx.idempotencyKey}@${servers.domain}`;
    for (const user of ['hung', 'mai']) {
      const { parsed } = await read(user, messageId);
      expect(parsed.inReplyTo).toBe('<de-nghi-02@so-tu-phap.example.test>');
      expect(parsed.cc && !Array.isArray(parsed.cc) ? parsed.cc.value.map((a) => a.address) : []).toEqual([addr('mai')]);
    }
  });

  it('forward: the original attachments streamed from IMAP, plus a staged file; the original not marked answered', async () => {
    const adapter = makeAdapter();
    const originalPdf = randomBytes(180_000);
    await deliverOriginal({ messageId: 'cong-van-03@so-tu-phap.example.test', attachment: { name: 'Công văn 1234-STP.pdf', bytes: originalPdf } });
    const extra = stagedFile('Ý kiến của phường.txt', Buffer.from('Phường thống nhất với đề nghị.\n', 'utf8'), 'text/plain');
    const ctx = context(memoryProgress(), { [extra.staged.id]: extra.path });
    const record = applied(
      await adapter.perform(
        'INBOX:cong-van-03@so-tu-phap.example.test',
        send({ mode: 'forward', to: [addr('mai')], subject: 'Fwd: Đề nghị cung cấp số liệu hộ tịch', attachments: [extra.staged], includeOriginalAttachments: true }),
        ctx,
      ),
    );
    expect(record.externalId).toBe('INBOX:cong-van-03@so-tu-phap.example.test');
    const { parsed } = await read('mai', `${ctx.idempotencyKey}@${servers.domain}`);
    expect(parsed.inReplyTo).toBeUndefined();
    expect(parsed.attachments.map((a) => a.filename)).toEqual(['Ý kiến của phường.txt', 'Công văn 1234-STP.pdf']);
    expect(parsed.attachments[0]!.content.toString('utf8')).toBe('Phường thống nhất với đề nghị.\n');
    expect(parsed.attachments[1]!.content.equals(originalPdf)).toBe(true);
    const original = await read('lan', 'cong-van-03@so-tu-phap.example.test');
    expect(original.flags.has('\\Answered')).toBe(false);
  });

  it('STARTTLS with the office CA; without it the certificate is refused and nothing is sent', async () => {
    expect(servers.smtp.starttls).toBe(true);
    const ctx = context();
    applied(await makeAdapter({ tls: 'starttls' }, { ca: servers.caPem! }).perform(`outgoing:${randomUUID()}`, send({}), ctx));
    expect(await copies('hung', `${ctx.idempotencyKey}@${servers.domain}`)).toHaveLength(1);
    const refused = context();
    const error = await adapterError(makeAdapter({ tls: 'starttls' }).perform(`outgoing:${randomUUID()}`, send({}), refused));
    expect(error).toMatchObject({ code: 'unreachable', retryable: false });
    expect(error.message).toMatch(/Chứng chỉ TLS của máy chủ gửi thư .* không được tin cậy/);
    expect(refused.progress.saves).toEqual([]);
    expect(await copies('hung', `${refused.idempotencyKey}@${servers.domain}`)).toEqual([]);
  });

  it('a wrong SMTP password: a plain Vietnamese message naming the account, not retried, nothing sent', async () => {
    const ctx = context();
    const error = await adapterError(makeAdapter({ password: 'sai-mat-khau' }).perform(`outgoing:${randomUUID()}`, send({}), ctx));
    expect(error).toMatchObject({ code: 'auth_failed', retryable: false });
    expect(error.message).toContain(`hộp thư "Thư công vụ" (${addr('lan')}, tài khoản SMTP "lan")`);
    expect(error.message).toContain('sai tên đăng nhập hoặc mật khẩu');
    expect(ctx.progress.saves).toEqual([]);
    expect(await copies('hung', `${ctx.idempotencyKey}@${servers.domain}`)).toEqual([]);
  });

  it('refused recipients: all refused → rejected with the server text, nothing sent; some refused → sent to the others once', async () => {
    const adapter = makeAdapter();
    const none = context();
    const result = await adapter.perform(`outgoing:${randomUUID()}`, send({ to: [addr('khong-ton-tai')] }), none);
    expect(result.outcome).toBe('rejected');
    expect(result.outcome === 'rejected' && result.message).toMatch(/từ chối người nhận, thư chưa được gửi cho ai: khong-ton-tai@example\.test: "550 5\.1\.1 .*User unknown/);
    expect(none.progress.saves).toEqual([]);
    expect(await copies('lan', `${none.idempotencyKey}@${servers.domain}`, 'Sent')).toEqual([]);

    const some = context();
    const action = send({ to: [addr('khong-ton-tai'), addr('hung')] });
    const partial = await adapter.perform(`outgoing:${randomUUID()}`, action, some);
    expect(partial.outcome).toBe('rejected');
    expect(partial.outcome === 'rejected' && partial.message).toMatch(/đã được gửi đến hung@example\.test .*từ chối người nhận: khong-ton-tai@example\.test: "550/);
    expect(some.progress.value).toBe('smtp_accepted');
    const messageId = `${some.idempotencyKey}@${servers.domain}`;
    expect(await copies('hung', messageId)).toHaveLength(1);
    expect(await copies('lan', messageId, 'Sent')).toHaveLength(1);
    // The official's "Gửi lại" keeps the accepted checkpoint: the entry completes, nobody gets it twice.
    applied(await adapter.perform(`outgoing:${randomUUID()}`, action, some));
    expect(await copies('hung', messageId)).toHaveLength(1);
    expect(await copies('lan', messageId, 'Sent')).toHaveLength(1);
  });

  it('an attempt that finds "smtp_started" never resends by itself', async () => {
    const ctx = context(memoryProgress('smtp_started'));
    const error = await adapterError(makeAdapter().perform(`outgoing:${randomUUID()}`, send({}), ctx));
    expect(error).toMatchObject({ code: 'unknown', retryable: false, message: UNCERTAIN_SEND_MESSAGE });
    expect(ctx.progress.saves).toEqual([]);
    expect(await copies('hung', `${ctx.idempotencyKey}@${servers.domain}`)).toEqual([]);
  });

  it('the final reply lost after the server took the mail: uncertain, delivered once, not resent', async () => {
    proxy.mode = 'lose-final-reply';
    const adapter = makeAdapter({ port: proxy.port });
    const ctx = context();
    try {
      const faults = proxy.faults;
      const error = await adapterError(adapter.perform(`outgoing:${randomUUID()}`, send({}), ctx));
      expect(proxy.faults).toBe(faults + 1);
      expect(error).toMatchObject({ code: 'unknown', retryable: false, message: UNCERTAIN_SEND_MESSAGE });
      expect(ctx.progress.saves).toEqual(['smtp_started']);
      proxy.mode = 'pass';
      const again = await adapterError(adapter.perform(`outgoing:${randomUUID()}`, send({}), ctx));
      expect(again.message).toBe(UNCERTAIN_SEND_MESSAGE);
      expect(await copies('hung', `${ctx.idempotencyKey}@${servers.domain}`)).toHaveLength(1);
    } finally {
      proxy.mode = 'pass';
    }
  });

  it('the connection cut in the middle of the message: not sent, retried normally, delivered once', async () => {
    const adapter = makeAdapter({ port: proxy.port });
    const big = stagedFile('Hồ sơ scan.pdf', randomBytes(1_500_000));
    const ctx = context(memoryProgress(), { [big.staged.id]: big.path });
    const action = send({ attachments: [big.staged] });
    proxy.mode = 'cut-in-data';
    proxy.cutAfterBytes = 200_000;
    try {
      const faults = proxy.faults;
      const error = await adapterError(adapter.perform(`outgoing:${randomUUID()}`, action, ctx));
      expect(proxy.faults).toBe(faults + 1);
      expect(error).toMatchObject({ code: 'unreachable', retryable: true });
      expect(ctx.progress.saves).toEqual([]);
      expect(await copies('hung', `${ctx.idempotencyKey}@${servers.domain}`)).toEqual([]);
    } finally {
      proxy.mode = 'pass';
    }
    applied(await adapter.perform(`outgoing:${randomUUID()}`, action, ctx));
    const { parsed } = await read('hung', `${ctx.idempotencyKey}@${servers.domain}`);
    expect(parsed.attachments[0]!.size).toBe(1_500_000);
  });
});

// ---------- through the core and the outbox ----------

function coreConfig(smtp: Partial<NonNullable<MailAdapterConfig['smtp']>> = {}): WorkstationConfigInput {
  return {
    office: { name: 'UBND phường Ngọc Hà', unitCode: '000.26.13.H26' },
    user: { username: 'canbo.lan', fullName: 'Nguyễn Thị Lan', role: 'official' },
    backends: [
      {
        adapter: {
          kind: 'mail',
          id: 'mail',
          label: 'Thư công vụ',
          host: '127.0.0.1',
          port: servers.imap.port,
          tls: 'none',
          user: LAN.user,
          password: LAN.password,
          address: addr('lan'),
          displayName: 'Nguyễn Thị Lan',
          timeoutMs: 3000,
          smtp: { host: '127.0.0.1', port: proxy.port, tls: 'none', ...smtp },
        },
        pollIntervalMs: 300,
      },
    ],
    outbox: { retryBaseMs: 50, retryMaxMs: 200, maxAttempts: 3 },
  };
}

async function withCore<T>(dataDir: string, config: WorkstationConfigInput, fn: (core: Core) => Promise<T>, start = true): Promise<T> {
  const core = await createCore({ dataDir, config });
  if (start) core.start();
  try {
    return await fn(core);
  } finally {
    await core.close();
  }
}

async function entry(core: Core, id: string): Promise<OutboxEntry> {
  const list = ok<{ entries: OutboxEntry[] }>(await core.handle('outbox.list', { limit: 1000 }));
  const found = list.entries.find((e) => e.id === id);
  if (!found) throw new Error(`no entry ${id}`);
  return found;
}

async function settled(core: Core, id: string, state: OutboxEntry['state']): Promise<OutboxEntry> {
  let last: OutboxEntry | null = null;
  await vi.waitFor(async () => {
    last = await entry(core, id);
    expect(last.state).toBe(state);
  }, WAIT);
  return last!;
}

describe('core: mail through the outbox', () => {
  it('stages an attachment, composes a new mail, sends it once; the Sent copy lands in the cache, the files are deleted', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cw-mail-core-'));
    try {
      await withCore(dataDir, coreConfig(), async (core) => {
        const session = ok<Session>(await core.handle('session.get', {}));
        expect(session.mailAccounts).toEqual([{ backendId: 'mail', address: addr('lan'), displayName: 'Nguyễn Thị Lan' }]);
        const bytes = randomBytes(50_000);
        const staged = ok<StagedAttachment>(
          await core.handle('mail.stageAttachment', { filename: 'Tờ trình số 15.pdf', contentType: 'application/pdf', dataBase64: bytes.toString('base64') }),
        );
        expect(readdirSync(join(dataDir, 'mail-staging'))).toEqual([staged.id]);
        const action = send({ attachments: [staged], subject: 'Tờ trình về việc sửa chữa trụ sở' });
        const created = ok<OutboxEntry>(await core.handle('mail.compose', { backendId: 'mail', action }));
        expect(created).toMatchObject({ state: 'pending', itemRef: 'Tờ trình về việc sửa chữa trụ sở', backendId: 'mail' });
        expect(readdirSync(join(dataDir, 'mail-staging'))).toEqual([]);
        await settled(core, created.id, 'done');
        const messageId = `${created.id}@${servers.domain}`;
        const { parsed } = await read('hung', messageId);
        expect(parsed.attachments[0]!.content.equals(bytes)).toBe(true);
        expect(existsSync(join(dataDir, 'outbox-files', created.id))).toBe(false);
        const sent = ok<{ item: WorkItem }>(await core.handle('item.get', { id: `mail:Sent:${messageId}` }));
        expect(sent.item).toMatchObject({ source: 'mail', status: 'seen', title: 'Tờ trình về việc sửa chữa trụ sở' });
        const audit = ok<{ entries: AuditEntry[] }>(await core.handle('audit.list', { limit: 50 })).entries.map((e) => e.summary);
        expect(audit).toContain(`Gửi thư (thư mới) "Tờ trình về việc sửa chữa trụ sở" từ ${addr('lan')} đến ${addr('hung')}`);
        expect(audit).toContain('Máy chủ gửi thư đã nhận thư: Gửi thư Tờ trình về việc sửa chữa trụ sở');
        // Refusals of the wrong door.
        const viaSubmit = await core.handle('action.submit', { itemId: `mail:Sent:${messageId}`, action: send({}), baseUpdatedAt: 0 });
        expect(viaSubmit).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringContaining('"mail.compose"') } });
        const replyViaCompose = await core.handle('mail.compose', { backendId: 'mail', action: send({ mode: 'reply' }) });
        expect(replyViaCompose).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringContaining('"action.submit"') } });
      });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('SMTP server down: the entry waits (pending, not counted against the cap) and lands once it is back', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cw-mail-core-'));
    await proxy.stop();
    try {
      await withCore(dataDir, coreConfig(), async (core) => {
        const created = ok<OutboxEntry>(await core.handle('mail.compose', { backendId: 'mail', action: send({ subject: 'Giấy mời họp giao ban' }) }));
        // More attempts than maxAttempts (3), still pending: unreachable is not counted.
        await vi.waitFor(async () => {
          const e = await entry(core, created.id);
          expect(e.state).toBe('pending');
          expect(e.attempts).toBeGreaterThanOrEqual(5);
          expect(e.lastError).toMatchObject({ code: 'unreachable', message: expect.stringContaining('Không kết nối được máy chủ gửi thư') });
        }, WAIT);
        await proxy.start();
        await settled(core, created.id, 'done');
        expect(await copies('hung', `${created.id}@${servers.domain}`)).toHaveLength(1);
      });
    } finally {
      await proxy.start();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('a wrong SMTP password: the entry needs attention with the message, nothing sent', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cw-mail-core-'));
    try {
      await withCore(dataDir, coreConfig({ password: 'sai-mat-khau' }), async (core) => {
        const created = ok<OutboxEntry>(await core.handle('mail.compose', { backendId: 'mail', action: send({}) }));
        const e = await settled(core, created.id, 'needs_attention');
        expect(e.attempts).toBe(1);
        expect(e.lastError).toMatchObject({ code: 'auth_failed', message: expect.stringContaining('sai tên đăng nhập hoặc mật khẩu') });
        expect(await copies('hung', `${created.id}@${servers.domain}`)).toEqual([]);
      });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('an uncertain send found at start-up needs the official; "Gửi lại" clears it and sends exactly once', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cw-mail-core-'));
    try {
      const id = await withCore(
        dataDir,
        coreConfig(),
        async (core) => ok<OutboxEntry>(await core.handle('mail.compose', { backendId: 'mail', action: send({ subject: 'Thông báo lịch tiếp công dân' }) })).id,
        false,
      );
      // As if the process had died after the end of the message left, before the server's answer.
      const db: Database.Database = await openTestCache(dataDir, { readonly: false });
      db.prepare("UPDATE outbox SET state = 'sending', attempts = 1, progress = 'smtp_started' WHERE id = ?").run(id);
      db.close();
      await withCore(dataDir, coreConfig(), async (core) => {
        const e = await settled(core, id, 'needs_attention');
        expect(e.lastError).toMatchObject({ code: 'unknown', message: UNCERTAIN_SEND_MESSAGE });
        await new Promise((r) => setTimeout(r, 500));
        expect((await entry(core, id)).state).toBe('needs_attention');
        expect(await copies('hung', `${id}@${servers.domain}`)).toEqual([]);
        ok(await core.handle('outbox.retry', { id }));
        await settled(core, id, 'done');
        expect(await copies('hung', `${id}@${servers.domain}`)).toHaveLength(1);
      });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('marks a mail read and flagged from the app: the server has the flags, the cache the new state', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cw-mail-core-'));
    try {
      await deliverOriginal({ messageId: 'co-danh-dau-04@so-tu-phap.example.test' });
      await withCore(dataDir, coreConfig(), async (core) => {
        const id = 'mail:INBOX:co-danh-dau-04@so-tu-phap.example.test';
        let item: WorkItem | null = null;
        await vi.waitFor(async () => {
          item = ok<{ item: WorkItem }>(await core.handle('item.get', { id })).item;
        }, WAIT);
        expect(item!.status).toBe('unseen');
        const seen = ok<OutboxEntry>(await core.handle('action.submit', { itemId: id, action: { kind: 'mail.markSeen', seen: true }, baseUpdatedAt: item!.updatedAt }));
        const flag = ok<OutboxEntry>(await core.handle('action.submit', { itemId: id, action: { kind: 'mail.flag', flagged: true }, baseUpdatedAt: item!.updatedAt }));
        await settled(core, seen.id, 'done');
        await settled(core, flag.id, 'done');
        const { flags } = await read('lan', 'co-danh-dau-04@so-tu-phap.example.test');
        expect([...flags].sort()).toEqual(['\\Flagged', '\\Seen']);
        const after = ok<{ item: WorkItem; detail: { source: string; seen?: boolean; flagged?: boolean } }>(await core.handle('item.get', { id }));
        expect(after.item).toMatchObject({ status: 'seen', pendingActions: 0 });
        expect(after.detail).toMatchObject({ seen: true, flagged: true });
      });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
