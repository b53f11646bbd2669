/**
 * The core against the real training sandbox over HTTP, with the real adapters and a temp SQLite
 * file: first sync, live changes, backend down/up, malformed records, crash-resume.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { trainingConfig, type WorkstationConfig } from '../../../src/core/config/config.schema';
import { createCore, type Core } from '../../../src/core/core';
import { TrainingSandbox } from '../../../src/sandbox/sandbox';
import type { BackendStatus, CoreEvent } from '../../../src/shared/api';
import type { WorkItem } from '../../../src/shared/work-item';
import { ok } from '../../support/envelope';
import { openTestCache } from '../../support/cache-file';

const P = 'training-procedure';
const D = 'training-document';
const WAIT = { timeout: 10_000, interval: 20 };

let sandbox: TrainingSandbox;
const dirs: string[] = [];
const cores: Core[] = [];

function newDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cw-core-it-'));
  dirs.push(dir);
  return dir;
}

/** The training config, with adapter settings that keep failures fast in tests. */
function config(adapter: Record<string, unknown> = {}): WorkstationConfig {
  const base = trainingConfig({
    procedureUrl: sandbox.procedureUrl,
    documentUrl: sandbox.documentUrl,
    credentials: sandbox.credentials,
    pollIntervalMs: 60_000,
  });
  return {
    ...base,
    backends: base.backends.map((b) => ({
      ...b,
      adapter: { ...b.adapter, retries: 0, timeoutMs: 2000, ...adapter },
    })),
  };
}

async function startCore(dataDir: string, cfg = config()): Promise<{ core: Core; events: CoreEvent[] }> {
  const core = await createCore({ dataDir, config: cfg, backoff: { baseMs: 50, maxMs: 200 } });
  cores.push(core);
  const events: CoreEvent[] = [];
  core.subscribe((e) => events.push(e));
  core.start();
  return { core, events };
}

async function backends(core: Core): Promise<Map<string, BackendStatus>> {
  return new Map(ok<BackendStatus[]>(await core.handle('backends.list', {})).map((b) => [b.id, b]));
}

async function waitState(core: Core, id: string, state: BackendStatus['state']): Promise<BackendStatus> {
  let found: BackendStatus | undefined;
  await vi.waitFor(async () => {
    found = (await backends(core)).get(id);
    expect(found?.state).toBe(state);
  }, WAIT);
  return found as BackendStatus;
}

async function listAll(core: Core, filter: Record<string, unknown> = {}): Promise<WorkItem[]> {
  const items: WorkItem[] = [];
  for (let offset = 0; ; offset += 500) {
    const page = ok<{ items: WorkItem[]; hasMore: boolean }>(
      await core.handle('queue.list', { filter: { includeClosed: true, ...filter }, offset, limit: 500 }),
    );
    items.push(...page.items);
    if (!page.hasMore) return items;
  }
}

beforeAll(async () => {
  sandbox = await TrainingSandbox.start({ seed: 7, streamIntervalMs: 0, days: 8, dossiersPerDay: 40, documentsPerDay: 10 });
});

afterEach(async () => {
  await Promise.all(cores.splice(0).map((c) => c.close()));
  sandbox.setFaults({ latencyMs: 0, errorRate: 0, timeoutRate: 0, malformedRate: 0 });
  if (!sandbox.isRunning) await sandbox.restart();
});

