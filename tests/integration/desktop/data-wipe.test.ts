/**
 * Issue #7 point 2: the wipe for a counter PC changing hands — the service with a secret store, and
 * the real `npm run wipe` script (tsx) in a child process: confirmation, unsent actions, wrong folder.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { seedItems } from '../../../scripts/bench-common';
import { cacheKeySecretName, keyFileCacheKey, resolveCacheKey } from '../../../src/core/db/cache-key';
import { openCacheDatabase } from '../../../src/core/db/cache.database';
import { defaultCalendar } from '../../../src/core/deadline';
import { OutboxRepository } from '../../../src/core/outbox/outbox.repository';
import { calendarDeadlinePolicy } from '../../../src/core/queue/deadline.policy';
import { QueueService } from '../../../src/core/queue/queue.service';
import { MemorySecretStore } from '../../../src/core/secrets/secret-store';
import { SyncStateRepository } from '../../../src/core/sync/sync-state.repository';
import { executeWipe, planWipe, WipeRefusedError } from '../../../src/core/wipe/data-wipe.service';
import { generateDataset } from '../../../src/sandbox/data-generator';
import type { WorkItem } from '../../../src/shared/work-item';

const ROOT = resolve(import.meta.dirname, '../../..');
const NOW = Date.UTC(2026, 10, 25, 3, 0);
const calendar = defaultCalendar();
const dirs: string[] = [];
// Names no real installation uses: the script's run may reach a real keyring on a developer's machine.
const MAIL = `wipetest-${process.pid}`;

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A used data folder: encrypted cache (key as given) with `unsent` pending actions, mail/outbox files, a log, an export, config.json with secret refs. */
function usedDataDir(key: Buffer, unsent: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'cw-wipe-'));
  dirs.push(dir);
  return usedDataDirAt(dir, key, unsent);
}

function usedDataDirAt(dir: string, key: Buffer, unsent: number): string {
  const dataset = generateDataset({ seed: 5, now: NOW, days: 1, dossiersPerDay: 20, documentsPerDay: 5, calendar });
  const db = openCacheDatabase(dir, { key });
  try {
    seedItems(new QueueService(db, calendarDeadlinePolicy(calendar), new SyncStateRepository(db), { username: 'canbo.lan', now: () => NOW }), calendar, dataset.dossiers, dataset.documents);
    const rows = db.prepare<[number], { id: string; ref: string }>('SELECT id, ref FROM items LIMIT ?').all(unsent);
    const repo = new OutboxRepository(db);
    rows.forEach((row, n) => {
      const base = { id: row.id, ref: row.ref, title: 't', source: 'procedure', backendId: 'training-procedure', externalId: row.id, party: null, kind: null, status: '4', receivedAt: NOW, dueAt: null, urgency: 0, assignee: null, assigneeName: null, updatedAt: NOW, sla: 'none', remainingWorkingMinutes: null, pendingActions: 0, attention: 'none' } satisfies WorkItem;
      repo.insert({ id: `u-${n}`, itemId: row.id, backendId: 'training-procedure', actor: 'canbo.lan', action: { kind: 'dossier.forward', toUser: 'canbo.mai' }, base, baseUpdatedAt: NOW, optimisticStatus: '4', at: NOW });
    });
  } finally {
    db.close();
  }
  for (const sub of ['mail-files', 'mail-staging', 'outbox-files/u-0', 'logs']) mkdirSync(join(dir, sub), { recursive: true });
  writeFileSync(join(dir, 'mail-files', 'a.pdf'), 'đơn của công dân');
  writeFileSync(join(dir, 'outbox-files', 'u-0', 'b.pdf'), 'tệp gửi');
  writeFileSync(join(dir, 'logs', 'core.log'), '{"msg":"x"}\n');
  writeFileSync(join(dir, 'bao-cao.xlsx'), 'export');
  writeFileSync(join(dir, 'calendar.json'), '{}');
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({
      calendar: { path: 'calendar.json' },
      backends: [{ adapter: { kind: 'mail', id: MAIL, password: { $secret: `${MAIL}.password` }, smtp: { password: { $secret: `${MAIL}.smtp.password` } } } }],
    }),
  );
  return dir;
}

