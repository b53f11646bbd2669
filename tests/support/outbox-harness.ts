/**
 * The outbox crash-and-fault harness, shared by tests/integration/core/outbox-crash.test.ts (N = 100)
 * and `npm run bench` (N = 1000).
 *
 * The core runs as its own process (src/core/main.ts forked with tsx, as Electron runs it), the
 * TrainingSandbox in this process with faults (HTTP 500s, answers that never come — some after the
 * action was applied —, latency). Legal actions are submitted over the core channel, chosen from
 * each item's current (optimistic) status; the core is SIGKILLed at seeded random moments and
 * restarted on the same data directory. At the end the outbox (read from the database file) is
 * compared with the sandbox's ground truth: every action applied exactly once, the cache's status
 * of every touched item equal to the sandbox's.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TRAINING_DOCUMENT_BACKEND_ID, TRAINING_PROCEDURE_BACKEND_ID, TRAINING_OFFICIALS } from '../../src/core/config/config.schema';
import { AuditLog } from '../../src/core/audit/audit.log';
import { mulberry32 } from '../../src/sandbox/prng';
import { TrainingSandbox } from '../../src/sandbox/sandbox';
import type { ItemAction } from '../../src/shared/actions';
import { CoreToParentSchema, type CoreToParent, type ParentToCore } from '../../src/shared/core-channel';
import type { Envelope } from '../../src/shared/api';
import { openTestCache } from './cache-file';

const ROOT = resolve(import.meta.dirname, '../..');

/** A small seeded PRNG: the sandbox's mulberry32. */
export const prng = mulberry32;

export class CoreKilledError extends Error {
  constructor() {
    super('the core process died before answering');
    this.name = 'CoreKilledError';
  }
}

/** The core as a child process, spoken to over the core channel. */
export class CoreProcess {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, { ok: (e: Envelope<unknown>) => void; fail: (e: Error) => void }>();
  private nextId = 0;
  private dead = false;
  readonly ready: Promise<void>;
  readonly exited: Promise<number | null>;

