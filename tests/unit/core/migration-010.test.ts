/** Migration 010 (notification state kept across restarts): on an empty file and on a version-9 file with data. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCacheDatabase } from '../../../src/core/db/cache.database';
import { MIGRATIONS, schemaVersion } from '../../../src/core/db/migrations';
import { migration010NotifyState } from '../../../src/core/db/migrations/010-notify-state';
import { tempDir } from './fixtures/records.fixture';

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir('cw-migration-010-'));
});
afterEach(() => cleanup());

describe('010-notify-state', () => {
  it('is the tenth migration', () => {
    expect(MIGRATIONS[9]).toBe(migration010NotifyState);
  });

  it('applies on a version-9 file with data, which it keeps; marks are one per item, history ordered by time', () => {
    const v9 = openCacheDatabase(dir, { migrations: MIGRATIONS.slice(0, 9) });
    v9.prepare("INSERT INTO sync_errors (backend_id, at, code, message) VALUES ('dvc', 1000, 'unreachable', 'x')").run();
    v9.close();
    const db = openCacheDatabase(dir, { migrations: MIGRATIONS.slice(0, 10) });
    try {
      expect(schemaVersion(db)).toBe(10);
      expect(db.prepare('SELECT COUNT(*) AS n FROM sync_errors').get()).toEqual({ n: 1 });
      db.prepare("INSERT INTO notify_marks (item_id, threshold) VALUES ('p:1', 240)").run();
      expect(() => db.prepare("INSERT INTO notify_marks (item_id, threshold) VALUES ('p:1', 60)").run()).toThrow(/UNIQUE/);
      const plan = db.prepare('EXPLAIN QUERY PLAN SELECT json FROM notify_history ORDER BY at DESC LIMIT 100').all() as { detail: string }[];
      expect(plan.map((r) => r.detail).join(' ')).toMatch(/notify_history_at/);
    } finally {
      db.close();
    }
  });
});
