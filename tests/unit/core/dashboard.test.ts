/**
 * Issue #5: the dashboard's figures on a hand-built cache (real SQLite file, the queue's own upsert),
 * each expected value worked out by hand below; the authority matrix (validation, audit, flags);
 * migration 007 on a version-6 file; exports read back (exceljs, pdfjs-dist).
 */
import type Database from 'better-sqlite3';
import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NormalizedRecord } from '../../../src/core/adapters/adapter';
import { ApiFailure } from '../../../src/core/api/api.dispatcher';
import { AuditLog } from '../../../src/core/audit/audit.log';
import { AuthorityService } from '../../../src/core/dashboard/authority.service';
import { dashboardPdf, dashboardWorkbook, SHEET_NAMES, vnPercent } from '../../../src/core/dashboard/dashboard.export';
import { DashboardService, weekStart } from '../../../src/core/dashboard/dashboard.service';
import { openCacheDatabase } from '../../../src/core/db/cache.database';
import { MIGRATIONS, schemaVersion } from '../../../src/core/db/migrations';
import { migration007Dashboard } from '../../../src/core/db/migrations/007-dashboard';
import { defaultCalendar } from '../../../src/core/deadline';
import { calendarDeadlinePolicy } from '../../../src/core/queue/deadline.policy';
import { QueueService } from '../../../src/core/queue/queue.service';
import { SyncStateRepository } from '../../../src/core/sync/sync-state.repository';
import type { CoreEvent } from '../../../src/shared/api';
import { DashboardFilterSchema, type DashboardData, type DashboardFilter } from '../../../src/shared/dashboard';
import type { DossierDetail, ProcessingStep } from '../../../src/shared/work-item';
import { document, dossier, NOW, tempDir } from './fixtures/records.fixture';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const OFFICIALS = [
  { username: 'canbo.lan', fullName: 'Nguyễn Thị Lan' },
  { username: 'canbo.mai', fullName: 'Lê Thị Mai' },
  { username: 'canbo.huong', fullName: 'Hoàng Thu Hương' },
  { username: 'canbo.tuan', fullName: 'Phạm Minh Tuấn' },
];

function step(official: string, status: string, content = 'Xử lý hồ sơ'): ProcessingStep {
  return { official, title: null, department: null, at: NOW - 2 * DAY, content, status, startedAt: null, dueAt: null };
}

function withDetail(rec: NormalizedRecord, patch: Partial<DossierDetail>, assignee?: { username: string | null; name: string | null }): NormalizedRecord {
  const detail = { ...(rec.detail as DossierDetail), ...patch };
  return {
    ...rec,
    detail,
    ...(assignee ? { assignee: assignee.username, assigneeName: assignee.name } : {}),
  };
}

