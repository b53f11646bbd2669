/**
 * Issue #5 against the real training sandbox over HTTP, the real adapters and core, and a temp
 * SQLite cache, signed in as a supervisor: the dashboard's figures equal the ones computed here
 * independently from the sandbox's own records (its dataset, not the cache); reassignment single and
 * bulk lands on the backend exactly once through the outbox; only supervisors may call the methods;
 * the authority matrix is validated; both exports read back.
 */
import ExcelJS from 'exceljs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { trainingConfig, type WorkstationConfig } from '../../../src/core/config/config.schema';
import { createCore, type Core } from '../../../src/core/core';
import { TrainingSandbox } from '../../../src/sandbox/sandbox';
import type { DossierRecord } from '../../../src/sandbox/data-generator';
import type { BackendStatus, OutboxEntry } from '../../../src/shared/api';
import type { DashboardData, ReassignOutput } from '../../../src/shared/dashboard';
import { DOSSIER_CLOSED, expectedDashboard } from '../../support/dashboard-expected';
import { ok } from '../../support/envelope';

const P = 'training-procedure';
const D = 'training-document';
const DAY = 86_400_000;
const WAIT = { timeout: 20_000, interval: 50 };
/** The pinned instant: sandbox history ends here and the core's clock stands still on it. */
const T = Math.floor(Date.now() / 1000) * 1000;

let sandbox: TrainingSandbox;
let core: Core;
const dirs: string[] = [];

function config(role: 'supervisor' | 'official'): WorkstationConfig {
  const base = trainingConfig({ procedureUrl: sandbox.procedureUrl, documentUrl: sandbox.documentUrl, credentials: sandbox.credentials, pollIntervalMs: 60_000 });
  return {
    ...base,
    user: role === 'supervisor' ? { username: 'lanhdao.thang', fullName: 'Đỗ Quang Thắng', role } : base.user,
    backends: base.backends.filter((b) => b.adapter['kind'] !== 'mail').map((b) => ({ ...b, adapter: { ...b.adapter, retries: 0, timeoutMs: 5000 } })),
  };
}

async function startCore(role: 'supervisor' | 'official'): Promise<Core> {
  const dir = mkdtempSync(join(tmpdir(), 'cw-dashboard-it-'));
  dirs.push(dir);
  const c = await createCore({ dataDir: dir, config: config(role), now: () => T, backoff: { baseMs: 50, maxMs: 200 }, outboxRetry: { baseMs: 20, maxMs: 100 } });
  c.start();
  return c;
}

async function synced(c: Core): Promise<void> {
  await vi.waitFor(async () => {
    const list = ok<BackendStatus[]>(await c.handle('backends.list', {}));
    for (const id of [P, D]) {
      const b = list.find((x) => x.id === id);
      expect(b?.lastSyncAt).not.toBeNull();
      expect(b?.state).toBe('online');
    }
  }, WAIT);
}

beforeAll(async () => {
  sandbox = await TrainingSandbox.start({ seed: 11, now: T, clock: () => T, streamIntervalMs: 0, days: 25, dossiersPerDay: 30, documentsPerDay: 8, mail: false });
  core = await startCore('supervisor');
  await synced(core);
}, 60_000);

