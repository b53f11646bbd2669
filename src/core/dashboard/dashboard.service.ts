/**
 * Issue #5: the supervisor's team figures, computed with SQL over the cache the sync fills
 * (definitions in src/shared/dashboard.ts). Open-item figures group `items` by handler and by kind in
 * one pass each; the scorecard reads `dossier_results` (one row per resolved dossier with who recorded
 * the result, kept by triggers: migration 007) by its finish-date index.
 */
import type Database from 'better-sqlite3';
import {
  AGING_BUCKETS,
  AGING_LOWER_DAYS,
  LATE_LIST_LIMIT,
  PERIOD_DAYS,
  type DashboardData,
  type DashboardFilterSchema,
  type LateItem,
  type OfficialFigures,
  type ProcedureFigures,
} from '../../shared/dashboard';
import type { z } from 'zod';
import { slaBoundaries, type WorkCalendar } from '../deadline';

const DAY = 86_400_000;
const WEEK = 7 * DAY;
/** Asia/Ho_Chi_Minh is UTC+7 all year (no daylight saving). */
const OFFICE_OFFSET = 7 * 3_600_000;
/** 1970-01-01 was a Thursday: Monday 00:00 office time = k·WEEK + 4·DAY − 7 h. */
const MONDAY_SHIFT = 4 * DAY - OFFICE_OFFSET;

export const UNASSIGNED_NAME = 'Chưa phân công';
export const UNKNOWN_RESOLVER_NAME = 'Không rõ người xử lý';

export type DashboardFilterValue = z.output<typeof DashboardFilterSchema>;

export interface OfficeOfficial {
  username: string;
  fullName: string;
}

export interface DashboardDeps {
  db: Database.Database;
  calendar: WorkCalendar;
  /** The office's officials (config.office.officials). */
  officials: () => readonly OfficeOfficial[];
}

/** Items the dashboard counts: dossiers and documents (mail has no handler in the backends). */
const WORK = "i.source IN ('procedure', 'document')";
/** The authority check in SQL (same rule as isOutsideAuthority in src/shared/dashboard.ts). */
export const OUTSIDE_AUTHORITY_SQL = `(i.assignee IS NOT NULL AND i.kind IS NOT NULL
  AND EXISTS (SELECT 1 FROM authority a WHERE a.source = i.source AND a.kind = i.kind)
  AND NOT EXISTS (SELECT 1 FROM authority a WHERE a.source = i.source AND a.kind = i.kind AND a.username = i.assignee))`;
/** Why it is late: the apology letter's step, else the last supplement request, else NULL. */
const REASON_SQL = `COALESCE(
  (SELECT json_extract(s.value, '$.content') FROM json_each(i.detail_json, '$.steps') s
    WHERE json_extract(s.value, '$.content') LIKE 'Gửi phiếu xin lỗi%' ORDER BY CAST(s.key AS INTEGER) DESC LIMIT 1),
  (SELECT 'Chờ bổ sung giấy tờ: ' || json_extract(s.value, '$.reason') FROM json_each(i.detail_json, '$.supplements') s
    ORDER BY CAST(s.key AS INTEGER) DESC LIMIT 1))`;

function rate(onTime: number, resolved: number): number | null {
  return resolved === 0 ? null : onTime / resolved;
}

/** Monday 00:00 (office time) of the week holding `ms`. */
export function weekStart(ms: number): number {
  return Math.floor((ms - MONDAY_SHIFT) / WEEK) * WEEK + MONDAY_SHIFT;
}

interface OpenRow {
  key: string | null;
  name: string | null;
  backlog: number;
  dueToday: number;
  overdue: number;
  paused: number;
  outside: number;
}

interface ResolvedRow {
  resolver: string | null;
  kind: string | null;
  week: number;
  resolved: number;
  onTime: number;
}

interface LateRow {
  id: string;
  ref: string;
  title: string;
  kind: string | null;
  source: 'procedure' | 'document';
  state: 'open' | 'resolved';
  officialName: string | null;
  dueAt: number;
  finishedAt: number | null;
  late: number;
  reason: string | null;
  updatedAt: number;
}

