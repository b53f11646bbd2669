/**
 * The mail section of `npm run bench` (issue #4, point 8): the app's mail sync side by side with
 * mbsync (Debian isync) on the same mailbox in a real Dovecot (tests/support/mail-servers.ts).
 *
 *  1. A realistic mailbox (src/sandbox/mailbox/bulk-mailbox.ts: Vietnamese subjects and bodies,
 *     RFC 2047 headers, some HTML, ~3 % with attachments of 150–600 KB, many citing dossier codes
 *     and số/ký hiệu of the dataset) is written straight into the Maildir (INTERNALDATE = mtime,
 *     flags in the file names), then Dovecot indexes it once (SELECT + FETCH of what both clients ask).
 *  2. mail_sync_s: a fresh cache holding the dataset's dossiers and documents (so the mails' links
 *     resolve), the core started with one mail backend (initialDays 3650: the whole mailbox), timed
 *     until the backend's first sync cycle is complete — every record landed through QueueService,
 *     links resolved, mail rules applied — as in the app. Everything the queue shows is then in the
 *     cache; the search index entries of a first sync larger than one page follow in the background
 *     (src/core/mail/mail-search-backfill.ts): mail_sync_full_s is timed (from the same start) until
 *     none is pending, i.e. until every mail is also findable by search.
 *  3. mbsync_s: `mbsync` pulling the same INBOX into an empty Maildir (full messages; Sync Pull,
 *     plain IMAP on loopback, SSLType None, FSync no — our cache's WAL/synchronous=NORMAL does not
 *     fsync each write either). The disk's dirty pages are written back before each timed run of
 *     either client (flushDisk).
 *  4. mail_new_visible_ms: with the core running (IDLE), one mail delivered over LMTP, timed until
 *     queue.list shows it; the median of several.
 * Best of `rounds` runs for both syncs (the same Dovecot, index warm for both).
 */
