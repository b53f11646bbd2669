/**
 * Issue #7 point 2: the cache encrypted at rest. A real sync of the training sandbox over HTTP into
 * the core's cache (key in a secret store), then the bytes of every file in the data folder are
 * searched for citizens' names (UTF-8 and folded) and the key; opening without / with a wrong key
 * fails with a Vietnamese message; a plaintext cache (the previous version's file) is converted with
 * every row and the outbox kept, also when the converting process is SIGKILLed at random moments.
 */
import { fork } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { seedItems } from '../../../scripts/bench-common';
import { AuditLog } from '../../../src/core/audit/audit.log';
import { trainingConfig } from '../../../src/core/config/config.schema';
import { createCore, type Core } from '../../../src/core/core';
import { CACHE_KEY_FILE_NAME, cacheKeySecretName, CacheKeyError, resolveCacheKey } from '../../../src/core/db/cache-key';
import {
  cacheDatabasePath,
  CacheOpenError,
  ENCRYPTING_SUFFIX,
  isPlaintextDatabase,
  openCacheDatabase,
  openDatabaseFile,
} from '../../../src/core/db/cache.database';
import { OutboxRepository } from '../../../src/core/outbox/outbox.repository';
import { calendarDeadlinePolicy } from '../../../src/core/queue/deadline.policy';
import { QueueService } from '../../../src/core/queue/queue.service';
import { SecretStoreError, MemorySecretStore, type SecretStore } from '../../../src/core/secrets/secret-store';
import { SyncStateRepository } from '../../../src/core/sync/sync-state.repository';
import { defaultCalendar } from '../../../src/core/deadline';
import { generateDataset } from '../../../src/sandbox/data-generator';
import { TrainingSandbox } from '../../../src/sandbox/sandbox';
import type { BackendStatus, OutboxEntry } from '../../../src/shared/api';
import { foldVietnamese } from '../../../src/shared/text';
import type { WorkItem } from '../../../src/shared/work-item';
import { ok } from '../../support/envelope';

const ROOT = resolve(import.meta.dirname, '../../..');
const NOW = Date.UTC(2026, 10, 25, 3, 0);
const calendar = defaultCalendar();
const dirs: string[] = [];
let sandbox: TrainingSandbox;

function newDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cw-enc-'));
  dirs.push(dir);
  return dir;
}

/** Every file under `dir` (recursively) with its bytes. */
function filesOf(dir: string): Array<{ path: string; bytes: Buffer }> {
  const out: Array<{ path: string; bytes: Buffer }> = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesOf(path));
    else out.push({ path, bytes: readFileSync(path) });
  }
  return out;
}

/** Which needles occur in which files (empty = none anywhere). */
function occurrences(dir: string, needles: readonly string[]): string[] {
  const found: string[] = [];
  for (const { path, bytes } of filesOf(dir)) {
    for (const needle of needles) if (bytes.includes(Buffer.from(needle, 'utf8'))) found.push(`${needle} in ${path}`);
  }
  return found;
}

/** Distinct applicant names with diacritics, and their folded forms (what the search index stores). */
function citizenNeedles(names: readonly string[]): string[] {
  const picked = [...new Set(names)].filter((n) => n !== foldVietnamese(n) && n.split(' ').length >= 3).slice(0, 8);
  expect(picked.length).toBeGreaterThanOrEqual(3);
  return [...picked, ...picked.map((n) => foldVietnamese(n))];
}

function trainingCfg(): ReturnType<typeof trainingConfig> {
  return trainingConfig({ procedureUrl: sandbox.procedureUrl, documentUrl: sandbox.documentUrl, credentials: sandbox.credentials, pollIntervalMs: 60_000 });
}

/** A secret store that is not there (no keyring service). */
class BrokenStore implements SecretStore {
  readonly kind = 'keyring' as const;
  private fail(): never {
    throw new SecretStoreError('Không truy cập được kho khóa của hệ điều hành (test).', 'no bus');
  }
  get(): Promise<string | null> {
    return Promise.reject(new SecretStoreError('Không truy cập được kho khóa của hệ điều hành (test).', 'no bus'));
  }
  set(): Promise<void> {
    this.fail();
  }
  delete(): Promise<boolean> {
    this.fail();
  }
}