export class DashboardService {
  constructor(private readonly deps: DashboardDeps) {}

  private officialName(username: string): string {
    const known = this.deps.officials().find((o) => o.username === username);
    if (known) return known.fullName;
    const row = this.deps.db
      .prepare<[string], { name: string | null }>('SELECT assignee_name AS name FROM items WHERE assignee = ? AND assignee_name IS NOT NULL LIMIT 1')
      .get(username);
    return row?.name ?? username;
  }

  get(filter: DashboardFilterValue, now: number): DashboardData {
    const { db, calendar } = this.deps;
    const days = PERIOD_DAYS[filter.period];
    const from = days === null ? null : now - days * DAY;
    const bounds = slaBoundaries(calendar, now);
    const params: Record<string, string | number> = { now, endOfToday: bounds.endOfToday, from: from ?? -1, to: now };
    const openConds = [WORK, 'i.is_open = 1'];
    const resolvedConds = ['r.resolved_at >= @from', 'r.resolved_at <= @to'];
    if (filter.official !== undefined) {
      openConds.push('i.assignee = @official');
      params['official'] = filter.official;
      params['officialName'] = this.officialName(filter.official);
      resolvedConds.push('r.resolver = @officialName');
    }
    if (filter.procedure !== undefined) {
      openConds.push('i.kind = @kind');
      resolvedConds.push('r.kind = @kind');
      params['kind'] = filter.procedure;
    }
    const openWhere = openConds.join(' AND ');
    const sums = `COUNT(*) AS backlog,
      COALESCE(SUM(i.clock_running = 1 AND i.paused = 0 AND i.due_at >= @now AND i.due_at <= @endOfToday), 0) AS dueToday,
      COALESCE(SUM(i.clock_running = 1 AND i.paused = 0 AND i.due_at < @now), 0) AS overdue,
      COALESCE(SUM(i.clock_running = 1 AND i.paused = 1), 0) AS paused,
      COALESCE(SUM(${OUTSIDE_AUTHORITY_SQL}), 0) AS outside`;
    const byAssignee = db
      .prepare<Record<string, string | number>, OpenRow>(
        `SELECT i.assignee AS key, MAX(i.assignee_name) AS name, ${sums} FROM items i WHERE ${openWhere} GROUP BY i.assignee`,
      )
      .all(params);
    const byKind = db
      .prepare<Record<string, string | number>, OpenRow & { source: 'procedure' | 'document' }>(
        `SELECT i.source AS source, i.kind AS key, NULL AS name, ${sums} FROM items i WHERE ${openWhere} GROUP BY i.source, i.kind`,
      )
      .all(params);

    // Resolved dossiers in the period (dossier_results, kept by triggers), by who recorded the
    // result, procedure and week.
    const resolvedSql = `SELECT r.resolver AS resolver, r.kind AS kind,
        ((r.resolved_at - ${MONDAY_SHIFT}) / ${WEEK}) * ${WEEK} + ${MONDAY_SHIFT} AS week,
        COUNT(*) AS resolved, SUM(r.on_time) AS onTime
      FROM dossier_results r WHERE ${resolvedConds.join(' AND ')}
      GROUP BY r.resolver, r.kind, week`;
    const resolvedRows = db.prepare<Record<string, string | number>, ResolvedRow>(resolvedSql).all(params);

    // ---- officials
    const officials = new Map<string, OfficialFigures>();
    const byName = new Map(this.deps.officials().map((o) => [o.fullName, o.username]));
    const blank = (username: string | null, name: string): OfficialFigures => ({
      username,
      name,
      backlog: 0,
      dueToday: 0,
      overdue: 0,
      paused: 0,
      resolved: 0,
      onTime: 0,
      onTimeRate: null,
      outsideAuthority: 0,
    });
    for (const row of byAssignee) {
      const name = row.key === null ? UNASSIGNED_NAME : (row.name ?? this.officialName(row.key));
      const key = row.key === null ? '\u0000unassigned' : `u:${row.key}`;
      officials.set(key, {
        ...blank(row.key, name),
        backlog: row.backlog,
        dueToday: row.dueToday,
        overdue: row.overdue,
        paused: row.paused,
        outsideAuthority: row.outside,
      });
    }
    const totals = { backlog: 0, dueToday: 0, overdue: 0, paused: 0, resolved: 0, onTime: 0, onTimeRate: null as number | null, outsideAuthority: 0 };
    for (const o of officials.values()) {
      totals.backlog += o.backlog;
      totals.dueToday += o.dueToday;
      totals.overdue += o.overdue;
      totals.paused += o.paused;
      totals.outsideAuthority += o.outsideAuthority;
    }
    const procedures = new Map<string, ProcedureFigures>();
    for (const row of byKind) {
      if (row.key === null) continue;
      procedures.set(`${row.source}|${row.key}`, {
        source: row.source,
        kind: row.key,
        backlog: row.backlog,
        overdue: row.overdue,
        resolved: 0,
        onTime: 0,
        onTimeRate: null,
      });
    }
    const weeks = new Map<number, { resolved: number; onTime: number }>();
    for (const row of resolvedRows) {
      totals.resolved += row.resolved;
      totals.onTime += row.onTime;
      const username = row.resolver === null ? null : (byName.get(row.resolver) ?? null);
      const key = username !== null ? `u:${username}` : `n:${row.resolver ?? ''}`;
      const o = officials.get(key) ?? blank(username, row.resolver ?? UNKNOWN_RESOLVER_NAME);
      o.resolved += row.resolved;
      o.onTime += row.onTime;
      officials.set(key, o);
      if (row.kind !== null) {
        const pk = `procedure|${row.kind}`;
        const p = procedures.get(pk) ?? { source: 'procedure' as const, kind: row.kind, backlog: 0, overdue: 0, resolved: 0, onTime: 0, onTimeRate: null };
        p.resolved += row.resolved;
        p.onTime += row.onTime;
        procedures.set(pk, p);
      }
      const w = weeks.get(row.week) ?? { resolved: 0, onTime: 0 };
      w.resolved += row.resolved;
      w.onTime += row.onTime;
      weeks.set(row.week, w);
    }
    totals.onTimeRate = rate(totals.onTime, totals.resolved);
    for (const o of officials.values()) o.onTimeRate = rate(o.onTime, o.resolved);
    for (const p of procedures.values()) p.onTimeRate = rate(p.onTime, p.resolved);

    const late = this.late(openWhere, resolvedConds.join(' AND '), params);

    return {
      now,
      period: { name: filter.period, from, to: now },
      totals,
      officials: [...officials.values()].sort((a, b) => b.backlog - a.backlog || b.resolved - a.resolved || a.name.localeCompare(b.name, 'vi')),
      procedures: [...procedures.values()].sort((a, b) => b.backlog + b.resolved - (a.backlog + a.resolved) || a.kind.localeCompare(b.kind, 'vi')),
      periods: [...weeks.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([start, w]) => ({ start, resolved: w.resolved, onTime: w.onTime, onTimeRate: rate(w.onTime, w.resolved) })),
      aging: this.aging(openWhere, params),
      late: late.items,
      lateTotal: late.total,
      flagged: this.flagged(openWhere, params),
      choices: this.choices(),
    };
  }

