/**
 * Runs the shared adapter contract for every adapter against the training sandbox over real HTTP.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createAdapter } from '../../../src/core/adapters/adapter.registry';
import { parseVnDateTime } from '../../../src/core/adapters/backend-date.util';
import { DocumentAdapter } from '../../../src/core/adapters/document.adapter';
import { ProcedureAdapter } from '../../../src/core/adapters/procedure.adapter';
import { TrainingSandbox } from '../../../src/sandbox/sandbox';
import { runAdapterContract, syncAll, type ContractActionEnv, type ContractEnv, type ContractEnvOptions } from './adapter-contract';

/** A small, fast sandbox: 5 working days of history, no background stream. */
async function startSandbox(options: ContractEnvOptions): Promise<TrainingSandbox> {
  return TrainingSandbox.start({
    seed: 42,
    days: 5,
    dossiersPerDay: 40,
    documentsPerDay: 12,
    streamIntervalMs: 0,
    ...(options.sessionTtlMs !== undefined ? { sessionTtlMs: options.sessionTtlMs } : {}),
  });
}

const ACTOR = { username: 'canbo.lan', fullName: 'Nguyễn Thị Lan' };

/** Ground truth shared by both systems' action envs. */
function actionTruth(sandbox: TrainingSandbox): Pick<ContractActionEnv, 'actor' | 'appliedCount' | 'deliveries'> {
  return {
    actor: ACTOR,
    appliedCount: (key) => sandbox.actionLog().filter((e) => e.key === key).length,
    deliveries: (key) => sandbox.deliveries(key),
  };
}

function dossierActions(sandbox: TrainingSandbox): ContractActionEnv {
  const find = (statuses: string[]) => {
    const d = sandbox.dossiers().find((x) => statuses.includes(x.TrangThaiHoSo));
    if (!d) throw new Error(`no dossier in status ${statuses.join('|')}`);
    return { externalId: d.MaHoSo, baseUpdatedAt: toMs(d.NgayCapNhat) };
  };
  return {
    ...actionTruth(sandbox),
    legal: () =>
      Promise.resolve({
        ...find(['2', '4']),
        action: { kind: 'dossier.requestSupplement', missing: 'Bản sao Căn cước công dân của người yêu cầu' },
        expectedStatus: '5',
      }),
    illegal: () => Promise.resolve({ ...find(['2', '4']), action: { kind: 'dossier.returnResult', method: 0 } }),
    touch(id) {
      if (!sandbox.touchDossier(id)) throw new Error(`unknown dossier ${id}`);
      return Promise.resolve();
    },
    item(id) {
      const d = sandbox.dossiers().find((x) => x.MaHoSo === id);
      if (!d) throw new Error(`unknown dossier ${id}`);
      return { status: d.TrangThaiHoSo, updatedAt: toMs(d.NgayCapNhat), steps: d.QuaTrinhXuLy.length };
    },
  };
}

function documentActions(sandbox: TrainingSandbox): ContractActionEnv {
  const arrived = () => {
    let doc = sandbox.documents().find((x) => x.Status === '01');
    if (!doc) {
      const [id] = sandbox.emit('document', 1);
      doc = sandbox.documents().find((x) => x.DocId === id && x.Status === '01');
    }
    if (!doc) throw new Error('no document in status 01');
    return { externalId: doc.DocId, baseUpdatedAt: toMs(doc.UpdatedAt) };
  };
  return {
    ...actionTruth(sandbox),
    legal() {
      const incomingDate = Math.floor(Date.now() / 1000) * 1000;
      return Promise.resolve({
        ...arrived(),
        action: { kind: 'document.register', incomingNumber: 'HĐ-0042', incomingDate },
        expectedStatus: '03',
        expectedDetail: { incomingNumber: 'HĐ-0042', incomingDate },
      });
    },
    illegal: () => Promise.resolve({ ...arrived(), action: { kind: 'document.done', note: 'Xong' } }),
    touch(id) {
      if (!sandbox.touchDocument(id)) throw new Error(`unknown document ${id}`);
      return Promise.resolve();
    },
    item(id) {
      const d = sandbox.documents().find((x) => x.DocId === id);
      if (!d) throw new Error(`unknown document ${id}`);
      return { status: d.Status, updatedAt: toMs(d.UpdatedAt), steps: null };
    },
  };
}

