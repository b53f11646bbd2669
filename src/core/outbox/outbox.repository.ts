/**
 * The outbox table (migration 002): rows in, rows out, and the two reads that must stay cheap —
 * the pending marks of one queue page (`marksFor`) and the runner's next due entry (`nextDue`).
 * No events, no audit, no policy: OutboxService owns those.
 */
import type Database from 'better-sqlite3';
import { ItemActionSchema, type ItemAction } from '../../shared/actions';
import { OUTBOX_STATES, OutboxErrorSchema, type OutboxEntry, type OutboxState } from '../../shared/api';
import { WorkItemSchema, type WorkItem } from '../../shared/work-item';
import { ACTIVE_OUTBOX_STATES_SQL } from '../db/migrations/002-outbox-audit';

export type OutboxError = NonNullable<OutboxEntry['lastError']>;
export type Attention = WorkItem['attention'];

/** What a queue row shows about its item's outbox entries. */
export interface ItemMarks {
  /** Entries pending or sending. */
  pending: number;
  attention: Attention;
  /** The status the item shows while actions are pending: that of its latest pending/sending entry. */
  optimisticStatus: string | null;
}

export interface PendingMarksSource {
  marksFor(ids: readonly string[]): Map<string, ItemMarks>;
}

/** An outbox row, decoded. */
export interface OutboxRecord {
  id: string;
  seq: number;
  itemId: string;
  backendId: string;
  actor: string;
  action: ItemAction;
  state: OutboxState;
  attempts: number;
  countedFailures: number;
  createdAt: number;
  updatedAt: number;
  nextAttemptAt: number | null;
  lastError: OutboxError | null;
  base: WorkItem;
  baseUpdatedAt: number | null;
  conflict: { base: WorkItem; current: WorkItem } | null;
  optimisticStatus: string | null;
  resultUpdatedAt: number | null;
  keyRound: number;
  /** The adapter's durable checkpoint (migration 004), null when nothing irreversible happened yet. */
  progress: string | null;
}

/** The Idempotency-Key of an entry's current round (stable across restarts and retries). */
export function idempotencyKeyOf(r: Pick<OutboxRecord, 'id' | 'keyRound'>): string {
  return r.keyRound === 0 ? r.id : `${r.id}~${r.keyRound}`;
}

interface OutboxRow {
  id: string;
  seq: number;
  item_id: string;
  backend_id: string;
  actor: string;
  action_json: string;
  state: string;
  attempts: number;
  counted_failures: number;
  created_at: number;
  updated_at: number;
  next_attempt_at: number | null;
  last_error_json: string | null;
  base_json: string;
  base_updated_at: number | null;
  conflict_json: string | null;
  optimistic_status: string | null;
  result_updated_at: number | null;
  key_round: number;
  progress: string | null;
}

export class OutboxDataError extends Error {
  constructor(id: string, what: string) {
    super(`Outbox entry ${id}: ${what}`);
    this.name = 'OutboxDataError';
  }
}

function isState(value: string): value is OutboxState {
  return (OUTBOX_STATES as readonly string[]).includes(value);
}

function parseJson(id: string, what: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new OutboxDataError(id, `${what} is not valid JSON`);
  }
}

