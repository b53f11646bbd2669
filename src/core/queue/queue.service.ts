/**
 * The items repository and the queue queries over the cache.
 *
 * Writes: `upsertBatch` lands one adapter page (items + quarantine + cursor) in ONE transaction.
 * A sync page's applicants (issue #6) go into `citizens_pending` with it and reach `citizens` when
 * the sync engine calls `flushPendingCitizens` at the end of the cycle (migration 011).
 * Reads: `list` / `counts` turn a QueueFilter into SQL (SLA states become due_key ranges computed
 * from the calendar's boundaries, so filtering never happens in JS) and `get` returns the detail.
 *
 * Search bound: a search first takes at most SEARCH_CANDIDATE_LIMIT FTS hits, newest rows first
 * (highest rowid = most recently inserted into the cache), and only then filters and sorts them by
 * deadline. A very common term ("nguyen") therefore searches the 5,000 newest matching items, not
 * years of history; narrower terms are exact. This keeps search p95 in milliseconds on 200k rows.
 * The hits are filtered and ordered in a narrow covering index (migration 011), and the wide rows
 * read for the page shown only: on the encrypted cache every page read may be a page decrypted.
 */
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { type QueueFilterSchema } from '../../shared/api';
import {
  isClockRunning,
  isOpenStatus,
  isPausedStatus,
  SLA_STATES,
  SOURCES,
  type SlaState,
  type Source,
} from '../../shared/domain';
import { searchWords } from '../../shared/text';
import { ItemDetailSchema, type ItemDetail, type MailDetail, type WorkItem } from '../../shared/work-item';
import type { NormalizedRecord, QuarantinedRecord } from '../adapters/adapter';
import { NO_DUE_KEY } from '../db/migrations/001-initial';
import { type SyncStateRepository } from '../sync/sync-state.repository';
import type { ItemMarks, PendingMarksSource } from '../outbox/outbox.repository';
import { defaultCalendar, type WorkCalendar } from '../deadline';
import { extractLinks, foldNotation, matchLinks, type LinkKind, type LinkLookup, type LinkMatch, type MailLink } from '../../shared/mail-links';
import { DEFAULT_MAIL_RULES, evaluateMail, type MailRule } from '../mail/mail-rules';
import { SEARCH_PENDING } from '../mail/search-pending';
import { type DeadlinePolicy, type SlaBoundaries } from './deadline.policy';
import { describeRecordIssues, NormalizedRecordSchema } from './normalized-record.schema';
import { citizenFromDossier, UPSERT_CITIZEN_FROM_DOSSIER_SQL, type CitizenFromDossier } from '../db/migrations/008-citizens-search';
import { SEARCH_COVER_INDEX } from '../db/migrations/011-cipher-speed';

/** The filter after the contract's defaults were applied. */
export type QueueFilterValue = z.output<typeof QueueFilterSchema>;

export const SEARCH_CANDIDATE_LIMIT = 5000;
/** Deferred applicants (upsertBatch `deferCitizens`) are folded into `citizens` at least this often. */
export const CITIZENS_FLUSH_AT = 10_000;
const RAW_MAX_CHARS = 16_000;
const STATEMENT_CACHE_SIZE = 200;

export interface UpsertBatchOptions {
  /**
   * The sync engine's pages: the applicants of the page's dossiers are stored with the page (in
   * `citizens_pending`, same transaction) and folded into `citizens` by flushPendingCitizens when
   * the cycle ends, instead of one upsert per dossier in every page's transaction (on the encrypted
   * cache each of those dirties ~3 random pages that every commit re-encrypts). Others (tests,
   * seeding) land them at once.
   */
  deferCitizens?: boolean;
}

/** The rows of citizens_pending as stored by deferCitizens (the cache's own JSON, checked anyway). */
const PendingCitizensSchema = z.array(
  z.object({
    idNumber: z.string(),
    fullName: z.string(),
    nameFolded: z.string(),
    birthYear: z.number().nullable(),
    sex: z.string().nullable(),
    address: z.string().nullable(),
    phone: z.string().nullable(),
    email: z.string().nullable(),
    itemId: z.string(),
    ref: z.string(),
    sourceAt: z.number(),
    at: z.number(),
  }),
);

export interface UpsertResult {
  /** Ids of items inserted or changed by this batch (unchanged rows are skipped). */
  changed: string[];
  /** Records quarantined by this batch (by the adapter or by validation here). */
  quarantined: number;
}

export interface ListResult {
  items: WorkItem[];
  hasMore: boolean;
  now: number;
}

export interface CountsResult {
  total: number;
  bySla: Record<SlaState, number>;
  bySource: Record<Source, number>;
}

export interface ItemWithDetail {
  item: WorkItem;
  detail: ItemDetail;
}

export interface QueueServiceOptions {
  /** The signed-in official; `scope: 'mine'` means assignee = username. */
  username: string;
  /** Clock for quarantine timestamps. */
  now: () => number;
  searchCandidateLimit?: number;
  /**
   * The outbox's marks for a page of items (pending count, attention, optimistic status). Read for
   * the page's ids only, after the page query, so the queue query itself is unchanged.
   */
  marks?: PendingMarksSource;
  /** Which mail is work and its reply deadline; DEFAULT_MAIL_RULES on the default calendar when absent. */
  mail?: { rules: readonly MailRule[]; calendar: WorkCalendar };
}

/** A link between two cached items (issue #4): a mail citing a dossier, a document or a citizen. */
export interface ItemLink {
  fromId: string;
  /** The cached item cited; null while the cache does not know it (resolved when it lands). */
  toId: string | null;
  kind: LinkKind;
  /** As cited (dossier code in upper case, notation without spaces, ID digits). */
  value: string;
  origin: 'auto' | 'manual';
  createdAt: number;
}

export interface ItemLinks {
  /** Links from this item (what it cites). */
  outgoing: ItemLink[];
  /** Links to this item (who cites it), resolved ones only. */
  incoming: ItemLink[];
}

interface ItemLinkRow {
  from_id: string;
  to_id: string | null;
  kind: LinkKind;
  value: string;
  origin: 'auto' | 'manual';
  created_at: number;
}

interface MailEvaluation {
  dueAt: number | null;
  urgency: number;
  work: boolean;
}

interface ItemRow {
  id: string;
  source: string;
  backend_id: string;
  external_id: string;
  ref: string;
  title: string;
  party: string | null;
  kind: string | null;
  status: string;
  received_at: number;
  due_at: number | null;
  urgency: number;
  assignee: string | null;
  assignee_name: string | null;
  updated_at: number;
  clock_running: number;
  paused: number;
}

interface ItemRowWithDetail extends ItemRow {
  detail_json: string;
}

interface UpsertParams {
  id: string;
  source: string;
  backendId: string;
  externalId: string;
  ref: string;
  title: string;
  party: string | null;
  kind: string | null;
  status: string;
  receivedAt: number;
  dueAt: number | null;
  dueKey: number;
  urgency: number;
  assignee: string | null;
  assigneeName: string | null;
  updatedAt: number;
  isOpen: number;
  clockRunning: number;
  paused: number;
  searchFolded: string;
  detailJson: string;
  refFolded: string | null;
  citizenId: string | null;
}

type Params = Record<string, string | number>;

