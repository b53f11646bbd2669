/**
 * Sending mail exactly once across crashes: the core as its own process (src/core/main.ts forked with
 * tsx, as Electron runs it) with one mail backend on the real Postfix/Dovecot, ~30 mails composed
 * through the outbox (some with attachments, staged first), the core SIGKILLed at seeded random
 * moments — while composing and while sending — and restarted on the same data directory each time.
 *
 * At the end: every Message-ID reached the recipient at most once; every entry is done or needs the
 * official because its send was uncertain (the process died between the end of the message and the
 * server's answer); every done entry was delivered exactly once and has exactly one Sent copy; no
 * file of a finished entry is left behind; the audit chain verifies.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UNCERTAIN_SEND_MESSAGE } from '../../../src/core/adapters/mail.smtp';
import { AuditLog } from '../../../src/core/audit/audit.log';
import type { MailSendAction, StagedAttachment } from '../../../src/shared/actions';
import { connectedImap, type MailServers, startMailServers } from '../../support/mail-servers';
import { CoreKilledError, CoreProcess, prng } from '../../support/outbox-harness';
import { openTestCache } from '../../support/cache-file';

const MAILS = 30;
const KILLS_WHILE_COMPOSING = 4;
const KILLS_WHILE_SENDING = 4;
const LAN = { user: 'lan', password: 'Mật-khẩu-Lan-2024' };
const HUNG = { user: 'hung', password: 'Mật-khẩu-Hùng-2024' };

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Message-ID (without brackets) → how many copies a user's folder holds. */
async function messageIds(servers: MailServers, user: { user: string; password: string }, folder: string): Promise<Map<string, number>> {
  const client = await connectedImap(servers, user);
  const counts = new Map<string, number>();
  try {
    const lock = await client.getMailboxLock(folder);
    try {
      for (const msg of await client.fetchAll('1:*', { envelope: true, uid: true })) {
        const id = (msg.envelope?.messageId ?? '').replace(/^<|>$/g, '');
        counts.set(id, (counts.get(id) ?? 0) + 1);
      }
    } finally {
      lock.release();
    }
  } catch (error) {
    // An empty folder answers FETCH 1:* with an error on some servers.
    if (!/Invalid messageset|No matching messages/i.test(String(error))) throw error;
  } finally {
    await client.logout();
  }
  return counts;
}