/** Decode and validate a row ("payload validated on load"). @throws OutboxDataError */
function decode(row: OutboxRow): OutboxRecord {
  const action = ItemActionSchema.safeParse(parseJson(row.id, 'action', row.action_json));
  if (!action.success) throw new OutboxDataError(row.id, 'the stored action does not match the contract');
  const base = WorkItemSchema.safeParse(parseJson(row.id, 'base', row.base_json));
  if (!base.success) throw new OutboxDataError(row.id, 'the stored item does not match the contract');
  if (!isState(row.state)) throw new OutboxDataError(row.id, `unknown state "${row.state}"`);
  let lastError: OutboxError | null = null;
  if (row.last_error_json !== null) {
    const parsed = OutboxErrorSchema.safeParse(parseJson(row.id, 'last error', row.last_error_json));
    lastError = parsed.success ? parsed.data : { code: 'unknown', message: 'unreadable error record', at: row.updated_at };
  }
  let conflict: OutboxRecord['conflict'] = null;
  if (row.conflict_json !== null) {
    const c = parseJson(row.id, 'conflict', row.conflict_json) as { base?: unknown; current?: unknown } | null;
    const cb = WorkItemSchema.safeParse(c?.base);
    const cc = WorkItemSchema.safeParse(c?.current);
    if (cb.success && cc.success) conflict = { base: cb.data, current: cc.data };
  }
  return {
    id: row.id,
    seq: row.seq,
    itemId: row.item_id,
    backendId: row.backend_id,
    actor: row.actor,
    action: action.data,
    state: row.state,
    attempts: row.attempts,
    countedFailures: row.counted_failures,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    nextAttemptAt: row.next_attempt_at,
    lastError,
    base: base.data,
    baseUpdatedAt: row.base_updated_at,
    conflict,
    optimisticStatus: row.optimistic_status,
    resultUpdatedAt: row.result_updated_at,
    keyRound: row.key_round,
    progress: row.progress ?? null,
  };
}

export function toOutboxEntry(r: OutboxRecord): OutboxEntry {
  return {
    id: r.id,
    itemId: r.itemId,
    backendId: r.backendId,
    itemRef: r.base.ref,
    itemTitle: r.base.title,
    action: r.action,
    state: r.state,
    attempts: r.attempts,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    nextAttemptAt: r.nextAttemptAt,
    lastError: r.lastError,
    conflict: r.state === 'conflict' ? r.conflict : null,
  };
}

export interface NewOutboxRow {
  id: string;
  itemId: string;
  backendId: string;
  actor: string;
  action: ItemAction;
  base: WorkItem;
  baseUpdatedAt: number | null;
  optimisticStatus: string | null;
  at: number;
}

export interface OutboxPatch {
  state: OutboxState;
  at: number;
  attempts?: number;
  countedFailures?: number;
  nextAttemptAt?: number | null;
  lastError?: OutboxError | null;
  baseUpdatedAt?: number | null;
  conflict?: OutboxRecord['conflict'];
  optimisticStatus?: string | null;
  resultUpdatedAt?: number | null;
  keyRound?: number;
  progress?: string | null;
}

const ACTIVE = ACTIVE_OUTBOX_STATES_SQL;

export class OutboxRepository implements PendingMarksSource {
  private readonly insertRow: Database.Statement<Record<string, unknown>>;
  private readonly selectById: Database.Statement<[string], OutboxRow>;
  private readonly selectMarks: Database.Statement<[string], { item_id: string; state: string; optimistic_status: string | null }>;
  private readonly selectActiveForItem: Database.Statement<[string], OutboxRow>;
  private readonly selectDue: Database.Statement<{ backendId: string; now: number }, OutboxRow>;
  private readonly selectWakeAt: Database.Statement<{ backendId: string }, { at: number | null }>;
  private readonly selectDoneChain: Database.Statement<[string, number], { base: number | null; result: number | null }>;
  private readonly selectSending: Database.Statement<[], OutboxRow>;
  private readonly updateExpedite: Database.Statement<{ backendId: string; now: number }>;
  private readonly countByState: Database.Statement<[], { state: string; n: number }>;
  private readonly anyActive: Database.Statement<[], { one: number }>;
  private readonly updateProgress: Database.Statement<[string | null, string]>;
  private readonly selectState: Database.Statement<[string], { state: string }>;
  private readonly updates = new Map<string, Database.Statement<Record<string, unknown>>>();

