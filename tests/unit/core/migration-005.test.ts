/** Migration 005 (mail bodies, link tombstones): on an empty file and on a version-4 file with data. */
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCacheDatabase } from '../../../src/core/db/cache.database';
import { MIGRATIONS, schemaVersion } from '../../../src/core/db/migrations';
import { migration005MailBodiesLinks } from '../../../src/core/db/migrations/005-mail-bodies-links';
import { tempDir } from './fixtures/records.fixture';

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir('cw-migration-005-'));
});
afterEach(() => cleanup());

const V4 = MIGRATIONS.slice(0, 4);
const V5 = MIGRATIONS.slice(0, 5);

function columns(db: Database.Database, table: string): string[] {
  return db.prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('${table}')`).all().map((r) => r.name);
}

function plan(db: Database.Database, sql: string, ...params: unknown[]): string {
  return db.prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`).all(...params).map((r) => r.detail).join(' | ');
}

describe('005-mail-bodies-links', () => {
  it('is the fifth migration', () => {
    expect(MIGRATIONS[4]).toBe(migration005MailBodiesLinks);
    expect(V4.map((m) => m.version)).toEqual([1, 2, 3, 4]);
  });

  it('creates mail_bodies and the tombstone column on an empty file; citizen links are found by index', () => {
    const db = openCacheDatabase(dir, { migrations: V5 });
    try {
      expect(schemaVersion(db)).toBe(5);
      expect(columns(db, 'mail_bodies')).toEqual([
        'item_id', 'text', 'html', 'attachments_json', 'inline_images_json', 'body_links_json', 'size', 'fetched_at',
      ]);
      expect(columns(db, 'item_links')).toContain('removed_at');
      expect(plan(db, "SELECT from_id FROM item_links WHERE kind = 'citizen' AND value_key = ? AND removed_at IS NULL", 'x')).toMatch(
        /SEARCH item_links USING (COVERING )?INDEX item_links_value \(kind=\? AND value_key=\?\)/,
      );
      db.prepare('INSERT INTO mail_bodies (item_id, fetched_at) VALUES (?, ?)').run('mail:x', 1);
      expect(db.prepare('SELECT attachments_json, inline_images_json, body_links_json, size FROM mail_bodies').get()).toEqual({
        attachments_json: '[]',
        inline_images_json: '{}',
        body_links_json: '[]',
        size: 0,
      });
      expect(() => db.prepare('INSERT INTO mail_bodies (item_id, fetched_at) VALUES (?, ?)').run('mail:x', 2)).toThrow(/UNIQUE|PRIMARY/);
    } finally {
      db.close();
    }
  });

  it('applies on a file at version 4 with links, keeping them visible (no tombstone)', () => {
    const v4 = openCacheDatabase(dir, { migrations: V4 });
    v4.prepare(`INSERT INTO item_links (from_id, kind, value_key, value, to_id, origin, created_at)
      VALUES ('mail:1', 'dossier', '000.26.13.h26-251003-0012', '000.26.13.H26-251003-0012', 'p:1', 'auto', 5)`).run();
    v4.close();
    const v5 = openCacheDatabase(dir, { migrations: V5 });
    try {
      expect(schemaVersion(v5)).toBe(5);
      expect(v5.prepare('SELECT from_id, to_id, origin, removed_at FROM item_links').all()).toEqual([
        { from_id: 'mail:1', to_id: 'p:1', origin: 'auto', removed_at: null },
      ]);
      expect(v5.prepare('SELECT COUNT(*) AS n FROM mail_bodies').get()).toEqual({ n: 0 });
    } finally {
      v5.close();
    }
  });
});
