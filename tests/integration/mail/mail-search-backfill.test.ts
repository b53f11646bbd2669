/**
 * Issue #4, first sync headers first: a first sync of more than one page lands every mail with what
 * the queue shows (headers, flags, preview, links, mail rules) and without its search index entry;
 * src/core/mail/mail-search-backfill.ts adds those right after. Against a real Dovecot and a real
 * (encrypted) cache file: the backfilled index is exactly what a direct landing writes, an interrupted
 * backfill resumes after a restart, a UIDVALIDITY reset or a server drop in the middle neither
 * duplicates nor loses a mail, and a malformed message in a page is indexed like the others.
 * Progress (event `mail.searchIndex`): starts with the true pending count, ends at 0 with every row
 * indexed, never goes back, and a stopped or failed pass says what is left.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { NormalizedRecord } from '../../../src/core/adapters/adapter';
import { MailAdapter } from '../../../src/core/adapters/mail.adapter';
import { createCore, type Core, type CreateCoreOptions } from '../../../src/core/core';
import { openCacheDatabase } from '../../../src/core/db/cache.database';
import { keyFileCacheKey } from '../../../src/core/db/cache-key';
import { MailSearchBackfill, type MailSearchBackfillOptions, type MailSearchBackfillProgress } from '../../../src/core/mail/mail-search-backfill';
import { SEARCH_PENDING } from '../../../src/core/mail/search-pending';
import { calendarDeadlinePolicy } from '../../../src/core/queue/deadline.policy';
import { ftsMatchExpression, QueueService } from '../../../src/core/queue/queue.service';
import { SyncStateRepository } from '../../../src/core/sync/sync-state.repository';
import { defaultCalendar } from '../../../src/core/deadline';
import { CoreEventSchema, type BackendStatus, type MailSearchIndexEvent } from '../../../src/shared/api';
import type { WorkItem } from '../../../src/shared/work-item';
import { adapterError } from '../../support/adapter-error';
import { ok } from '../../support/envelope';
import { loopbackMailConfig, startMailServers, type MailServers } from '../../support/mail-servers';
import { malformedMail, seedMail } from './mail-fixtures';

const USER = 'lan';
const PASSWORD = 'Mật-khẩu-thử-2024';
const SEED = 12;
/** Mails in the folder: the seeds and one malformed message. */
const TOTAL = SEED + 1;
const BACKEND = 'mail';
const WAIT = { timeout: 15_000, interval: 25 };

let servers: MailServers;
const dirs: string[] = [];
const adapters: MailAdapter[] = [];

function makeAdapter(pageSize: number): MailAdapter {
  const adapter = new MailAdapter(loopbackMailConfig(servers, { user: USER, password: PASSWORD }, { id: BACKEND, pageSize, initialDays: 3650 }));
  adapters.push(adapter);
  return adapter;
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cw-mail-backfill-'));
  dirs.push(dir);
  return dir;
}

interface Cache {
  db: Database.Database;
  queue: QueueService;
  backfill: MailSearchBackfill;
}

function openCache(dataDir: string, chunkSize = 4, options: Omit<MailSearchBackfillOptions, 'chunkSize'> = {}): Cache {
  const db = openCacheDatabase(dataDir, { key: keyFileCacheKey(dataDir) });
  const queue = new QueueService(db, calendarDeadlinePolicy(defaultCalendar()), new SyncStateRepository(db), { username: 'canbo.lan', now: () => Date.now() });
  return { db, queue, backfill: new MailSearchBackfill(db, { chunkSize, ...options }) };
}

/** Within a pass: pending never rises, indexed never falls, and both add up to what was pending at the start. */
function expectMonotonic(reports: MailSearchBackfillProgress[]): void {
  for (let i = 1; i < reports.length; i++) {
    expect(reports[i]!.pending, `report ${i}`).toBeLessThanOrEqual(reports[i - 1]!.pending);
    expect(reports[i]!.indexed, `report ${i}`).toBeGreaterThanOrEqual(reports[i - 1]!.indexed);
    expect(reports[i]!.pending + reports[i]!.indexed, `report ${i}`).toBe(reports[0]!.pending);
  }
}