  constructor(private readonly db: Database.Database) {
    this.insertRow = db.prepare(`INSERT INTO outbox (id, seq, item_id, backend_id, actor, action_json, state, attempts,
        counted_failures, created_at, updated_at, next_attempt_at, last_error_json, base_json, base_updated_at,
        conflict_json, optimistic_status, result_updated_at)
      VALUES (@id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM outbox), @itemId, @backendId, @actor, @action, 'pending', 0, 0,
        @at, @at, @at, NULL, @base, @baseUpdatedAt, NULL, @optimisticStatus, NULL)`);
    this.selectById = db.prepare('SELECT * FROM outbox WHERE id = ?');
    this.anyActive = db.prepare(`SELECT 1 AS one FROM outbox WHERE state IN ${ACTIVE} LIMIT 1`);
    // One probe per id of the page into the partial index of unfinished rows (never the history;
    // INDEXED BY so the planner cannot pick the state index and walk a large offline backlog).
    this.selectMarks = db.prepare(`SELECT item_id, state, optimistic_status FROM outbox INDEXED BY outbox_active
      WHERE state IN ${ACTIVE} AND item_id IN (SELECT value FROM json_each(?)) ORDER BY item_id, seq`);
    this.selectActiveForItem = db.prepare(`SELECT * FROM outbox WHERE state IN ${ACTIVE} AND item_id = ? ORDER BY seq`);
    // The head of each item's line (no earlier unfinished entry for the same item) that is due.
    const head = `o.backend_id = @backendId AND o.state = 'pending' AND NOT EXISTS (
        SELECT 1 FROM outbox AS p WHERE p.item_id = o.item_id AND p.seq < o.seq AND p.state IN ${ACTIVE})`;
    this.selectDue = db.prepare(
      `SELECT o.* FROM outbox AS o WHERE ${head} AND COALESCE(o.next_attempt_at, 0) <= @now ORDER BY o.seq LIMIT 1`,
    );
    this.selectWakeAt = db.prepare(`SELECT MIN(COALESCE(o.next_attempt_at, 0)) AS at FROM outbox AS o WHERE ${head}`);
    this.selectDoneChain = db.prepare(`SELECT base_updated_at AS base, result_updated_at AS result FROM outbox
      WHERE item_id = ? AND seq < ? AND state = 'done' ORDER BY seq`);
    this.selectSending = db.prepare("SELECT * FROM outbox WHERE state = 'sending' ORDER BY seq");
    this.updateExpedite = db.prepare(`UPDATE outbox SET next_attempt_at = @now
      WHERE backend_id = @backendId AND state = 'pending' AND next_attempt_at > @now
        AND json_extract(last_error_json, '$.code') IN ('unreachable', 'timeout')`);
    this.countByState = db.prepare('SELECT state, COUNT(*) AS n FROM outbox GROUP BY state');
    this.updateProgress = db.prepare('UPDATE outbox SET progress = ? WHERE id = ?');
    this.selectState = db.prepare('SELECT state FROM outbox WHERE id = ?');
  }

  /** The state of an entry without decoding it (null: no such row). */
  stateOf(id: string): OutboxState | null {
    const row = this.selectState.get(id);
    return row && isState(row.state) ? row.state : null;
  }

  /** The checkpoint alone (no state change, updated_at kept). Returns whether the row exists. */
  setProgress(id: string, value: string | null): boolean {
    return this.updateProgress.run(value, id).changes > 0;
  }

  insert(row: NewOutboxRow): void {
    this.insertRow.run({
      id: row.id,
      itemId: row.itemId,
      backendId: row.backendId,
      actor: row.actor,
      action: JSON.stringify(row.action),
      at: row.at,
      base: JSON.stringify(row.base),
      baseUpdatedAt: row.baseUpdatedAt,
      optimisticStatus: row.optimisticStatus,
    });
  }

  get(id: string): OutboxRecord | null {
    const row = this.selectById.get(id);
    return row ? decode(row) : null;
  }

