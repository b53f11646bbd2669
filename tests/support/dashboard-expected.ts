/**
 * Issue #5 tests: the dashboard's figures computed independently from the training sandbox's own
 * records (its dataset, never the cache) with DOMAIN.md's rules — open = not closed for its system;
 * overdue / due today / paused like the queue's SLA classes; on time = finished at or before the due
 * (the original one after an apology letter), by who recorded the result (the status-9 step).
 * Shared by the core integration test and the e2e app process.
 */
import { defaultCalendar, defaultDocumentDue, slaBoundaries } from '../../src/core/deadline';
import type { DocumentRecord, DossierRecord } from '../../src/sandbox/data-generator';
import { AGING_BUCKETS, AGING_LOWER_DAYS } from '../../src/shared/dashboard';

const DAY = 86_400_000;
const calendar = defaultCalendar();

export interface ExpectedDashboard {
  totals: { backlog: number; dueToday: number; overdue: number; paused: number; resolved: number; onTime: number };
  byOfficial: Map<string, { backlog: number; dueToday: number; overdue: number; paused: number }>;
  resolvedByName: Map<string, { resolved: number; onTime: number }>;
  resolvedByKind: Map<string, { resolved: number; onTime: number }>;
  aging: Record<string, number>;
  lateTotal: number;
}

export const DOSSIER_CLOSED = new Set(['3', '7', '8', '10']);
const DOCUMENT_CLOSED = new Set(['02', '06']);

/** From the sandbox's records and DOMAIN.md's rules only (the scorecard: finished at or before the due, the original one after an apology). */
export function expectedDashboard(dossiers: readonly DossierRecord[], documents: readonly DocumentRecord[], T: number, from: number): ExpectedDashboard {
  const { endOfToday } = slaBoundaries(calendar, T);
  const e: ExpectedDashboard = {
    totals: { backlog: 0, dueToday: 0, overdue: 0, paused: 0, resolved: 0, onTime: 0 },
    byOfficial: new Map(),
    resolvedByName: new Map(),
    resolvedByKind: new Map(),
    aging: Object.fromEntries(AGING_BUCKETS.map((b) => [b, 0])),
    lateTotal: 0,
  };
  const open = (who: string, received: number, running: boolean, paused: boolean, due: number | null): void => {
    const o = e.byOfficial.get(who) ?? { backlog: 0, dueToday: 0, overdue: 0, paused: 0 };
    o.backlog++;
    e.totals.backlog++;
    if (running && paused) {
      o.paused++;
      e.totals.paused++;
    } else if (running && due !== null && due < T) {
      o.overdue++;
      e.totals.overdue++;
    } else if (running && due !== null && due <= endOfToday) {
      o.dueToday++;
      e.totals.dueToday++;
    }
    e.byOfficial.set(who, o);
    const ageDays = (T - received) / DAY;
    const bucket = [...AGING_BUCKETS].reverse().find((b) => ageDays >= AGING_LOWER_DAYS[b]) ?? 'd0_1';
    e.aging[bucket] = (e.aging[bucket] ?? 0) + 1;
  };
  for (const d of dossiers) {
    if (!DOSSIER_CLOSED.has(d.status)) {
      const running = d.status !== '9';
      open(d.assignee?.username ?? '(none)', d.receivedAt ?? d.submittedAt, running, d.status === '5', d.dueAt);
      const counted = d.originalDueAt ?? d.dueAt;
      if (running && d.status !== '5' && counted !== null && counted < T) e.lateTotal++;
    }
    if ((d.status === '9' || d.status === '10') && d.finishedAt !== null && d.finishedAt >= from && d.finishedAt <= T) {
      const due = d.originalDueAt ?? d.dueAt;
      const onTime = due === null || d.finishedAt <= due ? 1 : 0;
      if (!onTime) e.lateTotal++;
      e.totals.resolved++;
      e.totals.onTime += onTime;
      const resolver = [...d.steps].reverse().find((s) => s.status === '9')?.official.fullName ?? '(unknown)';
      const r = e.resolvedByName.get(resolver) ?? { resolved: 0, onTime: 0 };
      r.resolved++;
      r.onTime += onTime;
      e.resolvedByName.set(resolver, r);
      const k = e.resolvedByKind.get(d.procedure.name) ?? { resolved: 0, onTime: 0 };
      k.resolved++;
      k.onTime += onTime;
      e.resolvedByKind.set(d.procedure.name, k);
    }
  }
  for (const doc of documents) {
    if (DOCUMENT_CLOSED.has(doc.status)) continue;
    const due = doc.internalDueAt ?? doc.dueAt ?? defaultDocumentDue(calendar, doc.receivedAt, doc.priority);
    open(doc.handler?.username ?? '(none)', doc.receivedAt, true, false, due);
    if (due < T) e.lateTotal++;
  }
  return e;
}