/** The hand-built office: what each record contributes is noted beside it. */
function records(): NormalizedRecord[] {
  return [
    // A: lan, in processing, due 2 h ago → backlog, overdue, late (open); received 5 days ago → 4–7 days.
    dossier({ externalId: 'A', status: '4', dueAt: NOW - 2 * HOUR, receivedAt: NOW - 5 * DAY }),
    // B: lan, due at 12:00 today → backlog, due today; received 1 h ago → 0–1 day.
    dossier({ externalId: 'B', status: '4', dueAt: NOW + 2 * HOUR, receivedAt: NOW - HOUR }),
    // C: mai, waiting for a supplement (clock stopped) past its due → backlog, paused, NOT overdue.
    withDetail(
      dossier({ externalId: 'C', status: '5', dueAt: NOW - DAY, receivedAt: NOW - 10 * DAY }),
      { supplements: [{ requestedAt: NOW - 3 * DAY, receivedAt: null, reason: 'Thiếu bản sao CCCD', oldDueAt: NOW - DAY, newDueAt: null }] },
      { username: 'canbo.mai', name: 'Lê Thị Mai' },
    ),
    // D: returned, finished 3 days ago, due 2 days ago → resolved on time, by Lan (step 9); closed.
    withDetail(
      dossier({ externalId: 'D', status: '10', dueAt: NOW - 2 * DAY, receivedAt: NOW - 6 * DAY }),
      { finishedAt: NOW - 3 * DAY, appointmentAt: NOW - 2 * DAY, steps: [step('Nguyễn Thị Lan', '4'), step('Nguyễn Thị Lan', '9'), step('Hoàng Thu Hương', '10')] },
      { username: null, name: null },
    ),
    // E: result ready (open, waiting for return, at Hương), finished yesterday; an apology moved the
    // due to +5 days but the original was 2 days ago → resolved LATE by Mai, reason = the apology.
    withDetail(
      dossier({ externalId: 'E', status: '9', dueAt: NOW + 5 * DAY, receivedAt: NOW - DAY }),
      {
        finishedAt: NOW - DAY,
        appointmentAt: NOW + 5 * DAY,
        originalAppointmentAt: NOW - 2 * DAY,
        steps: [
          step('Lê Thị Mai', '4'),
          step('Lê Thị Mai', '4', 'Gửi phiếu xin lỗi và hẹn lại ngày trả kết quả (17:00 30/11/2026): Thiếu hồ sơ gốc'),
          step('Lê Thị Mai', '9'),
        ],
      },
      { username: 'canbo.huong', name: 'Hoàng Thu Hương' },
    ),
    // F: returned 40 days ago, on time, by Lan → only in the "all" period.
    withDetail(
      dossier({ externalId: 'F', status: '10', dueAt: NOW - 39 * DAY, receivedAt: NOW - 45 * DAY }),
      { finishedAt: NOW - 40 * DAY, appointmentAt: NOW - 39 * DAY, steps: [step('Nguyễn Thị Lan', '9')] },
      { username: null, name: null },
    ),
    // G: refused at reception → closed, counted nowhere.
    dossier({ externalId: 'G', status: '3', dueAt: null, assignee: null }),
  ];
}

let dir: string;
let cleanup: () => void;
let db: Database.Database;
let service: DashboardService;
let audit: AuditLog;
let authority: AuthorityService;
let events: CoreEvent[];

function get(filter: DashboardFilter = {}): DashboardData {
  return service.get(DashboardFilterSchema.parse(filter), NOW);
}

beforeEach(() => {
  ({ dir, cleanup } = tempDir('cw-dashboard-'));
  db = openCacheDatabase(dir);
  const calendar = defaultCalendar();
  const queue = new QueueService(db, calendarDeadlinePolicy(calendar), new SyncStateRepository(db), { username: 'lanhdao.thang', now: () => NOW });
  queue.upsertBatch('p', records(), [], 'c1');
  // H: a document at Tuấn, due in 3 days, received 1 h ago → backlog only.
  queue.upsertBatch('d', [document({ externalId: 'H', status: '04', dueAt: NOW + 3 * DAY, receivedAt: NOW - HOUR, assignee: 'canbo.tuan' })], [], 'c1');
  service = new DashboardService({ db, calendar, officials: () => OFFICIALS });
  audit = new AuditLog(db, () => NOW);
  events = [];
  authority = new AuthorityService({ db, audit, dashboard: service, actor: 'lanhdao.thang', emit: (e) => events.push(e) });
});

afterEach(() => {
  db.close();
  cleanup();
});

function official(data: DashboardData, username: string): DashboardData['officials'][number] | undefined {
  return data.officials.find((o) => o.username === username);
}

