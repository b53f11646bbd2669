/**
 * Per-backend sync bookkeeping in the cache: the cursor (written in the same transaction as the
 * page it belongs to, by QueueService.upsertBatch), last success/attempt/error, counts.
 * Never holds credentials.
 */
import type Database from 'better-sqlite3';
import { BackendErrorCodeSchema, type BackendErrorCode } from '../../shared/api';

export interface SyncStateRow {
  backendId: string;
  cursor: string | null;
  lastSyncAt: number | null;
  lastAttemptAt: number | null;
  lastError: { code: BackendErrorCode; message: string; at: number } | null;
  itemCount: number;
}

interface RawSyncState {
  backend_id: string;
  cursor: string | null;
  last_sync_at: number | null;
  last_attempt_at: number | null;
  last_error_code: string | null;
  last_error_message: string | null;
  last_error_at: number | null;
  item_count: number;
}

export class SyncStateRepository {
  private readonly selectState: Database.Statement<[string], RawSyncState>;
  private readonly ensureRow: Database.Statement<[string]>;
  private readonly updateCursor: Database.Statement<{ backendId: string; cursor: string | null; itemCount: number }>;
  private readonly updateAttempt: Database.Statement<{ backendId: string; at: number }>;
  private readonly updateSuccess: Database.Statement<{ backendId: string; at: number }>;
  private readonly updateError: Database.Statement<{ backendId: string; code: string; message: string; at: number }>;
  private readonly countItems: Database.Statement<[string], { n: number }>;
  private readonly countQuarantine: Database.Statement<[string], { n: number }>;

  constructor(private readonly db: Database.Database) {
    this.selectState = db.prepare('SELECT * FROM sync_state WHERE backend_id = ?');
    this.ensureRow = db.prepare('INSERT INTO sync_state (backend_id) VALUES (?) ON CONFLICT (backend_id) DO NOTHING');
    this.updateCursor = db.prepare(
      'UPDATE sync_state SET cursor = @cursor, item_count = @itemCount WHERE backend_id = @backendId',
    );
    this.updateAttempt = db.prepare('UPDATE sync_state SET last_attempt_at = @at WHERE backend_id = @backendId');
    this.updateSuccess = db.prepare(
      `UPDATE sync_state SET last_sync_at = @at, last_error_code = NULL, last_error_message = NULL,
         last_error_at = NULL WHERE backend_id = @backendId`,
    );
    this.updateError = db.prepare(
      `UPDATE sync_state SET last_error_code = @code, last_error_message = @message, last_error_at = @at
         WHERE backend_id = @backendId`,
    );
    this.countItems = db.prepare('SELECT COUNT(*) AS n FROM items WHERE backend_id = ?');
    this.countQuarantine = db.prepare('SELECT COUNT(*) AS n FROM quarantine WHERE backend_id = ?');
  }

  get(backendId: string): SyncStateRow {
    const row = this.selectState.get(backendId);
    if (!row) {
      return { backendId, cursor: null, lastSyncAt: null, lastAttemptAt: null, lastError: null, itemCount: 0 };
    }
    const code = BackendErrorCodeSchema.safeParse(row.last_error_code);
    return {
      backendId,
      cursor: row.cursor,
      lastSyncAt: row.last_sync_at,
      lastAttemptAt: row.last_attempt_at,
      lastError:
        row.last_error_code !== null && row.last_error_at !== null
          ? { code: code.success ? code.data : 'unknown', message: row.last_error_message ?? '', at: row.last_error_at }
          : null,
      itemCount: row.item_count,
    };
  }

  /** Store the cursor of a page that just landed; call inside the page's transaction. */
  saveCursor(backendId: string, cursor: string | null): void {
    this.ensureRow.run(backendId);
    this.updateCursor.run({ backendId, cursor, itemCount: this.countItems.get(backendId)?.n ?? 0 });
  }

  recordAttempt(backendId: string, at: number): void {
    this.db.transaction(() => {
      this.ensureRow.run(backendId);
      this.updateAttempt.run({ backendId, at });
    })();
  }

  recordSuccess(backendId: string, at: number): void {
    this.db.transaction(() => {
      this.ensureRow.run(backendId);
      this.updateSuccess.run({ backendId, at });
    })();
  }

  recordError(backendId: string, error: { code: BackendErrorCode; message: string; at: number }): void {
    this.db.transaction(() => {
      this.ensureRow.run(backendId);
      this.updateError.run({ backendId, code: error.code, message: error.message, at: error.at });
    })();
  }

  itemCount(backendId: string): number {
    return this.countItems.get(backendId)?.n ?? 0;
  }

  quarantinedCount(backendId: string): number {
    return this.countQuarantine.get(backendId)?.n ?? 0;
  }
}
