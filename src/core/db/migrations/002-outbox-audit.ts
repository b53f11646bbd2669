/**
 * 002: the outbox (the official's actions waiting for, or confirmed by, their backend) and the
 * audit log (append-only, hash-chained).
 *
 * outbox
 * - `id` is a UUID and also the Idempotency-Key sent to the backend on every attempt.
 * - `seq` is the creation order (explicit, so a VACUUM that renumbers rowids cannot reorder actions):
 *   the runner sends an item's actions strictly in `seq` order, one at a time.
 * - `base_json` is the WorkItem as the official saw it when acting; `base_updated_at` is the version
 *   sent as the conflict check (PhienBan / ExpectedUpdatedAt), moved to the backend's current
 *   version by "apply anyway" and along the official's own confirmed actions (see the runner).
 * - `optimistic_status` is the status the item shows while the action is pending or sending.
 * - `result_updated_at` is the item's version after the backend applied the action.
 * - `attempts` counts sends; `counted_failures` counts the failures that move toward the cap
 *   (unreachable and time-outs do not).
 * - Partial index `outbox_active`: the few not-yet-finished rows, read for every queue page (the
 *   pending mark) without touching the finished history.
 *
 * audit_log
 * - `seq` INTEGER PRIMARY KEY AUTOINCREMENT: a deleted last entry's number is never reused, so
 *   removing the tail is visible (sqlite_sequence stays ahead of the last row).
 * - hash = sha256(prev_hash + canonical JSON of {seq, at, actor, kind, summary, data}).
 */
import type Database from 'better-sqlite3';
import type { Migration } from '../migrations';

export const ACTIVE_OUTBOX_STATES_SQL = "('pending', 'sending', 'needs_attention', 'conflict')";

export const migration002OutboxAudit: Migration = {
  version: 2,
  name: 'outbox-audit',
  up(db: Database.Database): void {
    db.exec(`
      CREATE TABLE outbox (
        id TEXT PRIMARY KEY,
        seq INTEGER NOT NULL UNIQUE,
        item_id TEXT NOT NULL,
        backend_id TEXT NOT NULL,
        actor TEXT NOT NULL,
        action_json TEXT NOT NULL,
        state TEXT NOT NULL
          CHECK (state IN ('pending', 'sending', 'done', 'needs_attention', 'conflict', 'discarded')),
        attempts INTEGER NOT NULL DEFAULT 0,
        counted_failures INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        next_attempt_at INTEGER,
        last_error_json TEXT,
        base_json TEXT NOT NULL,
        base_updated_at INTEGER,
        conflict_json TEXT,
        optimistic_status TEXT,
        result_updated_at INTEGER,
        -- Bumped when the official resolves a conflict with "apply anyway": the backend stored its 409
        -- under the old key, so the resend needs a new one (key = id, then id~1, id~2, …).
        key_round INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX outbox_active ON outbox (item_id, seq, state, optimistic_status)
        WHERE state IN ${ACTIVE_OUTBOX_STATES_SQL};
      CREATE INDEX outbox_backend_state ON outbox (backend_id, state, seq);
      CREATE INDEX outbox_item_seq ON outbox (item_id, seq);
      CREATE INDEX outbox_state_seq ON outbox (state, seq);

      CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        kind TEXT NOT NULL,
        summary TEXT NOT NULL,
        data_json TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      );
      CREATE INDEX audit_log_kind ON audit_log (kind, seq);
    `);
  },
};
