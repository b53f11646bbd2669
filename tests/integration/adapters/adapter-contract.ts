/**
 * The one contract every backend adapter passes, over real HTTP against its server (the training
 * sandbox here; a real backend in a staging run). It only knows BackendAdapter and a small
 * environment interface, so a new adapter (mail) plugs in by writing its makeEnv.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type AdapterDeps,
  type BackendAdapter,
  type NormalizedRecord,
  type PerformContext,
  type PerformResult,
  type QuarantinedRecord,
} from '../../../src/core/adapters/adapter';
import type { RetryInfo } from '../../../src/core/adapters/http-client';
import type { ItemAction } from '../../../src/shared/actions';
import { ItemDetailSchema } from '../../../src/shared/work-item';
import { adapterError } from '../../support/adapter-error';

export interface ContractFaults {
  latencyMs?: number;
  errorRate?: number;
  timeoutRate?: number;
  malformedRate?: number;
}

export interface ContractAdapterOptions {
  pageSize?: number;
  timeoutMs?: number;
  retries?: number;
  wrongCredentials?: boolean;
}

export interface ContractEnv {
  /** Build an adapter pointed at the server; the suite closes it. */
  makeAdapter(options?: ContractAdapterOptions, deps?: AdapterDeps): BackendAdapter;
  /** The server's ground truth right now: externalId → updatedAt (epoch ms). */
  groundTruth(): Map<string, number>;
  /** Create `count` new items now. */
  emit(count: number): Promise<void>;
  /** Change `count` existing items now (new step/status), when the server can. */
  advance?(count: number): Promise<void>;
  setFaults(faults: ContractFaults): Promise<void>;
  /** Stop the server (connection refused from now on). */
  stop(): Promise<void>;
  /** Present when the server accepts actions (adapter.perform). */
  actions?: ContractActionEnv;
  /** Release everything (idempotent, safe after stop). */
  dispose(): Promise<void>;
}

/** An item of the server's current data and an action on it. */
export interface ActionScenario {
  externalId: string;
  /** The item's updatedAt now (what the official saw). */
  baseUpdatedAt: number;
  action: ItemAction;
}

/** What the action checks need from the server besides HTTP: scenarios and ground truth. */
export interface ContractActionEnv {
  actor: PerformContext['actor'];
  /**
   * An item and an action that is legal on it now; `expectedStatus` is the status afterwards and
   * `expectedDetail` (optional) what the returned record's detail must contain.
   */
  legal(): Promise<ActionScenario & { expectedStatus: string; expectedDetail?: Record<string, unknown> }>;
  /** An item and an action that is not legal from its current status. */
  illegal(): Promise<ActionScenario>;
  /** Another official changes the item on the server now (new updatedAt). */
  touch(externalId: string): Promise<void>;
  /** Ground truth: the item now; `steps` = processing steps (dossiers), null when the backend has none. */
  item(externalId: string): { status: string; updatedAt: number; steps: number | null };
  /** Ground truth: how many times the server applied an action sent with this key (0 or 1). */
  appliedCount(key: string): number;
  /** Ground truth: how many requests with this key reached the server (retries and faults included). */
  deliveries(key: string): number;
}

export interface ContractEnvOptions {
  /** Session/token lifetime on the server, to test renewal. */
  sessionTtlMs?: number;
}

export type MakeContractEnv = (options: ContractEnvOptions) => Promise<ContractEnv>;

export interface SyncResult {
  records: NormalizedRecord[];
  quarantined: QuarantinedRecord[];
  pages: { size: number; hasMore: boolean; remaining: number | null }[];
  cursor: string | null;
}

/** Pull until hasMore is false, like the sync engine does. */
export async function syncAll(adapter: BackendAdapter, cursor: string | null = null, between?: () => Promise<void>): Promise<SyncResult> {
  const out: SyncResult = { records: [], quarantined: [], pages: [], cursor };
  for (let guard = 0; guard < 10_000; guard++) {
    const page = await adapter.pull(out.cursor);
    out.records.push(...page.records);
    out.quarantined.push(...page.quarantined);
    out.pages.push({ size: page.records.length + page.quarantined.length, hasMore: page.hasMore, remaining: page.remaining });
    out.cursor = page.cursor;
    if (!page.hasMore) return out;
    if (between) await between();
  }
  throw new Error('sync did not finish');
}