  private aging(openWhere: string, params: Record<string, string | number>): DashboardData['aging'] {
    const cases = AGING_BUCKETS.slice()
      .reverse()
      .map((b) => `WHEN (@now - i.received_at) >= ${AGING_LOWER_DAYS[b] * DAY} THEN '${b}'`)
      .join(' ');
    const rows = this.deps.db
      .prepare<Record<string, string | number>, { bucket: string; n: number }>(
        `SELECT CASE ${cases} ELSE 'd0_1' END AS bucket, COUNT(*) AS n FROM items i WHERE ${openWhere} GROUP BY bucket`,
      )
      .all(params);
    const counts = new Map(rows.map((r) => [r.bucket, r.n]));
    return AGING_BUCKETS.map((bucket) => ({ bucket, count: counts.get(bucket) ?? 0 }));
  }

  /**
   * Late items: open ones past their (original) due with the clock running, and dossiers resolved
   * after their due in the period; worst first.
   */
  private late(openWhere: string, resolvedWhere: string, params: Record<string, string | number>): { items: LateItem[]; total: number } {
    const openLate = `${openWhere} AND i.clock_running = 1 AND i.paused = 0 AND i.counted_due_at < @now`;
    const union = `
      SELECT i.id, i.ref, i.title, i.kind, i.source, 'open' AS state, i.assignee_name AS officialName,
        i.counted_due_at AS dueAt, NULL AS finishedAt, @now - i.counted_due_at AS late, i.updated_at AS updatedAt, i.rowid AS rid
      FROM items i WHERE ${openLate}
      UNION ALL
      SELECT i.id, i.ref, i.title, r.kind, i.source, 'resolved' AS state, r.resolver AS officialName,
        r.due_at AS dueAt, r.resolved_at AS finishedAt, r.resolved_at - r.due_at AS late, i.updated_at AS updatedAt, i.rowid AS rid
      FROM dossier_results r JOIN items i ON i.id = r.item_id WHERE ${resolvedWhere} AND r.on_time = 0`;
    const rows = this.deps.db
      .prepare<Record<string, string | number>, LateRow & { total: number }>(
        `SELECT l.id, l.ref, l.title, l.kind, l.source, l.state, l.officialName, l.dueAt, l.finishedAt, l.late, l.updatedAt,
           (SELECT ${REASON_SQL} FROM items i WHERE i.rowid = l.rid) AS reason, l.total
         FROM (SELECT u.*, COUNT(*) OVER () AS total FROM (${union}) u ORDER BY u.late DESC, u.id LIMIT ${LATE_LIST_LIMIT}) l
         ORDER BY l.late DESC, l.id`,
      )
      .all(params);
    const total = rows[0]?.total ?? 0;
    return {
      total,
      items: rows.map((r) => ({
        id: r.id,
        ref: r.ref,
        title: r.title,
        kind: r.kind,
        source: r.source,
        state: r.state,
        officialName: r.officialName,
        dueAt: r.dueAt,
        finishedAt: r.finishedAt,
        lateMinutes: Math.floor(r.late / 60_000),
        reason: r.reason,
        updatedAt: r.updatedAt,
      })),
    };
  }

