/** Migration 009 (sync errors for the IT staff's health view): on an empty file and on a version-8 file with data. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCacheDatabase } from '../../../src/core/db/cache.database';
import { MIGRATIONS, schemaVersion } from '../../../src/core/db/migrations';
import { migration009SyncErrors } from '../../../src/core/db/migrations/009-sync-errors';
import { SyncHealthService } from '../../../src/core/settings/sync-health.service';
import { tempDir } from './fixtures/records.fixture';

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir('cw-migration-009-'));
});
afterEach(() => cleanup());

describe('009-sync-errors', () => {
  it('is the ninth migration', () => {
    expect(MIGRATIONS[8]).toBe(migration009SyncErrors);
  });

  it('applies on an empty file', () => {
    const db = openCacheDatabase(dir, { migrations: MIGRATIONS.slice(0, 9) });
    try {
      expect(schemaVersion(db)).toBe(9);
      expect(db.prepare('SELECT COUNT(*) AS n FROM sync_errors').get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  });

  it('applies on a version-8 file with sync state, which it keeps; errors are recorded once per instant and counted', () => {
    const v8 = openCacheDatabase(dir, { migrations: MIGRATIONS.slice(0, 8) });
    v8.prepare("INSERT INTO sync_state (backend_id, last_sync_at) VALUES ('dvc', 1000)").run();
    v8.close();
    const db = openCacheDatabase(dir, { migrations: MIGRATIONS.slice(0, 9) });
    try {
      expect(schemaVersion(db)).toBe(9);
      expect(db.prepare("SELECT last_sync_at FROM sync_state WHERE backend_id = 'dvc'").get()).toEqual({ last_sync_at: 1000 });
      const health = new SyncHealthService(db);
      health.record('dvc', { code: 'unreachable', message: 'ECONNREFUSED', at: 2000 });
      health.record('dvc', { code: 'unreachable', message: 'ECONNREFUSED', at: 2000 });
      health.record('dvc', { code: 'auth_failed', message: 'error_code 1', at: 3000 });
      const [row] = health.health(
        [{ id: 'dvc', kind: 'procedure', label: 'DVC', training: false, state: 'error', lastSyncAt: 1000, lastAttemptAt: 3000, lastError: null, progress: null, itemCount: 0, quarantined: 0 }],
        3000,
      );
      expect(row?.errorsTotal).toBe(2);
      expect(row?.errorsByCode).toEqual({ unreachable: 1, auth_failed: 1 });
      expect(row?.recentErrors.map((e) => e.code)).toEqual(['auth_failed', 'unreachable']);
    } finally {
      db.close();
    }
  });
});