function runWipe(args: string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/wipe.ts'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 30_000,
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('data wipe (service, with a secret store)', () => {
  it('deletes the cache, its key, every file and the secrets config.json names; keeps config.json and its calendar', async () => {
    const store = new MemorySecretStore({ [`${MAIL}.password`]: 'pw1', [`${MAIL}.smtp.password`]: 'pw2', 'other.password': 'keep' });
    const dir = usedDataDir(Buffer.alloc(32, 7), 0);
    // The key as the core stores it for this folder.
    await store.set(cacheKeySecretName(dir), Buffer.alloc(32, 7).toString('hex'));
    const plan = await planWipe(dir, store);
    expect(plan.unsentActions).toBe(0);
    expect(plan.secrets.sort()).toEqual([cacheKeySecretName(dir), `${MAIL}.password`, `${MAIL}.smtp.password`].sort());
    const result = await executeWipe(plan, store);
    expect(result.secretErrors).toEqual([]);
    expect(readdirSync(dir).sort()).toEqual(['calendar.json', 'config.json']);
    expect(await store.get(cacheKeySecretName(dir))).toBeNull();
    expect(await store.get(`${MAIL}.password`)).toBeNull();
    expect(await store.get(`${MAIL}.smtp.password`)).toBeNull();
    expect(await store.get('other.password')).toBe('keep');
    // A new official's first start: a new key, an empty cache.
    const fresh = await resolveCacheKey({ dataDir: dir, secrets: store, training: false });
    expect(fresh.equals(Buffer.alloc(32, 7))).toBe(false);
    const db = openCacheDatabase(dir, { key: fresh });
    expect(db.prepare('SELECT count(*) FROM items').pluck().get()).toBe(0);
    db.close();

    const all = await planWipe(dir, store, { includeConfig: true });
    await executeWipe(all, store);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('counts unsent actions; an unreadable cache counts as unknown; a folder that is not a data folder is refused', async () => {
    const store = new MemorySecretStore();
    const dir = usedDataDir(Buffer.alloc(32, 9), 3);
    await expect(planWipe(dir, store)).resolves.toMatchObject({ unsentActions: null }); // key nowhere
    await store.set(cacheKeySecretName(dir), Buffer.alloc(32, 9).toString('hex'));
    await expect(planWipe(dir, store)).resolves.toMatchObject({ unsentActions: 3, unsentUnknownReason: null });

    const other = mkdtempSync(join(tmpdir(), 'cw-wipe-other-'));
    dirs.push(other);
    writeFileSync(join(other, 'thesis.docx'), 'x');
    await expect(planWipe(other, store)).rejects.toThrow(WipeRefusedError);
    expect(existsSync(join(other, 'thesis.docx'))).toBe(true);
  });
});

describe('npm run wipe (the script)', () => {
  it('refuses unsent actions without --force and deletes nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cw-wipe-'));
    dirs.push(dir);
    // The key file (training without a keyring): the script finds it before asking the keyring.
    const used = usedDataDirAt(dir, keyFileCacheKey(dir), 2);
    const r = runWipe(['--data-dir', used, '--yes']);
    expect(r.status, r.out).toBe(1);
    expect(r.out).toContain('Còn 2 thao tác chưa gửi');
    expect(existsSync(join(used, 'cache.sqlite'))).toBe(true);
    expect(existsSync(join(used, 'cache.key'))).toBe(true);
  });

  it('without --yes and without a terminal: asks, cannot confirm, deletes nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cw-wipe-'));
    dirs.push(dir);
    const used = usedDataDirAt(dir, keyFileCacheKey(dir), 0);
    const r = runWipe(['--data-dir', used]);
    expect(r.status, r.out).toBe(1);
    expect(r.out).toContain('Đã hủy: không xóa gì');
    expect(existsSync(join(used, 'cache.sqlite'))).toBe(true);
  });

  it('--yes --force: every file of the folder but config.json and the calendar is gone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cw-wipe-'));
    dirs.push(dir);
    const used = usedDataDirAt(dir, keyFileCacheKey(dir), 1);
    const r = runWipe(['--data-dir', used, '--yes', '--force']);
    expect(r.out).toContain('Cảnh báo: Còn 1 thao tác chưa gửi');
    expect(readdirSync(used).sort()).toEqual(['calendar.json', 'config.json']);
    // The secrets named in config.json live in the OS keyring: deleted when it is reachable (npm test
    // runs a private gnome-keyring), else the script says which remain and exits 1.
    if (r.status !== 0) expect(r.out).toContain(`Chưa xóa được "${MAIL}.password" khỏi kho khóa`);
    else expect(r.out).toMatch(/Đã xóa \d+ mục/);
  });

  it('refuses a folder that is not a workstation data folder', () => {
    const other = mkdtempSync(join(tmpdir(), 'cw-wipe-other-'));
    dirs.push(other);
    writeFileSync(join(other, 'notes.txt'), 'x');
    const r = runWipe(['--data-dir', other, '--yes', '--force']);
    expect(r.status).toBe(1);
    expect(r.out).toContain('không giống thư mục dữ liệu');
    expect(existsSync(join(other, 'notes.txt'))).toBe(true);
    expect(runWipe([]).status).toBe(2);
  });
});