async function syncedCore(dataDir: string, secrets: SecretStore): Promise<Core> {
  const core = await createCore({ dataDir, config: trainingCfg(), secrets, backoff: { baseMs: 50, maxMs: 200 } });
  core.start();
  await vi.waitFor(
    async () => {
      const rows = ok<BackendStatus[]>(await core.handle('backends.list', {}));
      expect(rows.every((b) => b.state === 'online' && b.lastSyncAt !== null)).toBe(true);
    },
    { timeout: 20_000, interval: 50 },
  );
  return core;
}

beforeAll(async () => {
  sandbox = await TrainingSandbox.start({ seed: 17, streamIntervalMs: 0, days: 6, dossiersPerDay: 40, documentsPerDay: 10 });
});

afterAll(async () => {
  await sandbox.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('encrypted cache (real sync of the training sandbox)', () => {
  it('keeps no citizen name, folded or not, nor the key, in any byte of the data folder — while running and after close', async () => {
    const dataDir = newDir();
    const store = new MemorySecretStore();
    const core = await syncedCore(dataDir, store);
    const dossiers = sandbox.dossiers();
    const needles = citizenNeedles(dossiers.map((d) => d.ChuHoSo));
    const ids = [...new Set(dossiers.map((d) => d.SoGiayToChuHoSo).filter((s): s is string => typeof s === 'string' && s.length === 12))].slice(0, 5);
    const keyHex = await store.get(cacheKeySecretName(dataDir));
    expect(keyHex).toMatch(/^[0-9a-f]{64}$/);
    try {
      // The data is really there: the core finds the first citizen by name through its search index.
      const hits = ok<{ items: WorkItem[] }>(await core.handle('queue.list', { filter: { q: needles[0], includeClosed: true }, limit: 50 }));
      expect(hits.items.length).toBeGreaterThan(0);
      expect(existsSync(`${cacheDatabasePath(dataDir)}-wal`)).toBe(true);
      expect(occurrences(dataDir, [...needles, ...ids, keyHex as string])).toEqual([]);
    } finally {
      await core.close();
    }
    expect(isPlaintextDatabase(cacheDatabasePath(dataDir))).toBe(false);
    expect(existsSync(join(dataDir, CACHE_KEY_FILE_NAME))).toBe(false); // the key lives in the store only
    expect(occurrences(dataDir, [...needles, ...ids, keyHex as string])).toEqual([]);

    // With the key (and SQLCipher 4 settings) the file reads back: the names are there.
    const db = openDatabaseFile(cacheDatabasePath(dataDir), { readonly: true, key: Buffer.from(keyHex as string, 'hex') });
    try {
      const n = db.prepare('SELECT count(*) FROM items WHERE party = ?').pluck().get(needles[0]) as number;
      expect(n).toBeGreaterThan(0);
      expect(db.pragma('cipher', { simple: true })).toBe('sqlcipher');
    } finally {
      db.close();
    }
  });

  it('refuses to open without the key or with another key, in Vietnamese; the same store reopens it', async () => {
    const dataDir = newDir();
    const store = new MemorySecretStore();
    const first = await syncedCore(dataDir, store);
    const count = ok<{ total: number }>(await first.handle('queue.counts', { filter: { includeClosed: true } }));
    await first.close();

    expect(() => openCacheDatabase(dataDir)).toThrow(CacheOpenError);
    expect(() => openCacheDatabase(dataDir)).toThrow(/đã được mã hóa: cần khóa/);
    const wrong = (): unknown => openCacheDatabase(dataDir, { key: randomBytes(32) });
    expect(wrong).toThrow(/khóa mã hóa không khớp/);
    // A new, empty store (key lost): the core refuses rather than overwrite the file.
    await expect(createCore({ dataDir, config: trainingCfg(), secrets: new MemorySecretStore() })).rejects.toThrow(/khóa mã hóa không khớp/);
    expect(isPlaintextDatabase(cacheDatabasePath(dataDir))).toBe(false);

    const again = await createCore({ dataDir, config: trainingCfg(), secrets: store });
    try {
      expect(ok<{ total: number }>(await again.handle('queue.counts', { filter: { includeClosed: true } }))).toEqual(count);
    } finally {
      await again.close();
    }
  });

  it('without a usable keyring: refuses a real configuration, uses a 0600 key file in training mode only', async () => {
    const real = newDir();
    const realConfig = { ...trainingCfg(), backends: trainingCfg().backends.map((b) => ({ ...b, training: false })) };
    await expect(createCore({ dataDir: real, config: realConfig, secrets: new BrokenStore() })).rejects.toThrow(CacheKeyError);
    await expect(resolveCacheKey({ dataDir: real, secrets: new BrokenStore(), training: false })).rejects.toThrow(
      /dữ liệu thật không bao giờ được lưu không mã hóa/,
    );
    expect(existsSync(cacheDatabasePath(real))).toBe(false);
    expect(existsSync(join(real, CACHE_KEY_FILE_NAME))).toBe(false);

    const training = newDir();
    const key = await resolveCacheKey({ dataDir: training, secrets: new BrokenStore(), training: true });
    const file = join(training, CACHE_KEY_FILE_NAME);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toBe(key.toString('hex'));
    // Once a keyring works, the key moves into it and the file is deleted.
    const store = new MemorySecretStore();
    const moved = await resolveCacheKey({ dataDir: training, secrets: store, training: true });
    expect(moved.equals(key)).toBe(true);
    expect(await store.get(cacheKeySecretName(training))).toBe(key.toString('hex'));
    expect(existsSync(file)).toBe(false);
  });
});

/** A plaintext cache as the previous version wrote it: dataset items, two pending outbox entries, an audit entry. */
function plaintextCache(dataDir: string, days: number): { names: string[]; tables: Map<string, number>; outboxIds: string[] } {
  const dataset = generateDataset({ seed: 23, now: NOW, days, dossiersPerDay: 60, documentsPerDay: 15, calendar });
  const db = openCacheDatabase(dataDir);
  try {
    const queue = new QueueService(db, calendarDeadlinePolicy(calendar), new SyncStateRepository(db), { username: 'canbo.lan', now: () => NOW });
    seedItems(queue, calendar, dataset.dossiers, dataset.documents);
    const repo = new OutboxRepository(db);
    const open = db.prepare<[], { id: string; ref: string }>("SELECT id, ref FROM items WHERE is_open = 1 AND source = 'procedure' LIMIT 2").all();
    const outboxIds = open.map((row, n) => {
      const base = { id: row.id, ref: row.ref, title: 'cũ', source: 'procedure', backendId: 'training-procedure', externalId: row.id, party: null, kind: null, status: '4', receivedAt: NOW, dueAt: null, urgency: 0, assignee: null, assigneeName: null, updatedAt: NOW, sla: 'none', remainingWorkingMinutes: null, pendingActions: 0, attention: 'none' } satisfies WorkItem;
      const id = `old-${n}`;
      repo.insert({ id, itemId: row.id, backendId: 'training-procedure', actor: 'canbo.lan', action: { kind: 'dossier.forward', toUser: 'canbo.mai' }, base, baseUpdatedAt: NOW, optimisticStatus: '4', at: NOW });
      return id;
    });
    new AuditLog(db, () => NOW).append({ actor: 'canbo.lan', kind: 'action', summary: 'Chuyển xử lý (trước khi mã hóa)', data: {} });
    const tables = new Map<string, number>();
    for (const name of db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL%'").pluck().all() as string[]) {
      tables.set(name, db.prepare(`SELECT count(*) FROM "${name}"`).pluck().get() as number);
    }
    return { names: dataset.dossiers.map((d) => d.applicant.fullName), tables, outboxIds };
  } finally {
    db.close();
  }
}

describe('plaintext cache → encrypted', () => {
  it('converts at the first start: every row, the outbox and the audit chain kept; no plaintext left', async () => {
    const dataDir = newDir();
    const before = plaintextCache(dataDir, 4);
    const needles = citizenNeedles(before.names);
    // The scan itself works: the plaintext file does contain the names.
    expect(occurrences(dataDir, needles.slice(0, 1))).not.toEqual([]);
    expect(before.tables.get('items')).toBeGreaterThan(200);

    const store = new MemorySecretStore();
    const core = await createCore({ dataDir, config: trainingConfig({ procedureUrl: 'http://127.0.0.1:9', documentUrl: 'http://127.0.0.1:9' }), secrets: store, now: () => NOW });
    try {
      const outbox = ok<{ entries: OutboxEntry[] }>(await core.handle('outbox.list', {}));
      expect(outbox.entries.map((e) => e.id).sort()).toEqual(before.outboxIds);
      expect(outbox.entries.every((e) => e.state === 'pending')).toBe(true);
      expect(ok<{ ok: boolean }>(await core.handle('audit.verify', {})).ok).toBe(true);
    } finally {
      await core.close();
    }
    expect(isPlaintextDatabase(cacheDatabasePath(dataDir))).toBe(false);
    expect(existsSync(cacheDatabasePath(dataDir) + ENCRYPTING_SUFFIX)).toBe(false);
    expect(occurrences(dataDir, needles)).toEqual([]);
    const key = Buffer.from((await store.get(cacheKeySecretName(dataDir))) as string, 'hex');
    const db = openDatabaseFile(cacheDatabasePath(dataDir), { readonly: true, key });
    try {
      for (const [table, n] of before.tables) {
        // The core's start adds its own audit entries (session start, configuration); the rest is unchanged.
        const now = db.prepare(`SELECT count(*) FROM "${table}"`).pluck().get() as number;
        if (table === 'audit_log' || table === 'sqlite_sequence') expect(now, table).toBeGreaterThanOrEqual(n);
        else expect(now, table).toBe(n);
      }
    } finally {
      db.close();
    }
  });

  it('a SIGKILL at any moment of the conversion leaves either the plaintext or the encrypted file, complete', async () => {
    const dataDir = newDir();
    const before = plaintextCache(dataDir, 40);
    const items = before.tables.get('items') as number;
    const key = randomBytes(32);
    const outcomes: string[] = [];
    // Kill points counted from the child's "started" (sent just before it opens the file, so the
    // machine's load in starting tsx does not matter), spread over the conversion.
    for (const delayMs of [0, 5, 15, 30, 60, 100, 160, 250, 400, 650, 1000, 1600]) {
      const child = fork(join(ROOT, 'tests/integration/desktop/fixtures/encrypt-child.ts'), [dataDir, key.toString('hex')], {
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      });
      let timer: NodeJS.Timeout | null = null;
      const finished = new Promise<string>((done) => {
        let state = 'before-start';
        child.on('message', (m) => {
          state = String(m);
          if (state === 'started') timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
        });
        child.on('exit', (code, signal) => done(signal === 'SIGKILL' ? `killed:${state}` : `exit:${code}:${state}`));
      });
      const outcome = await finished;
      if (timer) clearTimeout(timer);
      const plain = isPlaintextDatabase(cacheDatabasePath(dataDir));
      outcomes.push(`${outcome}:${plain ? 'plain' : 'encrypted'}`);
      const db = openDatabaseFile(cacheDatabasePath(dataDir), { readonly: true, ...(plain ? {} : { key }) });
      try {
        expect(db.pragma('quick_check', { simple: true })).toBe('ok');
        expect(db.prepare('SELECT count(*) FROM items').pluck().get()).toBe(items);
        expect(db.prepare('SELECT id FROM outbox ORDER BY id').pluck().all()).toEqual(before.outboxIds);
      } finally {
        db.close();
      }
      if (!plain) break;
    }
    // Finally the conversion completes (the next start), whatever the kills left.
    openCacheDatabase(dataDir, { key }).close();
    expect(isPlaintextDatabase(cacheDatabasePath(dataDir))).toBe(false);
    expect(existsSync(cacheDatabasePath(dataDir) + ENCRYPTING_SUFFIX)).toBe(false);
    // At least one kill landed in the middle of a conversion (the file still plaintext afterwards).
    expect(outcomes.some((o) => o.startsWith('killed:started') && o.endsWith(':plain')), outcomes.join(', ')).toBe(true);
  }, 60_000);
});
