/**
 * Secrets end to end with the real OS keyring (Secret Service via gnome-keyring under
 * dbus-run-session; `npm test` starts one, see scripts/test.mjs): IT staff write passwords into
 * config.json, the workstation moves them into the keyring, syncs real backends (the sandbox over
 * HTTP, Dovecot over IMAP), acts through the outbox — and afterwards not one file it wrote, nor its
 * log, contains a password in any common encoding.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfigFile } from '../../../src/core/config/config.file';
import { createCore, type Core } from '../../../src/core/core';
import { KeyringSecretStore } from '../../../src/core/secrets/keyring.secret-store';
import { TrainingSandbox } from '../../../src/sandbox/sandbox';
import { startMailServers, type MailServers } from '../../support/mail-servers';

const SERVICE = `commune-workstation-test-${randomBytes(4).toString('hex')}`;
const store = new KeyringSecretStore(SERVICE);

async function keyringUsable(): Promise<string | null> {
  try {
    await store.set('probe', 'x');
    await store.delete('probe');
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
const unusable = await keyringUsable();
if (unusable !== null) {
  if (process.env['CW_REQUIRE_KEYRING'] === '1') throw new Error(`The OS keyring is required here but unusable: ${unusable}`);
  console.warn(`[skip] secrets-keyring: no usable OS keyring on this machine (${unusable}); npm test runs it under dbus-run-session + gnome-keyring`);
}

const secret = (label: string): string => `${label}-Mật-${randomBytes(6).toString('hex')}`;
const MAIL_PW = secret('imap');
const PROC_PW = secret('motcua');
const DOC_SECRET = secret('vanban');

function* filesUnder(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* filesUnder(path);
    else yield path;
  }
}

/** The byte patterns a leaked secret could take in a file. */
function encodings(value: string): Buffer[] {
  return [Buffer.from(value, 'utf8'), Buffer.from(value, 'utf16le'), Buffer.from(Buffer.from(value, 'utf8').toString('base64'), 'utf8'), Buffer.from(JSON.stringify(value).slice(1, -1), 'utf8')];
}