describe('dashboard figures', () => {
  it('counts backlog, due today, overdue and paused like the queue, and the on-time rate of the period', () => {
    const data = get({ period: 'month' });
    expect(data.totals).toEqual({ backlog: 5, dueToday: 1, overdue: 1, paused: 1, resolved: 2, onTime: 1, onTimeRate: 0.5, outsideAuthority: 0 });
    expect(official(data, 'canbo.lan')).toMatchObject({ backlog: 2, dueToday: 1, overdue: 1, paused: 0, resolved: 1, onTime: 1, onTimeRate: 1 });
    expect(official(data, 'canbo.mai')).toMatchObject({ backlog: 1, paused: 1, overdue: 0, resolved: 1, onTime: 0, onTimeRate: 0 });
    expect(official(data, 'canbo.huong')).toMatchObject({ backlog: 1, resolved: 0, onTimeRate: null });
    expect(official(data, 'canbo.tuan')).toMatchObject({ backlog: 1 });
    const birth = data.procedures.find((p) => p.kind === 'Đăng ký khai sinh');
    expect(birth).toMatchObject({ source: 'procedure', backlog: 4, overdue: 1, resolved: 2, onTime: 1, onTimeRate: 0.5 });
    expect(data.procedures.find((p) => p.kind === 'Công văn')).toMatchObject({ source: 'document', backlog: 1, resolved: 0 });
  });

  it('groups the on-time rate by week (Monday, office time) and widens with the period', () => {
    const data = get({ period: 'month' });
    expect(data.periods).toEqual([
      { start: weekStart(NOW - 3 * DAY), resolved: 1, onTime: 1, onTimeRate: 1 },
      { start: weekStart(NOW - DAY), resolved: 1, onTime: 0, onTimeRate: 0 },
    ]);
    // Monday 23 Nov 2026 00:00 in Hà Nội.
    expect(weekStart(NOW)).toBe(Date.parse('2026-11-23T00:00:00+07:00'));
    const all = get({ period: 'all' });
    expect(all.totals).toMatchObject({ resolved: 3, onTime: 2 });
    expect(all.period.from).toBeNull();
    expect(get({ period: 'week' }).totals.resolved).toBe(2);
  });

  it('lists late items worst first with their reasons, and ages the backlog from reception', () => {
    const data = get({ period: 'month' });
    expect(data.lateTotal).toBe(2);
    expect(data.late.map((l) => [l.ref, l.state, l.officialName, l.lateMinutes])).toEqual([
      ['E', 'resolved', 'Lê Thị Mai', 24 * 60],
      ['A', 'open', 'Nguyễn Thị Lan', 120],
    ]);
    expect(data.late[0]?.reason).toContain('Thiếu hồ sơ gốc');
    expect(data.late[1]?.reason).toBeNull();
    expect(Object.fromEntries(data.aging.map((a) => [a.bucket, a.count]))).toEqual({ d0_1: 3, d2_3: 0, d4_7: 1, d8_14: 1, d15_30: 0, d31: 0 });
  });

  it('filters by official (handler for the backlog, the result step for the scorecard) and by procedure', () => {
    const lan = get({ official: 'canbo.lan' });
    expect(lan.totals).toMatchObject({ backlog: 2, overdue: 1, dueToday: 1, resolved: 1, onTime: 1 });
    expect(lan.late.map((l) => l.ref)).toEqual(['A']);
    const mai = get({ official: 'canbo.mai' });
    expect(mai.totals).toMatchObject({ backlog: 1, paused: 1, resolved: 1, onTime: 0 });
    expect(mai.late.map((l) => l.ref)).toEqual(['E']);
    const docs = get({ procedure: 'Công văn' });
    expect(docs.totals).toMatchObject({ backlog: 1, resolved: 0, onTimeRate: null });
    expect(docs.choices.kinds).toEqual([
      { source: 'procedure', kind: 'Đăng ký khai sinh' },
      { source: 'document', kind: 'Công văn' },
    ]);
  });
});

describe('the scorecard follows the sync (triggers on items)', () => {
  it('a dossier resolved, reopened and resolved again counts once, with its latest finish', () => {
    const queue = new QueueService(db, calendarDeadlinePolicy(defaultCalendar()), new SyncStateRepository(db), { username: 'x', now: () => NOW });
    const base = dossier({ externalId: 'R', status: '4', dueAt: NOW - HOUR, receivedAt: NOW - 2 * DAY, updatedAt: NOW - 10 * HOUR });
    queue.upsertBatch('p', [base], [], 'c2');
    expect(get().totals).toMatchObject({ resolved: 2, onTime: 1, backlog: 6 });
    const done = withDetail({ ...base, status: '9', updatedAt: NOW - 9 * HOUR }, { finishedAt: NOW - 2 * HOUR, appointmentAt: NOW - HOUR, steps: [step('Nguyễn Thị Lan', '9')] });
    queue.upsertBatch('p', [done], [], 'c3');
    expect(get().totals).toMatchObject({ resolved: 3, onTime: 2 });
    expect(official(get(), 'canbo.lan')).toMatchObject({ resolved: 2, onTime: 2 });
    queue.upsertBatch('p', [{ ...base, updatedAt: NOW - 8 * HOUR }], [], 'c4');
    expect(get().totals).toMatchObject({ resolved: 2, onTime: 1 });
    const late = withDetail({ ...base, status: '10', updatedAt: NOW - 7 * HOUR }, { finishedAt: NOW - 30 * 60_000, appointmentAt: NOW - HOUR, steps: [step('Lê Thị Mai', '9'), step('Hoàng Thu Hương', '10')] });
    queue.upsertBatch('p', [late], [], 'c5');
    expect(get().totals).toMatchObject({ resolved: 3, onTime: 1 });
    expect(official(get(), 'canbo.mai')).toMatchObject({ resolved: 2, onTime: 0 });
  });
});