afterAll(async () => {
  await core?.close();
  await sandbox?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function dashboard(filter: Record<string, unknown> = {}): Promise<DashboardData> {
  return ok<DashboardData>(await core.handle('dashboard.get', filter));
}

describe('dashboard over the synced sandbox', () => {
  it('shows the figures computed independently from the sandbox’s own dataset', async () => {
    const data = await dashboard({ period: 'month' });
    const e = expectedDashboard(sandbox.dossierRecords(), sandbox.documentRecords(), T, T - 30 * DAY);
    expect(e.totals.resolved).toBeGreaterThan(50);
    expect(e.totals.overdue + e.totals.paused + e.totals.dueToday).toBeGreaterThan(0);
    expect(data.totals).toMatchObject(e.totals);
    expect(data.totals.onTimeRate).toBeCloseTo(e.totals.onTime / e.totals.resolved, 10);
    for (const [who, figures] of e.byOfficial) {
      const row = data.officials.find((o) => (o.username ?? '(none)') === who && (who !== '(none)' || o.name === 'Chưa phân công'));
      expect(row, who).toMatchObject(figures);
    }
    for (const [name, figures] of e.resolvedByName) {
      expect(data.officials.find((o) => o.name === name && o.resolved > 0), name).toMatchObject(figures);
    }
    for (const [kind, figures] of e.resolvedByKind) {
      expect(data.procedures.find((p) => p.source === 'procedure' && p.kind === kind), kind).toMatchObject(figures);
    }
    expect(Object.fromEntries(data.aging.map((a) => [a.bucket, a.count]))).toEqual(e.aging);
    expect(data.lateTotal).toBe(e.lateTotal);
    expect(data.periods.reduce((n, p) => n + p.resolved, 0)).toBe(e.totals.resolved);
  });

  it('filters by official and by procedure with the same independent figures', async () => {
    const someone = sandbox.dossierRecords().find((d) => d.status === '4' && d.assignee)?.assignee;
    expect(someone).toBeDefined();
    const username = someone?.username ?? '';
    const mine = await dashboard({ period: 'quarter', official: username });
    const e = expectedDashboard(sandbox.dossierRecords(), sandbox.documentRecords(), T, T - 90 * DAY);
    expect(mine.totals).toMatchObject({
      ...e.byOfficial.get(username),
      resolved: e.resolvedByName.get(someone?.fullName ?? '')?.resolved ?? 0,
      onTime: e.resolvedByName.get(someone?.fullName ?? '')?.onTime ?? 0,
    });
    const kind = [...e.resolvedByKind.keys()][0] ?? '';
    const byKind = await dashboard({ period: 'quarter', procedure: kind });
    expect(byKind.totals).toMatchObject(e.resolvedByKind.get(kind) ?? {});
  });

  it('refuses other roles, and bad filters, in Vietnamese', async () => {
    const official = await startCore('official');
    try {
      const answer = await official.handle('dashboard.get', {});
      expect(answer).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
      expect(answer.ok ? '' : answer.error.message).toContain('Chỉ lãnh đạo');
      for (const m of ['dashboard.export', 'dashboard.reassign', 'authority.set']) {
        const input = m === 'dashboard.export' ? { format: 'pdf' } : m === 'authority.set' ? { rules: [] } : { items: [{ id: 'x', baseUpdatedAt: 0 }], toUser: 'canbo.mai' };
        expect(await official.handle(m, input)).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
      }
      // The matrix is readable by every role (the queue row's mark).
      expect((await official.handle('authority.get', {})).ok).toBe(true);
    } finally {
      await official.close();
    }
    expect(await core.handle('dashboard.get', { period: 'decade' })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });
});

describe('reassignment through the outbox', () => {
  async function waitDone(ids: string[]): Promise<void> {
    await vi.waitFor(async () => {
      const { entries } = ok<{ entries: OutboxEntry[] }>(await core.handle('outbox.list', { limit: 1000 }));
      for (const id of ids) expect(entries.find((x) => x.id === id)?.state, id).toBe('done');
    }, WAIT);
  }

  function pick(statuses: string[], count: number, exclude: Set<string>): DossierRecord[] {
    const out = sandbox
      .dossierRecords()
      .filter((d) => statuses.includes(d.status) && d.assignee?.username !== 'canbo.mai' && !exclude.has(d.code))
      .slice(0, count);
    for (const d of out) exclude.add(d.code);
    return out;
  }

  const used = new Set<string>();

  it('hands one dossier to another official, exactly once on the backend', async () => {
    const [d] = pick(['4'], 1, used);
    expect(d).toBeDefined();
    const item = `${P}:${d?.code}`;
    const answer = ok<ReassignOutput>(await core.handle('dashboard.reassign', { items: [{ id: item, baseUpdatedAt: d?.updatedAt }], toUser: 'canbo.mai', note: 'Điều chỉnh phân công' }));
    expect(answer.refused).toEqual([]);
    expect(answer.queued).toHaveLength(1);
    await waitDone(answer.queued.map((q) => q.entryId));
    const rec = sandbox.dossierRecords().find((x) => x.code === d?.code);
    expect(rec?.assignee?.username).toBe('canbo.mai');
    const key = answer.queued[0]?.entryId ?? '';
    expect(sandbox.actionLog().filter((a) => a.key === key)).toEqual([expect.objectContaining({ id: d?.code, action: 'dossier.forward' })]);
    // The cache shows the new handler once the backend's answer landed.
    const cached = ok<{ item: { assignee: string | null; assigneeName: string | null } }>(await core.handle('item.get', { id: item }));
    expect(cached.item).toMatchObject({ assignee: 'canbo.mai', assigneeName: 'Lê Thị Mai' });
  });

  it('bulk: one outbox entry per item, stored together, each applied once; items that cannot move are refused with the reason', async () => {
    const dossiers = pick(['2', '4'], 3, used);
    const waiting = pick(['5'], 1, used);
    const doc = sandbox.documentRecords().find((x) => ['03', '04', '05'].includes(x.status) && x.handler?.username !== 'canbo.mai');
    expect(dossiers).toHaveLength(3);
    expect(waiting).toHaveLength(1);
    expect(doc).toBeDefined();
    const items = [
      ...dossiers.map((d) => ({ id: `${P}:${d.code}`, baseUpdatedAt: d.updatedAt })),
      { id: `${P}:${waiting[0]?.code}`, baseUpdatedAt: waiting[0]?.updatedAt ?? 0 },
      { id: `${D}:${doc?.docId}`, baseUpdatedAt: doc?.updatedAt ?? 0 },
    ];
    const answer = ok<ReassignOutput>(await core.handle('dashboard.reassign', { items, toUser: 'canbo.mai' }));
    expect(answer.queued.map((q) => q.itemId)).toEqual([0, 1, 2, 4].map((i) => items[i]?.id));
    expect(answer.refused).toEqual([{ itemId: items[3]?.id, message: expect.stringContaining('Chờ bổ sung giấy tờ') }]);
    await waitDone(answer.queued.map((q) => q.entryId));
    for (const q of answer.queued) {
      expect(sandbox.actionLog().filter((a) => a.key === q.entryId), q.itemId).toHaveLength(1);
    }
    for (const d of dossiers) expect(sandbox.dossierRecords().find((x) => x.code === d.code)?.assignee?.username).toBe('canbo.mai');
    expect(sandbox.documentRecords().find((x) => x.docId === doc?.docId)?.handler?.username).toBe('canbo.mai');
    // Unknown target: nothing queued.
    expect(await core.handle('dashboard.reassign', { items: [items[0]], toUser: 'canbo.khongco' })).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringContaining('Không có cán bộ') } });
  });
});