describe.skipIf(unusable !== null)('secrets in the OS keyring (real Secret Service)', () => {
  let servers: MailServers;
  let sandbox: TrainingSandbox;
  let dataDir: string;
  const logLines: string[] = [];

  beforeAll(async () => {
    servers = await startMailServers({ users: [{ user: 'lan', password: MAIL_PW }], tls: false });
    await servers.deliver(
      `From: "Phòng TP" <tuphap@hanoi.gov.vn>\r\nTo: ${servers.address('lan')}\r\nSubject: Thử\r\nMessage-ID: <k1@test>\r\nDate: ${new Date().toUTCString()}\r\n\r\nNội dung\r\n`,
      'lan',
    );
    sandbox = await TrainingSandbox.start({
      seed: 3,
      days: 5,
      streamIntervalMs: 0,
      procedureCredentials: { username: 'canbo.lan', password: PROC_PW },
      documentCredentials: { clientId: 'workstation', clientSecret: DOC_SECRET },
    });
    dataDir = mkdtempSync(join(tmpdir(), 'cw-keyring-'));
    writeFileSync(
      join(dataDir, 'config.json'),
      JSON.stringify({
        office: { name: 'UBND phường Ngọc Hà', unitCode: '000.26.13.H26' },
        user: { username: 'canbo.lan', fullName: 'Nguyễn Thị Lan', role: 'official' },
        backends: [
          { adapter: { kind: 'procedure', id: 'motcua', label: 'Một cửa', baseUrl: sandbox.procedureUrl, username: 'canbo.lan', password: PROC_PW }, pollIntervalMs: 500 },
          { adapter: { kind: 'document', id: 'vanban', label: 'Văn bản', baseUrl: sandbox.documentUrl, clientId: 'workstation', clientSecret: DOC_SECRET }, pollIntervalMs: 500 },
          {
            adapter: { kind: 'mail', id: 'thu', label: 'Thư', host: '127.0.0.1', port: servers.imap.port, tls: 'none', user: 'lan', password: MAIL_PW, timeoutMs: 3000 },
            pollIntervalMs: 500,
          },
        ],
      }),
    );
  }, 60_000);

  afterAll(async () => {
    for (const name of ['motcua.password', 'vanban.clientSecret', 'thu.password']) await store.delete(name).catch(() => false);
    await sandbox?.stop();
    await servers?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('moves the passwords into the keyring, works with them, and writes none of them anywhere', async () => {
    const loaded = await loadConfigFile(join(dataDir, 'config.json'), store);
    expect(loaded.movedSecrets.sort()).toEqual(['motcua.password', 'thu.password', 'vanban.clientSecret']);
    await expect(store.get('thu.password')).resolves.toBe(MAIL_PW);

    const core: Core = await createCore({
      dataDir,
      config: loaded.config,
      secrets: store,
      log: (level, msg, data) => logLines.push(JSON.stringify({ level, msg, data })),
    });
    try {
      core.start();
      await vi.waitFor(
        async () => {
          const env = await core.handle('backends.list', {});
          expect(env.ok).toBe(true);
          const states = env.ok ? (env.data as Array<{ id: string; state: string; itemCount: number }>) : [];
          expect(states.map((b) => [b.id, b.state])).toEqual([
            ['motcua', 'online'],
            ['vanban', 'online'],
            ['thu', 'online'],
          ]);
          expect(states.every((b) => b.itemCount > 0)).toBe(true);
        },
        { timeout: 30_000, interval: 200 },
      );
      // One action through the outbox, so its tables and the audit log are written too.
      const list = await core.handle('queue.list', { filter: { sources: ['procedure'], statuses: ['2', '4'] }, limit: 1 });
      const item = list.ok ? (list.data as { items: Array<{ id: string; updatedAt: number }> }).items[0] : undefined;
      expect(item, 'an open dossier to act on').toBeDefined();
      if (item) {
        const submitted = await core.handle('action.submit', { itemId: item.id, action: { kind: 'dossier.forward', toUser: 'canbo.mai' }, baseUpdatedAt: item.updatedAt });
        expect(submitted.ok).toBe(true);
        await vi.waitFor(async () => {
          const out = await core.handle('outbox.list', { states: ['done'] });
          expect(out.ok && (out.data as { entries: unknown[] }).entries.length).toBe(1);
        }, { timeout: 15_000 });
      }
    } finally {
      await core.close();
    }

    const leaks: string[] = [];
    let scanned = 0;
    for (const file of filesUnder(dataDir)) {
      const bytes = readFileSync(file);
      scanned += 1;
      for (const [label, value] of [['imap', MAIL_PW], ['procedure', PROC_PW], ['document', DOC_SECRET]] as const) {
        if (encodings(value).some((p) => bytes.includes(p))) leaks.push(`${label} password in ${file}`);
      }
    }
    const log = logLines.join('\n');
    for (const value of [MAIL_PW, PROC_PW, DOC_SECRET]) if (log.includes(value)) leaks.push('a password in the log');
    expect(scanned).toBeGreaterThanOrEqual(2); // config.json and cache.sqlite at least
    expect(leaks).toEqual([]);
    expect(readFileSync(join(dataDir, 'config.json'), 'utf8')).toContain('"$secret": "thu.password"');
  }, 90_000);

  it('a backend whose secret is gone shows why, while the others keep working', async () => {
    await store.delete('thu.password');
    const loaded = await loadConfigFile(join(dataDir, 'config.json'), store);
    const core = await createCore({ dataDir, config: loaded.config, secrets: store });
    try {
      core.start();
      await vi.waitFor(
        async () => {
          const env = await core.handle('backends.list', {});
          const states = env.ok ? (env.data as Array<{ id: string; state: string; lastError: { code: string; message: string } | null }>) : [];
          expect(states.find((b) => b.id === 'motcua')?.state).toBe('online');
          const mail = states.find((b) => b.id === 'thu');
          expect(mail?.state).toBe('error');
          expect(mail?.lastError?.code).toBe('config_invalid');
          expect(mail?.lastError?.message).toContain('npm run secrets -- set thu.password');
        },
        { timeout: 20_000, interval: 200 },
      );
    } finally {
      await core.close();
    }
  }, 60_000);
});