describe('authority matrix', () => {
  it('flags open items held outside the matrix, audits the change and tells the UI', () => {
    authority.set([{ source: 'procedure', kind: 'Đăng ký khai sinh', username: 'canbo.mai' }]);
    const data = get();
    // A, B (Lan) and E (Hương) hold "Đăng ký khai sinh" outside the matrix; C is Mai's; H is unrestricted.
    expect(data.totals.outsideAuthority).toBe(3);
    expect(data.flagged.map((f) => f.ref).sort()).toEqual(['A', 'B', 'E']);
    expect(official(data, 'canbo.lan')?.outsideAuthority).toBe(2);
    expect(official(data, 'canbo.mai')?.outsideAuthority).toBe(0);
    expect(authority.get().rules).toEqual([{ source: 'procedure', kind: 'Đăng ký khai sinh', username: 'canbo.mai' }]);
    const entry = audit.list(0, 1).entries[0];
    expect(entry?.summary).toBe('Cập nhật ma trận phân quyền xử lý: 1 quyền (thêm 1, bỏ 0)');
    expect(audit.verify().ok).toBe(true);
    expect(events).toEqual([{ type: 'items.changed', ids: [], more: true }]);

    authority.set([
      { source: 'procedure', kind: 'Đăng ký khai sinh', username: 'canbo.mai' },
      { source: 'procedure', kind: 'Đăng ký khai sinh', username: 'canbo.lan' },
    ]);
    expect(get().flagged.map((f) => f.ref)).toEqual(['E']);
    authority.set([]);
    expect(get().totals.outsideAuthority).toBe(0);
  });

  it('refuses unknown officials and subjects in Vietnamese and keeps the stored matrix', () => {
    authority.set([{ source: 'procedure', kind: 'Đăng ký khai sinh', username: 'canbo.lan' }]);
    const attempt = (): unknown => authority.set([{ source: 'procedure', kind: 'Đăng ký khai sinh', username: 'canbo.khong-co' }]);
    expect(attempt).toThrow(ApiFailure);
    expect(attempt).toThrow('Không có cán bộ "canbo.khong-co"');
    expect(() => authority.set([{ source: 'document', kind: 'Nghị quyết', username: 'canbo.lan' }])).toThrow('Không có loại văn bản "Nghị quyết"');
    expect(authority.get().rules).toEqual([{ source: 'procedure', kind: 'Đăng ký khai sinh', username: 'canbo.lan' }]);
  });
});

