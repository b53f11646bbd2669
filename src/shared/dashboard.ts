/**
 * Issue #5 (supervisor): the team dashboard, reassignment and the authority matrix — the contract's
 * schemas. Figures are computed by the core from the cache the sync fills (src/core/dashboard/).
 *
 * Definitions (DOMAIN.md "Volumes and scorecards", src/shared/domain.ts):
 * - backlog: open dossiers and documents (what the queue shows as open), by current handler;
 * - due today / overdue / paused: the queue's SLA classes (clock running; overdue = due before now;
 *   due today = due from now to the end of today, office time; paused = clock stopped, status 5);
 * - on-time rate = dossiers resolved (status 9/10, NgayKetThucXuLy) at or before their due date
 *   (the original one when an apology letter moved it) ÷ dossiers resolved, in the period, by the
 *   official who recorded the result (the processing step that set status 9).
 */
import { z } from 'zod';

export const DASHBOARD_PERIODS = ['week', 'month', 'quarter', 'year', 'all'] as const;
export type DashboardPeriod = (typeof DASHBOARD_PERIODS)[number];
/** Days back from now of each period (calendar days); null = everything in the cache. */
export const PERIOD_DAYS: Readonly<Record<DashboardPeriod, number | null>> = { week: 7, month: 30, quarter: 90, year: 365, all: null };

export const DashboardFilterSchema = z
  .object({
    period: z.enum(DASHBOARD_PERIODS).default('month'),
    /** Username of one official (backlog by handler; on-time by the official who recorded the result). */
    official: z.string().trim().min(1).max(100).optional(),
    /** One procedure (TenTTHC) or document type, as the queue shows it in `kind`. */
    procedure: z.string().trim().min(1).max(500).optional(),
  })
  .strict();
export type DashboardFilter = z.input<typeof DashboardFilterSchema>;

const Rate = z.number().min(0).max(1).nullable();

export const OfficialFiguresSchema = z.object({
  /** Null when the cache only knows the name (a step by someone outside the office's list). */
  username: z.string().nullable(),
  name: z.string(),
  backlog: z.number().int(),
  dueToday: z.number().int(),
  overdue: z.number().int(),
  paused: z.number().int(),
  resolved: z.number().int(),
  onTime: z.number().int(),
  onTimeRate: Rate,
  /** Open items this official holds outside the authority matrix. */
  outsideAuthority: z.number().int(),
});
export type OfficialFigures = z.infer<typeof OfficialFiguresSchema>;

export const ProcedureFiguresSchema = z.object({
  source: z.enum(['procedure', 'document']),
  kind: z.string(),
  backlog: z.number().int(),
  overdue: z.number().int(),
  resolved: z.number().int(),
  onTime: z.number().int(),
  onTimeRate: Rate,
});
export type ProcedureFigures = z.infer<typeof ProcedureFiguresSchema>;

export const AGING_BUCKETS = ['d0_1', 'd2_3', 'd4_7', 'd8_14', 'd15_30', 'd31'] as const;
/** Lower bound (whole calendar days since reception) of each aging bucket. */
export const AGING_LOWER_DAYS: Readonly<Record<(typeof AGING_BUCKETS)[number], number>> = {
  d0_1: 0,
  d2_3: 2,
  d4_7: 4,
  d8_14: 8,
  d15_30: 15,
  d31: 31,
};

export const LateItemSchema = z.object({
  id: z.string(),
  ref: z.string(),
  title: z.string(),
  kind: z.string().nullable(),
  source: z.enum(['procedure', 'document']),
  /** open: overdue now; resolved: finished after its due in the period. */
  state: z.enum(['open', 'resolved']),
  officialName: z.string().nullable(),
  dueAt: z.number(),
  finishedAt: z.number().nullable(),
  /** Minutes past the due (calendar time), at finish or now. */
  lateMinutes: z.number().int(),
  /** The apology letter's text, or the last supplement request, or null when the backend gives none. */
  reason: z.string().nullable(),
  /** The item's version, for the outbox's conflict check when it is reassigned from this list. */
  updatedAt: z.number(),
});
export type LateItem = z.infer<typeof LateItemSchema>;

export const FlaggedItemSchema = z.object({
  id: z.string(),
  ref: z.string(),
  source: z.enum(['procedure', 'document']),
  kind: z.string(),
  assignee: z.string(),
  assigneeName: z.string().nullable(),
  updatedAt: z.number(),
});