/** Pull pages from `cursor` and land each as the sync engine does; returns the last cursor and the records. */
async function syncInto(cache: Cache, adapter: MailAdapter, cursor: string | null, pages = Infinity): Promise<{ cursor: string | null; records: NormalizedRecord[] }> {
  const records: NormalizedRecord[] = [];
  for (let n = 0; n < pages; n++) {
    const page = await adapter.pull(cursor);
    records.push(...page.records);
    cache.queue.upsertBatch(BACKEND, page.records, page.quarantined, page.cursor);
    cursor = page.cursor;
    if (!page.hasMore) break;
  }
  return { cursor, records };
}

function mailRows(db: Database.Database): Array<{ id: string; status: string; search_folded: string }> {
  return db.prepare("SELECT id, status, search_folded FROM items WHERE source = 'mail' ORDER BY id").all() as Array<{ id: string; status: string; search_folded: string }>;
}

/** A core with the one mail backend on the test Dovecot, pages of 5 (so the first sync defers search). */
function coreConfig(): CreateCoreOptions['config'] {
  return {
    office: { name: 'UBND phường Ngọc Hà', unitCode: '000.26.13.H26' },
    user: { username: 'canbo.lan', fullName: 'Nguyễn Thị Lan', role: 'official' },
    backends: [
      {
        adapter: { kind: 'mail', id: BACKEND, label: 'Thư công vụ', host: '127.0.0.1', port: servers.imap.port, tls: 'none', user: USER, password: PASSWORD, pageSize: 5, initialDays: 3650, timeoutMs: 4000 },
        pollIntervalMs: 600_000,
      },
    ],
  };
}

function pendingCount(db: Database.Database): number {
  return (db.prepare('SELECT count(*) AS n FROM items WHERE search_folded = ?').get(SEARCH_PENDING) as { n: number }).n;
}

/** Ids of the mails the full-text index finds for `q` (as the queue's search does). */
function searchIds(db: Database.Database, q: string): string[] {
  const match = ftsMatchExpression(q);
  if (match === null) return [];
  return (
    db.prepare("SELECT i.id FROM items_fts AS f JOIN items AS i ON i.rowid = f.rowid WHERE items_fts MATCH ? AND i.source = 'mail'").all(match) as Array<{ id: string }>
  ).map((r) => r.id);
}

/** Every seed is found by a word of its preview only ("Mã số 100i"), the malformed one by its subject. */
function expectAllFindable(db: Database.Database): void {
  for (let i = 0; i < SEED; i++) expect(searchIds(db, String(1000 + i)), `seed ${i}`).toHaveLength(1);
  expect(searchIds(db, 'thư hỏng')).toHaveLength(1);
}

beforeAll(async () => {
  servers = await startMailServers({ users: [{ user: USER, password: PASSWORD }], tls: false });
  for (let i = 0; i < SEED; i++) await servers.deliver(seedMail(i, servers.domain, new Date(Date.now() - (SEED - i) * 3_600_000)).raw, USER);
  await servers.deliver(malformedMail(servers.domain).raw, USER);
});