function env(sandbox: TrainingSandbox, kind: 'procedure' | 'document', truth: () => Map<string, number>): ContractEnv {
  let disposed = false;
  return {
    actions: kind === 'procedure' ? dossierActions(sandbox) : documentActions(sandbox),
    makeAdapter(options = {}, deps = {}) {
      const common = {
        id: `${kind}-test`,
        label: `${kind} (sandbox)`,
        pageSize: options.pageSize ?? 100,
        timeoutMs: options.timeoutMs ?? 5000,
        retries: options.retries ?? 2,
      };
      const c = sandbox.credentials;
      const config =
        kind === 'procedure'
          ? {
              kind,
              ...common,
              baseUrl: sandbox.procedureUrl,
              username: c.procedure.username,
              password: options.wrongCredentials ? `${c.procedure.password}-wrong` : c.procedure.password,
            }
          : {
              kind,
              ...common,
              baseUrl: sandbox.documentUrl,
              clientId: c.document.clientId,
              clientSecret: options.wrongCredentials ? `${c.document.clientSecret}-wrong` : c.document.clientSecret,
            };
      return createAdapter(config, deps);
    },
    groundTruth: truth,
    emit(count) {
      sandbox.emit(kind, count);
      return Promise.resolve();
    },
    advance(count) {
      for (let i = 0; i < count; i++) sandbox.advance(kind);
      return Promise.resolve();
    },
    setFaults(faults) {
      sandbox.setFaults(faults);
      return Promise.resolve();
    },
    async stop() {
      await sandbox.stop();
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      await sandbox.stop();
    },
  };
}

function toMs(value: string | number): number {
  if (typeof value === 'number') return value;
  const ms = parseVnDateTime(value);
  if (ms === null) throw new Error(`bad timestamp ${value}`);
  return ms;
}

runAdapterContract('procedure', async (options) => {
  const sandbox = await startSandbox(options);
  return env(sandbox, 'procedure', () => new Map(sandbox.dossiers().map((d) => [d.MaHoSo, toMs(d.NgayCapNhat)])));
});

runAdapterContract('document', async (options) => {
  const sandbox = await startSandbox(options);
  return env(sandbox, 'document', () => new Map(sandbox.documents().map((d) => [d.DocId, toMs(d.UpdatedAt)])));
});

describe('adapter-specific calls against the sandbox', () => {
  let sandbox: TrainingSandbox | null = null;
  afterEach(async () => {
    await sandbox?.stop();
    sandbox = null;
  });

  it('procedure: lookup and procedure catalogue', async () => {
    sandbox = await startSandbox({});
    const c = sandbox.credentials.procedure;
    const adapter = new ProcedureAdapter({ id: 'p', label: 'p', baseUrl: sandbox.procedureUrl, username: c.username, password: c.password });
    try {
      const first = sandbox.dossiers()[0];
      if (!first) throw new Error('empty sandbox');
      const found = await adapter.lookup(first.MaHoSo);
      expect(found?.externalId).toBe(first.MaHoSo);
      expect(found?.updatedAt).toBe(toMs(first.NgayCapNhat));
      expect(await adapter.lookup('000.00.00.H26-000000-0000')).toBeNull();
      const procedures = await adapter.listProcedures();
      expect(procedures.length).toBeGreaterThan(5);
      expect(new Set(procedures.map((p) => p.unit))).toEqual(new Set(['working', 'calendar', 'same_day']));
    } finally {
      await adapter.close();
    }
  });

  it('document: status feedback reaches the gateway and shows up in the next pull', async () => {
    sandbox = await startSandbox({});
    const c = sandbox.credentials.document;
    const adapter = new DocumentAdapter({ id: 'd', label: 'd', baseUrl: sandbox.documentUrl, clientId: c.clientId, clientSecret: c.clientSecret });
    try {
      const first = await syncAll(adapter);
      // 04 (assigned) → 05 (in progress) is a legal transition.
      const target = sandbox.documents().find((d) => d.Status === '04');
      if (!target) throw new Error('empty sandbox');
      await expect(adapter.sendStatus(target.DocId, { statusCode: '05', description: 'Đang xử lý', handler: 'canbo.lan' })).resolves.toEqual({ status: '05' });
      expect(sandbox.statusFeedback().at(-1)).toMatchObject({ DocId: target.DocId, StatusCode: '05', Handler: 'canbo.lan' });
      const next = await syncAll(adapter, first.cursor);
      expect(next.records.map((r) => [r.externalId, r.status])).toEqual([[target.DocId, '05']]);
    } finally {
      await adapter.close();
    }
  });
});