import { spawn } from 'node:child_process';
import { Session } from 'node:inspector/promises';
import { appendFileSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { parseConfig, trainingConfig } from '../src/core/config/config.schema';
import { createCore, type Core } from '../src/core/core';
import { openCacheDatabase } from '../src/core/db/cache.database';
import { keyFileCacheKey } from '../src/core/db/cache-key';
import { type WorkCalendar } from '../src/core/deadline';
import { calendarDeadlinePolicy } from '../src/core/queue/deadline.policy';
import { QueueService } from '../src/core/queue/queue.service';
import { SyncStateRepository } from '../src/core/sync/sync-state.repository';
import { SEARCH_PENDING } from '../src/core/mail/search-pending';
import { ENVELOPE_HEADER_FIELDS } from '../src/core/adapters/mail.headers';
import { SEARCH_PENDING_INDEX } from '../src/core/db/migrations/012-mail-search-pending';
import { generateDataset, type Dataset } from '../src/sandbox/data-generator';
import { bulkMailbox } from '../src/sandbox/mailbox/bulk-mailbox';
import { composeMessage, TRAINING_MAIL_DOMAIN } from '../src/sandbox/mailbox/training-mailbox';
import type { BackendStatus, Envelope } from '../src/shared/api';
import type { WorkItem } from '../src/shared/work-item';
import { startMailServers, type MailServers } from '../tests/support/mail-servers';
import { flushDisk, percentile, seedItems } from './bench-common';

const USER = 'canbo.lan';
const PASSWORD = 'bench-training-2026';
const BACKEND_ID = 'bench-mail';
const MBSYNC = '/usr/bin/mbsync';

export interface MailBenchOptions {
  messages: number;
  /** Timed runs of each sync; the best is reported. */
  rounds: number;
  /** New-mail latency samples. */
  samples: number;
  calendar: WorkCalendar;
  now: number;
  log: (msg: string) => void;
}

export interface MailBenchResults {
  mail_messages: number;
  mail_mailbox_mb: number;
  mail_sync_s: number;
  mail_sync_runs_s: number[];
  /** Until the search backfill is done too (every mail findable by search), from the same start. */
  mail_sync_full_s: number;
  mail_sync_full_runs_s: number[];
  mail_sync_msgs_per_s: number;
  mail_links_resolved: number;
  mbsync_s: number;
  mbsync_runs_s: number[];
  mail_vs_mbsync_ratio: number;
  mail_new_visible_ms: number;
  mail_new_visible_max_ms: number;
}

function systemUser(name: string): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  if (!line) throw new Error(`system user "${name}" is missing (the dovecot-core package creates it)`);
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/** Maildir info flags of IMAP system flags, in ASCII order as the spec asks. */
function maildirFlags(flags: readonly string[]): string {
  const letters: string[] = [];
  if (flags.includes('\\Flagged')) letters.push('F');
  if (flags.includes('\\Answered')) letters.push('R');
  if (flags.includes('\\Seen')) letters.push('S');
  return letters.sort().join('');
}

/** Write the mailbox into the user's Maildir (cur/, owned by Dovecot's mail user). */
function fillMaildir(servers: MailServers, dataset: Dataset, count: number): { bytes: number; dossiers: number } {
  const mail = systemUser('mail');
  const maildir = servers.maildir(USER);
  const home = join(maildir, '..');
  for (const dir of [home, maildir, join(maildir, 'cur'), join(maildir, 'new'), join(maildir, 'tmp')]) {
    mkdirSync(dir, { recursive: true });
    chownSync(dir, mail.uid, mail.gid);
  }
  let bytes = 0;
  let dossiers = 0;
  let n = 0;
  for (const m of bulkMailbox({ dataset, count, seed: 21 })) {
    const body = Buffer.from(m.raw, 'latin1');
    const seconds = Math.floor(m.internalDate / 1000);
    const file = join(maildir, 'cur', `${seconds}.M${n}P${process.pid}.bench,S=${body.length}:2,${maildirFlags(m.flags)}`);
    writeFileSync(file, body);
    chownSync(file, mail.uid, mail.gid);
    utimesSync(file, seconds, seconds);
    bytes += body.length;
    dossiers += m.dossiers.length;
    n++;
  }
  return { bytes, dossiers };
}

async function imapClient(servers: MailServers): Promise<ImapFlow> {
  const client = new ImapFlow({ host: '127.0.0.1', port: servers.imap.port, secure: false, doSTARTTLS: false, auth: { user: USER, pass: PASSWORD }, logger: false });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** Dovecot builds its index and caches the fields both clients ask for (untimed). */
async function warmDovecot(servers: MailServers, expected: number): Promise<void> {
  const client = await imapClient(servers);
  try {
    const box = await client.mailboxOpen('INBOX');
    if (box.exists !== expected) throw new Error(`Dovecot sees ${box.exists} messages, ${expected} written`);
    let n = 0;
    for await (const _msg of client.fetch('1:*', { uid: true, flags: true, headers: [...ENVELOPE_HEADER_FIELDS], internalDate: true, size: true, bodyStructure: true })) n++;
    if (n !== expected) throw new Error(`warm-up fetched ${n} of ${expected}`);
  } finally {
    await client.logout();
  }
}

function ok<T>(envelope: Envelope<unknown>): T {
  if (!envelope.ok) throw new Error(`expected ok, got ${JSON.stringify(envelope.error)}`);
  return envelope.data as T;
}

/** A cache holding the dataset's dossiers and documents (what the mails cite), in a fresh folder. */
function seededCache(dataset: Dataset, calendar: WorkCalendar, now: number): string {
  const dataDir = mkdtempSync(join(tmpdir(), 'cw-bench-mail-'));
  const db = openCacheDatabase(dataDir, { key: keyFileCacheKey(dataDir) });
  const queue = new QueueService(db, calendarDeadlinePolicy(calendar), new SyncStateRepository(db), { username: USER, now: () => now });
  seedItems(queue, calendar, dataset.dossiers, dataset.documents);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return dataDir;
}

function mailConfig(servers: MailServers) {
  // The office and user of training mode; the one backend is the benchmark mailbox.
  const base = trainingConfig({ procedureUrl: 'http://127.0.0.1:9', documentUrl: 'http://127.0.0.1:9' });
  return parseConfig({
    ...base,
    backends: [
      {
        adapter: {
          kind: 'mail',
          id: BACKEND_ID,
          label: 'Thư công vụ',
          host: '127.0.0.1',
          port: servers.imap.port,
          tls: 'none',
          user: USER,
          password: PASSWORD,
          folders: ['INBOX'],
          // The whole mailbox (about a year), as mbsync takes it.
          initialDays: 3650,
          // BENCH_MAIL_PAGE_SIZE: try another page size (default: the adapter's).
          ...(process.env['BENCH_MAIL_PAGE_SIZE'] ? { pageSize: Number(process.env['BENCH_MAIL_PAGE_SIZE']) } : {}),
        },
        pollIntervalMs: 600_000,
      },
    ],
  });
}

/** Rows still waiting for their search index entry (the backfill's marker), read on a connection of our own. */
function searchPending(dataDir: string): { count: () => number; close: () => void } {
  const db = openCacheDatabase(dataDir, { key: keyFileCacheKey(dataDir), readonly: true });
  const stmt = db.prepare(`SELECT count(*) AS n FROM items INDEXED BY ${SEARCH_PENDING_INDEX} WHERE search_folded = '${SEARCH_PENDING}'`);
  return { count: () => (stmt.get() as { n: number }).n, close: () => db.close() };
}

/**
 * Start a core on `dataDir` and time its first complete sync of the mailbox (`seconds`), then until
 * its search backfill is done too (`fullSeconds`).
 */
async function timeCoreSync(
  servers: MailServers,
  dataDir: string,
  expected: number,
  log: (m: string) => void,
): Promise<{ core: Core; seconds: number; fullSeconds: number }> {
  // BENCH_MAIL_DUMP=<file>: the pages the core lands (records, quarantine, cursor), as JSON lines, to replay the landing alone.
  const dumpTo = process.env['BENCH_MAIL_DUMP'];
  if (dumpTo) {
    writeFileSync(dumpTo, '');
    const original = QueueService.prototype.upsertBatch;
    QueueService.prototype.upsertBatch = function (this: QueueService, ...args: Parameters<typeof original>) {
      appendFileSync(dumpTo, `${JSON.stringify(args)}\n`);
      return original.apply(this, args);
    };
  }
  // The search backfill (src/core/mail/mail-search-backfill.ts) says when a pass has indexed everything.
  let backfilled: () => void = () => undefined;
  const backfillDone = new Promise<void>((resolve) => (backfilled = resolve));
  const core = await createCore({
    dataDir,
    config: mailConfig(servers),
    log: (level, msg) => {
      if (msg === 'mail search index backfilled') backfilled();
      if (level === 'error' || (level === 'warn' && msg.startsWith('mail search backfill'))) log(`  core: ${msg}`);
    },
  });
  flushDisk();
  const started = performance.now();
  const done = new Promise<void>((resolve) => {
    core.subscribe((e) => {
      if (e.type === 'backend.status' && e.backend.id === BACKEND_ID && e.backend.state === 'online' && e.backend.lastSyncAt !== null) resolve();
    });
  });
  // BENCH_MAIL_CPUPROF=<file>: a CPU profile of the timed sync (the core runs in this process), and
  // BENCH_MAIL_CPUPROF_FULL=<file> one of the search backfill after it.
  const profileTo = process.env['BENCH_MAIL_CPUPROF'];
  const session = profileTo ? new Session() : null;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  const cpuBefore = process.cpuUsage();
  core.start();
  await done;
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  // The core runs in this process: its CPU time is steadier than the wall time on a shared machine.
  log(`  app sync CPU (this process): user ${(cpu.user / 1e6).toFixed(2)} s + system ${(cpu.system / 1e6).toFixed(2)} s`);
  const fullProfileTo = process.env['BENCH_MAIL_CPUPROF_FULL'];
  if (session && profileTo) {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(profileTo, JSON.stringify(profile));
    if (fullProfileTo) await session.post('Profiler.start');
    else session.disconnect();
  }
  // The search backfill runs right after the sync cycle, in the background (started by the cycle's
  // success, before this line runs): wait for its report, then check its marker is gone.
  const pending = searchPending(dataDir);
  try {
    const atSync = pending.count();
    if (atSync > 0) await backfillDone;
    const fullSeconds = (performance.now() - started) / 1000;
    const left = pending.count();
    if (left !== 0) throw new Error(`the search backfill reported done with ${left} mails still pending`);
    log(`  search backfill: ${atSync} mails pending when the sync ended, all indexed ${(fullSeconds - seconds).toFixed(2)} s later`);
    if (session && fullProfileTo) {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(fullProfileTo, JSON.stringify(profile));
      session.disconnect();
    }
    const status = ok<BackendStatus[]>(await core.handle('backends.list', {})).find((b) => b.id === BACKEND_ID);
    if (status?.itemCount !== expected) log(`  warning: the core synced ${status?.itemCount} of ${expected} messages`);
    return { core, seconds, fullSeconds };
  } finally {
    pending.close();
  }
}

function linksResolved(dataDir: string): number {
  const db = openCacheDatabase(dataDir, { key: keyFileCacheKey(dataDir), readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM item_links WHERE to_id IS NOT NULL').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

function countFiles(dir: string): number {
  let n = 0;
  for (const sub of ['cur', 'new']) {
    try {
      n += readdirSync(join(dir, sub)).length;
    } catch {
      // not created
    }
  }
  return n;
}

/** One mbsync run into an empty Maildir; seconds of wall time. */
async function timeMbsync(servers: MailServers, expected: number, log: (m: string) => void): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'cw-bench-mbsync-'));
  try {
    mkdirSync(join(dir, 'mail'));
    const rc = join(dir, 'mbsyncrc');
    writeFileSync(
      rc,
      [
        'FSync no',
        '',
        'IMAPAccount bench',
        'Host 127.0.0.1',
        `Port ${servers.imap.port}`,
        `User ${USER}`,
        `Pass ${PASSWORD}`,
        'SSLType None',
        'AuthMechs LOGIN',
        '',
        'IMAPStore bench-far',
        'Account bench',
        '',
        'MaildirStore bench-near',
        `Path ${dir}/mail/`,
        `Inbox ${dir}/mail/INBOX`,
        '',
        'Channel bench',
        'Far :bench-far:',
        'Near :bench-near:',
        'Patterns INBOX',
        'Sync Pull',
        'Create Near',
        'SyncState *',
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    flushDisk();
    const started = performance.now();
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn(MBSYNC, ['-c', rc, '-q', 'bench'], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.once('error', reject);
      child.once('exit', (c) => {
        if (c !== 0) log(`  mbsync: ${stderr.trim()}`);
        resolve(c ?? 1);
      });
    });
    const seconds = (performance.now() - started) / 1000;
    if (code !== 0) throw new Error(`mbsync exited ${code}`);
    const got = countFiles(join(dir, 'mail', 'INBOX'));
    if (got !== expected) throw new Error(`mbsync stored ${got} of ${expected} messages`);
    return seconds;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Deliver one work mail over LMTP while the core runs; ms until queue.list shows it. */
async function timeNewMail(core: Core, servers: MailServers, dataset: Dataset, i: number): Promise<number> {
  const dossier = dataset.dossiers[dataset.dossiers.length - 1 - i];
  const token = `kiemtra${i}x${Date.now().toString(36)}`;
  const raw = composeMessage(
    {
      from: { name: 'Lê Thị Mai', address: `canbo.mai@${TRAINING_MAIL_DOMAIN}` },
      subject: `Nhờ chị xem hồ sơ ${dossier?.code ?? ''} (${token})`,
      subjectMode: 'B',
      text: `Chị Lan ơi, hồ sơ ${dossier?.code ?? ''} cần xem gấp.`,
      encoding: 'quoted-printable',
    },
    { at: Date.now(), messageId: `${token}@${TRAINING_MAIL_DOMAIN}`, boundaryKey: token, to: [{ name: 'Nguyễn Thị Lan', address: `${USER}@${TRAINING_MAIL_DOMAIN}` }] },
  );
  const visible = async (): Promise<boolean> => {
    const page = ok<{ items: WorkItem[] }>(await core.handle('queue.list', { filter: { scope: 'all', sources: ['mail'], q: token }, offset: 0, limit: 5 }));
    return page.items.length > 0;
  };
  const started = performance.now();
  let settled = false;
  const cleanup: (() => void)[] = [];
  const found = new Promise<void>((resolve, reject) => {
    const check = (): void => {
      if (settled) return;
      visible().then(
        (yes) => {
          if (yes && !settled) {
            settled = true;
            resolve();
          }
        },
        (error: unknown) => reject(error instanceof Error ? error : new Error(String(error))),
      );
    };
    cleanup.push(
      core.subscribe((e) => {
        if (e.type === 'items.changed') check();
      }),
    );
    const timer = setInterval(check, 50);
    const give = setTimeout(() => reject(new Error(`mail ${token} not visible after 30 s`)), 30_000);
    cleanup.push(() => clearInterval(timer), () => clearTimeout(give));
  });
  // Awaited below; a rejection while the delivery is in flight must not count as unhandled.
  found.catch(() => undefined);
  try {
    await servers.deliver(raw, USER);
    const delivered = performance.now() - started;
    await found;
    if (process.env['BENCH_VERBOSE']) process.stdout.write(`    LMTP delivery ${delivered.toFixed(0)} ms, visible after ${(performance.now() - started).toFixed(0)} ms\n`);
    return performance.now() - started;
  } finally {
    settled = true;
    for (const c of cleanup) c();
  }
}

export async function runMailBench(o: MailBenchOptions): Promise<MailBenchResults> {
  const log = o.log;
  if (!existsSync(MBSYNC)) throw new Error(`${MBSYNC} is missing: install it with \`apt-get install -y --no-install-recommends isync\` (or set BENCH_SKIP_MAIL=1)`);
  const servers = await startMailServers({ users: [{ user: USER, password: PASSWORD }], domain: TRAINING_MAIL_DOMAIN, tls: false });
  const dirs: string[] = [];
  try {
    // Sixty working days of a commune: the dossiers and documents the mails cite.
    const dataset = generateDataset({ seed: 21, now: o.now, days: 60, calendar: o.calendar });
    let t = performance.now();
    const filled = fillMaildir(servers, dataset, o.messages);
    await warmDovecot(servers, o.messages);
    const mb = filled.bytes / 1024 / 1024;
    log(`  ${o.messages.toLocaleString('en')} messages (${mb.toFixed(0)} MB, ${filled.dossiers} dossier citations) into Dovecot in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    const coreRuns: number[] = [];
    const fullRuns: number[] = [];
    const mbsyncRuns: number[] = [];
    let links = 0;
    let lastCore: Core | null = null;
    for (let r = 0; r < o.rounds; r++) {
      t = performance.now();
      const dataDir = seededCache(dataset, o.calendar, o.now);
      dirs.push(dataDir);
      log(`  cache with ${dataset.dossiers.length + dataset.documents.length} dossiers/documents seeded in ${((performance.now() - t) / 1000).toFixed(1)} s`);
      if (lastCore) await lastCore.close();
      const { core, seconds, fullSeconds } = await timeCoreSync(servers, dataDir, o.messages, log);
      lastCore = core;
      coreRuns.push(Number(seconds.toFixed(2)));
      fullRuns.push(Number(fullSeconds.toFixed(2)));
      links = linksResolved(dataDir);
      log(`  app sync: ${o.messages} messages in ${seconds.toFixed(2)} s (${Math.round(o.messages / seconds)}/s), ${links} links resolved; searchable after ${fullSeconds.toFixed(2)} s`);
      const mbs = await timeMbsync(servers, o.messages, log);
      mbsyncRuns.push(Number(mbs.toFixed(2)));
      log(`  mbsync:   ${o.messages} messages in ${mbs.toFixed(2)} s`);
    }

    const latencies: number[] = [];
    if (!lastCore) throw new Error('no core');
    // Let the IDLE watch settle after the first cycle.
    await new Promise((r) => setTimeout(r, 500));
    for (let i = 0; i < o.samples; i++) {
      latencies.push(await timeNewMail(lastCore, servers, dataset, i));
      await new Promise((r) => setTimeout(r, 200));
    }
    log(`  new mail → visible in queue.list: median ${percentile(latencies, 50)} ms, max ${percentile(latencies, 100)} ms (${latencies.length} samples)`);
    await lastCore.close();

    const best = Math.min(...coreRuns);
    const bestMbsync = Math.min(...mbsyncRuns);
    return {
      mail_messages: o.messages,
      mail_mailbox_mb: Number(mb.toFixed(1)),
      mail_sync_s: best,
      mail_sync_runs_s: coreRuns,
      mail_sync_full_s: Math.min(...fullRuns),
      mail_sync_full_runs_s: fullRuns,
      mail_sync_msgs_per_s: Math.round(o.messages / best),
      mail_links_resolved: links,
      mbsync_s: bestMbsync,
      mbsync_runs_s: mbsyncRuns,
      mail_vs_mbsync_ratio: Number((best / bestMbsync).toFixed(2)),
      mail_new_visible_ms: percentile(latencies, 50),
      mail_new_visible_max_ms: percentile(latencies, 100),
    };
  } finally {
    await servers.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}