/** A mail's link rows as the rules and relinking see them (removed: 1 for a tombstone). */
interface LinkStateRow {
  kind: LinkKind;
  value_key: string;
  origin: 'auto' | 'manual';
  removed: number;
  to_id: string | null;
}

const ITEM_COLUMNS = `i.id, i.source, i.backend_id, i.external_id, i.ref, i.title, i.party, i.kind, i.status,
  i.received_at, i.due_at, i.urgency, i.assignee, i.assignee_name, i.updated_at, i.clock_running, i.paused`;

const ORDER_BY = 'ORDER BY i.due_key, i.urgency DESC, i.id';

/** Insert or update an item; each caller adds the WHERE that decides when an existing row is replaced. */
const UPSERT_ITEM_SQL = `      INSERT INTO items (id, source, backend_id, external_id, ref, title, party, kind, status, received_at,
        due_at, due_key, urgency, assignee, assignee_name, updated_at, is_open, clock_running, paused,
        search_folded, detail_json, ref_folded, citizen_id)
      VALUES (@id, @source, @backendId, @externalId, @ref, @title, @party, @kind, @status, @receivedAt,
        @dueAt, @dueKey, @urgency, @assignee, @assigneeName, @updatedAt, @isOpen, @clockRunning, @paused, @searchFolded,
        @detailJson, @refFolded, @citizenId)
      ON CONFLICT (id) DO UPDATE SET
        source = excluded.source, ref = excluded.ref, title = excluded.title, party = excluded.party,
        kind = excluded.kind, status = excluded.status, received_at = excluded.received_at,
        due_at = excluded.due_at, due_key = excluded.due_key, urgency = excluded.urgency, assignee = excluded.assignee,
        assignee_name = excluded.assignee_name, updated_at = excluded.updated_at, is_open = excluded.is_open,
        clock_running = excluded.clock_running, paused = excluded.paused,
        search_folded = excluded.search_folded, detail_json = excluded.detail_json,
        ref_folded = excluded.ref_folded, citizen_id = excluded.citizen_id`;

/**
 * Per-state totals over open rows; `none` is the rest (not running, or no deadline). The ranges are
 * those of classifyDue in the deadline engine (a unit test checks list, counts and slaFor agree).
 */
const SLA_SUMS = `COUNT(*) AS n,
  TOTAL(i.clock_running = 1 AND i.paused = 1) AS paused,
  TOTAL(i.clock_running = 1 AND i.paused = 0 AND i.due_key < @slaNow) AS overdue,
  TOTAL(i.clock_running = 1 AND i.paused = 0 AND i.due_key >= @slaNow AND i.due_key <= @slaEndOfToday) AS due_today,
  TOTAL(i.clock_running = 1 AND i.paused = 0 AND i.due_key > @slaEndOfToday
    AND i.due_key <= @slaEndOfNextWorkingDay) AS due_soon,
  TOTAL(i.clock_running = 1 AND i.paused = 0 AND i.due_key > @slaEndOfNextWorkingDay
    AND i.due_key < ${NO_DUE_KEY}) AS on_track`;

interface SlaSumsRow {
  source: string;
  n: number;
  paused: number;
  overdue: number;
  due_today: number;
  due_soon: number;
  on_track: number;
}

/** The four deadline states are consecutive due_key ranges (same bounds as classifyDue). */
const RANGE_STATES = ['overdue', 'due_today', 'due_soon', 'on_track'] as const satisfies readonly SlaState[];
const RANGE_LOWER: Record<(typeof RANGE_STATES)[number], string | null> = {
  overdue: null,
  due_today: 'i.due_key >= @slaNow',
  due_soon: 'i.due_key > @slaEndOfToday',
  on_track: 'i.due_key > @slaEndOfNextWorkingDay',
};
const RANGE_UPPER: Record<(typeof RANGE_STATES)[number], string> = {
  overdue: 'i.due_key < @slaNow',
  due_today: 'i.due_key <= @slaEndOfToday',
  due_soon: 'i.due_key <= @slaEndOfNextWorkingDay',
  on_track: `i.due_key < ${NO_DUE_KEY}`,
};

/**
 * SLA states as a WHERE condition on due_key ranges (index friendly): adjacent deadline states are
 * merged into one range (due_today + due_soon → now ≤ due ≤ end of next working day).
 */
export function slaConditionSql(states: readonly SlaState[]): string {
  const parts: string[] = [];
  let runStart = -1;
  RANGE_STATES.forEach((state, index) => {
    const selected = states.includes(state);
    if (selected && runStart < 0) runStart = index;
    const runEnds = runStart >= 0 && (!selected || index === RANGE_STATES.length - 1);
    if (!runEnds) return;
    const last = selected ? index : index - 1;
    const lower = RANGE_LOWER[RANGE_STATES[runStart] ?? 'overdue'];
    const upper = RANGE_UPPER[RANGE_STATES[last] ?? 'on_track'];
    parts.push(`(i.clock_running = 1 AND i.paused = 0${lower ? ` AND ${lower}` : ''} AND ${upper})`);
    runStart = -1;
  });
  if (states.includes('paused')) parts.push('(i.clock_running = 1 AND i.paused = 1)');
  if (states.includes('none')) parts.push(`(i.clock_running = 0 OR (i.paused = 0 AND i.due_key = ${NO_DUE_KEY}))`);
  return parts.length === 1 ? (parts[0] ?? '') : `(${parts.join(' OR ')})`;
}

/**
 * Free text as one safe FTS5 query with every word a quoted prefix term, joined by AND (typing the
 * start of each word: "ngu va d" finds Nguyễn Văn Đức). Nothing typed can become FTS syntax. Null when
 * the text has no searchable word. The queue's search falls back to it (`queueMatch`).
 */
export function ftsMatchExpression(q: string | undefined): string | null {
  if (q === undefined) return null;
  const words = searchWords(q).slice(0, 16);
  if (words.length === 0) return null;
  return words.map((w) => `"${w.replace(/"/g, '""')}"*`).join(' AND ');
}

/** Words up to this length have their own FTS prefix index (prefix = '1 2 3'): a prefix term is cheap. */
const INDEXED_PREFIX_CHARS = 3;

/**
 * Free text as safe FTS5 queries (the queue's search and the unified search): folded words, each a
 * quoted term joined by AND, so nothing the user types can become FTS syntax. `first`: whole words
 * (`"nguyen" AND "van"`), which FTS5 walks lazily newest first; a long word as an unindexed prefix
 * (`"nguyen"*`) would make FTS5 merge the doclists of every word starting with it (tens of thousands of
 * rows for common names, every page decrypted on the encrypted cache). The last word stays a prefix
 * when it is short (indexed prefixes: "nguyen van d"); otherwise `fallback` is the same search with
 * the last word as a prefix (a word still being typed), for when the whole words find too little.
 * Null when the text has no searchable word.
 */
export function unifiedMatch(q: string | undefined): { first: string; fallback: string | null } | null {
  if (q === undefined) return null;
  const words = searchWords(q).slice(0, 16);
  const lastWord = words[words.length - 1];
  if (lastWord === undefined) return null;
  const whole = words.map((w) => `"${w.replace(/"/g, '""')}"`);
  const withPrefix = [...whole.slice(0, -1), `${whole[whole.length - 1] ?? ''}*`].join(' AND ');
  if ([...lastWord].length <= INDEXED_PREFIX_CHARS) return { first: withPrefix, fallback: null };
  return { first: whole.join(' AND '), fallback: withPrefix };
}