  update(id: string, patch: OutboxPatch): void {
    const sets = ['state = @state', 'updated_at = @at'];
    const params: Record<string, unknown> = { id, state: patch.state, at: patch.at };
    const put = (column: string, key: keyof OutboxPatch, value: unknown): void => {
      if (patch[key] === undefined) return;
      sets.push(`${column} = @${key}`);
      params[key] = value;
    };
    put('attempts', 'attempts', patch.attempts);
    put('counted_failures', 'countedFailures', patch.countedFailures);
    put('next_attempt_at', 'nextAttemptAt', patch.nextAttemptAt);
    put('last_error_json', 'lastError', patch.lastError === null ? null : JSON.stringify(patch.lastError));
    put('base_updated_at', 'baseUpdatedAt', patch.baseUpdatedAt);
    put('conflict_json', 'conflict', patch.conflict === null ? null : JSON.stringify(patch.conflict));
    put('optimistic_status', 'optimisticStatus', patch.optimisticStatus);
    put('result_updated_at', 'resultUpdatedAt', patch.resultUpdatedAt);
    put('key_round', 'keyRound', patch.keyRound);
    put('progress', 'progress', patch.progress);
    // The statement text depends only on which fields are set: a handful of shapes, each prepared once.
    const sql = `UPDATE outbox SET ${sets.join(', ')} WHERE id = @id`;
    let stmt = this.updates.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.updates.set(sql, stmt);
    }
    stmt.run(params);
  }

  /** Pending marks for the items of one page: one indexed lookup over the unfinished rows only. */
  marksFor(ids: readonly string[]): Map<string, ItemMarks> {
    const marks = new Map<string, ItemMarks>();
    if (ids.length === 0 || !this.anyActive.get()) return marks;
    for (const row of this.selectMarks.all(JSON.stringify(ids))) {
      let m = marks.get(row.item_id);
      if (!m) {
        m = { pending: 0, attention: 'none', optimisticStatus: null };
        marks.set(row.item_id, m);
      }
      if (row.state === 'pending' || row.state === 'sending') {
        m.pending += 1;
        if (row.optimistic_status !== null) m.optimisticStatus = row.optimistic_status;
      } else if (row.state === 'conflict') m.attention = 'conflict';
      else if (row.state === 'needs_attention' && m.attention === 'none') m.attention = 'needs_attention';
    }
    return marks;
  }

  /** Unfinished entries of one item, oldest first. */
  activeForItem(itemId: string): OutboxRecord[] {
    return this.selectActiveForItem.all(itemId).map(decode);
  }

  /** The oldest due head-of-line entry of a backend; else when the next one falls due (null: none waiting). */
  nextDue(backendId: string, now: number): { row: OutboxRow | null; wakeAt: number | null } {
    const row = this.selectDue.get({ backendId, now });
    if (row) return { row, wakeAt: null };
    return { row: null, wakeAt: this.selectWakeAt.get({ backendId })?.at ?? null };
  }

  decode(row: OutboxRow): OutboxRecord {
    return decode(row);
  }

  /**
   * The version to send as the conflict check: the version the official saw, moved along the
   * official's own actions on the item that the backend confirmed since (each done entry turned
   * its base version into its result version). A change by anyone else is not on this chain.
   */
  effectiveBase(entry: Pick<OutboxRecord, 'itemId' | 'seq' | 'baseUpdatedAt'>): number | null {
    let version = entry.baseUpdatedAt;
    if (version === null) return null;
    for (const done of this.selectDoneChain.all(entry.itemId, entry.seq)) {
      if (done.base === version && done.result !== null) version = done.result;
    }
    return version;
  }

  sending(): OutboxRecord[] {
    return this.selectSending.all().map(decode);
  }

  /** Make entries that waited for an unreachable backend due now. Returns how many. */
  expedite(backendId: string, now: number): number {
    return this.updateExpedite.run({ backendId, now }).changes;
  }

  list(states: readonly OutboxState[] | undefined, itemId: string | undefined, limit: number): OutboxRecord[] {
    const conditions: string[] = [];
    const params: Record<string, unknown> = { limit };
    if (states && states.length > 0) {
      conditions.push('state IN (SELECT value FROM json_each(@states))');
      params.states = JSON.stringify([...new Set(states)]);
    }
    if (itemId !== undefined) {
      conditions.push('item_id = @itemId');
      params.itemId = itemId;
    }
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    const rows = this.db.prepare<Record<string, unknown>, OutboxRow>(`SELECT * FROM outbox ${where} ORDER BY seq DESC LIMIT @limit`).all(params);
    const out: OutboxRecord[] = [];
    for (const row of rows) {
      try {
        out.push(decode(row));
      } catch {
        // An unreadable row cannot be shown in the contract's shape; the runner parks it.
      }
    }
    return out;
  }

  counts(): Record<OutboxState, number> {
    const counts = Object.fromEntries(OUTBOX_STATES.map((s) => [s, 0])) as Record<OutboxState, number>;
    for (const row of this.countByState.all()) if (isState(row.state)) counts[row.state] = row.n;
    return counts;
  }
}
