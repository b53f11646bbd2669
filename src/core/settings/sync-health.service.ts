/**
 * Sync health for IT staff (issue #5 point 9): per backend the last success and attempt (sync_state,
 * through the engine's statuses), error counts and the recent errors (table `sync_errors`, migration
 * 009, filled from the `backend.status` events: one row per distinct failure instant).
 */
import type Database from 'better-sqlite3';
import type { BackendStatus, CoreEvent } from '../../shared/api';
import type { BackendHealth } from '../../shared/settings';

const KEEP_PER_BACKEND = 5000;
const RECENT = 20;
const DAY_MS = 24 * 3_600_000;

export class SyncHealthService {
  private readonly insert: Database.Statement<{ backendId: string; at: number; code: string; message: string }>;
  private readonly prune: Database.Statement<{ backendId: string; keep: number }>;
  private readonly recent: Database.Statement<{ backendId: string; limit: number }, { at: number; code: string; message: string }>;
  private readonly byCode: Database.Statement<{ backendId: string }, { code: string; n: number }>;
  private readonly since: Database.Statement<{ backendId: string; since: number }, { n: number }>;
  private readonly lastAt: Database.Statement<{ backendId: string }, { at: number | null }>;
  private readonly recorded = new Map<string, number>();

  constructor(private readonly db: Database.Database) {
    this.insert = db.prepare('INSERT INTO sync_errors (backend_id, at, code, message) VALUES (@backendId, @at, @code, @message)');
    this.prune = db.prepare(
      `DELETE FROM sync_errors WHERE backend_id = @backendId AND id <= (
         SELECT id FROM sync_errors WHERE backend_id = @backendId ORDER BY id DESC LIMIT 1 OFFSET @keep)`,
    );
    this.recent = db.prepare('SELECT at, code, message FROM sync_errors WHERE backend_id = @backendId ORDER BY at DESC, id DESC LIMIT @limit');
    this.byCode = db.prepare('SELECT code, COUNT(*) AS n FROM sync_errors WHERE backend_id = @backendId GROUP BY code');
    this.since = db.prepare('SELECT COUNT(*) AS n FROM sync_errors WHERE backend_id = @backendId AND at >= @since');
    this.lastAt = db.prepare('SELECT MAX(at) AS at FROM sync_errors WHERE backend_id = @backendId');
  }

  /** Record the failure carried by a status event, once per failure instant. */
  onEvent(event: CoreEvent): void {
    if (event.type !== 'backend.status' || !event.backend.lastError) return;
    this.record(event.backend.id, event.backend.lastError);
  }

  record(backendId: string, error: { code: string; message: string; at: number }): void {
    let last = this.recorded.get(backendId);
    if (last === undefined) {
      last = this.lastAt.get({ backendId })?.at ?? -1;
      this.recorded.set(backendId, last);
    }
    if (error.at <= last) return;
    this.recorded.set(backendId, error.at);
    this.db.transaction(() => {
      this.insert.run({ backendId, at: error.at, code: error.code, message: error.message.slice(0, 1000) });
      this.prune.run({ backendId, keep: KEEP_PER_BACKEND });
    })();
  }

  health(statuses: BackendStatus[], now: number): BackendHealth[] {
    return statuses.map((s) => {
      const byCode: Record<string, number> = {};
      let total = 0;
      for (const row of this.byCode.all({ backendId: s.id })) {
        byCode[row.code] = row.n;
        total += row.n;
      }
      return {
        id: s.id,
        kind: s.kind,
        label: s.label,
        state: s.state,
        lastSuccessAt: s.lastSyncAt,
        lastAttemptAt: s.lastAttemptAt,
        errorsLast24h: this.since.get({ backendId: s.id, since: now - DAY_MS })?.n ?? 0,
        errorsTotal: total,
        errorsByCode: byCode,
        recentErrors: this.recent.all({ backendId: s.id, limit: RECENT }),
        itemCount: s.itemCount,
        quarantined: s.quarantined,
      };
    });
  }
}