describe('exports', () => {
  const ctx = { officeName: 'UBND phường Ngọc Hà', by: 'Đỗ Quang Thắng', filter: {} };

  it('writes the workbook with the four Vietnamese sheets and the figures shown', async () => {
    const data = get();
    const wb = new ExcelJS.Workbook();
    const bytes = await dashboardWorkbook(data, ctx);
    await wb.xlsx.load(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    expect(wb.worksheets.map((s) => s.name)).toEqual([...SHEET_NAMES]);
    const sum = wb.getWorksheet('Tổng hợp');
    const values = new Map<string, unknown>();
    sum?.eachRow((row) => values.set(String(row.getCell(1).value), row.getCell(2).value));
    expect(values.get('Hồ sơ, văn bản đang xử lý')).toBe(5);
    expect(values.get('Quá hạn')).toBe(1);
    expect(values.get('Tỷ lệ đúng hạn')).toBe(0.5);
    const off = wb.getWorksheet('Theo cán bộ');
    expect(off?.getRow(1).getCell(1).value).toBe('Cán bộ');
    const lan: unknown[] = [];
    off?.eachRow((row) => {
      if (row.getCell(2).value === 'canbo.lan') lan.push(row.getCell(3).value, row.getCell(5).value, row.getCell(9).value);
    });
    expect(lan).toEqual([2, 1, 1]);
    const late = wb.getWorksheet('Quá hạn');
    expect(late?.getRow(2).getCell(1).value).toBe('E');
    expect(String(late?.getRow(2).getCell(9).value)).toContain('Thiếu hồ sơ gốc');
  });

  it('writes a PDF whose text (read back with pdf.js) is Vietnamese with its diacritics', async () => {
    const data = get();
    const pdf = await dashboardPdf(data, ctx);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
    const doc = await pdfjs.getDocument({ data: new Uint8Array(pdf), useSystemFonts: false, isEvalSupported: false }).promise;
    let text = '';
    for (let p = 1; p <= doc.numPages; p++) {
      const content = await (await doc.getPage(p)).getTextContent();
      text += content.items.map((i) => ('str' in i ? i.str : '')).join(' ') + '\n';
    }
    await doc.destroy();
    const flat = text.replace(/\s+/g, ' ');
    expect(flat).toContain('BÁO CÁO ĐIỀU HÀNH – UBND phường Ngọc Hà');
    expect(flat).toContain('Tỷ lệ đúng hạn');
    expect(flat).toContain(vnPercent(0.5));
    expect(flat).toContain('Nguyễn Thị Lan');
    expect(flat).toContain('Hồ sơ, văn bản trễ hạn (2)');
    expect(flat).toContain('Thiếu hồ sơ gốc');
  });
});

describe('migration 007', () => {
  it('is the seventh migration; on a version-6 file with data it adds the columns and clears the dossier cursor', () => {
    expect(MIGRATIONS[6]).toBe(migration007Dashboard);
    const { dir: d2, cleanup: c2 } = tempDir('cw-migration-007-');
    try {
      const v6 = openCacheDatabase(d2, { migrations: MIGRATIONS.slice(0, 6) });
      const q = new QueueService(v6, calendarDeadlinePolicy(defaultCalendar()), new SyncStateRepository(v6), { username: 'x', now: () => NOW });
      q.upsertBatch('p', records(), [], 'cursor-p');
      v6.close();
      const db7 = openCacheDatabase(d2, { migrations: MIGRATIONS.slice(0, 7) });
      try {
        expect(schemaVersion(db7)).toBe(7);
        const e = db7.prepare<[], { resolved_at: number | null; counted_due_at: number | null }>("SELECT resolved_at, counted_due_at FROM items WHERE external_id = 'E'").get();
        expect(e).toEqual({ resolved_at: NOW - DAY, counted_due_at: NOW - 2 * DAY });
        expect(db7.prepare("SELECT resolved_at FROM items WHERE external_id = 'A'").get()).toEqual({ resolved_at: null });
        expect(db7.prepare("SELECT cursor FROM sync_state WHERE backend_id = 'p'").get()).toEqual({ cursor: null });
        // Backfilled: the resolved dossiers with who recorded the result, and the kinds seen.
        expect(db7.prepare('SELECT item_id, resolved_at, due_at, on_time, resolver FROM dossier_results ORDER BY item_id').all()).toEqual([
          { item_id: 'p:D', resolved_at: NOW - 3 * DAY, due_at: NOW - 2 * DAY, on_time: 1, resolver: 'Nguyễn Thị Lan' },
          { item_id: 'p:E', resolved_at: NOW - DAY, due_at: NOW - 2 * DAY, on_time: 0, resolver: 'Lê Thị Mai' },
          { item_id: 'p:F', resolved_at: NOW - 40 * DAY, due_at: NOW - 39 * DAY, on_time: 1, resolver: 'Nguyễn Thị Lan' },
        ]);
        expect(db7.prepare('SELECT source, kind FROM work_kinds').all()).toEqual([{ source: 'procedure', kind: 'Đăng ký khai sinh' }]);
        const plan = db7
          .prepare<[], { detail: string }>('EXPLAIN QUERY PLAN SELECT kind, COUNT(*), SUM(on_time) FROM dossier_results WHERE resolved_at >= 0 AND resolved_at <= 1 GROUP BY kind')
          .all()
          .map((r) => r.detail)
          .join(' | ');
        expect(plan).toContain('dossier_results_at');
      } finally {
        db7.close();
      }
    } finally {
      c2();
    }
  });
});