afterAll(async () => {
  await sandbox.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('core ↔ training sandbox', () => {
  it('first sync lands every sandbox item, ordered by deadline, matching the ground truth', async () => {
    const { core } = await startCore(newDataDir());
    const p = await waitState(core, P, 'online');
    const d = await waitState(core, D, 'online');
    const dossiers = sandbox.dossiers();
    const documents = sandbox.documents();
    expect(p).toMatchObject({ itemCount: dossiers.length, quarantined: 0, lastError: null, training: true, kind: 'procedure' });
    expect(d).toMatchObject({ itemCount: documents.length, quarantined: 0, lastError: null, kind: 'document' });

    const all = await listAll(core);
    expect(all).toHaveLength(dossiers.length + documents.length);
    expect(new Set(all.map((i) => i.id)).size).toBe(all.length);

    // Sample against the ground truth.
    for (const truth of [dossiers[0], dossiers[Math.floor(dossiers.length / 2)], dossiers.at(-1)]) {
      if (!truth) continue;
      const got = ok<{ item: WorkItem; detail: { source: string; applicant?: string } }>(
        await core.handle('item.get', { id: `${P}:${truth.MaHoSo}` }),
      );
      expect(got.item).toMatchObject({ ref: truth.MaHoSo, party: truth.ChuHoSo, title: truth.TrichYeuHoSo, status: truth.TrangThaiHoSo });
      expect(got.detail).toMatchObject({ source: 'procedure', applicant: truth.ChuHoSo });
    }
    for (const truth of [documents[0], documents.at(-1)]) {
      if (!truth) continue;
      const got = ok<{ item: WorkItem }>(await core.handle('item.get', { id: `${D}:${truth.DocId}` }));
      expect(got.item).toMatchObject({
        title: truth.Subject,
        ref: `${truth.CodeNumber}/${truth.CodeNotation}`,
        status: truth.Status,
        urgency: truth.Priority,
      });
      expect(got.item.dueAt).not.toBeNull(); // backend date, or the default for its priority
    }

    // Open queue, by due time, NULLs last.
    const open = await listAll(core, { includeClosed: false });
    expect(open.length).toBeGreaterThan(0);
    const keys = open.map((i) => i.dueAt ?? Number.MAX_SAFE_INTEGER);
    expect(keys).toEqual([...keys].sort((a, b) => a - b));
    const counts = ok<{ total: number }>(await core.handle('queue.counts', {}));
    expect(counts.total).toBe(open.length);
  });

  it('a new sandbox item shows up after sync.now, with an items.changed event', async () => {
    const { core, events } = await startCore(newDataDir());
    await waitState(core, P, 'online');
    const [code] = sandbox.emit('procedure', 1);
    expect(ok(await core.handle('sync.now', { backendId: P }))).toEqual({ started: [P] });
    await vi.waitFor(
      () => expect(events.some((e) => e.type === 'items.changed' && e.ids.includes(`${P}:${code}`))).toBe(true),
      WAIT,
    );
    const got = ok<{ item: WorkItem }>(await core.handle('item.get', { id: `${P}:${code}` }));
    expect(got.item.ref).toBe(code);
  });

  it('backend down → offline/unreachable with the cache still answering; back up → online', async () => {
    const { core } = await startCore(newDataDir());
    await waitState(core, P, 'online');
    await waitState(core, D, 'online');
    const someone = sandbox.dossiers()[3];
    if (!someone) throw new Error('sandbox has no dossiers');

    await sandbox.stop();
    await core.handle('sync.now', {});
    const p = await waitState(core, P, 'offline');
    const d = await waitState(core, D, 'offline');
    expect(p.lastError?.code).toBe('unreachable');
    expect(d.lastError?.code).toBe('unreachable');
    expect(p.lastSyncAt).not.toBeNull();

    const list = ok<{ items: WorkItem[] }>(await core.handle('queue.list', { filter: { includeClosed: true } }));
    expect(list.items.length).toBeGreaterThan(0);
    const search = ok<{ items: WorkItem[] }>(
      await core.handle('queue.list', { filter: { includeClosed: true, q: `${someone.ChuHoSo} ${someone.MaHoSo}` } }),
    );
    expect(search.items.map((i) => i.id)).toContain(`${P}:${someone.MaHoSo}`);
    // Folded search (no diacritics, đ → d) works from the cache too.
    const folded = someone.ChuHoSo.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'd');
    const byFolded = ok<{ items: WorkItem[] }>(
      await core.handle('queue.list', { filter: { includeClosed: true, q: `${folded} ${someone.MaHoSo}` } }),
    );
    expect(byFolded.items.map((i) => i.id)).toContain(`${P}:${someone.MaHoSo}`);

    await sandbox.restart();
    await core.handle('sync.now', {});
    expect((await waitState(core, P, 'online')).lastError).toBeNull();
    expect((await waitState(core, D, 'online')).lastError).toBeNull();
  });

  it('quarantines malformed records while the rest land', async () => {
    const { core } = await startCore(newDataDir());
    await waitState(core, P, 'online');
    const before = (await backends(core)).get(P);
    sandbox.setFaults({ malformedRate: 0.5 }, 'procedure');
    const codes = sandbox.emit('procedure', 30);
    await core.handle('sync.now', { backendId: P });
    await vi.waitFor(async () => {
      const now = (await backends(core)).get(P);
      expect(now?.state).toBe('online');
      expect((now?.quarantined ?? 0) + (now?.itemCount ?? 0)).toBe((before?.itemCount ?? 0) + codes.length);
    }, WAIT);
    const after = (await backends(core)).get(P);
    const landed = (after?.itemCount ?? 0) - (before?.itemCount ?? 0);
    expect(after?.quarantined).toBeGreaterThan(0);
    expect(landed).toBeGreaterThan(0);
    let found = 0;
    for (const code of codes) if ((await core.handle('item.get', { id: `${P}:${code}` })).ok) found += 1;
    expect(found).toBe(landed);
  });

  it('crash mid-sync, reopen: resumes from the stored cursor, no duplicates, nothing missing', async () => {
    const dataDir = newDataDir();
    sandbox.setFaults({ latencyMs: 20 });
    const first = await createCore({ dataDir, config: config({ pageSize: 25 }) });
    // "Crash" as soon as the second page has landed: close from inside the event.
    let closed: Promise<void> | null = null;
    first.subscribe((e) => {
      if (e.type === 'backend.status' && e.backend.id === P && (e.backend.progress?.done ?? 0) >= 50) closed ??= first.close();
    });
    first.start();
    await vi.waitFor(() => expect(closed).not.toBeNull(), WAIT);
    await closed;
    sandbox.setFaults({ latencyMs: 0 });
    const dossiers = sandbox.dossiers();
    // What the "crash" left: some pages with their cursor, not everything.
    const db = await openTestCache(dataDir);
    const left = db.prepare("SELECT COUNT(*) AS n FROM items WHERE backend_id = ?").get(P) as { n: number };
    const state = db.prepare('SELECT cursor FROM sync_state WHERE backend_id = ?').get(P) as { cursor: string | null };
    db.close();
    expect(left.n).toBeGreaterThanOrEqual(50);
    expect(left.n).toBeLessThan(dossiers.length);
    expect(state.cursor).toMatch(/^\d{14}\|/);

    const { core, events } = await startCore(dataDir, config({ pageSize: 25 }));
    const p = await waitState(core, P, 'online');
    await waitState(core, D, 'online');
    expect(p.itemCount).toBe(dossiers.length);
    const ids = (await listAll(core, { sources: ['procedure'] })).map((i) => i.externalId);
    expect(ids).toHaveLength(dossiers.length);
    expect(new Set(ids)).toEqual(new Set(dossiers.map((x) => x.MaHoSo)));
    // The second run resumed from the cursor: it pulled only what was left, and all of it was new.
    const firstProgress = events.find((e) => e.type === 'backend.status' && e.backend.id === P && e.backend.progress);
    const total = firstProgress?.type === 'backend.status' ? firstProgress.backend.progress?.total : undefined;
    expect(total).toBe(dossiers.length - left.n);
    const changed = events.flatMap((e) => (e.type === 'items.changed' ? e.ids.filter((id) => id.startsWith(P)) : []));
    expect(changed).toHaveLength(dossiers.length - left.n);
  });
});
