/**
 * `npm run bench` (`-- --quick` for a short run, 50,000 items): seeds 200,000 work items into a real SQLite file
 * and measures the queue, search, sync from the sandbox over HTTP, first paint in Chromium, the
 * optimistic action latency, the outbox under SIGKILL and faults (N = 1000; --quick: 200), and mail
 * (bench-mail.ts: 10,000 messages in Dovecot synced by the app and by mbsync; --quick: 2,000).
 * Writes bench-results.json in the repository root. Numbers are measured, never asserted.
 *
 * Environment: BENCH_ONLY_QUERIES=1 (seed + queue/search only), BENCH_ONLY_SYNC=<days> (sandbox sync
 * only, no seeding; prints items/s, the process's CPU seconds and the seconds spent landing pages), BENCH_ONLY_MAIL=1 (the mail section only; its numbers are merged into an existing
 * bench-results.json), BENCH_SKIP_MAIL=1, BENCH_MAIL_MESSAGES=<n>.
 * Issue #6: BENCH_ONLY_SEARCH=1 (unified search + citizen view on 1,000,000 records, bench-search.ts;
 * merged into an existing bench-results.json), BENCH_SKIP_SEARCH=1, BENCH_SEARCH_RECORDS=<n>
 * (default 1,000,000; --quick: 200,000).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';
import { trainingConfig } from '../src/core/config/config.schema';
import { createCore } from '../src/core/core';
import { OutboxRepository } from '../src/core/outbox/outbox.repository';
import { runOutboxCrashScenario } from '../tests/support/outbox-harness';
import { openCacheDatabase } from '../src/core/db/cache.database';
// The cache is encrypted like the app's (issue #7): createCore without a secret store uses the same key file.
import { keyFileCacheKey } from '../src/core/db/cache-key';
/** BENCH_PLAIN_CACHE=1 (with BENCH_ONLY_QUERIES): the same queries on a plaintext cache, to measure the cipher's cost. */
function benchCacheKey(dataDir: string): { key?: Buffer } {
  return process.env['BENCH_PLAIN_CACHE'] ? {} : { key: keyFileCacheKey(dataDir) };
}
import { defaultCalendar } from '../src/core/deadline';
import { calendarDeadlinePolicy } from '../src/core/queue/deadline.policy';
import { QueueService, type QueueFilterValue } from '../src/core/queue/queue.service';
import { SyncStateRepository } from '../src/core/sync/sync-state.repository';
import { startHost } from '../src/host/host.server';
import { DEFAULT_RENDERER_DIR } from '../src/host/web-app';
import { generateDataset } from '../src/sandbox/data-generator';
import type { BackendStatus, OutboxEntry } from '../src/shared/api';
import type { WorkItem } from '../src/shared/work-item';
import { flushDisk, percentile, seedItems } from './bench-common';
import { runMailBench } from './bench-mail';
import { runSearchBench } from './bench-search';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    items: { type: 'string' },
    /** Keep the seeded database here and reuse it on the next run (for iterating on queries). */
    'db-dir': { type: 'string' },
  },
});
const quick = values.quick;
// The full run seeds 200,000 items; --quick seeds 50,000 so the whole run stays under a minute
// (seeding through the real write path costs ~0.2 ms an item). The README's table is from a full run.
const TARGET_ITEMS = Number(values.items ?? (quick ? 50_000 : 200_000));
const root = resolve(import.meta.dirname, '..');
const calendar = defaultCalendar();
const NOW = Date.now();
/** Runs of the sync section in a full run; the median is reported. */
const SYNC_ROUNDS = 3;

function log(msg: string): void {
  process.stdout.write(`${msg}\n`);
}

// ---------- seeding ----------

function seed(dataDir: string, target: number): { seconds: number; items: number } {
  const started = performance.now();
  const perDay = 100;
  const dataset = generateDataset({ seed: 11, now: NOW, days: Math.ceil(target / perDay), dossiersPerDay: 80, documentsPerDay: 20, calendar });
  const db = openCacheDatabase(dataDir, benchCacheKey(dataDir));
  const syncState = new SyncStateRepository(db);
  const queue = new QueueService(db, calendarDeadlinePolicy(calendar), syncState, { username: 'canbo.lan', now: () => NOW });
  // The newest items: the open work of today is at the end of the generated history.
  const dossiers = dataset.dossiers.slice(-Math.round(target * 0.8));
  const docs = dataset.documents.slice(-(target - dossiers.length));
  const items = seedItems(queue, calendar, dossiers, docs);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return { seconds: (performance.now() - started) / 1000, items };
}

