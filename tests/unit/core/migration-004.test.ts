import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCacheDatabase } from '../../../src/core/db/cache.database';
import { MIGRATIONS, schemaVersion } from '../../../src/core/db/migrations';
import { migration001Initial } from '../../../src/core/db/migrations/001-initial';
import { migration002OutboxAudit } from '../../../src/core/db/migrations/002-outbox-audit';
import { migration003ItemLinks } from '../../../src/core/db/migrations/003-item-links';
import { migration004MailOutbox } from '../../../src/core/db/migrations/004-mail-outbox';
import { tempDir } from './fixtures/records.fixture';

const V3 = [migration001Initial, migration002OutboxAudit, migration003ItemLinks];
const V4 = [...V3, migration004MailOutbox];

let dir: string;
let cleanup: () => void;

beforeEach(() => {
  ({ dir, cleanup } = tempDir('cw-migration-004-'));
});
afterEach(() => cleanup());

function columns(db: Database.Database, table: string): string[] {
  return db.prepare<[], { name: string }>(`SELECT name FROM pragma_table_xinfo('${table}')`).all().map((r) => r.name);
}

describe('004-mail-outbox', () => {
  it('is in the migration list as version 4', () => {
    expect(MIGRATIONS[3]).toBe(migration004MailOutbox);
  });

  it('adds outbox.progress and the staging table on an empty file', () => {
    const db = openCacheDatabase(dir, { migrations: V4 });
    try {
      expect(schemaVersion(db)).toBe(4);
      expect(columns(db, 'outbox')).toContain('progress');
      expect(columns(db, 'mail_staged_files')).toEqual(['id', 'filename', 'content_type', 'size', 'created_at']);
      expect(() => db.prepare("INSERT INTO mail_staged_files VALUES ('a', 'f', 't', -1, 0)").run()).toThrow(/CHECK constraint/);
      const plan = db
        .prepare<[], { detail: string }>('EXPLAIN QUERY PLAN SELECT id FROM mail_staged_files WHERE created_at < 5')
        .all()
        .map((r) => r.detail)
        .join(' | ');
      expect(plan).toMatch(/USING (COVERING )?INDEX mail_staged_files_created/);
    } finally {
      db.close();
    }
  });

  it('applies on a file at version 3 with outbox rows: they keep their data, progress NULL', () => {
    const v3 = openCacheDatabase(dir, { migrations: V3 });
    v3.prepare(`INSERT INTO outbox (id, seq, item_id, backend_id, actor, action_json, state, created_at, updated_at, base_json)
      VALUES ('k', 1, 'p:1', 'p', 'canbo.lan', '{"kind":"dossier.receive"}', 'pending', 5, 6, '{}')`).run();
    v3.close();
    const v4 = openCacheDatabase(dir, { migrations: V4 });
    try {
      expect(schemaVersion(v4)).toBe(4);
      expect(v4.prepare('SELECT id, state, created_at, action_json, progress FROM outbox').all()).toEqual([
        { id: 'k', state: 'pending', created_at: 5, action_json: '{"kind":"dossier.receive"}', progress: null },
      ]);
      expect(v4.prepare('SELECT COUNT(*) AS n FROM mail_staged_files').get()).toEqual({ n: 0 });
    } finally {
      v4.close();
    }
  });
});