  private flagged(openWhere: string, params: Record<string, string | number>): DashboardData['flagged'] {
    return this.deps.db
      .prepare<Record<string, string | number>, DashboardData['flagged'][number]>(
        `SELECT i.id, i.ref, i.source, i.kind, i.assignee, i.assignee_name AS assigneeName, i.updated_at AS updatedAt FROM items i
         WHERE ${openWhere} AND ${OUTSIDE_AUTHORITY_SQL} ORDER BY i.due_key, i.id LIMIT ${LATE_LIST_LIMIT}`,
      )
      .all(params);
  }

  /** Officials of the office (then handlers the cache knows beyond them) and the kinds in the cache. */
  choices(): DashboardData['choices'] {
    const officials = this.deps.officials().map((o) => ({ username: o.username, name: o.fullName }));
    const known = new Set(officials.map((o) => o.username));
    const seen = this.deps.db
      .prepare<[], { username: string; name: string | null }>(
        `SELECT i.assignee AS username, MAX(i.assignee_name) AS name FROM items i
         WHERE ${WORK} AND i.is_open = 1 AND i.assignee IS NOT NULL GROUP BY i.assignee`,
      )
      .all();
    for (const s of seen) if (!known.has(s.username)) officials.push({ username: s.username, name: s.name ?? s.username });
    const kinds = this.deps.db
      .prepare<[], { source: 'procedure' | 'document'; kind: string }>('SELECT source, kind FROM work_kinds ORDER BY source DESC, kind')
      .all();
    return { officials, kinds };
  }
}