// ---------- queue and search ----------

/**
 * Unfinished outbox entries on random open items (an offline morning's backlog), so the queue is
 * measured with the pending marks it really reads. Removed again after the measurement.
 */
function seedOutboxBacklog(db: ReturnType<typeof openCacheDatabase>, count: number): void {
  const repo = new OutboxRepository(db);
  const ids = db.prepare<[number], { id: string; ref: string }>('SELECT id, ref FROM items WHERE is_open = 1 ORDER BY random() LIMIT ?').all(count);
  db.transaction(() => {
    ids.forEach((row, n) => {
      const base = { id: row.id, ref: row.ref, title: 'bench', source: 'procedure', backendId: 'b', externalId: row.id, party: null, kind: null, status: '4', receivedAt: NOW, dueAt: null, urgency: 0, assignee: null, assigneeName: null, updatedAt: NOW, sla: 'none', remainingWorkingMinutes: null, pendingActions: 0, attention: 'none' } satisfies WorkItem;
      repo.insert({ id: `bench-${n}`, itemId: row.id, backendId: 'b', actor: 'canbo.lan', action: { kind: 'dossier.forward', toUser: 'canbo.mai' }, base, baseUpdatedAt: NOW, optimisticStatus: '4', at: NOW });
    });
  })();
}

function measureQueries(dataDir: string): { queue: number[]; search: number[]; openItems: number } {
  const db = openCacheDatabase(dataDir, benchCacheKey(dataDir));
  seedOutboxBacklog(db, 1000);
  const queue = new QueueService(db, calendarDeadlinePolicy(calendar), new SyncStateRepository(db), {
    username: 'canbo.lan',
    now: () => NOW,
    marks: new OutboxRepository(db),
  });
  const filters: QueueFilterValue[] = [
    { scope: 'all', includeClosed: false },
    { scope: 'mine', includeClosed: false },
    { scope: 'all', includeClosed: false, sources: ['procedure'] },
    { scope: 'all', includeClosed: false, sources: ['document'] },
    { scope: 'all', includeClosed: false, sla: ['overdue'] },
    { scope: 'all', includeClosed: false, sla: ['due_today', 'due_soon'] },
    { scope: 'all', includeClosed: true, sources: ['procedure'] },
    { scope: 'all', includeClosed: false, statuses: ['4', '5'] },
  ];
  const terms = ['nguyen', 'nguyễn văn', 'khai sinh', 'dang ky ket hon', 'chứng thực bản sao', 'Đức', 'tran thi', 'ubnd', 'xây dựng', 'cong van', '001', 'Ngọc Hà', 'le thi hoa', 'trich luc', 'H26'];
  const rounds = quick ? 25 : 100;
  const queueSamples: number[] = [];
  const searchSamples: number[] = [];
  for (let r = 0; r < 3; r++) queue.list(filters[r % filters.length] as QueueFilterValue, 0, 100, NOW); // warm
  const perFilter = new Map<string, number[]>();
  const perTerm = new Map<string, number[]>();
  for (let r = 0; r < rounds; r++) {
    for (const f of filters) {
      const t = performance.now();
      queue.list(f, 0, 100, NOW);
      const ms = performance.now() - t;
      queueSamples.push(ms);
      const key = JSON.stringify(f);
      perFilter.set(key, [...(perFilter.get(key) ?? []), ms]);
    }
    for (const [k, q] of terms.entries()) {
      const t = performance.now();
      queue.list({ scope: 'all', includeClosed: k % 2 === 0, q }, 0, 100, NOW);
      const ms = performance.now() - t;
      searchSamples.push(ms);
      perTerm.set(`${q} closed=${k % 2 === 0}`, [...(perTerm.get(`${q} closed=${k % 2 === 0}`) ?? []), ms]);
    }
  }
  if (process.env['BENCH_VERBOSE']) {
    for (const [k, v] of perFilter) log(`    queue ${k}: p95 ${percentile(v, 95)} ms`);
    for (const [k, v] of perTerm) log(`    search ${k}: p95 ${percentile(v, 95)} ms`);
  }
  const openItems = queue.counts({ scope: 'all', includeClosed: false }, NOW).total;
  db.prepare("DELETE FROM outbox WHERE id LIKE 'bench-%'").run();
  db.close();
  return { queue: queueSamples, search: searchSamples, openItems };
}