describe('mail sending under SIGKILL (core process + Postfix/Dovecot)', () => {
  it(`sends ${MAILS} mails, each delivered at most once — exactly once when done — across ${KILLS_WHILE_COMPOSING + KILLS_WHILE_SENDING} kills`, async () => {
    const rnd = prng(20261126);
    const servers = await startMailServers({ users: [LAN, HUNG], tls: false });
    const dataDir = mkdtempSync(join(tmpdir(), 'cw-mail-crash-'));
    writeFileSync(
      join(dataDir, 'config.json'),
      JSON.stringify({
        office: { name: 'UBND phường Ngọc Hà', unitCode: '000.26.13.H26' },
        user: { username: 'canbo.lan', fullName: 'Nguyễn Thị Lan', role: 'official' },
        backends: [
          {
            adapter: {
              kind: 'mail', id: 'mail', label: 'Thư công vụ', host: '127.0.0.1', port: servers.imap.port, tls: 'none',
              user: LAN.user, password: LAN.password, address: servers.address('lan'), displayName: 'Nguyễn Thị Lan', timeoutMs: 3000,
              smtp: { host: '127.0.0.1', port: servers.smtp.port, tls: 'none' },
            },
            pollIntervalMs: 1000,
          },
        ],
        outbox: { retryBaseMs: 50, retryMaxMs: 500, maxAttempts: 8 },
      }),
    );
    let core = new CoreProcess(dataDir);
    let kills = 0;
    const acked = new Set<string>();
    let unacknowledged = 0;
    const restart = async (): Promise<void> => {
      if (core.alive) {
        kills += 1;
        await core.kill();
      }
      core = new CoreProcess(dataDir);
      await core.ready;
    };
    try {
      await core.ready;
      const killAt = new Set<number>();
      while (killAt.size < KILLS_WHILE_COMPOSING) killAt.add(2 + Math.floor(rnd() * (MAILS - 4)));
      let killTimer: Promise<void> | null = null;
      const settleKill = async (): Promise<void> => {
        if (killTimer) await killTimer;
        killTimer = null;
        if (!core.alive) {
          await core.exited;
          core = new CoreProcess(dataDir);
          await core.ready;
        }
      };
      for (let i = 0; acked.size < MAILS; i++) {
        if (killAt.delete(acked.size)) {
          // A random moment: mid-call (staging, composing) or just after, in the next call or while the
          // entry is sent. The previous kill is settled first, so each kill point kills one live process.
          await settleKill();
          const target = core;
          killTimer = sleep(Math.floor(rnd() * 60)).then(async () => {
            if (target.alive) {
              kills += 1;
              await target.kill();
            }
          });
        }
        try {
          const attachments: StagedAttachment[] = [];
          if (i % 3 === 0) {
            const bytes = randomBytes(i % 2 === 0 ? 600_000 : 20_000);
            attachments.push(
              await core.call<StagedAttachment>('mail.stageAttachment', { filename: `Phụ lục ${i}.pdf`, contentType: 'application/pdf', dataBase64: bytes.toString('base64') }),
            );
          }
          const action: MailSendAction = {
            kind: 'mail.send',
            mode: 'new',
            to: [servers.address('hung')],
            cc: [],
            bcc: [],
            subject: `Báo cáo số ${i} về tình hình hộ tịch`,
            text: `Kính gửi anh Hùng,\nBáo cáo số ${i}.\nTrân trọng.`,
            attachments,
            includeOriginalAttachments: false,
          };
          const entry = await core.call<{ id: string }>('mail.compose', { backendId: 'mail', action });
          acked.add(entry.id);
        } catch (error) {
          if (!(error instanceof CoreKilledError)) throw error;
          unacknowledged += 1;
          await settleKill();
        }
      }
      await settleKill();
      // Sending: kill at random moments while the outbox drains, then let it finish.
      for (let k = 0; k < KILLS_WHILE_SENDING; k++) {
        await sleep(Math.floor(rnd() * 400));
        await restart();
      }
      let drained = false;
      for (const deadline = Date.now() + 30_000; !drained && Date.now() < deadline; ) {
        await sleep(200);
        const counts = await core.call<{ counts: Record<string, number> }>('outbox.list', { limit: 1 }).then((r) => r.counts);
        drained = (counts['pending'] ?? 0) + (counts['sending'] ?? 0) === 0;
      }
      expect(drained, 'the outbox drained').toBe(true);
      // One clean restart: the start-up sweep removes what a kill left behind.
      await core.shutdown();
      core = new CoreProcess(dataDir);
      await core.ready;
      await core.shutdown();

      await servers.waitQueueEmpty(20_000);
      const inbox = await messageIds(servers, HUNG, 'INBOX');
      const sent = await messageIds(servers, LAN, 'Sent');
      const db = await openTestCache(dataDir);
      let rows: Array<{ id: string; state: string; progress: string | null; last_error_json: string | null }>;
      let auditOk: boolean;
      const events: Record<string, number> = {};
      try {
        rows = db.prepare<[], { id: string; state: string; progress: string | null; last_error_json: string | null }>('SELECT id, state, progress, last_error_json FROM outbox').all();
        auditOk = new AuditLog(db, Date.now).verify().ok;
        const byEvent = db.prepare<[], { ev: string | null; progress: string | null; n: number }>(
          "SELECT json_extract(data_json, '$.event') AS ev, json_extract(data_json, '$.progress') AS progress, COUNT(*) AS n FROM audit_log GROUP BY ev, progress",
        );
        for (const r of byEvent.all()) events[r.ev === 'progress' ? `progress:${r.progress}` : (r.ev ?? 'none')] = r.n;
      } finally {
        db.close();
      }
      const idOf = (outboxId: string): string => `${outboxId}@${servers.domain}`;
      const states: Record<string, number> = {};
      for (const r of rows) states[r.state] = (states[r.state] ?? 0) + 1;
      // events: sends, sends resumed after a kill ('recovered'), checkpoints written ('progress:…').
      console.log(`mail crash test: ${JSON.stringify({ acked: acked.size, unacknowledged, kills, entries: rows.length, states, delivered: inbox.size, events })}`);

      expect(kills).toBe(KILLS_WHILE_COMPOSING + KILLS_WHILE_SENDING);
      expect(auditOk).toBe(true);
      const known = new Set(rows.map((r) => r.id));
      for (const id of acked) expect(known.has(id), `acknowledged entry ${id} is stored`).toBe(true);
      // Nothing reached the recipient that the outbox does not know, and nothing twice.
      for (const [messageId, n] of inbox) {
        expect(n, `${messageId} delivered at most once`).toBe(1);
        expect(known.has(messageId.split('@')[0]!), `${messageId} comes from an outbox entry`).toBe(true);
      }
      for (const r of rows) {
        if (r.state === 'done') {
          expect(inbox.get(idOf(r.id)), `done ${r.id} delivered exactly once`).toBe(1);
          expect(sent.get(idOf(r.id)), `done ${r.id} has one Sent copy`).toBe(1);
        } else {
          // Only an uncertain send may stop: it waits for the official, and was not resent.
          expect(r.state).toBe('needs_attention');
          expect(r.progress).toBe('smtp_started');
          expect(JSON.parse(r.last_error_json ?? '{}')).toMatchObject({ code: 'unknown', message: UNCERTAIN_SEND_MESSAGE });
          expect(inbox.get(idOf(r.id)) ?? 0).toBeLessThanOrEqual(1);
        }
      }
      expect(states['done'] ?? 0).toBeGreaterThan(MAILS / 2);
      // The files of finished entries are gone; nothing is left in staging but what no entry took.
      const folders = existsSync(join(dataDir, 'outbox-files')) ? readdirSync(join(dataDir, 'outbox-files')) : [];
      for (const folder of folders) expect(rows.find((r) => r.id === folder)?.state, `folder ${folder}`).toBe('needs_attention');
    } finally {
      await core.kill().catch(() => undefined);
      await servers.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});