/**
 * The folded text an item is found by: its distinct folded words. Search is an AND of prefix terms
 * (no phrases, no ranking), so repeated words add index work and nothing else.
 */
export function searchTextOf(record: Pick<NormalizedRecord, 'ref' | 'title' | 'party' | 'kind' | 'searchText'>): string {
  const text = [record.ref, record.title, record.party, record.kind, record.searchText].filter(Boolean).join(' ');
  return [...new Set(searchWords(text))].join(' ');
}

function emptySlaCounts(): Record<SlaState, number> {
  return Object.fromEntries(SLA_STATES.map((s) => [s, 0])) as Record<SlaState, number>;
}

function emptySourceCounts(): Record<Source, number> {
  return Object.fromEntries(SOURCES.map((s) => [s, 0])) as Record<Source, number>;
}

function isSource(value: string): value is Source {
  return (SOURCES as readonly string[]).includes(value);
}

export class QueueService {
  private readonly statements = new Map<string, Database.Statement>();
  private readonly upsertItem: Database.Statement<UpsertParams>;
  private readonly clearQuarantine: Database.Statement<{ backendId: string; externalId: string }>;
  private readonly upsertQuarantineKnown: Database.Statement<{
    backendId: string;
    externalId: string;
    error: string;
    raw: string;
    at: number;
  }>;
  private readonly findQuarantineUnknown: Database.Statement<
    { backendId: string; error: string; raw: string },
    { id: number }
  >;
  private readonly touchQuarantine: Database.Statement<{ id: number; at: number }>;
  private readonly insertQuarantineUnknown: Database.Statement<{
    backendId: string;
    error: string;
    raw: string;
    at: number;
  }>;
  private readonly selectItem: Database.Statement<[string], ItemRowWithDetail>;
  private readonly selectItemRow: Database.Statement<[string], ItemRow>;
  private readonly upsertItemIfNewer: Database.Statement<UpsertParams>;
  private readonly searchLimit: number;
  private readonly mailRules: readonly MailRule[];
  private readonly mailCalendar: WorkCalendar;
  private readonly upsertMail: Database.Statement<UpsertParams>;
  private readonly closeDeletedMail: Database.Statement<{ id: string; updatedAt: number }>;
  private readonly findByRef: Database.Statement<[string, string], { id: string }>;
  private readonly findByCitizen: Database.Statement<[string], { id: string }>;
  private readonly deleteAutoLinks: Database.Statement<[string]>;
  private readonly insertLink: Database.Statement<{
    fromId: string;
    kind: string;
    valueKey: string;
    value: string;
    toId: string | null;
    origin: string;
    at: number;
  }>;
  private readonly resolveLinks: Database.Statement<[string, string, string], { from_id: string }>;
  private readonly anyUnresolvedLink: Database.Statement<[], { one: number }>;
  private readonly anyQuarantine: Database.Statement<[string], { one: number }>;
  private readonly anyMailBody: Database.Statement<[], { one: number }>;
  private readonly selectMailForEvaluation: Database.Statement<
    [string],
    { received_at: number; status: string; detail_json: string }
  >;
  private readonly selectResolvedLinkKinds: Database.Statement<[string], { kind: LinkKind }>;
  private readonly updateMailVerdict: Database.Statement<{
    id: string;
    dueAt: number | null;
    dueKey: number;
    urgency: number;
    isOpen: number;
    clockRunning: number;
  }>;
  private readonly selectLinksFrom: Database.Statement<[string], ItemLinkRow>;
  private readonly selectLinksTo: Database.Statement<[string], ItemLinkRow>;
  private readonly selectLinkStates: Database.Statement<[string], LinkStateRow>;
  private readonly selectBodyLinks: Database.Statement<[string], { body_links_json: string }>;
  private readonly selectCitizenOf: Database.Statement<[string], { citizen_id: string | null }>;
  private readonly selectCitizenLinks: Database.Statement<[string, string], ItemLinkRow>;
  private readonly selectDossiersOfCitizen: Database.Statement<[string, number], { id: string }>;
  private readonly lookup: LinkLookup;
  /** Issue #6: a dossier's applicant lands in `citizens` (newest dossier wins). */
  private readonly upsertCitizen: Database.Statement<CitizenFromDossier> | null;
  /** Migration 011's narrow index of what a search filters and orders (absent on older test files). */
  private readonly searchCover: boolean;
  private readonly anyFtsHit: Database.Statement<[string], { one: number }>;
  /** Migration 011's citizens_pending (absent on older test files). */
  private readonly insertPendingCitizens: Database.Statement<[string]> | null;
  private readonly selectPendingCitizens: Database.Statement<[], string> | null;
  private readonly deletePendingCitizens: Database.Statement<[]> | null;
  /** Applicants deferred since the last flush (this connection's count). */
  private pendingCitizens = 0;