// ---------- sync from the sandbox over HTTP ----------

async function startSandboxProcess(days: number): Promise<{ procedureUrl: string; documentUrl: string; items: number; stop(): void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/sandbox/main.ts'), '--seed', '5', '--days', String(days), '--stream-ms', '0'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  await new Promise<void>((ok, fail) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (/document:\s+http/.test(out)) ok();
    });
    child.on('exit', (code) => fail(new Error(`sandbox exited ${code}: ${out}`)));
  });
  const url = (name: string): string => {
    const m = new RegExp(`${name}:\\s+(http://\\S+)`).exec(out);
    if (!m?.[1]) throw new Error(`no ${name} URL in: ${out}`);
    return m[1];
  };
  const counts = /\((\d+) dossiers, (\d+) documents\)/.exec(out);
  return {
    procedureUrl: url('procedure'),
    documentUrl: url('document'),
    items: Number(counts?.[1] ?? 0) + Number(counts?.[2] ?? 0),
    stop: () => child.kill('SIGTERM'),
  };
}

async function measureSync(days: number): Promise<{ itemsPerS: number; items: number; seconds: number; cpuSeconds: number; landSeconds: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cw-bench-sync-'));
  // The sandbox runs in its own process, as a real backend would: it does not share the core's thread.
  const sandbox = await startSandboxProcess(days);
  const expected = sandbox.items;
  const core = await createCore({
    dataDir,
    config: trainingConfig({ procedureUrl: sandbox.procedureUrl, documentUrl: sandbox.documentUrl, pollIntervalMs: 600_000 }),
  });
  // Time spent landing pages (QueueService.upsertBatch, on the core's thread), to tell the cache's share.
  let landMs = 0;
  const originalUpsert = QueueService.prototype.upsertBatch;
  QueueService.prototype.upsertBatch = function (this: QueueService, ...args: Parameters<typeof originalUpsert>) {
    const t = performance.now();
    try {
      return originalUpsert.apply(this, args);
    } finally {
      landMs += performance.now() - t;
    }
  };
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  const done = new Promise<void>((ok) => {
    const settled = new Set<string>();
    core.subscribe((e) => {
      if (e.type === 'backend.status' && e.backend.state === 'online' && e.backend.lastSyncAt !== null) {
        if (!settled.has(e.backend.id)) log(`  ${e.backend.id}: ${e.backend.itemCount} items online after ${((performance.now() - started) / 1000).toFixed(2)} s`);
        settled.add(e.backend.id);
        if (settled.size === 2) ok();
      }
    });
  });
  core.start();
  await done;
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const statuses = (await core.handle('backends.list', {})) as { ok: true; data: BackendStatus[] };
  const items = statuses.data.reduce((n, b) => n + b.itemCount, 0);
  if (items !== expected) log(`  warning: synced ${items} of ${expected} sandbox items`);
  await core.close();
  QueueService.prototype.upsertBatch = originalUpsert;
  sandbox.stop();
  rmSync(dataDir, { recursive: true, force: true });
  // CPU seconds of this process (the core's thread, mostly) during the sync: steadier than the wall clock on a busy machine.
  const cpuSeconds = Number(((cpu.user + cpu.system) / 1e6).toFixed(2));
  return { itemsPerS: Math.round(items / seconds), items, seconds: Number(seconds.toFixed(2)), cpuSeconds, landSeconds: Number((landMs / 1000).toFixed(2)) };
}

// ---------- first paint in Chromium ----------