  constructor(dataDir: string, onEvent?: (event: unknown) => void) {
    this.child = fork(join(ROOT, 'src/core/main.ts'), [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, CW_DATA_DIR: dataDir },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    let readyOk: () => void = () => undefined;
    let readyFail: (e: Error) => void = () => undefined;
    this.ready = new Promise<void>((ok, fail) => {
      readyOk = ok;
      readyFail = fail;
    });
    this.exited = new Promise((ok) => {
      this.child.once('exit', (code) => {
        this.dead = true;
        for (const p of this.pending.values()) p.fail(new CoreKilledError());
        this.pending.clear();
        readyFail(new Error(`core exited (${code}) before it was ready`));
        ok(code);
      });
    });
    this.child.on('message', (raw) => {
      const parsed = CoreToParentSchema.safeParse(raw);
      if (!parsed.success) return;
      const m: CoreToParent = parsed.data;
      if (m.type === 'ready') readyOk();
      else if (m.type === 'fatal') readyFail(new Error(m.message));
      else if (m.type === 'event') onEvent?.(m.event);
      else if (m.type === 'result') {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        p?.ok(m.envelope as Envelope<unknown>);
      }
    });
  }

  get alive(): boolean {
    return !this.dead;
  }

  call<T>(method: string, input: unknown): Promise<T> {
    if (this.dead) return Promise.reject(new CoreKilledError());
    const id = ++this.nextId;
    return new Promise<T>((ok, fail) => {
      this.pending.set(id, {
        ok: (envelope) => {
          if (envelope.ok) ok(envelope.data as T);
          else fail(Object.assign(new Error(`${method}: ${envelope.error.code} ${envelope.error.message}`), { code: envelope.error.code }));
        },
        fail,
      });
      this.child.send({ type: 'call', id, method, input } satisfies ParentToCore);
    });
  }

  kill(): Promise<number | null> {
    if (!this.dead) this.child.kill('SIGKILL');
    return this.exited;
  }

  async shutdown(): Promise<void> {
    if (this.dead) return;
    this.child.send({ type: 'shutdown' } satisfies ParentToCore);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
  }
}

export interface CrashScenarioOptions {
  /** Acknowledged submits to make. */
  actions: number;
  /** SIGKILLs of the core (spread over submitting and draining). */
  kills: number;
  seed: number;
  /** Give up waiting for the outbox to drain after this long. */
  drainBudgetMs: number;
  faults?: { errorRate?: number; timeoutRate?: number; latencyMs?: number };
  /** The adapters' per-attempt time-out (short: the sandbox's held answers end quickly). */
  clientTimeoutMs?: number;
  log?: (msg: string) => void;
}

export interface CrashScenarioResult {
  acknowledged: number;
  /** Submits whose answer never came (the core died meanwhile); in the outbox or not. */
  unacknowledged: number;
  outboxEntries: number;
  states: Record<string, number>;
  appliedOnBackend: number;
  /** Acknowledged or stored actions the backend never applied. */
  lost: number;
  /** Idempotency keys the backend applied more than once. */
  duplicates: number;
  /** Actions the backend applied that the outbox does not know. */
  unknownApplied: number;
  /** Touched items whose cached status differs from the backend's. */
  cacheMismatches: Array<{ id: string; cache: string | null; backend: string | null }>;
  touchedItems: number;
  kills: number;
  /** Requests that reached the sandbox with an action key (retries and faults included). */
  deliveries: number;
  durationMs: number;
  drained: boolean;
  /** Outbox events from the audit trail: sends, retries scheduled, sends resumed after a kill… */
  events: Record<string, number>;
  /** The audit hash chain verified after all the kills. */
  auditOk: boolean;
}

interface ItemView {
  id: string;
  source: string;
  externalId: string;
  status: string;
  updatedAt: number;
  pendingActions: number;
}

const OFFICIALS = TRAINING_OFFICIALS.map((o) => o.username).filter((u) => u !== 'canbo.lan');

/** A legal next action for an item in `status` (its optimistic status), or null. */
function nextAction(source: string, status: string, rnd: () => number): ItemAction | null {
  const who = OFFICIALS[Math.floor(rnd() * OFFICIALS.length)] ?? 'canbo.mai';
  if (source === 'procedure') {
    if (status === '2' || status === '4') {
      return rnd() < 0.6
        ? { kind: 'dossier.forward', toUser: who, note: 'Chuyển xử lý (kiểm thử)' }
        : { kind: 'dossier.requestSupplement', missing: 'Bản sao giấy tờ tùy thân', note: 'Kiểm thử' };
    }
    if (status === '5') return { kind: 'dossier.supplementReceived', note: 'Đã nhận đủ' };
    return null;
  }
  if (source === 'document') {
    if (status === '03' || status === '05') return { kind: 'document.assign', lead: who, cooperating: [], forInfo: [] };
    if (status === '04') return rnd() < 0.5 ? { kind: 'document.inProgress' } : { kind: 'document.assign', lead: who, cooperating: [], forInfo: [] };
    return null;
  }
  return null;
}

function writeConfig(dataDir: string, sandbox: TrainingSandbox, timeoutMs: number): void {
  const c = sandbox.credentials;
  const config = {
    office: { name: 'UBND phường Ngọc Hà', unitCode: '000.26.13.H26', officials: TRAINING_OFFICIALS },
    user: { username: 'canbo.lan', fullName: 'Nguyễn Thị Lan', role: 'official' },
    backends: [
      {
        adapter: {
          kind: 'procedure', id: TRAINING_PROCEDURE_BACKEND_ID, label: 'Một cửa điện tử (đào tạo)', baseUrl: sandbox.procedureUrl,
          username: c.procedure.username, password: c.procedure.password, timeoutMs, retries: 1,
        },
        pollIntervalMs: 1000,
        training: true,
      },
      {
        adapter: {
          kind: 'document', id: TRAINING_DOCUMENT_BACKEND_ID, label: 'Quản lý văn bản (đào tạo)', baseUrl: sandbox.documentUrl,
          clientId: c.document.clientId, clientSecret: c.document.clientSecret, timeoutMs, retries: 1,
        },
        pollIntervalMs: 1000,
        training: true,
      },
    ],
    outbox: { retryBaseMs: 50, retryMaxMs: 1000, maxAttempts: 8 },
  };
  writeFileSync(join(dataDir, 'config.json'), JSON.stringify(config, null, 2));
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, probe: () => Promise<T | null>, timeoutMs: number, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => null);
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

interface BackendRow {
  id: string;
  state: string;
  itemCount: number;
  lastSyncAt: number | null;
}

export async function runOutboxCrashScenario(options: CrashScenarioOptions): Promise<CrashScenarioResult> {
  const log = options.log ?? (() => undefined);
  const rnd = prng(options.seed);
  const started = performance.now();
  const sandbox = await TrainingSandbox.start({ seed: options.seed, days: 8, streamIntervalMs: 0 });
  const dataDir = mkdtempSync(join(tmpdir(), 'cw-outbox-crash-'));
  writeConfig(dataDir, sandbox, options.clientTimeoutMs ?? 300);
  let core = new CoreProcess(dataDir);
  let kills = 0;
  const acked = new Set<string>();
  let unacknowledged = 0;
  try {
    await core.ready;
    // First sync without faults (it is not what this run measures).
    const expected = sandbox.counts().dossiers + sandbox.counts().documents;
    await waitFor(
      'the first sync',
      async () => {
        const rows = await core.call<BackendRow[]>('backends.list', {});
        return rows.reduce((n, b) => n + b.itemCount, 0) >= expected ? rows : null;
      },
      60_000,
    );
    sandbox.setFaults({ errorRate: 0.1, timeoutRate: 0.1, latencyMs: 2, ...options.faults });

    const listed: ItemView[] = [];
    for (let offset = 0; offset < 2000; offset += 500) {
      const page = await core.call<{ items: ItemView[]; hasMore: boolean }>('queue.list', { filter: { scope: 'all' }, offset, limit: 500 });
      listed.push(...page.items);
      if (!page.hasMore) break;
    }
    const candidates = listed.filter((i) => nextAction(i.source, i.status, () => 0) !== null);
    // A pool of items, each receiving several chained actions (its line stays ordered).
    const pool = candidates.filter(() => rnd() < 0.5).slice(0, Math.max(20, Math.ceil(options.actions / 4)));
    log(`  ${pool.length} items in play, ${candidates.length} candidates`);

    const kill = async (target: CoreProcess): Promise<void> => {
      if (!target.alive) return;
      kills += 1;
      await target.kill();
    };
    const restart = async (): Promise<void> => {
      await kill(core);
      core = new CoreProcess(dataDir);
      await core.ready;
    };
    // Kill points: after a seeded number of acknowledged submits, and some while draining.
    const submitKills = Math.ceil(options.kills / 2);
    const killAt = new Set<number>();
    while (killAt.size < submitKills) killAt.add(1 + Math.floor(rnd() * (options.actions - 1)));

    let cursor = 0;
    let stuck = 0;
    while (acked.size < options.actions) {
      const pick = pool[cursor % pool.length] as ItemView;
      cursor += 1;
      if (killAt.has(acked.size)) {
        killAt.delete(acked.size);
        // A random moment: mid-call or between calls.
        const delay = Math.floor(rnd() * 15);
        const target = core;
        setTimeout(() => void kill(target), delay);
      }
      try {
        const current = await core.call<{ item: ItemView }>('item.get', { id: pick.id });
        const action = nextAction(current.item.source, current.item.status, rnd);
        if (!action) {
          if (++stuck > pool.length * 3) throw new Error('no legal action left on the pool');
          continue;
        }
        stuck = 0;
        const entry = await core.call<{ id: string }>('action.submit', { itemId: pick.id, action, baseUpdatedAt: current.item.updatedAt });
        acked.add(entry.id);
      } catch (error) {
        if (!(error instanceof CoreKilledError)) {
          // An action that became illegal (a needs_attention entry no longer applies): pick another item.
          if ((error as { code?: string }).code === 'invalid_input') continue;
          throw error;
        }
        unacknowledged += 1;
        await core.exited;
        core = new CoreProcess(dataDir);
        await core.ready;
      }
    }
    log(`  ${acked.size} submits acknowledged (${unacknowledged} lost mid-call), ${kills} kills so far`);

    // Drain, killing a few more times at random moments.
    // Let a kill scheduled at the last submit land before counting.
    await sleep(20);
    if (!core.alive) {
      core = new CoreProcess(dataDir);
      await core.ready;
    }
    const drainKills = Math.max(0, options.kills - kills);
    const deadline = Date.now() + options.drainBudgetMs;
    let drained = false;
    for (let k = 0; !drained && Date.now() < deadline; ) {
      if (k < drainKills) {
        await sleep(100 + Math.floor(rnd() * 700));
        await restart();
        k += 1;
      } else await sleep(100);
      const counts = await core
        .call<{ counts: Record<string, number> }>('outbox.list', { limit: 1 })
        .then((r) => r.counts)
        .catch(() => null);
      drained = counts !== null && k >= drainKills && (counts['pending'] ?? 0) + (counts['sending'] ?? 0) === 0;
    }

    // The final comparison: faults off, one full sync after everything settled.
    sandbox.setFaults({ errorRate: 0, timeoutRate: 0, latencyMs: 0 });
    const syncFrom = Date.now();
    await core.call('sync.now', {});
    await waitFor(
      'a clean sync',
      async () => {
        const rows = await core.call<BackendRow[]>('backends.list', {});
        return rows.every((b) => b.state === 'online' && (b.lastSyncAt ?? 0) >= syncFrom) ? rows : null;
      },
      30_000,
    );
    await core.shutdown();

    // Ground truth on both sides.
    const db = await openTestCache(dataDir);
    let outbox: Array<{ id: string; item_id: string; state: string }>;
    let cacheStatus: Map<string, string>;
    const events: Record<string, number> = {};
    let auditOk = false;
    try {
      for (const r of db
        .prepare<[], { ev: string | null; n: number }>("SELECT json_extract(data_json, '$.event') AS ev, COUNT(*) AS n FROM audit_log GROUP BY ev")
        .all()) {
        events[r.ev ?? 'none'] = r.n;
      }
      auditOk = new AuditLog(db, Date.now).verify().ok;
      outbox = db.prepare<[], { id: string; item_id: string; state: string }>('SELECT id, item_id, state FROM outbox').all();
      cacheStatus = new Map(
        db.prepare<[], { id: string; status: string }>('SELECT id, status FROM items WHERE id IN (SELECT item_id FROM outbox)').all().map((r) => [r.id, r.status]),
      );
    } finally {
      db.close();
    }
    const states: Record<string, number> = {};
    for (const e of outbox) states[e.state] = (states[e.state] ?? 0) + 1;
    const known = new Set(outbox.map((e) => e.id));
    const appliedCount = new Map<string, number>();
    for (const a of sandbox.actionLog()) appliedCount.set(a.key, (appliedCount.get(a.key) ?? 0) + 1);
    const duplicates = [...appliedCount.values()].filter((n) => n > 1).length;
    const shouldApply = new Set([...acked, ...outbox.filter((e) => e.state === 'done').map((e) => e.id)]);
    const lost = [...shouldApply].filter((id) => !appliedCount.has(id) || !known.has(id)).length;
    const unknownApplied = [...appliedCount.keys()].filter((k) => !known.has(k)).length;
    let deliveries = 0;
    for (const id of known) deliveries += sandbox.deliveries(id);

    const backendStatus = new Map<string, string>();
    for (const d of sandbox.dossiers()) backendStatus.set(`${TRAINING_PROCEDURE_BACKEND_ID}:${d.MaHoSo}`, d.TrangThaiHoSo);
    for (const d of sandbox.documents()) backendStatus.set(`${TRAINING_DOCUMENT_BACKEND_ID}:${d.DocId}`, d.Status);
    const touched = [...new Set(outbox.map((e) => e.item_id))];
    const cacheMismatches = touched
      .map((id) => ({ id, cache: cacheStatus.get(id) ?? null, backend: backendStatus.get(id) ?? null }))
      .filter((m) => m.cache !== m.backend);

    return {
      acknowledged: acked.size,
      unacknowledged,
      outboxEntries: outbox.length,
      states,
      appliedOnBackend: appliedCount.size,
      lost,
      duplicates,
      unknownApplied,
      cacheMismatches,
      touchedItems: touched.length,
      kills,
      deliveries,
      durationMs: Math.round(performance.now() - started),
      drained,
      events,
      auditOk,
    };
  } finally {
    await core.kill().catch(() => undefined);
    await sandbox.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
