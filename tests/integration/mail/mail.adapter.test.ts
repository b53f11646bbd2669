/**
 * The mail adapter against real servers: Dovecot (IMAP, LMTP) and Postfix (SMTP AUTH) started by
 * tests/support/mail-servers.ts on loopback. The tests share one mailbox and run in order.
 */
import { type ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NormalizedRecord } from '../../../src/core/adapters/adapter';
import { MailAdapter, type MailAdapterConfig } from '../../../src/core/adapters/mail.adapter';
import { ItemDetailSchema } from '../../../src/shared/work-item';
import { connectedImap, loopbackMailConfig, type MailServers, startMailServers } from '../../support/mail-servers';
import { syncAll } from '../adapters/adapter-contract';
import { malformedMail, seedMail, writeBigMail, type SeedMail } from './mail-fixtures';
import { adapterError } from '../../support/adapter-error';

const USER = 'lan';
const PASSWORD = 'Mật-khẩu-thử-2024';
const SEED = 30;

let servers: MailServers;
let workDir: string;
const seeded: SeedMail[] = [];
const adapters: MailAdapter[] = [];
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};

function makeAdapter(overrides: Partial<MailAdapterConfig> = {}): MailAdapter {
  const adapter = new MailAdapter(loopbackMailConfig(servers, { user: USER, password: PASSWORD }, { pageSize: 10, ...overrides }));
  adapters.push(adapter);
  return adapter;
}

async function otherClient(): Promise<ImapFlow> {
  return connectedImap(servers, { user: USER, password: PASSWORD });
}

function live(records: NormalizedRecord[]): Map<string, NormalizedRecord> {
  const out = new Map<string, NormalizedRecord>();
  for (const r of records) {
    if (r.status === 'deleted') out.delete(r.externalId);
    else out.set(r.externalId, r);
  }
  return out;
}