async function measureFirstPaint(dataDir: string, runs: number): Promise<number[]> {
  // No backends reachable: the host serves the cache only (ports 9 = discard, nothing listens).
  const core = await createCore({
    dataDir,
    config: trainingConfig({ procedureUrl: 'http://127.0.0.1:9', documentUrl: 'http://127.0.0.1:9' }),
  });
  const host = await startHost({ core, rendererDir: DEFAULT_RENDERER_DIR });
  const browser = await chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const samples: number[] = [];
  try {
    for (let i = 0; i < runs + 1; i++) {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      const page = await context.newPage();
      const t = performance.now();
      await page.goto(host.openUrl);
      await page.waitForSelector('[data-testid="queue"][data-ready="true"] [data-testid="queue-row"]', { timeout: 30_000 });
      const ms = performance.now() - t;
      if (i > 0) samples.push(ms); // the first run warms the OS file cache
      await context.close();
    }
  } finally {
    await browser.close();
    await host.close();
    await core.close();
  }
  return samples;
}

// ---------- optimistic action latency ----------

/**
 * submit → the queue page shows the optimistic status and the pending mark, in-process on the
 * seeded cache (200k items) with the backends unreachable (the actions stay pending: this is the
 * local path the official waits for).
 */
async function measureActionLatency(dataDir: string, samples: number): Promise<number[]> {
  const core = await createCore({
    dataDir,
    config: trainingConfig({ procedureUrl: 'http://127.0.0.1:9', documentUrl: 'http://127.0.0.1:9' }),
  });
  const times: number[] = [];
  try {
    // The official's view: open dossiers being processed, by deadline (the page the UI shows).
    const view = { filter: { sources: ['procedure'], statuses: ['2', '4'] }, limit: 100 };
    const list = (await core.handle('queue.list', view)) as { ok: true; data: { items: WorkItem[] } };
    const targets = list.data.items;
    for (let n = 0; n < samples && targets.length > 0; n++) {
      const item = targets[n % targets.length] as WorkItem;
      const supplement = n % 2 === 0;
      const t = performance.now();
      const submitted = (await core.handle('action.submit', {
        itemId: item.id,
        action: supplement ? { kind: 'dossier.requestSupplement', missing: 'Tờ khai (bench)' } : { kind: 'dossier.forward', toUser: 'canbo.mai' },
        baseUpdatedAt: item.updatedAt,
      })) as { ok: boolean; data?: OutboxEntry };
      if (!submitted.ok || !submitted.data) throw new Error(`submit failed: ${JSON.stringify(submitted)}`);
      const expected = supplement ? '5' : '4';
      const page = (await core.handle('queue.list', view)) as { ok: true; data: { items: WorkItem[] } };
      const shown = page.data.items.find((i) => i.id === item.id);
      if (!shown || shown.status !== expected || shown.pendingActions < 1) throw new Error(`optimistic status not shown for ${item.id}`);
      times.push(performance.now() - t);
      // Keep the item legal for the next round: drop the action again.
      await core.handle('outbox.discard', { id: submitted.data.id });
    }
  } finally {
    await core.close();
  }
  const db = openCacheDatabase(dataDir, benchCacheKey(dataDir));
  db.prepare('DELETE FROM outbox').run();
  db.close();
  return times;
}

// ---------- mail (bench-mail.ts) ----------

async function measureMail(into: Record<string, unknown>): Promise<void> {
  const messages = Number(process.env['BENCH_MAIL_MESSAGES'] ?? (quick ? 2_000 : 10_000));
  log(`mail: ${messages.toLocaleString('en')} messages in Dovecot, the app's sync vs mbsync …`);
  const mail = await runMailBench({ messages, rounds: quick ? 1 : 3, samples: quick ? 5 : 9, calendar, now: NOW, log });
  into['mail_messages'] = mail.mail_messages;
  into['mail_mailbox_mb'] = mail.mail_mailbox_mb;
  // Named for the full run's 10,000 messages; mail_messages says how many this run had.
  into['mail_sync_10k_s'] = mail.mail_sync_s;
  into['mail_sync_runs_s'] = mail.mail_sync_runs_s;
  into['mail_sync_msgs_per_s'] = mail.mail_sync_msgs_per_s;
  into['mail_links_resolved'] = mail.mail_links_resolved;
  into['mbsync_10k_s'] = mail.mbsync_s;
  into['mbsync_runs_s'] = mail.mbsync_runs_s;
  into['mail_vs_mbsync_ratio'] = mail.mail_vs_mbsync_ratio;
  // Issue #4: until the search backfill is done too (every mail also findable by search), same start.
  into['mail_sync_10k_full_s'] = mail.mail_sync_full_s;
  into['mail_sync_full_runs_s'] = mail.mail_sync_full_runs_s;
  into['mail_new_visible_ms'] = mail.mail_new_visible_ms;
  into['mail_new_visible_max_ms'] = mail.mail_new_visible_max_ms;
  log(`  mail sync ${mail.mail_sync_s} s vs mbsync ${mail.mbsync_s} s: ratio ${mail.mail_vs_mbsync_ratio}; new mail visible after ${mail.mail_new_visible_ms} ms (median)`);
}