  constructor(
    private readonly db: Database.Database,
    private readonly deadlines: DeadlinePolicy,
    private readonly syncState: SyncStateRepository,
    private readonly options: QueueServiceOptions,
  ) {
    this.searchLimit = options.searchCandidateLimit ?? SEARCH_CANDIDATE_LIMIT;
    this.upsertItem = db.prepare(`${UPSERT_ITEM_SQL}
      WHERE items.updated_at IS NOT excluded.updated_at OR items.status IS NOT excluded.status`);
    this.clearQuarantine = db.prepare(
      'DELETE FROM quarantine WHERE backend_id = @backendId AND external_id = @externalId',
    );
    this.upsertQuarantineKnown = db.prepare(`
      INSERT INTO quarantine (backend_id, external_id, error, raw, first_seen_at, last_seen_at)
      VALUES (@backendId, @externalId, @error, @raw, @at, @at)
      ON CONFLICT (backend_id, external_id) WHERE external_id IS NOT NULL
      DO UPDATE SET error = excluded.error, raw = excluded.raw, last_seen_at = excluded.last_seen_at`);
    this.findQuarantineUnknown = db.prepare(
      `SELECT id FROM quarantine WHERE backend_id = @backendId AND external_id IS NULL AND error = @error
         AND raw = @raw LIMIT 1`,
    );
    this.touchQuarantine = db.prepare('UPDATE quarantine SET last_seen_at = @at WHERE id = @id');
    this.insertQuarantineUnknown = db.prepare(`
      INSERT INTO quarantine (backend_id, external_id, error, raw, first_seen_at, last_seen_at)
      VALUES (@backendId, NULL, @error, @raw, @at, @at)`);
    this.selectItem = db.prepare(`SELECT ${ITEM_COLUMNS}, i.detail_json FROM items AS i WHERE i.id = ?`);
    this.selectItemRow = db.prepare(`SELECT ${ITEM_COLUMNS} FROM items AS i WHERE i.id = ?`);
    // The backend's answer to an action: the same write as a sync page, but never over a newer
    // version (a replayed idempotent answer may carry an older copy than the one synced since).
    this.upsertItemIfNewer = db.prepare(`${UPSERT_ITEM_SQL}
      WHERE excluded.updated_at > items.updated_at
        OR (excluded.updated_at = items.updated_at AND items.status IS NOT excluded.status)`);

    // ----- mail and links (migration 003) -----
    this.mailRules = options.mail?.rules ?? DEFAULT_MAIL_RULES;
    this.mailCalendar = options.mail?.calendar ?? defaultCalendar();
    // A mail's version (updatedAt = arrival) does not move when a flag changes or when the rules'
    // verdict changes, so any difference replaces it.
    this.upsertMail = db.prepare(`${UPSERT_ITEM_SQL}
      WHERE items.updated_at IS NOT excluded.updated_at OR items.status IS NOT excluded.status
        OR items.detail_json IS NOT excluded.detail_json OR items.due_at IS NOT excluded.due_at
        OR items.urgency IS NOT excluded.urgency OR items.is_open IS NOT excluded.is_open
        OR items.title IS NOT excluded.title OR items.assignee IS NOT excluded.assignee`);
    // An expunged mail closes its item; subject, sender and detail stay as they were.
    this.closeDeletedMail = db.prepare(`UPDATE items SET status = 'deleted', is_open = 0, clock_running = 0,
      updated_at = @updatedAt WHERE id = @id AND status IS NOT 'deleted'`);
    this.findByRef = db.prepare(`SELECT id FROM items INDEXED BY items_ref_folded
      WHERE ref_folded = ? AND source = ? ORDER BY updated_at DESC LIMIT 1`);
    this.findByCitizen = db.prepare(`SELECT id FROM items INDEXED BY items_citizen
      WHERE citizen_id = ? AND source = 'procedure' ORDER BY updated_at DESC LIMIT 1`);
    // Automatic links are recomputed whenever the mail lands; tombstones (removed by hand) stay.
    this.deleteAutoLinks = db.prepare("DELETE FROM item_links WHERE from_id = ? AND origin = 'auto' AND removed_at IS NULL");
    this.insertLink = db.prepare(`INSERT INTO item_links (from_id, kind, value_key, value, to_id, origin, created_at)
      VALUES (@fromId, @kind, @valueKey, @value, @toId, @origin, @at)
      ON CONFLICT (from_id, kind, value_key) DO UPDATE SET to_id = COALESCE(excluded.to_id, item_links.to_id)`);
    this.anyMailBody = db.prepare('SELECT 1 AS one FROM mail_bodies LIMIT 1');
    this.anyQuarantine = db.prepare('SELECT 1 AS one FROM quarantine WHERE backend_id = ? LIMIT 1');
    this.anyUnresolvedLink = db.prepare('SELECT 1 AS one FROM item_links INDEXED BY item_links_unresolved WHERE to_id IS NULL LIMIT 1');
    this.resolveLinks = db.prepare(`UPDATE item_links SET to_id = ?
      WHERE to_id IS NULL AND kind = ? AND value_key = ? RETURNING from_id`);
    this.selectMailForEvaluation = db.prepare(
      "SELECT received_at, status, detail_json FROM items WHERE id = ? AND source = 'mail'",
    );
    this.selectResolvedLinkKinds = db.prepare(
      'SELECT kind FROM item_links WHERE from_id = ? AND to_id IS NOT NULL AND removed_at IS NULL',
    );
    this.updateMailVerdict = db.prepare(`UPDATE items SET due_at = @dueAt, due_key = @dueKey, urgency = @urgency,
      is_open = @isOpen, clock_running = @clockRunning WHERE id = @id AND status IS NOT 'deleted'
        AND (due_at IS NOT @dueAt OR urgency IS NOT @urgency OR is_open IS NOT @isOpen)`);
    const linkColumns = 'from_id, to_id, kind, value, origin, created_at';
    this.selectLinksFrom = db.prepare(
      `SELECT ${linkColumns} FROM item_links WHERE from_id = ? AND removed_at IS NULL ORDER BY created_at, kind, value_key`,
    );
    this.selectLinksTo = db.prepare(
      `SELECT ${linkColumns} FROM item_links INDEXED BY item_links_to WHERE to_id = ? AND removed_at IS NULL
        ORDER BY created_at, from_id`,
    );
    this.selectLinkStates = db.prepare(
      'SELECT kind, value_key, origin, removed_at IS NOT NULL AS removed, to_id FROM item_links WHERE from_id = ?',
    );
    this.selectBodyLinks = db.prepare('SELECT body_links_json FROM mail_bodies WHERE item_id = ?');
    this.selectCitizenOf = db.prepare('SELECT citizen_id FROM items WHERE id = ?');
    // Mails citing a citizen's ID number, whichever of the citizen's dossiers the link resolved to.
    this.selectCitizenLinks = db.prepare(`SELECT ${linkColumns} FROM item_links INDEXED BY item_links_value
      WHERE kind = 'citizen' AND value_key = ? AND removed_at IS NULL AND to_id IS NOT ?`);
    this.selectDossiersOfCitizen = db.prepare(`SELECT id FROM items INDEXED BY items_citizen
      WHERE citizen_id = ? AND source = 'procedure' ORDER BY updated_at DESC LIMIT ?`);
    // A file migrated only up to an older version (migration tests) has no citizens table yet.
    const hasCitizens = db.prepare("SELECT 1 AS one FROM sqlite_master WHERE type = 'table' AND name = 'citizens'").get() !== undefined;
    this.upsertCitizen = hasCitizens ? db.prepare(UPSERT_CITIZEN_FROM_DOSSIER_SQL) : null;
    this.anyFtsHit = db.prepare('SELECT 1 AS one FROM items_fts WHERE items_fts MATCH ? LIMIT 1');
    this.searchCover =
      db.prepare("SELECT 1 AS one FROM sqlite_master WHERE type = 'index' AND name = ?").get(SEARCH_COVER_INDEX) !== undefined;
    const hasPending =
      hasCitizens && db.prepare("SELECT 1 AS one FROM sqlite_master WHERE type = 'table' AND name = 'citizens_pending'").get() !== undefined;
    this.insertPendingCitizens = hasPending ? db.prepare<[string]>('INSERT INTO citizens_pending (rows_json) VALUES (?)') : null;
    this.selectPendingCitizens = hasPending
      ? db.prepare<[], string>('SELECT rows_json FROM citizens_pending ORDER BY seq').pluck()
      : null;
    this.deletePendingCitizens = hasPending ? db.prepare<[]>('DELETE FROM citizens_pending') : null;
    // Applicants a crash left waiting (the process died between a page and the end of its cycle).
    if (hasPending && !db.readonly && db.prepare('SELECT 1 AS one FROM citizens_pending LIMIT 1').get() !== undefined) {
      this.flushPendingCitizens();
    }
    this.lookup = {
      findDossier: (code) => this.findByRef.get(foldNotation(code), 'procedure')?.id ?? null,
      findDocumentByNotation: (folded) => this.findByRef.get(folded, 'document')?.id ?? null,
      findCitizen: (idNumber) => this.findByCitizen.get(idNumber)?.id ?? null,
    };
  }

  // ---------- writes ----------