describe('authority matrix and exports through the core', () => {
  it('stores a valid matrix, flags items outside it, and rejects invalid input without losing the stored one', async () => {
    const data = await dashboard();
    const kind = data.choices.kinds.find((k) => k.source === 'procedure')?.kind ?? '';
    const set = await core.handle('authority.set', { rules: [{ source: 'procedure', kind, username: 'canbo.tuan' }] });
    expect(set.ok).toBe(true);
    const expectedFlags = sandbox
      .dossierRecords()
      .filter((d) => !DOSSIER_CLOSED.has(d.status) && d.procedure.name === kind && d.assignee && d.assignee.username !== 'canbo.tuan').length;
    const after = await dashboard();
    expect(after.totals.outsideAuthority).toBe(expectedFlags);
    const bad = await core.handle('authority.set', { rules: [{ source: 'procedure', kind, username: 'ai.do' }] });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringContaining('Không có cán bộ "ai.do"') } });
    const malformed = await core.handle('authority.set', { rules: [{ source: 'fax', kind: '', username: '' }] });
    expect(malformed).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    const stored = ok<{ rules: unknown[] }>(await core.handle('authority.get', {}));
    expect(stored.rules).toEqual([{ source: 'procedure', kind, username: 'canbo.tuan' }]);
    expect(ok<{ rules: unknown[] }>(await core.handle('authority.set', { rules: [] })).rules).toEqual([]);
  });

  it('exports the same figures as an Excel workbook and a PDF', async () => {
    const data = await dashboard({ period: 'month' });
    const xlsx = ok<{ filename: string; base64: string; mimeType: string }>(await core.handle('dashboard.export', { filter: { period: 'month' }, format: 'xlsx' }));
    expect(xlsx.filename).toMatch(/^bao-cao-dieu-hanh-\d{8}-\d{4}\.xlsx$/);
    const wb = new ExcelJS.Workbook();
    const bytes = Buffer.from(xlsx.base64, 'base64');
    await wb.xlsx.load(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    const rows = new Map<string, unknown>();
    wb.getWorksheet('Tổng hợp')?.eachRow((r) => rows.set(String(r.getCell(1).value), r.getCell(2).value));
    expect(rows.get('Hồ sơ đã giải quyết trong kỳ')).toBe(data.totals.resolved);
    expect(rows.get('Quá hạn')).toBe(data.totals.overdue);
    expect(wb.getWorksheet('Theo cán bộ')?.rowCount).toBe(data.officials.length + 1);
    const pdf = ok<{ filename: string; base64: string; mimeType: string }>(await core.handle('dashboard.export', { filter: { period: 'month' }, format: 'pdf' }));
    expect(pdf.mimeType).toBe('application/pdf');
    expect(Buffer.from(pdf.base64, 'base64').subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });
});