const instant: AdapterDeps = { backoff: () => 0 };

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A message for the official: Vietnamese text (letters with Vietnamese diacritics). */
const VIETNAMESE = /[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]/i;

function stepsOf(record: NormalizedRecord): number | null {
  return record.detail.source === 'procedure' ? record.detail.steps.length : null;
}

function expectApplied(result: PerformResult): NormalizedRecord {
  if (result.outcome !== 'applied') throw new Error(`expected applied, got ${JSON.stringify(result)}`);
  return result.record;
}

function expectExactlyOnce(records: NormalizedRecord[], truth: Map<string, number>): void {
  const ids = records.map((r) => r.externalId);
  expect(new Set(ids).size, 'no item is delivered twice').toBe(ids.length);
  expect([...ids].sort()).toEqual([...truth.keys()].sort());
  for (const r of records) expect(r.updatedAt, r.externalId).toBe(truth.get(r.externalId));
}

export function runAdapterContract(name: string, makeEnv: MakeContractEnv): void {
  describe(`${name} adapter contract`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });

    async function setup(options: ContractEnvOptions = {}): Promise<ContractEnv> {
      const env = await makeEnv(options);
      cleanups.push(() => env.dispose());
      return env;
    }

    function adapterOf(env: ContractEnv, options?: ContractAdapterOptions, deps: AdapterDeps = instant): BackendAdapter {
      const adapter = env.makeAdapter(options, deps);
      cleanups.push(() => adapter.close());
      return adapter;
    }

    it('full sync from a null cursor visits every item exactly once', async () => {
      const env = await setup();
      const adapter = adapterOf(env, { pageSize: 100 });
      const truth = env.groundTruth();
      expect(truth.size).toBeGreaterThan(0);
      const result = await syncAll(adapter);
      expect(result.quarantined).toEqual([]);
      expectExactlyOnce(result.records, truth);
      expect(result.pages[0]?.remaining).toBe(truth.size);
      for (const r of result.records) {
        expect(r.source).toBe(adapter.kind);
        expect(ItemDetailSchema.safeParse(r.detail).success, r.externalId).toBe(true);
        expect(Number.isFinite(r.receivedAt)).toBe(true);
        expect(r.urgency).toBeGreaterThanOrEqual(0);
        expect(r.urgency).toBeLessThanOrEqual(4);
      }
      // A pull from the final cursor answers nothing new.
      const again = await adapter.pull(result.cursor);
      expect(again.records).toEqual([]);
      expect(again.hasMore).toBe(false);
    });

    it('incremental pull after emit returns only new or changed items', async () => {
      const env = await setup();
      const adapter = adapterOf(env, { pageSize: 100 });
      const first = await syncAll(adapter);
      const before = env.groundTruth();
      await env.emit(5);
      await env.advance?.(3);
      const after = env.groundTruth();
      const changed = [...after].filter(([id, updatedAt]) => before.get(id) !== updatedAt).map(([id]) => id);
      expect(changed.length).toBeGreaterThanOrEqual(5);
      expect(changed.length).toBeLessThan(after.size);
      const next = await syncAll(adapter, first.cursor);
      expect(next.records.map((r) => r.externalId).sort()).toEqual(changed.sort());
      for (const r of next.records) expect(r.updatedAt).toBe(after.get(r.externalId));
    });

    it('paging respects pageSize', async () => {
      const env = await setup();
      const pageSize = 7;
      const adapter = adapterOf(env, { pageSize });
      const truth = env.groundTruth();
      const result = await syncAll(adapter);
      expectExactlyOnce(result.records, truth);
      for (const page of result.pages) expect(page.size).toBeLessThanOrEqual(pageSize);
      expect(result.pages.length).toBeGreaterThanOrEqual(Math.ceil(truth.size / pageSize));
      expect(result.pages.length).toBeLessThanOrEqual(Math.ceil(truth.size / pageSize) + 1);
      expect(result.pages.slice(0, -1).every((p) => p.hasMore && p.size === pageSize)).toBe(true);
      // remaining counts down
      const remaining = result.pages.map((p) => p.remaining ?? -1);
      for (let i = 1; i < remaining.length; i++) expect(remaining[i]).toBeLessThan(remaining[i - 1] ?? Infinity);
    });

    it('renews an expired session or token transparently', async () => {
      const env = await setup({ sessionTtlMs: 300 });
      const adapter = adapterOf(env, { pageSize: 40 });
      const truth = env.groundTruth();
      let pause = 0;
      const result = await syncAll(adapter, null, async () => {
        if (pause++ < 2) await sleep(450);
      });
      expectExactlyOnce(result.records, truth);
    });

    it('wrong credentials fail with auth_failed, not retried', async () => {
      const env = await setup();
      const retries: RetryInfo[] = [];
      const adapter = adapterOf(env, { wrongCredentials: true, retries: 3 }, { ...instant, onRetry: (r) => retries.push(r) });
      const error = await adapterError(adapter.pull(null));
      expect(error.code).toBe('auth_failed');
      expect(error.retryable).toBe(false);
      expect(retries).toEqual([]);
    });

    it('a stopped server fails with unreachable', async () => {
      const env = await setup();
      const adapter = adapterOf(env, { retries: 1 });
      await adapter.pull(null); // warm the keep-alive pool first
      await env.stop();
      const error = await adapterError(adapter.pull(null));
      expect(error.code).toBe('unreachable');
      expect(error.retryable).toBe(true);
    });

    it('a server that never answers fails with timeout after the retries', async () => {
      const env = await setup();
      await env.setFaults({ timeoutRate: 1 });
      const retries: RetryInfo[] = [];
      const adapter = adapterOf(env, { timeoutMs: 150, retries: 2 }, { ...instant, onRetry: (r) => retries.push(r) });
      const error = await adapterError(adapter.pull(null));
      expect(error.code).toBe('timeout');
      expect(retries.map((r) => r.error.code)).toEqual(['timeout', 'timeout']);
    });

    it('HTTP 500 faults are retried and the sync still completes (errorRate 0.3)', async () => {
      const env = await setup();
      await env.setFaults({ errorRate: 0.3 });
      const retries: RetryInfo[] = [];
      const adapter = adapterOf(env, { pageSize: 50, retries: 10 }, { ...instant, onRetry: (r) => retries.push(r) });
      const truth = env.groundTruth();
      const result = await syncAll(adapter);
      expectExactlyOnce(result.records, truth);
      expect(retries.length).toBeGreaterThan(0);
      expect(retries.every((r) => r.error.code === 'server_error')).toBe(true);
    });

    it('malformed records are quarantined while the rest land', async () => {
      const env = await setup();
      await env.setFaults({ malformedRate: 0.2 });
      const adapter = adapterOf(env, { pageSize: 50 });
      const truth = env.groundTruth();
      const result = await syncAll(adapter);
      expect(result.quarantined.length).toBeGreaterThan(0);
      expect(result.records.length).toBeGreaterThan(0);
      const landed = new Set(result.records.map((r) => r.externalId));
      expect(landed.size).toBe(result.records.length);
      for (const id of landed) expect(truth.has(id)).toBe(true);
      for (const q of result.quarantined) {
        expect(q.error.length).toBeGreaterThan(0);
        expect(Buffer.byteLength(q.raw)).toBeLessThanOrEqual(4096);
        if (q.externalId !== null) expect(landed.has(q.externalId)).toBe(false);
      }
      expect(result.records.length + result.quarantined.length).toBe(truth.size);
    });

    describe('actions (perform)', () => {
      function actionsOf(env: ContractEnv): ContractActionEnv {
        if (!env.actions) throw new Error('this environment has no action support');
        return env.actions;
      }

      function performer(adapter: BackendAdapter): NonNullable<BackendAdapter['perform']> {
        expect(adapter.capabilities.actions).toBe(true);
        const perform = adapter.perform;
        if (!perform) throw new Error('adapter without perform()');
        return perform.bind(adapter);
      }

      const ctxOf = (acts: ContractActionEnv, base: number | null, key = randomUUID()): PerformContext => ({
        idempotencyKey: key,
        baseUpdatedAt: base,
        actor: acts.actor,
      });

      it('a legal action lands once and answers the item as the backend now has it', async () => {
        const env = await setup();
        const acts = actionsOf(env);
        const adapter = adapterOf(env);
        const before = await syncAll(adapter);
        const s = await acts.legal();
        const was = acts.item(s.externalId);
        const ctx = ctxOf(acts, s.baseUpdatedAt);
        const record = expectApplied(await performer(adapter)(s.externalId, s.action, ctx));
        const now = acts.item(s.externalId);
        expect(record.externalId).toBe(s.externalId);
        expect(record.source).toBe(adapter.kind);
        expect(record.status).toBe(s.expectedStatus);
        expect(now.status).toBe(s.expectedStatus);
        expect(record.updatedAt).toBe(now.updatedAt);
        expect(record.updatedAt).toBeGreaterThan(s.baseUpdatedAt);
        if (was.steps !== null) {
          expect(now.steps).toBe(was.steps + 1);
          expect(stepsOf(record)).toBe(was.steps + 1);
        }
        expect(ItemDetailSchema.safeParse(record.detail).success).toBe(true);
        if (s.expectedDetail) expect(record.detail).toMatchObject(s.expectedDetail);
        expect(acts.appliedCount(ctx.idempotencyKey)).toBe(1);
        // The next incremental pull sees the same record as perform() answered.
        const after = await syncAll(adapter, before.cursor);
        expect(after.records.find((r) => r.externalId === s.externalId)).toEqual(record);
      });

      it('an illegal action is rejected with the backend\'s Vietnamese message, nothing changes', async () => {
        const env = await setup();
        const acts = actionsOf(env);
        const adapter = adapterOf(env);
        const s = await acts.illegal();
        const was = acts.item(s.externalId);
        const ctx = ctxOf(acts, s.baseUpdatedAt);
        const result = await performer(adapter)(s.externalId, s.action, ctx);
        if (result.outcome !== 'rejected') throw new Error(`expected rejected, got ${JSON.stringify(result)}`);
        expect(result.message).toMatch(VIETNAMESE);
        expect(acts.item(s.externalId)).toEqual(was);
        expect(acts.appliedCount(ctx.idempotencyKey)).toBe(0);
      });

      it('a stale base version answers conflict with the current record, nothing applied', async () => {
        const env = await setup();
        const acts = actionsOf(env);
        const adapter = adapterOf(env);
        const s = await acts.legal();
        await acts.touch(s.externalId);
        const now = acts.item(s.externalId);
        expect(now.updatedAt).toBeGreaterThan(s.baseUpdatedAt);
        const ctx = ctxOf(acts, s.baseUpdatedAt);
        const result = await performer(adapter)(s.externalId, s.action, ctx);
        if (result.outcome !== 'conflict') throw new Error(`expected conflict, got ${JSON.stringify(result)}`);
        expect(result.message).toMatch(VIETNAMESE);
        expect(result.current).toMatchObject({ externalId: s.externalId, status: now.status, updatedAt: now.updatedAt });
        expect(acts.item(s.externalId)).toEqual(now);
        expect(acts.appliedCount(ctx.idempotencyKey)).toBe(0);
        // Against the current version it lands.
        const retry = expectApplied(await performer(adapter)(s.externalId, s.action, ctxOf(acts, now.updatedAt)));
        expect(retry.status).toBe(s.expectedStatus);
      });

      it('the same idempotency key twice: applied once on the backend, the same answer twice', async () => {
        const env = await setup();
        const acts = actionsOf(env);
        const adapter = adapterOf(env);
        const s = await acts.legal();
        const was = acts.item(s.externalId);
        const ctx = ctxOf(acts, s.baseUpdatedAt);
        const first = expectApplied(await performer(adapter)(s.externalId, s.action, ctx));
        const second = expectApplied(await performer(adapter)(s.externalId, s.action, ctx));
        expect(second).toEqual(first);
        expect(acts.deliveries(ctx.idempotencyKey)).toBe(2);
        expect(acts.appliedCount(ctx.idempotencyKey)).toBe(1);
        const now = acts.item(s.externalId);
        expect(now.updatedAt).toBe(first.updatedAt);
        if (was.steps !== null) expect(now.steps).toBe(was.steps + 1);
      });

      it('time-outs fail with AdapterError timeout; a later retry with the same key is applied exactly once', async () => {
        const env = await setup();
        const acts = actionsOf(env);
        const s = await acts.legal();
        const was = acts.item(s.externalId);
        const retries: RetryInfo[] = [];
        const adapter = adapterOf(env, { timeoutMs: 150, retries: 2, pageSize: 1 }, { ...instant, onRetry: (r) => retries.push(r) });
        await adapter.pull(null); // signed in before the faults start
        await env.setFaults({ timeoutRate: 1 });
        const ctx = ctxOf(acts, s.baseUpdatedAt);
        const error = await adapterError(performer(adapter)(s.externalId, s.action, ctx));
        expect(error.code).toBe('timeout');
        expect(error.retryable).toBe(true);
        // Every attempt reached the server with the key (the internal retries resend it).
        expect(acts.deliveries(ctx.idempotencyKey)).toBe(3);
        expect(retries.map((r) => r.error.code)).toEqual(['timeout', 'timeout']);
        expect(acts.appliedCount(ctx.idempotencyKey)).toBeLessThanOrEqual(1);
        await env.setFaults({ timeoutRate: 0 });
        const record = expectApplied(await performer(adapter)(s.externalId, s.action, ctx));
        expect(record.status).toBe(s.expectedStatus);
        expect(acts.appliedCount(ctx.idempotencyKey)).toBe(1);
        const now = acts.item(s.externalId);
        expect(record.updatedAt).toBe(now.updatedAt);
        if (was.steps !== null) expect(now.steps).toBe(was.steps + 1);
      });

      it('an unreadable answer fails as retryable malformed; the retry reads the stored answer, applied once', async () => {
        const env = await setup();
        const acts = actionsOf(env);
        const s = await acts.legal();
        const adapter = adapterOf(env, { retries: 2, pageSize: 1 });
        await adapter.pull(null); // signed in before the faults start
        await env.setFaults({ malformedRate: 1 });
        const ctx = ctxOf(acts, s.baseUpdatedAt);
        const error = await adapterError(performer(adapter)(s.externalId, s.action, ctx));
        expect(error.code).toBe('malformed');
        expect(error.retryable).toBe(true);
        expect(acts.appliedCount(ctx.idempotencyKey)).toBe(1);
        await env.setFaults({ malformedRate: 0 });
        const record = expectApplied(await performer(adapter)(s.externalId, s.action, ctx));
        expect(record.status).toBe(s.expectedStatus);
        expect(acts.appliedCount(ctx.idempotencyKey)).toBe(1);
      });

      it('HTTP 500 faults are retried with the key and the action lands once (errorRate 0.5)', async () => {
        const env = await setup();
        const acts = actionsOf(env);
        const s = await acts.legal();
        await env.setFaults({ errorRate: 0.5 });
        const adapter = adapterOf(env, { retries: 10 });
        const ctx = ctxOf(acts, s.baseUpdatedAt);
        const record = expectApplied(await performer(adapter)(s.externalId, s.action, ctx));
        expect(record.status).toBe(s.expectedStatus);
        expect(acts.appliedCount(ctx.idempotencyKey)).toBe(1);
      });

      it('an unknown item answers not_found', async () => {
        const env = await setup();
        const acts = actionsOf(env);
        const adapter = adapterOf(env);
        const s = await acts.legal();
        const result = await performer(adapter)(`${s.externalId}-KHONG-CO`, s.action, ctxOf(acts, null));
        expect(result.outcome).toBe('not_found');
      });
    });
  });
}