  /**
   * Land one page: valid records upserted (unchanged ones skipped), invalid ones quarantined,
   * the cursor stored — all or nothing. A repeated page is a no-op and returns no changed ids.
   */
  upsertBatch(
    backendId: string,
    records: readonly NormalizedRecord[],
    quarantined: readonly QuarantinedRecord[],
    cursor: string | null,
    options: UpsertBatchOptions = {},
  ): UpsertResult {
    const at = this.options.now();
    const toQuarantine: QuarantinedRecord[] = [...quarantined];
    const rows: { row: UpsertParams; record: NormalizedRecord }[] = [];
    for (const record of records) {
      const parsed = NormalizedRecordSchema.safeParse(record);
      if (!parsed.success) {
        toQuarantine.push({
          externalId: typeof record.externalId === 'string' && record.externalId !== '' ? record.externalId : null,
          error: `Invalid normalised record: ${describeRecordIssues(parsed.error)}`,
          raw: safeJson(record),
        });
        continue;
      }
      rows.push({ row: this.toRow(backendId, record), record });
    }

    return this.db.transaction((): UpsertResult => {
      const changed: string[] = [];
      const reevaluated = new Set<string>();
      // Most pages carry no mail and meet no waiting link: look for waiting links only when there are any.
      // null: unknown since a mail landed (it may have stored unresolved links); asked again only
      // when a dossier or document that could resolve them comes next, not once per mail.
      let linksWaiting: boolean | null = this.anyUnresolvedLink.get() !== undefined;
      // Quarantine rows of this backend before the page (this page's own are written after the loop):
      // without any, a mail has none to clear (one probe a page instead of one DELETE a mail).
      const quarantineEmpty = this.anyQuarantine.get(backendId) === undefined;
      // No mail body read yet (a first sync): no body links to look up for each mail. Bodies are
      // never written while a page lands.
      const bodiesStored = this.anyMailBody.get() !== undefined;
      const citizens: CitizenFromDossier[] = [];
      for (const { row, record } of rows) {
        if (record.source === 'mail') {
          if (this.landMail(row, record, at, bodiesStored)) changed.push(row.id);
          if (linksWaiting === false) linksWaiting = null;
          if (quarantineEmpty) continue;
        } else if (this.upsertItem.run(row).changes > 0) {
          changed.push(row.id);
          if (row.citizenId !== null) this.collectCitizen(row, record, at, citizens);
          linksWaiting ??= this.anyUnresolvedLink.get() !== undefined;
          if (linksWaiting) for (const mailId of this.resolvePendingLinks(row)) reevaluated.add(mailId);
        }
        this.clearQuarantine.run({ backendId, externalId: row.externalId });
      }
      if (options.deferCitizens === true && this.insertPendingCitizens !== null) this.deferCitizens(citizens);
      else this.landCitizens(citizens);
      for (const mailId of reevaluated) if (this.reevaluateMail(mailId)) changed.push(mailId);
      for (const q of toQuarantine) this.quarantine(backendId, q, at);
      this.syncState.saveCursor(backendId, cursor);
      return { changed, quarantined: toQuarantine.length };
    })();
  }

  /**
   * Land one record the backend returned for an action (outside any sync page; the cursor is not
   * touched). Skipped when the cache already holds a newer version. Returns whether the row changed;
   * an invalid record is quarantined like a sync record and returns false.
   */
  upsertRecord(backendId: string, record: NormalizedRecord): boolean {
    const parsed = NormalizedRecordSchema.safeParse(record);
    if (!parsed.success) {
      this.quarantine(
        backendId,
        {
          externalId: typeof record.externalId === 'string' && record.externalId !== '' ? record.externalId : null,
          error: `Invalid normalised record: ${describeRecordIssues(parsed.error)}`,
          raw: safeJson(record),
        },
        this.options.now(),
      );
      return false;
    }
    const row = this.toRow(backendId, record);
    return this.db.transaction(() => {
      // A mail's version (its arrival) does not move when its flags change: it lands like a sync
      // record (links, rules), the server's copy after the action being the latest one.
      const changed = record.source === 'mail' ? this.landMail(row, record, this.options.now()) : this.upsertItemIfNewer.run(row).changes > 0;
      if (changed && row.citizenId !== null) {
        // Applicants still waiting from a sync first, so they land in the order their dossiers did.
        if (this.pendingCitizens > 0) this.landPendingCitizens();
        this.landCitizen(row, record, this.options.now());
      }
      if (changed) this.clearQuarantine.run({ backendId, externalId: row.externalId });
      return changed;
    })();
  }

  /** A backend record as the queue would show it (for a conflict's "current" side); nothing is written. */
  workItemFromRecord(backendId: string, record: NormalizedRecord, now: number): WorkItem {
    const p = this.toRow(backendId, record);
    return this.toWorkItem(
      {
        id: p.id,
        source: p.source,
        backend_id: p.backendId,
        external_id: p.externalId,
        ref: p.ref,
        title: p.title,
        party: p.party,
        kind: p.kind,
        status: p.status,
        received_at: p.receivedAt,
        due_at: p.dueAt,
        urgency: p.urgency,
        assignee: p.assignee,
        assignee_name: p.assigneeName,
        updated_at: p.updatedAt,
        clock_running: p.clockRunning,
        paused: p.paused,
      },
      now,
      undefined,
      null,
    );
  }

  private toRow(backendId: string, r: NormalizedRecord): UpsertParams {
    const dueAt =
      r.dueAt ?? (r.source === 'document' ? this.deadlines.defaultDocumentDue(r.receivedAt, r.urgency) : null);
    return {
      id: `${backendId}:${r.externalId}`,
      source: r.source,
      backendId,
      externalId: r.externalId,
      ref: r.ref,
      title: r.title,
      party: r.party,
      kind: r.kind,
      status: r.status,
      receivedAt: r.receivedAt,
      dueAt,
      dueKey: dueAt ?? NO_DUE_KEY,
      urgency: r.urgency,
      assignee: r.assignee,
      assigneeName: r.assigneeName,
      updatedAt: r.updatedAt,
      isOpen: isOpenStatus(r.source, r.status) ? 1 : 0,
      clockRunning: isClockRunning(r.source, r.status) ? 1 : 0,
      paused: isPausedStatus(r.source, r.status) ? 1 : 0,
      // Issue #4 (mail first sync): a deferred record lands without its index entry; the mail search backfill adds it.
      searchFolded: r.searchDeferred === true ? SEARCH_PENDING : searchTextOf(r),
      detailJson: JSON.stringify(r.detail),
      refFolded: r.source === 'mail' ? null : foldNotation(r.ref),
      citizenId: r.detail.source === 'procedure' ? (r.detail.applicantIdNumber ?? null) : null,
    };
  }

  /** The applicant of a dossier that just landed, into `citizens` (issue #6; one upsert, no read). */
  private landCitizen(row: UpsertParams, record: NormalizedRecord, at: number): void {
    const citizens: CitizenFromDossier[] = [];
    this.collectCitizen(row, record, at, citizens);
    for (const citizen of citizens) this.upsertCitizen?.run(citizen);
  }

  /**
   * A sync page's applicants into `citizens_pending` (one appended row), folded into `citizens` by
   * flushPendingCitizens — at the end of the cycle, or here once CITIZENS_FLUSH_AT are waiting.
   */
  private deferCitizens(citizens: readonly CitizenFromDossier[]): void {
    if (citizens.length === 0) return;
    this.insertPendingCitizens?.run(JSON.stringify(citizens));
    this.pendingCitizens += citizens.length;
    if (this.pendingCitizens >= CITIZENS_FLUSH_AT) this.landPendingCitizens();
  }