// ---------- issue #6: unified search and citizen view on 1,000,000 records (bench-search.ts) ----------

function measureSearch1m(into: Record<string, unknown>): void {
  const records = Number(process.env['BENCH_SEARCH_RECORDS'] ?? (quick ? 200_000 : 1_000_000));
  const dir = mkdtempSync(join(tmpdir(), 'cw-bench-search-'));
  log(`search: ${records.toLocaleString('en')} mixed records, unified search and citizen view …`);
  try {
    const r = runSearchBench({ dataDir: dir, records, samples: quick ? 30 : 100, calendar, log });
    Object.assign(into, r);
    log(`  search p95 ${r.search_1m_p95_ms} ms (${r.search_1m_samples} samples), citizen view p95 ${r.citizen_view_p95_ms} ms, index ${r.search_index_mb} MB (file ${r.search_1m_db_mb} MB)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------- main ----------

const results: Record<string, unknown> = {
  date: new Date().toISOString(),
  mode: quick ? 'quick' : 'full',
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', memory_gb: Math.round(totalmem() / 2 ** 30), node: process.version },
};

if (process.env['BENCH_ONLY_SEARCH']) {
  // Merge into the last results so the other metrics stay as measured.
  const path = join(root, 'bench-results.json');
  const previous = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>) : {};
  const merged: Record<string, unknown> = { ...previous, search_1m_date: new Date().toISOString(), search_1m_mode: quick ? 'quick' : 'full' };
  measureSearch1m(merged);
  writeFileSync(path, `${JSON.stringify(merged, null, 2)}\n`);
  log('wrote the search numbers into bench-results.json');
  process.exit(0);
}

if (process.env['BENCH_ONLY_MAIL']) {
  // Merge into the last full results so the other metrics stay as measured.
  const path = join(root, 'bench-results.json');
  const previous = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>) : {};
  const merged: Record<string, unknown> = { ...previous, mail_date: new Date().toISOString(), mail_mode: quick ? 'quick' : 'full' };
  await measureMail(merged);
  writeFileSync(path, `${JSON.stringify(merged, null, 2)}\n`);
  log('wrote the mail numbers into bench-results.json');
  process.exit(0);
}

if (process.env['BENCH_ONLY_SYNC']) {
  // The sync section alone: an empty cache, no seeding (the sync never reads the seeded file).
  log(JSON.stringify(await measureSync(Number(process.env['BENCH_ONLY_SYNC']))));
  process.exit(0);
}

const keepDir = values['db-dir'];
const dataDir = keepDir ?? mkdtempSync(join(tmpdir(), 'cw-bench-'));
try {
  if (keepDir && existsSync(join(keepDir, 'cache.sqlite'))) {
    log(`reusing the seeded database in ${keepDir}`);
  } else {
    log(`seeding ${TARGET_ITEMS.toLocaleString('en')} work items into ${dataDir} …`);
    const seeded = seed(dataDir, TARGET_ITEMS);
    log(`  ${seeded.items} items in ${seeded.seconds.toFixed(1)} s`);
    results['seed_seconds'] = Number(seeded.seconds.toFixed(1));
  }
  results['seeded_items'] = TARGET_ITEMS;

  const q = measureQueries(dataDir);
  results['open_items'] = q.openItems;
  results['queue_query_p50_ms'] = percentile(q.queue, 50);
  results['queue_query_p95_ms'] = percentile(q.queue, 95);
  results['search_p50_ms'] = percentile(q.search, 50);
  results['search_p95_ms'] = percentile(q.search, 95);
  log(`  queue p95 ${results['queue_query_p95_ms']} ms, search p95 ${results['search_p95_ms']} ms (${q.queue.length}/${q.search.length} samples)`);

  if (process.env['BENCH_ONLY_QUERIES']) process.exit(0);
  // The sync section runs right after the seeding wrote the 200k file: the disk is written back
  // before each run (flushDisk), and the median of the runs is reported (one run with --quick).
  const syncRuns: Awaited<ReturnType<typeof measureSync>>[] = [];
  for (let r = 0; r < (quick ? 1 : SYNC_ROUNDS); r++) {
    flushDisk();
    const run = await measureSync(quick ? 30 : 200);
    syncRuns.push(run);
    log(`  sync ${run.items} items in ${run.seconds} s = ${run.itemsPerS} items/s (landing ${run.landSeconds} s, CPU ${run.cpuSeconds} s)`);
  }
  const sync = [...syncRuns].sort((a, b) => a.itemsPerS - b.itemsPerS)[Math.floor(syncRuns.length / 2)] ?? syncRuns[0]!;
  results['sync_items'] = sync.items;
  results['sync_seconds'] = sync.seconds;
  results['sync_items_per_s'] = sync.itemsPerS;
  results['sync_runs_items_per_s'] = syncRuns.map((run) => run.itemsPerS);
  log(`  sync median ${sync.itemsPerS} items/s (runs ${syncRuns.map((run) => run.itemsPerS).join(', ')})`);

  const paint = await measureFirstPaint(dataDir, quick ? 3 : 7);
  results['first_paint_ms'] = percentile(paint, 50);
  results['first_paint_max_ms'] = percentile(paint, 100);
  log(`  first paint median ${results['first_paint_ms']} ms, max ${results['first_paint_max_ms']} ms`);

  const action = await measureActionLatency(dataDir, quick ? 100 : 300);
  results['action_p50_ms'] = percentile(action, 50);
  results['action_p95_ms'] = percentile(action, 95);
  log(`  action submit → optimistic status in the queue: p95 ${results['action_p95_ms']} ms (${action.length} samples)`);

  const crashN = quick ? 200 : 1000;
  log(`outbox: ${crashN} actions, core SIGKILLed at random moments, ~30 % faulty requests …`);
  const crash = await runOutboxCrashScenario({
    actions: crashN,
    kills: quick ? 5 : 10,
    seed: 11,
    drainBudgetMs: quick ? 60_000 : 180_000,
    faults: { errorRate: 0.1, timeoutRate: 0.1, latencyMs: 2 },
    clientTimeoutMs: 250,
    log,
  });
  results['outbox_actions'] = crash.acknowledged;
  results['outbox_entries'] = crash.outboxEntries;
  results['outbox_kills'] = crash.kills;
  results['outbox_lost'] = crash.lost;
  results['outbox_duplicates'] = crash.duplicates;
  results['outbox_unknown_applied'] = crash.unknownApplied;
  results['outbox_cache_mismatches'] = crash.cacheMismatches.length;
  results['outbox_all_done'] = crash.drained && crash.states['done'] === crash.outboxEntries;
  results['outbox_deliveries'] = crash.deliveries;
  results['outbox_seconds'] = Number((crash.durationMs / 1000).toFixed(1));
  results['outbox_audit_ok'] = crash.auditOk;
  log(`  ${crash.outboxEntries} entries ${JSON.stringify(crash.states)}, ${crash.kills} kills, lost ${crash.lost}, duplicates ${crash.duplicates}, cache mismatches ${crash.cacheMismatches.length}, ${crash.deliveries} deliveries, ${results['outbox_seconds']} s`);

  if (!process.env['BENCH_SKIP_MAIL']) await measureMail(results);
  if (!process.env['BENCH_SKIP_SEARCH']) measureSearch1m(results);
} finally {
  if (!keepDir) rmSync(dataDir, { recursive: true, force: true });
}

writeFileSync(join(root, 'bench-results.json'), `${JSON.stringify(results, null, 2)}\n`);
log(`wrote bench-results.json`);