afterAll(async () => {
  for (const a of adapters) await a.close();
  await servers?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('first mail sync: headers first, search index backfilled', () => {
  it('a first sync larger than a page lands pending rows; the backfill writes exactly the index a direct landing writes', async () => {
    // Direct: one page holds the folder, nothing deferred.
    const direct = openCache(tempDir());
    const all = await syncInto(direct, makeAdapter(50), null);
    expect(all.records.filter((r) => r.searchDeferred === true)).toEqual([]);
    expect(pendingCount(direct.db)).toBe(0);
    // Headers first: pages of 5, every record deferred; in the queue at once, not yet in the index.
    const deferred = openCache(tempDir());
    const paged = await syncInto(deferred, makeAdapter(5), null);
    expect(paged.records).toHaveLength(TOTAL);
    expect(paged.records.every((r) => r.searchDeferred === true)).toBe(true);
    expect(pendingCount(deferred.db)).toBe(TOTAL);
    expect(searchIds(deferred.db, '1003')).toEqual([]);
    const open = deferred.queue.list({ scope: 'all', sources: ['mail'], includeClosed: true }, 0, 50, Date.now()).items;
    expect(open).toHaveLength(TOTAL);
    expect(open.every((i) => i.title !== '')).toBe(true);

    // Pending rows are read through the partial index of migration 012, never by scanning items.
    const plan = deferred.db
      .prepare(`EXPLAIN QUERY PLAN SELECT rowid FROM items INDEXED BY items_search_pending WHERE search_folded = '${SEARCH_PENDING}' AND rowid > 0`)
      .all() as Array<{ detail: string }>;
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/USING (COVERING )?INDEX items_search_pending/);
    expect(deferred.backfill.pending()).toBe(TOTAL);

    deferred.backfill.start();
    await deferred.backfill.idle();
    expect(pendingCount(deferred.db)).toBe(0);
    expect(mailRows(deferred.db)).toEqual(mailRows(direct.db));
    expectAllFindable(deferred.db);
    direct.db.close();
    deferred.db.close();
  });

  it('an interrupted backfill resumes when the core starts again', async () => {
    const dataDir = tempDir();
    const cache = openCache(dataDir, 4);
    await syncInto(cache, makeAdapter(5), null);
    expect(cache.backfill.runChunk().read).toBe(4);
    expect(pendingCount(cache.db)).toBe(TOTAL - 4);
    cache.db.close(); // "crash" in the middle of the backfill

    const core: Core = await createCore({
      dataDir,
      config: coreConfig(),
      backoff: { baseMs: 50, maxMs: 300 },
    });
    try {
      core.start();
      // The queue's own search (queue.list q) finds a mail by a word of its preview once the backfill resumed.
      await vi.waitFor(async () => {
        const found = ok<{ items: WorkItem[] }>(await core.handle('queue.list', { filter: { scope: 'all', sources: ['mail'], includeClosed: true, q: '1007' }, offset: 0, limit: 5 })).items;
        expect(found).toHaveLength(1);
      }, WAIT);
      await vi.waitFor(async () => {
        const mail = ok<BackendStatus[]>(await core.handle('backends.list', {})).find((b) => b.id === BACKEND);
        expect(mail?.state).toBe('online');
        expect(mail?.itemCount).toBe(TOTAL);
      }, WAIT);
    } finally {
      await core.close();
    }
    const after = openCache(dataDir);
    expect(pendingCount(after.db)).toBe(0);
    expect(mailRows(after.db)).toHaveLength(TOTAL);
    expectAllFindable(after.db);
    after.db.close();
  });

  it('a core syncing a large folder: every mail in the queue when the cycle ends, then findable by search', async () => {
    const dataDir = tempDir();
    const core: Core = await createCore({
      dataDir,
      config: coreConfig(),
    });
    let listedAtOnline = -1;
    const indexEvents: MailSearchIndexEvent[] = [];
    core.subscribe((e) => {
      // Every event the renderer gets passes the contract.
      if (e.type !== 'mail.searchIndex') return;
      const parsed = CoreEventSchema.parse(e);
      if (parsed.type === 'mail.searchIndex') indexEvents.push(parsed);
    });
    const online = new Promise<void>((resolve) => {
      core.subscribe((e) => {
        if (e.type === 'backend.status' && e.backend.id === BACKEND && e.backend.state === 'online' && e.backend.lastSyncAt !== null) {
          void core.handle('queue.list', { filter: { scope: 'all', sources: ['mail'], includeClosed: true }, offset: 0, limit: 50 }).then((r) => {
            listedAtOnline = r.ok ? (r.data as { items: WorkItem[] }).items.length : -2;
            resolve();
          });
        }
      });
    });
    try {
      core.start();
      await online;
      expect(listedAtOnline).toBe(TOTAL);
      await vi.waitFor(async () => {
        const found = ok<{ items: WorkItem[] }>(await core.handle('queue.list', { filter: { scope: 'all', sources: ['mail'], includeClosed: true, q: '1011' }, offset: 0, limit: 5 })).items;
        expect(found).toHaveLength(1);
      }, WAIT);
      // The top bar's hint: shown from the first report (mails pending), gone with the last (0 pending).
      await vi.waitFor(() => expect(indexEvents.at(-1)?.pending).toBe(0), WAIT);
      expect(indexEvents[0]).toMatchObject({ type: 'mail.searchIndex', indexed: 0 });
      expect(indexEvents[0]!.pending).toBeGreaterThan(0);
      expect(indexEvents.reduce((n, e) => (e.pending === 0 ? n + e.indexed : n), 0)).toBe(TOTAL);
    } finally {
      await core.close();
    }
  });

  it('reports progress: the true pending count first, every chunk when unthrottled, pending 0 and all indexed last', async () => {
    const reports: MailSearchBackfillProgress[] = [];
    const cache = openCache(tempDir(), 4, { progressIntervalMs: 0, onProgress: (p) => reports.push(p) });
    await syncInto(cache, makeAdapter(5), null);
    expect(pendingCount(cache.db)).toBe(TOTAL);
    cache.backfill.start();
    await cache.backfill.idle();
    // 13 rows in chunks of 4.
    expect(reports).toEqual([
      { pending: TOTAL, indexed: 0 },
      { pending: TOTAL - 4, indexed: 4 },
      { pending: TOTAL - 8, indexed: 8 },
      { pending: TOTAL - 12, indexed: 12 },
      { pending: 0, indexed: TOTAL },
    ]);
    expectMonotonic(reports);
    expect(pendingCount(cache.db)).toBe(0);
    // Every sync cycle starts a pass: with nothing pending (and nothing said pending) it says nothing.
    cache.backfill.start();
    await cache.backfill.idle();
    expect(reports).toHaveLength(5);
    cache.db.close();
  });

  it('throttled progress: start and end always reported; a stopped pass, then a failed one, report what is left', async () => {
    const dataDir = tempDir();
    const throttled: MailSearchBackfillProgress[] = [];
    const first = openCache(dataDir, 4, { progressIntervalMs: 60_000, onProgress: (p) => throttled.push(p) });
    await syncInto(first, makeAdapter(5), null);
    // Stopped after its first chunk (as when the core closes): the report after the chunk is
    // throttled away, the one at the end says what is left.
    const chunk = first.backfill.runChunk.bind(first.backfill);
    vi.spyOn(first.backfill, 'runChunk').mockImplementation((after) => {
      const result = chunk(after);
      void first.backfill.stop();
      return result;
    });
    first.backfill.start();
    await first.backfill.idle();
    expect(throttled).toEqual([
      { pending: TOTAL, indexed: 0 },
      { pending: TOTAL - 4, indexed: 4 },
    ]);
    expect(pendingCount(first.db)).toBe(TOTAL - 4);

    // A pass failing after one chunk (e.g. a full disk) also says what is left, and logs.
    const failed: MailSearchBackfillProgress[] = [];
    const warnings: string[] = [];
    const failing = new MailSearchBackfill(first.db, {
      chunkSize: 4,
      progressIntervalMs: 0,
      onProgress: (p) => failed.push(p),
      log: (level, message) => {
        if (level === 'warn') warnings.push(message);
      },
    });
    const failingChunk = failing.runChunk.bind(failing);
    let calls = 0;
    vi.spyOn(failing, 'runChunk').mockImplementation((after) => {
      if (++calls > 1) throw new Error('database or disk is full');
      return failingChunk(after);
    });
    failing.start();
    await failing.idle();
    expect(failed).toEqual([
      { pending: TOTAL - 4, indexed: 0 },
      { pending: TOTAL - 8, indexed: 4 },
    ]);
    expect(warnings).toEqual(['mail search backfill failed; retried after the next sync']);
    expect(pendingCount(first.db)).toBe(TOTAL - 8);

    // The next pass (default interval: the few chunks fall inside 250 ms) goes from what is left to 0.
    const resumed: MailSearchBackfillProgress[] = [];
    const done: number[] = [];
    const next = new MailSearchBackfill(first.db, { chunkSize: 4, onProgress: (p) => resumed.push(p), onDone: (n) => done.push(n) });
    next.start();
    await next.idle();
    expect(resumed[0]).toEqual({ pending: TOTAL - 8, indexed: 0 });
    expect(resumed[resumed.length - 1]).toEqual({ pending: 0, indexed: TOTAL - 8 });
    expectMonotonic(resumed);
    expect(done).toEqual([TOTAL - 8]);
    expect(pendingCount(first.db)).toBe(0);
    expectAllFindable(first.db);
    first.db.close();
  });

  it('a UIDVALIDITY reset in the middle of the backfill: no duplicates, no losses, all findable', async () => {
    const cache = openCache(tempDir(), 4);
    const adapter = makeAdapter(5);
    const first = await syncInto(cache, adapter, null);
    const ids = mailRows(cache.db).map((r) => r.id);
    expect(ids).toHaveLength(TOTAL);
    cache.backfill.runChunk();
    expect(pendingCount(cache.db)).toBe(TOTAL - 4);

    const { before, after } = await servers.resetUidValidity(USER, 'INBOX');
    expect(after).not.toBe(before);
    // The re-sync (a new session: the old one saw its mailbox deleted) is a first sync again,
    // deferred, under the same externalIds.
    const again = await syncInto(cache, makeAdapter(5), first.cursor);
    expect(again.records.filter((r) => r.status === 'deleted')).toEqual([]);
    expect(again.records.filter((r) => r.status !== 'deleted')).toHaveLength(TOTAL);
    cache.backfill.start();
    await cache.backfill.idle();

    const rows = mailRows(cache.db);
    expect(rows.map((r) => r.id)).toEqual(ids);
    expect(rows.filter((r) => r.status === 'deleted')).toEqual([]);
    expect(pendingCount(cache.db)).toBe(0);
    expectAllFindable(cache.db);
    cache.db.close();
  });

  it('the server drops in the middle of a first sync: landed pages stay, the sync resumes from its cursor, then the backfill completes', async () => {
    const cache = openCache(tempDir(), 4);
    const adapter = makeAdapter(5);
    const part = await syncInto(cache, adapter, null, 1);
    expect(mailRows(cache.db)).toHaveLength(5);
    // The established session dies as on a network loss, and new connections are refused.
    await servers.killImapSessions();
    await servers.stopImap();
    try {
      const error = await adapterError(adapter.pull(part.cursor));
      expect(error.code).toBe('unreachable');
    } finally {
      await servers.startImap();
    }
    // The backfill runs meanwhile on what landed.
    cache.backfill.start();
    await cache.backfill.idle();
    expect(pendingCount(cache.db)).toBe(0);
    const rest = await syncInto(cache, adapter, part.cursor);
    expect(rest.records.length + 5).toBe(TOTAL);
    cache.backfill.start();
    await cache.backfill.idle();
    const rows = mailRows(cache.db);
    expect(new Set(rows.map((r) => r.id)).size).toBe(TOTAL);
    expect(pendingCount(cache.db)).toBe(0);
    expectAllFindable(cache.db);
    cache.db.close();
  });
});