  /**
   * Fold the applicants waiting in `citizens_pending` into `citizens` (one transaction). The sync
   * engine calls it when a cycle ends; the constructor, for rows a crash left behind. Returns how
   * many applicant rows were applied.
   */
  flushPendingCitizens(): number {
    if (this.selectPendingCitizens === null) return 0;
    return this.db.transaction(() => this.landPendingCitizens())();
  }

  private landPendingCitizens(): number {
    if (this.selectPendingCitizens === null || this.deletePendingCitizens === null) return 0;
    const citizens: CitizenFromDossier[] = [];
    for (const json of this.selectPendingCitizens.all()) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(json);
      } catch {
        continue;
      }
      const rows = PendingCitizensSchema.safeParse(parsed);
      if (rows.success) citizens.push(...rows.data);
    }
    this.deletePendingCitizens.run();
    this.pendingCitizens = 0;
    this.landCitizens(citizens);
    return citizens.length;
  }

  private collectCitizen(row: UpsertParams, record: NormalizedRecord, at: number, into: CitizenFromDossier[]): void {
    if (record.detail.source !== 'procedure' || this.upsertCitizen === null) return;
    const citizen = citizenFromDossier(row.id, row.ref, row.updatedAt, record.detail, at);
    if (citizen !== null && citizen.fullName !== '') into.push(citizen);
  }

  /**
   * Applicants into `citizens`, in ID-number order: consecutive upserts land on neighbouring pages of
   * the table and its indexes. The sort is stable, so two dossiers of one citizen keep their landing
   * order (and the newest wins anyway, by the upsert's guard).
   */
  private landCitizens(citizens: CitizenFromDossier[]): void {
    if (this.upsertCitizen === null || citizens.length === 0) return;
    citizens.sort((a, b) => (a.idNumber < b.idNumber ? -1 : a.idNumber > b.idNumber ? 1 : 0));
    for (const citizen of citizens) this.upsertCitizen.run(citizen);
  }

  // ---------- mail and links ----------

  /**
   * Land one mail record (inside the page's transaction): a deletion closes the item and keeps what
   * it showed; otherwise the links in subject + preview are resolved against the cache and stored,
   * and the mail rules decide whether it is open work, its reply deadline and urgency.
   */
  private landMail(row: UpsertParams, record: NormalizedRecord, at: number, bodiesStored = true): boolean {
    if (record.status === 'deleted') {
      return this.closeDeletedMail.run({ id: row.id, updatedAt: record.updatedAt }).changes > 0;
    }
    const detail = record.detail.source === 'mail' ? record.detail : null;
    const match = this.matchMailLinks(row.id, record.title, detail?.preview ?? null, at, bodiesStored);
    const states = this.selectLinkStates.all(row.id);
    const verdict = this.evaluate(detail, record.title, record.receivedAt, this.verdictLinks(states, match));
    const mailRow: UpsertParams = {
      ...row,
      // A mail account is the signed-in official's own mailbox: its work is hers ("Của tôi").
      assignee: row.assignee ?? this.options.username,
      dueAt: verdict.dueAt,
      dueKey: verdict.dueAt ?? NO_DUE_KEY,
      urgency: verdict.urgency,
      isOpen: verdict.work ? 1 : 0,
      clockRunning: verdict.work ? 1 : 0,
      paused: 0,
    };
    if (this.upsertMail.run(mailRow).changes === 0) return false;
    // No link rows for this mail a moment ago (the upsert does not touch links): none to delete.
    this.storeAutoLinks(row.id, match, at, states.length > 0);
    return true;
  }

  private storeAutoLinks(fromId: string, match: LinkMatch, at: number, hasLinkRows = true): void {
    if (hasLinkRows) this.deleteAutoLinks.run(fromId);
    const all = [...match.matched.map((l) => ({ ...l, toId: l.id as string | null })), ...match.unmatched.map((l) => ({ ...l, toId: null }))];
    for (const link of all) {
      this.insertLink.run({
        fromId,
        kind: link.kind,
        valueKey: foldNotation(link.value),
        value: link.value,
        toId: link.toId,
        origin: 'auto',
        at,
      });
    }
  }

  private evaluate(
    detail: MailDetail | null,
    subject: string,
    receivedAt: number,
    links: readonly { kind: LinkKind }[],
  ): MailEvaluation {
    const verdict = evaluateMail(
      this.mailRules,
      {
        folder: detail?.folder ?? 'INBOX',
        seen: detail?.seen ?? false,
        flagged: detail?.flagged ?? false,
        history: detail?.history ?? false,
        fromAddress: detail?.from?.address ?? null,
        subject,
        links,
        receivedAt,
      },
      this.mailCalendar,
    );
    return { work: verdict.work, dueAt: verdict.work ? verdict.dueAt : null, urgency: verdict.urgency };
  }

  /** A dossier or document just landed: links waiting for it now point to it. Returns the mails concerned. */
  private resolvePendingLinks(row: UpsertParams): string[] {
    const out: string[] = [];
    if (row.refFolded !== null && row.refFolded !== '') {
      const kind = row.source === 'procedure' ? 'dossier' : 'document';
      for (const r of this.resolveLinks.all(row.id, kind, row.refFolded)) out.push(r.from_id);
    }
    if (row.citizenId !== null && row.citizenId !== '') {
      for (const r of this.resolveLinks.all(row.id, 'citizen', row.citizenId)) out.push(r.from_id);
    }
    return out;
  }

  /**
   * Links of a mail: those in its subject and preview, and those found in its full body when it was
   * read (mail_bodies.body_links_json), resolved against the cache.
   */
  private matchMailLinks(mailId: string, subject: string, preview: string | null, at: number, bodiesStored = true): LinkMatch {
    const found = extractLinks([subject, preview ?? ''].join('\n'), { now: at });
    return matchLinks(bodiesStored ? [...found, ...this.bodyLinksOf(mailId)] : found, this.lookup);
  }

  private bodyLinksOf(mailId: string): MailLink[] {
    const row = this.selectBodyLinks.get(mailId);
    if (!row) return [];
    let json: unknown;
    try {
      json = JSON.parse(row.body_links_json);
    } catch {
      return [];
    }
    if (!Array.isArray(json)) return [];
    const out: MailLink[] = [];
    json.forEach((entry: unknown, i) => {
      const e = entry as { kind?: unknown; value?: unknown } | null;
      if (e && (e.kind === 'dossier' || e.kind === 'document' || e.kind === 'citizen') && typeof e.value === 'string') {
        // After the subject and preview: their occurrences come first.
        out.push({ kind: e.kind, value: e.value, index: 1_000_000_000 + i });
      }
    });
    return out;
  }

  /** What the rules count for a mail: its resolved automatic links not removed by hand, and its manual links. */
  private verdictLinks(states: readonly LinkStateRow[], match: LinkMatch): { kind: LinkKind }[] {
    if (states.length === 0) return match.matched;
    const removed = new Set(states.filter((r) => r.removed === 1).map((r) => `${r.kind}:${r.value_key}`));
    const auto = match.matched.filter((l) => !removed.has(`${l.kind}:${foldNotation(l.value)}`));
    const manual = states.filter((r) => r.origin === 'manual' && r.removed === 0 && r.to_id !== null).map((r) => ({ kind: r.kind }));
    return [...auto, ...manual];
  }

  /**
   * Re-derive a cached mail's automatic links (subject, preview and the cached body's links; links
   * removed by hand stay removed) and apply the rules again, in one transaction. Returns the ids whose
   * view changed: the mail and the items linked before or after.
   */
  relinkMail(mailId: string): string[] {
    const at = this.options.now();
    return this.db.transaction((): string[] => {
      const mail = this.selectMailForEvaluation.get(mailId);
      if (!mail) return [];
      const detail = parseMailDetail(mail.detail_json);
      const snapshot = (): { key: string; ids: (string | null)[] } => {
        const rows = this.selectLinkStates.all(mailId);
        return {
          key: JSON.stringify(rows.map((r) => [r.kind, r.value_key, r.origin, r.removed, r.to_id]).sort()),
          ids: rows.map((r) => r.to_id),
        };
      };
      const before = snapshot();
      this.storeAutoLinks(mailId, this.matchMailLinks(mailId, detail?.subject ?? '', detail?.preview ?? null, at), at);
      const after = snapshot();
      const changed = new Set<string>();
      if (before.key !== after.key) {
        changed.add(mailId);
        for (const id of [...before.ids, ...after.ids]) if (id !== null) changed.add(id);
      }
      if (this.reevaluateMail(mailId)) changed.add(mailId);
      return [...changed];
    })();
  }

  /** Apply the rules again to a cached mail whose links were changed by hand; whether the row changed. */
  reevaluateMailLinks(mailId: string): boolean {
    return this.reevaluateMail(mailId);
  }

  /** Resolves dossier codes, số/ký hiệu and ID numbers against the cache (index probes). */
  get linkLookup(): LinkLookup {
    return this.lookup;
  }

  /** The cached dossiers of a citizen (applicant ID number), newest first. */
  dossiersOfCitizen(idNumber: string, limit = 100): string[] {
    return this.selectDossiersOfCitizen.all(idNumber, limit).map((r) => r.id);
  }

  /** Apply the rules again to a cached mail (its links changed). Returns whether the row changed. */
  private reevaluateMail(mailId: string): boolean {
    const mail = this.selectMailForEvaluation.get(mailId);
    if (!mail || mail.status === 'deleted') return false;
    let detail: MailDetail | null = null;
    try {
      const parsed = ItemDetailSchema.safeParse(JSON.parse(mail.detail_json));
      if (parsed.success && parsed.data.source === 'mail') detail = parsed.data;
    } catch {
      detail = null;
    }
    const links = this.selectResolvedLinkKinds.all(mailId);
    const verdict = this.evaluate(detail, detail?.subject ?? '', mail.received_at, links);
    // (links removed by hand are not counted: selectResolvedLinkKinds skips tombstones)
    return (
      this.updateMailVerdict.run({
        id: mailId,
        dueAt: verdict.dueAt,
        dueKey: verdict.dueAt ?? NO_DUE_KEY,
        urgency: verdict.urgency,
        isOpen: verdict.work ? 1 : 0,
        clockRunning: verdict.work ? 1 : 0,
      }).changes > 0
    );
  }

  /**
   * Links of an item, both directions, without those removed by hand. Incoming: the mails citing this
   * item; for a dossier also the mails citing its applicant's ID number (whichever of the citizen's
   * dossiers that link resolved to).
   */
  linksOf(itemId: string): ItemLinks {
    const toLink = (r: ItemLinkRow): ItemLink => ({
      fromId: r.from_id,
      toId: r.to_id,
      kind: r.kind,
      value: r.value,
      origin: r.origin,
      createdAt: r.created_at,
    });
    const incoming = this.selectLinksTo.all(itemId);
    const citizen = this.selectCitizenOf.get(itemId)?.citizen_id ?? null;
    if (citizen !== null && citizen !== '') {
      incoming.push(...this.selectCitizenLinks.all(foldNotation(citizen), itemId));
      incoming.sort((a, b) => a.created_at - b.created_at || a.from_id.localeCompare(b.from_id));
    }
    return {
      outgoing: this.selectLinksFrom.all(itemId).map(toLink),
      incoming: incoming.map(toLink),
    };
  }

  private quarantine(backendId: string, q: QuarantinedRecord, at: number): void {
    const error = q.error.slice(0, 2000);
    const raw = q.raw.slice(0, RAW_MAX_CHARS);
    if (q.externalId !== null && q.externalId !== '') {
      this.upsertQuarantineKnown.run({ backendId, externalId: q.externalId, error, raw, at });
      return;
    }
    const existing = this.findQuarantineUnknown.get({ backendId, error, raw });
    if (existing) this.touchQuarantine.run({ id: existing.id, at });
    else this.insertQuarantineUnknown.run({ backendId, error, raw, at });
  }

  // ---------- reads ----------

  list(filter: QueueFilterValue, offset: number, limit: number, now: number): ListResult {
    const bounds = this.deadlines.boundaries(now);
    const params: Params = { limit: limit + 1, offset };
    const { from, where, key, covered } = this.buildQuery(filter, bounds, params);
    // A search filters and orders its hits in the narrow index (migration 011), then reads the wide
    // rows of the page shown only: on the encrypted cache each page read may be a page decrypted.
    const sql = covered
      ? `SELECT ${ITEM_COLUMNS} FROM (SELECT i.rowid AS r, i.due_key AS k, i.urgency AS u, i.id AS d FROM ${from}${where}
          ${ORDER_BY} LIMIT @limit OFFSET @offset) AS s CROSS JOIN items AS i ON i.rowid = s.r ORDER BY s.k, s.u DESC, s.d`
      : `SELECT ${ITEM_COLUMNS} FROM ${from}${where} ${ORDER_BY} LIMIT @limit OFFSET @offset`;
    const rows = this.statement<ItemRow>(`list|${key}`, sql).all(params);
    const hasMore = rows.length > limit;
    const page = hasMore ? rows.slice(0, limit) : rows;
    const marks = this.options.marks?.marksFor(page.map((r) => r.id));
    const items = page.map((row) => this.toWorkItem(row, now, bounds, marks?.get(row.id) ?? null));
    return { items, hasMore, now };
  }

  /**
   * Totals by SLA state and by source for a filter. Open items: one index-only pass grouped by
   * source, the SLA states as SUMs over the same due_key ranges as the list filter. Closed items
   * (includeClosed) are always `none`: a second index-only COUNT grouped by source.
   */
  counts(filter: QueueFilterValue, now: number): CountsResult {
    const bounds = this.deadlines.boundaries(now);
    const result: CountsResult = { total: 0, bySla: emptySlaCounts(), bySource: emptySourceCounts() };

    const params: Params = {};
    const open = this.buildQuery(filter, bounds, params, 'open');
    this.bindSlaBounds(params, bounds);
    const sql = `SELECT i.source AS source, ${SLA_SUMS} FROM ${open.from}${open.where} GROUP BY i.source`;
    for (const row of this.statement<SlaSumsRow>(`counts|${open.key}`, sql).all(params)) {
      if (!isSource(row.source)) continue;
      const none = row.n - row.overdue - row.due_today - row.due_soon - row.on_track - row.paused;
      result.total += row.n;
      result.bySource[row.source] += row.n;
      result.bySla.overdue += row.overdue;
      result.bySla.due_today += row.due_today;
      result.bySla.due_soon += row.due_soon;
      result.bySla.on_track += row.on_track;
      result.bySla.paused += row.paused;
      result.bySla.none += none;
    }

    if (filter.includeClosed) {
      const closedParams: Params = {};
      const closed = this.buildQuery(filter, bounds, closedParams, 'closed');
      const closedSql = `SELECT i.source AS source, COUNT(*) AS n FROM ${closed.from}${closed.where} GROUP BY i.source`;
      for (const row of this.statement<{ source: string; n: number }>(`counts-closed|${closed.key}`, closedSql).all(
        closedParams,
      )) {
        if (!isSource(row.source)) continue;
        result.total += row.n;
        result.bySource[row.source] += row.n;
        result.bySla.none += row.n;
      }
    }
    return result;
  }

  /** The item and its validated detail; null when the id is unknown. */
  get(id: string, now: number): ItemWithDetail | null {
    const row = this.selectItem.get(id);
    if (!row) return null;
    let json: unknown;
    try {
      json = JSON.parse(row.detail_json);
    } catch {
      throw new Error(`Cached detail of ${id} is not valid JSON`);
    }
    const detail = ItemDetailSchema.safeParse(json);
    if (!detail.success) throw new Error(`Cached detail of ${id} does not match the contract`);
    return { item: this.toWorkItem(row, now, undefined, this.marksOf(id)), detail: detail.data };
  }

  /** The item alone (no detail parsing), with its pending marks; null when the id is unknown. */
  getItem(id: string, now: number): WorkItem | null {
    const row = this.selectItemRow.get(id);
    return row ? this.toWorkItem(row, now, undefined, this.marksOf(id)) : null;
  }

  private marksOf(id: string): ItemMarks | null {
    return this.options.marks?.marksFor([id]).get(id) ?? null;
  }

  // ---------- SQL building ----------

  /**
   * FROM and WHERE for a filter. The SQL text depends only on the filter's shape (which arrays are
   * set and how long), never on values, so it doubles as the prepared-statement cache key.
   */
  private buildQuery(
    filter: QueueFilterValue,
    bounds: SlaBoundaries,
    params: Params,
    openness: 'open' | 'closed' | 'filter' = 'filter',
  ): { from: string; where: string; key: string; covered: boolean } {
    const conditions: string[] = [];
    if (openness === 'open' || (openness === 'filter' && !filter.includeClosed)) conditions.push('i.is_open = 1');
    else if (openness === 'closed') conditions.push('i.is_open = 0');

    const sources = filter.sources ? [...new Set(filter.sources)] : [];
    if (sources.length > 0 && sources.length < SOURCES.length) {
      if (sources.length === 1) {
        conditions.push('i.source = @source0');
        params.source0 = sources[0] ?? '';
      } else {
        conditions.push(`i.source IN (${sources.map((_, n) => `@source${n}`).join(', ')})`);
        sources.forEach((s, n) => (params[`source${n}`] = s));
      }
    }

    const statuses = filter.statuses ? [...new Set(filter.statuses)] : [];
    if (statuses.length > 0) {
      conditions.push(`i.status IN (${statuses.map((_, n) => `@status${n}`).join(', ')})`);
      statuses.forEach((s, n) => (params[`status${n}`] = s));
    }

    if (filter.scope === 'mine') {
      conditions.push('i.assignee = @me');
      params.me = this.options.username;
    }

    const sla = filter.sla ? SLA_STATES.filter((s) => filter.sla?.includes(s)) : [];
    if (sla.length > 0 && sla.length < SLA_STATES.length) {
      conditions.push(slaConditionSql(sla));
      this.bindSlaBounds(params, bounds);
    }

    let from = 'items AS i';
    const match = this.queueMatch(filter.q);
    const covered = match !== null && this.searchCover;
    if (match !== null) {
      // CROSS JOIN keeps the bounded hit list as the outer loop; each hit is looked up in the narrow
      // covering index when there is one (every column the filters and the order use is in it).
      from =
        '(SELECT rowid AS hit FROM items_fts WHERE items_fts MATCH @match ORDER BY rowid DESC LIMIT @searchLimit) AS h ' +
        `CROSS JOIN items AS i${covered ? ` INDEXED BY ${SEARCH_COVER_INDEX}` : ''} ON i.rowid = h.hit`;
      params.match = match;
      params.searchLimit = this.searchLimit;
    }

    const where = conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '';
    return { from, where, key: `${from}${where}`, covered };
  }

  /**
   * The FTS expression of a queue search: whole words (`unifiedMatch().first`, cheap: FTS5 walks their
   * doclists lazily) when they match anything, else every word as a prefix (`ftsMatchExpression`, the
   * start of each word typed). Decided once per text, so a list and its counts always agree.
   */
  private queueMatch(q: string | undefined): string | null {
    const m = unifiedMatch(q);
    if (m === null) return null;
    return this.anyFtsHit.get(m.first) !== undefined ? m.first : ftsMatchExpression(q);
  }

  private bindSlaBounds(params: Params, bounds: SlaBoundaries): void {
    params.slaNow = bounds.now;
    params.slaEndOfToday = bounds.endOfToday;
    params.slaEndOfNextWorkingDay = bounds.endOfNextWorkingDay;
  }

  private statement<R>(key: string, sql: string): Database.Statement<[Params], R> {
    let stmt = this.statements.get(key);
    if (stmt) {
      // Refresh its place: the cache evicts the least recently used.
      this.statements.delete(key);
    } else {
      stmt = this.db.prepare(sql);
      if (this.statements.size >= STATEMENT_CACHE_SIZE) {
        const oldest = this.statements.keys().next();
        if (!oldest.done) this.statements.delete(oldest.value);
      }
    }
    this.statements.set(key, stmt);
    return stmt as Database.Statement<[Params], R>;
  }

  /**
   * A cached row as the queue shows it. With a pending optimistic status the item shows that status,
   * and its deadline state follows it (e.g. a supplement request pauses the clock at once).
   */
  private toWorkItem(row: ItemRow, now: number, bounds: SlaBoundaries | undefined, marks: ItemMarks | null): WorkItem {
    const source: Source = isSource(row.source) ? row.source : 'procedure';
    const optimistic = marks?.optimisticStatus ?? null;
    const status = optimistic ?? row.status;
    const clockRunning = optimistic === null ? row.clock_running === 1 : isClockRunning(source, status);
    const paused = optimistic === null ? row.paused === 1 : isPausedStatus(source, status);
    const { sla, remainingWorkingMinutes } = this.deadlines.sla(
      now,
      { dueAt: row.due_at, clockRunning, paused },
      bounds,
    );
    return {
      id: row.id,
      source,
      backendId: row.backend_id,
      externalId: row.external_id,
      ref: row.ref,
      title: row.title,
      party: row.party,
      kind: row.kind,
      status,
      receivedAt: row.received_at,
      dueAt: row.due_at,
      urgency: row.urgency,
      assignee: row.assignee,
      assigneeName: row.assignee_name,
      updatedAt: row.updated_at,
      sla,
      remainingWorkingMinutes,
      pendingActions: marks?.pending ?? 0,
      attention: marks?.attention ?? 'none',
    };
  }
}

function parseMailDetail(json: string): MailDetail | null {
  try {
    const parsed = ItemDetailSchema.safeParse(JSON.parse(json));
    return parsed.success && parsed.data.source === 'mail' ? parsed.data : null;
  } catch {
    return null;
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
