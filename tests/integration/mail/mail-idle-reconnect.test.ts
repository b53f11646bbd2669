/**
 * IMAP IDLE reconnect (issue #4) against a real Dovecot: when the IDLE connection drops (its imap
 * process killed) or Dovecot restarts, the sync engine hears the watch end, syncs (mail that arrived
 * meanwhile lands) and watches again; a mail delivered afterwards shows up without sync.now. The poll
 * interval is 10 minutes, so only IDLE and the engine's own request can bring mail in.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCore, type Core } from '../../../src/core/core';
import type { BackendStatus } from '../../../src/shared/api';
import type { WorkItem } from '../../../src/shared/work-item';
import { startMailServers, type MailServers } from '../../support/mail-servers';
import { encodeWord } from './mail-fixtures';
import { ok } from '../../support/envelope';

const USER = 'lan';
const PASSWORD = 'Mật-khẩu-thử-2024';

let servers: MailServers;
let core: Core;
let dataDir: string;
const logs: string[] = [];

function raw(subject: string, id: string): string {
  return [
    `From: ${encodeWord('Văn thư UBND quận')} <vanthu@ubnd.hanoi.gov.vn>`,
    `To: ${USER}@${servers.domain}`,
    `Subject: ${encodeWord(subject)}`,
    `Message-ID: <${id}@ubnd.hanoi.gov.vn>`,
    `Date: ${new Date().toUTCString()}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Đề nghị báo cáo.',
    '',
  ].join('\r\n');
}

async function titles(): Promise<string[]> {
  return ok<{ items: WorkItem[] }>(
    await core.handle('queue.list', { filter: { scope: 'all', sources: ['mail'], includeClosed: true }, offset: 0, limit: 500 }),
  ).items.map((i) => i.title);
}

const watching = (): number => logs.filter((l) => l.includes('watching for changes')).length;
const ended = (): number => logs.filter((l) => l.includes('watch ended')).length;

async function arrivesWithin(subject: string, ms: number): Promise<number> {
  const started = Date.now();
  await vi.waitFor(async () => expect(await titles()).toContain(subject), { timeout: ms, interval: 20 });
  return Date.now() - started;
}

beforeAll(async () => {
  servers = await startMailServers({ users: [{ user: USER, password: PASSWORD }], tls: false });
  dataDir = mkdtempSync(join(tmpdir(), 'cw-idle-'));
  await servers.deliver(raw('Thư đầu tiên', 'first'), USER);
  core = await createCore({
    dataDir,
    config: {
      office: { name: 'UBND phường Ngọc Hà', unitCode: '000.26.13.H26' },
      user: { username: 'canbo.lan', fullName: 'Nguyễn Thị Lan', role: 'official' },
      backends: [
        {
          adapter: { kind: 'mail', id: 'mail', label: 'Thư công vụ', host: '127.0.0.1', port: servers.imap.port, tls: 'none', user: USER, password: PASSWORD, timeoutMs: 3000 },
          pollIntervalMs: 600_000,
        },
      ],
    },
    backoff: { baseMs: 100, maxMs: 400 },
    log: (level, msg, data) => logs.push(`${level} ${msg} ${JSON.stringify(data ?? {})}`),
  });
  core.start();
  await vi.waitFor(async () => expect(await titles()).toContain('Thư đầu tiên'), { timeout: 15_000 });
  await vi.waitFor(() => expect(watching()).toBe(1), { timeout: 15_000 });
});

afterAll(async () => {
  await core?.close();
  await servers?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('IDLE reconnect', () => {
  it('the IDLE connection is killed: the engine syncs (mail delivered meanwhile lands) and watches again; the next mail comes by IDLE', async () => {
    expect(await servers.killImapSessions()).toBeGreaterThanOrEqual(1);
    await servers.deliver(raw('Đến khi không ai theo dõi', 'while-down'), USER);
    await vi.waitFor(() => expect(ended()).toBe(1), { timeout: 5000 });
    // No sync.now: the engine's own request after the backoff brings it.
    await arrivesWithin('Đến khi không ai theo dõi', 10_000);
    await vi.waitFor(() => expect(watching()).toBe(2), { timeout: 10_000 });
    await new Promise((r) => setTimeout(r, 200)); // IDLE is running
    await servers.deliver(raw('Thư sau khi nối lại', 'after-reconnect'), USER);
    expect(await arrivesWithin('Thư sau khi nối lại', 3000)).toBeLessThan(3000);
  });

  it('Dovecot restarts: offline while it is down, then the watch comes back and new mail arrives without sync.now', async () => {
    const watchesBefore = watching();
    await servers.killImapSessions();
    await servers.stopImap();
    try {
      await vi.waitFor(() => expect(ended()).toBe(2), { timeout: 5000 });
      await vi.waitFor(async () => {
        const mail = ok<BackendStatus[]>(await core.handle('backends.list', {})).find((b) => b.id === 'mail');
        expect(mail?.state).toBe('offline');
      }, { timeout: 10_000 });
    } finally {
      await servers.startImap();
    }
    await vi.waitFor(async () => {
      const mail = ok<BackendStatus[]>(await core.handle('backends.list', {})).find((b) => b.id === 'mail');
      expect(mail?.state).toBe('online');
    }, { timeout: 10_000 });
    await vi.waitFor(() => expect(watching()).toBe(watchesBefore + 1), { timeout: 10_000 });
    await new Promise((r) => setTimeout(r, 200));
    await servers.deliver(raw('Thư sau khi máy chủ khởi động lại', 'after-restart'), USER);
    expect(await arrivesWithin('Thư sau khi máy chủ khởi động lại', 3000)).toBeLessThan(3000);
    expect(logs.filter((l) => l.startsWith('error'))).toEqual([]);
  });
});