export const DashboardDataSchema = z.object({
  now: z.number(),
  period: z.object({ name: z.enum(DASHBOARD_PERIODS), from: z.number().nullable(), to: z.number() }),
  totals: z.object({
    backlog: z.number().int(),
    dueToday: z.number().int(),
    overdue: z.number().int(),
    paused: z.number().int(),
    resolved: z.number().int(),
    onTime: z.number().int(),
    onTimeRate: Rate,
    outsideAuthority: z.number().int(),
  }),
  officials: z.array(OfficialFiguresSchema),
  procedures: z.array(ProcedureFiguresSchema),
  /** On-time rate by week (Monday 00:00 office time), oldest first. */
  periods: z.array(z.object({ start: z.number(), resolved: z.number().int(), onTime: z.number().int(), onTimeRate: Rate })),
  aging: z.array(z.object({ bucket: z.enum(AGING_BUCKETS), count: z.number().int() })),
  /** Worst first, at most LATE_LIST_LIMIT; lateTotal counts all. */
  late: z.array(LateItemSchema),
  lateTotal: z.number().int(),
  /** Open items assigned outside the matrix, at most LATE_LIST_LIMIT. */
  flagged: z.array(FlaggedItemSchema),
  /** Filter choices: officials of the office and the kinds in the cache. */
  choices: z.object({
    officials: z.array(z.object({ username: z.string(), name: z.string() })),
    kinds: z.array(z.object({ source: z.enum(['procedure', 'document']), kind: z.string() })),
  }),
});
export type DashboardData = z.infer<typeof DashboardDataSchema>;

export const LATE_LIST_LIMIT = 200;

export const DashboardExportInputSchema = z.object({ filter: DashboardFilterSchema.default({ period: 'month' }), format: z.enum(['xlsx', 'pdf']) }).strict();
export const DashboardExportOutputSchema = z.object({ filename: z.string(), mimeType: z.string(), base64: z.string() });

// ---------- reassignment ----------

export const ReassignInputSchema = z
  .object({
    items: z
      .array(z.object({ id: z.string().min(1).max(300), baseUpdatedAt: z.number() }).strict())
      .min(1)
      .max(500)
      .refine((list) => new Set(list.map((i) => i.id)).size === list.length, { message: 'mỗi hồ sơ chỉ được chọn một lần' }),
    toUser: z.string().trim().min(1).max(100),
    note: z.string().trim().max(2000).optional(),
  })
  .strict();
export type ReassignInput = z.input<typeof ReassignInputSchema>;

export const ReassignOutputSchema = z.object({
  /** Outbox entry ids, one per item that was queued. */
  queued: z.array(z.object({ itemId: z.string(), entryId: z.string() })),
  /** Items that cannot be reassigned now, with the reason in Vietnamese (nothing queued for them). */
  refused: z.array(z.object({ itemId: z.string(), message: z.string() })),
});
export type ReassignOutput = z.infer<typeof ReassignOutputSchema>;

// ---------- authority matrix ----------

export const AuthorityRuleSchema = z
  .object({
    source: z.enum(['procedure', 'document']),
    kind: z.string().trim().min(1).max(500),
    username: z.string().trim().min(1).max(100),
  })
  .strict();
export type AuthorityRule = z.infer<typeof AuthorityRuleSchema>;

export const AuthorityMatrixSchema = z.object({
  rules: z.array(AuthorityRuleSchema),
  /** Subjects (procedures, document types) known in the cache, for the editor's rows. */
  kinds: z.array(z.object({ source: z.enum(['procedure', 'document']), kind: z.string() })),
  officials: z.array(z.object({ username: z.string(), name: z.string() })),
});
export type AuthorityMatrix = z.infer<typeof AuthorityMatrixSchema>;

export const AuthoritySetInputSchema = z
  .object({
    /** The whole new matrix (replaces the stored one). */
    rules: z.array(AuthorityRuleSchema).max(20_000),
  })
  .strict();

/**
 * Is `assignee` outside the matrix for this item? A subject (source + kind) without any rule is
 * unrestricted; an item without a handler is never flagged. Shared by the core (SQL does the same)
 * and the queue row.
 */
export function isOutsideAuthority(
  allowed: ReadonlyMap<string, ReadonlySet<string>>,
  source: string,
  kind: string | null,
  assignee: string | null,
): boolean {
  if (kind === null || assignee === null) return false;
  const who = allowed.get(authorityKey(source, kind));
  return who !== undefined && !who.has(assignee);
}

export function authorityKey(source: string, kind: string): string {
  return `${source}\u0000${kind}`;
}

export function allowedMap(rules: readonly AuthorityRule[]): Map<string, Set<string>> {
  const map = new Map<string, Set<string>>();
  for (const r of rules) {
    const key = authorityKey(r.source, r.kind);
    let set = map.get(key);
    if (!set) map.set(key, (set = new Set()));
    set.add(r.username);
  }
  return map;
}

// ---------- contract entries (spread into apiContract in api.ts) ----------

/** Supervisor methods (role 'supervisor'; `authority.get` is readable by every role for the queue's mark). */
export const dashboardContract = {
  /** Team figures from the cache: backlog, SLA classes and on-time rate by official, procedure and week. */
  'dashboard.get': { input: DashboardFilterSchema, output: DashboardDataSchema },
  /** The dashboard as an Excel workbook or a PDF report (Vietnamese), base64. */
  'dashboard.export': { input: DashboardExportInputSchema, output: DashboardExportOutputSchema },
  /** Hand items to another official through the outbox: one entry per item, submitted together. */
  'dashboard.reassign': { input: ReassignInputSchema, output: ReassignOutputSchema },
  'authority.get': { input: z.object({}).strict(), output: AuthorityMatrixSchema },
  /** Replace the matrix (audited). */
  'authority.set': { input: AuthoritySetInputSchema, output: AuthorityMatrixSchema },
} as const;