describe('mail adapter against Dovecot and Postfix', () => {
  // The state of the "cache": every record seen so far and the last cursor.
  let cursor: string | null = null;
  let cache = new Map<string, NormalizedRecord>();

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    workDir = mkdtempSync(join(tmpdir(), 'cw-mail-test-'));
    const started = Date.now();
    servers = await startMailServers({ users: [{ user: USER, password: PASSWORD }] });
    expect(Date.now() - started, 'servers start well under 2 s').toBeLessThan(2000);
    for (let i = 0; i < SEED; i++) {
      const mail = seedMail(i, servers.domain, new Date(Date.now() - (SEED - i) * 3_600_000));
      seeded.push(mail);
      await servers.deliver(mail.raw, USER);
    }
    const bad = malformedMail(servers.domain);
    seeded.push(bad);
    await servers.deliver(bad.raw, USER);
  });

  afterAll(async () => {
    for (const a of adapters) await a.close();
    await servers?.stop();
    rmSync(workDir, { recursive: true, force: true });
    process.off('unhandledRejection', onUnhandled);
    expect(unhandled, 'no unhandled rejection').toEqual([]);
  });

  it('first sync: every seeded mail once, in pages, newest first, Vietnamese decoded, malformed one kept', async () => {
    const adapter = makeAdapter();
    const result = await syncAll(adapter);
    expect(result.pages.length).toBeGreaterThanOrEqual(4);
    expect(result.quarantined).toEqual([]);
    const ids = result.records.map((r) => r.externalId);
    expect(new Set(ids).size, 'no duplicates').toBe(ids.length);
    expect(ids.length).toBe(SEED + 1);
    // Newest first within the first sync.
    expect(result.records[0]!.detail.source === 'mail' && result.records[0]!.detail.uid).toBeGreaterThan(
      result.records[1]!.detail.source === 'mail' ? result.records[1]!.detail.uid : 0,
    );
    for (const r of result.records) {
      expect(ItemDetailSchema.safeParse(r.detail).success, r.externalId).toBe(true);
      expect(r.source).toBe('mail');
      expect(r.status).toBe('unseen');
      expect(r.dueAt).toBeNull();
    }
    const bySubject = new Map(result.records.map((r) => [r.title, r]));
    for (const mail of seeded.slice(0, SEED)) {
      const r = bySubject.get(mail.subject);
      expect(r, mail.subject).toBeDefined();
      if (mail.messageId) expect(r!.externalId).toBe(`INBOX:${mail.messageId}`);
      else expect(r!.externalId).toMatch(/^INBOX:nomid:[0-9a-f]{40}$/);
    }
    const hung = result.records.find((r) => r.ref === 'hung.nv@hanoi.gov.vn');
    expect(hung?.party).toBe('Nguyễn Văn Hùng');
    // Previews: UTF-8 base64, quoted-printable and windows-1258 all decode.
    const preview = (i: number): string | null => {
      const r = bySubject.get(seeded[i]!.subject)!;
      return r.detail.source === 'mail' ? r.detail.preview : null;
    };
    expect(preview(0)).toContain('Kính gửi đồng chí Lan');
    expect(preview(1)).toContain('Đề nghị đồng chí xem xét');
    expect(preview(2)).toContain('Đề nghị đồng chí xem tài liệu đính kèm');
    const withAttachment = bySubject.get(seeded[2]!.subject)!;
    expect(withAttachment.detail.source === 'mail' && withAttachment.detail.attachments.map((a) => a.name)).toEqual(['Công văn số 3.pdf']);
    // The malformed message is synced leniently, not dropped.
    const bad = result.records.find((r) => r.ref === 'broken@example.invalid');
    expect(bad, 'malformed MIME still listed').toBeDefined();
    expect(bad!.title).toContain('Thư hỏng');
    cursor = result.cursor;
    cache = live(result.records);
    // Nothing changed: the next pull is empty.
    const again = await syncAll(adapter, cursor);
    expect(again.records).toEqual([]);
    cursor = again.cursor;
  });

  it('incremental pull after a delivery returns only the new mail', async () => {
    const adapter = makeAdapter();
    const mail = seedMail(100, servers.domain);
    await servers.deliver(mail.raw, USER);
    const result = await syncAll(adapter, cursor);
    expect(result.records.map((r) => r.title)).toEqual([mail.subject]);
    cursor = result.cursor;
    for (const [id, r] of live(result.records)) cache.set(id, r);
  });

  it('IMAP IDLE pushes a new delivery within 2 s', async () => {
    const adapter = makeAdapter();
    let fired = 0;
    let resolveFired: () => void = () => undefined;
    const firedOnce = new Promise<void>((resolve) => (resolveFired = resolve));
    const stop = await adapter.watch(() => {
      fired++;
      resolveFired();
    });
    try {
      await new Promise((r) => setTimeout(r, 200)); // IDLE is running
      const started = Date.now();
      await servers.deliver(seedMail(101, servers.domain).raw, USER);
      await Promise.race([firedOnce, new Promise((_, reject) => setTimeout(() => reject(new Error('no IDLE push within 2 s')), 2000))]);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(fired).toBeGreaterThanOrEqual(1);
    } finally {
      await stop();
    }
    const result = await syncAll(adapter, cursor);
    expect(result.records).toHaveLength(1);
    cursor = result.cursor;
    for (const [id, r] of live(result.records)) cache.set(id, r);
  });

  it('flags both ways: \\Seen set by the adapter is seen by another client; \\Flagged set elsewhere reaches the next pull', async () => {
    const adapter = makeAdapter();
    const target = [...cache.values()].find((r) => r.title === seeded[0]!.subject)!;
    await adapter.setFlags(target.externalId, { seen: true });
    const other = await otherClient();
    try {
      const lock = await other.getMailboxLock('INBOX');
      try {
        const uid = target.detail.source === 'mail' ? target.detail.uid : 0;
        const msg = await other.fetchOne(String(uid), { flags: true, uid: true }, { uid: true });
        expect(msg && msg.flags?.has('\\Seen')).toBe(true);
        const flaggedUid = [...cache.values()].find((r) => r.title === seeded[1]!.subject)!;
        await other.messageFlagsAdd(String(flaggedUid.detail.source === 'mail' ? flaggedUid.detail.uid : 0), ['\\Flagged'], { uid: true });
      } finally {
        lock.release();
      }
    } finally {
      await other.logout();
    }
    const result = await syncAll(adapter, cursor);
    const changed = new Map(result.records.map((r) => [r.title, r]));
    expect(changed.get(seeded[0]!.subject)?.status).toBe('seen');
    expect(changed.get(seeded[1]!.subject)?.urgency).toBe(1);
    expect(result.records).toHaveLength(2);
    cursor = result.cursor;
    for (const [id, r] of live(result.records)) cache.set(id, r);
    // And back: clearing \Seen through the adapter.
    await adapter.setFlags(target.externalId, { seen: false });
    const back = await syncAll(adapter, cursor);
    expect(back.records.map((r) => [r.externalId, r.status])).toEqual([[target.externalId, 'unseen']]);
    cursor = back.cursor;
    for (const [id, r] of live(back.records)) cache.set(id, r);
  });

  it('an expunged message comes back as status deleted', async () => {
    const adapter = makeAdapter();
    const victim = [...cache.values()].find((r) => r.title === seeded[5]!.subject)!;
    const other = await otherClient();
    try {
      const lock = await other.getMailboxLock('INBOX');
      try {
        await other.messageDelete(String(victim.detail.source === 'mail' ? victim.detail.uid : 0), { uid: true });
      } finally {
        lock.release();
      }
    } finally {
      await other.logout();
    }
    const result = await syncAll(adapter, cursor);
    expect(result.records.map((r) => [r.externalId, r.status])).toEqual([[victim.externalId, 'deleted']]);
    cursor = result.cursor;
    cache.delete(victim.externalId);
  });

  it('UIDVALIDITY reset: full re-sync under the same externalIds, no duplicates, no losses', async () => {
    const adapter = makeAdapter();
    const { before, after } = await servers.resetUidValidity(USER, 'INBOX');
    expect(after).not.toBe(before);
    const result = await syncAll(adapter, cursor);
    const ids = result.records.filter((r) => r.status !== 'deleted').map((r) => r.externalId);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual([...cache.keys()].sort());
    expect(result.records.filter((r) => r.status === 'deleted')).toEqual([]);
    for (const r of result.records) expect(r.detail.source === 'mail' && r.detail.uidValidity).toBe(String(after));
    cursor = result.cursor;
    const quiet = await syncAll(adapter, cursor);
    expect(quiet.records).toEqual([]);
    cursor = quiet.cursor;
  });

  it('send through Postfix (SMTP AUTH) and receive through IMAP', async () => {
    const transport = nodemailer.createTransport({
      host: servers.smtp.host,
      port: servers.smtp.port,
      secure: false,
      ignoreTLS: true,
      auth: { user: USER, pass: PASSWORD },
    });
    const subject = 'Phúc đáp Công văn số 123/UBND-VP về việc cấp đổi CCCD';
    await transport.sendMail({ from: `"Nguyễn Thị Lan" <lan@${servers.domain}>`, to: `lan@${servers.domain}`, subject, text: 'Kính gửi…' });
    transport.close();
    await servers.waitQueueEmpty();
    const result = await syncAll(makeAdapter(), cursor);
    expect(result.records.map((r) => r.title)).toEqual([subject]);
    expect(result.records[0]!.party).toBe('Nguyễn Thị Lan');
    cursor = result.cursor;
    for (const [id, r] of live(result.records)) cache.set(id, r);
    // A wrong password is refused by SMTP AUTH too.
    const wrong = nodemailer.createTransport({ host: servers.smtp.host, port: servers.smtp.port, secure: false, ignoreTLS: true, auth: { user: USER, pass: 'sai' } });
    await expect(wrong.sendMail({ from: `lan@${servers.domain}`, to: `lan@${servers.domain}`, subject: 'x', text: 'x' })).rejects.toThrow(/535|auth/i);
    wrong.close();
  });

  it('fetches a 25 MB attachment streamed, with bounded memory', async () => {
    const size = 25 * 1024 * 1024;
    const file = join(workDir, 'big.eml');
    writeBigMail(file, servers.domain, size);
    await servers.deliver({ path: file }, USER);
    const adapter = makeAdapter({ timeoutMs: 10_000 });
    const result = await syncAll(adapter, cursor);
    expect(result.records).toHaveLength(1);
    const big = result.records[0]!;
    cursor = result.cursor;
    cache.set(big.externalId, big);
    global.gc?.();
    const base = process.memoryUsage().rss;
    let peak = base;
    const timer = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 10);
    let body;
    try {
      body = await adapter.fetchBody(big.externalId);
    } finally {
      clearInterval(timer);
    }
    peak = Math.max(peak, process.memoryUsage().rss);
    expect(body.text).toContain('bản đồ địa chính');
    expect(body.attachments).toEqual([expect.objectContaining({ filename: 'ban-do.bin', size })]);
    const grown = peak - base;
    expect(grown, `rss grew by ${Math.round(grown / 1048576)} MB`).toBeLessThan(size * 2);
  });

  it('fetchBody parses the malformed message leniently', async () => {
    const adapter = makeAdapter();
    const bad = [...cache.values()].find((r) => r.ref === 'broken@example.invalid')!;
    const body = await adapter.fetchBody(bad.externalId);
    expect(body.subject).toContain('Thư hỏng');
  });

  it('wrong password: auth_failed with a clear message', async () => {
    const adapter = makeAdapter({ password: 'sai-mat-khau' });
    const error = await adapterError(adapter.pull(null));
    expect(error.code).toBe('auth_failed');
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/mật khẩu/);
    expect(error.message).toContain('"lan"');
    expect(error.message).not.toContain('sai-mat-khau');
  });

  it('TLS: implicit TLS and STARTTLS verify the server against the configured CA, never without it', async () => {
    expect(servers.imaps && servers.caPem).toBeTruthy();
    const implicit = makeAdapter({ host: 'localhost', port: servers.imaps!.port, tls: 'implicit', ca: servers.caPem! });
    expect((await implicit.pull(null)).records.length).toBeGreaterThan(0);
    const starttls = makeAdapter({ host: 'localhost', port: servers.imap.port, tls: 'starttls', ca: servers.caPem! });
    expect((await starttls.pull(null)).records.length).toBeGreaterThan(0);
    const untrusted = makeAdapter({ host: 'localhost', port: servers.imaps!.port, tls: 'implicit' });
    const error = await adapterError(untrusted.pull(null));
    expect(error.code).toBe('unreachable');
    expect(error.message).toMatch(/Chứng chỉ TLS/);
    expect(() => makeAdapter({ host: 'mail.example.vn', tls: 'none' })).toThrow(/loopback/);
  });

  it('server down: unreachable, no crash; back up: the same cursor continues', async () => {
    const adapter = makeAdapter();
    const watchStop = await adapter.watch(() => undefined);
    await servers.stopImap();
    try {
      const error = await adapterError(adapter.pull(cursor));
      expect(error.code).toBe('unreachable');
      expect(error.retryable).toBe(true);
      const again = await adapterError(makeAdapter().pull(cursor));
      expect(again.code).toBe('unreachable');
    } finally {
      await servers.startImap();
    }
    await watchStop();
    const result = await syncAll(adapter, cursor);
    expect(result.records).toEqual([]);
  });
});
