/** Migration 006 (bound of the mail body cache): on a version-5 file with a cached body. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCacheDatabase } from '../../../src/core/db/cache.database';
import { MIGRATIONS, schemaVersion } from '../../../src/core/db/migrations';
import { migration006MailBodiesBound } from '../../../src/core/db/migrations/006-mail-bodies-bound';
import { tempDir } from './fixtures/records.fixture';

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir('cw-migration-006-'));
});
afterEach(() => cleanup());

describe('006-mail-bodies-bound', () => {
  it('is the sixth migration', () => {
    expect(MIGRATIONS[5]).toBe(migration006MailBodiesBound);
  });

  it('keeps cached bodies live, and the eviction pass reads them oldest first through the partial index', () => {
    const v5 = openCacheDatabase(dir, { migrations: MIGRATIONS.slice(0, 5) });
    v5.prepare("INSERT INTO mail_bodies (item_id, text, html, size, fetched_at) VALUES ('m:1', 'Kính gửi', NULL, 12, 100)").run();
    v5.close();
    const db = openCacheDatabase(dir, { migrations: MIGRATIONS.slice(0, 6) });
    try {
      expect(schemaVersion(db)).toBe(6);
      expect(db.prepare("SELECT text, evicted_at FROM mail_bodies WHERE item_id = 'm:1'").get()).toEqual({ text: 'Kính gửi', evicted_at: null });
      const plan = db
        .prepare<[], { detail: string }>('EXPLAIN QUERY PLAN SELECT item_id, size FROM mail_bodies INDEXED BY mail_bodies_live WHERE evicted_at IS NULL ORDER BY fetched_at LIMIT 200')
        .all()
        .map((r) => r.detail)
        .join(' | ');
      expect(plan).toContain('mail_bodies_live');
      expect(plan).not.toContain('TEMP B-TREE');
    } finally {
      db.close();
    }
  });
});
