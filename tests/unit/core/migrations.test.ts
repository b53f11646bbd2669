import type Database from 'better-sqlite3';
import Ciphers from 'better-sqlite3-multiple-ciphers';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cacheDatabasePath, openCacheDatabase, openDatabaseFile } from '../../../src/core/db/cache.database';
import {
  DatabaseTooNewError,
  MIGRATIONS,
  runMigrations,
  schemaVersion,
  type Migration,
} from '../../../src/core/db/migrations';
import { migration001Initial } from '../../../src/core/db/migrations/001-initial';
import { migration002OutboxAudit } from '../../../src/core/db/migrations/002-outbox-audit';
import { migration003ItemLinks } from '../../../src/core/db/migrations/003-item-links';
import { tempDir } from './fixtures/records.fixture';

let dir: string;
let cleanup: () => void;

beforeEach(() => {
  ({ dir, cleanup } = tempDir('cw-migrations-'));
});
afterEach(() => cleanup());

/** The file opened by the SQLite driver itself, without the cache's key and migrations. */
function rawDatabase(file: string): Database.Database {
  return new Ciphers(file) as unknown as Database.Database;
}

function names(db: Database.Database, type: string): string[] {
  return db
    .prepare<[string], { name: string }>("SELECT name FROM sqlite_schema WHERE type = ? AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all(type)
    .map((r) => r.name);
}

function columns(db: Database.Database, table: string): string[] {
  return db.prepare<[], { name: string }>(`SELECT name FROM pragma_table_xinfo('${table}')`).all().map((r) => r.name);
}

describe('migration list', () => {
  it('is numbered 1..n without gaps', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  });
});

describe('001-initial', () => {
  it('creates the schema on an empty file and records user_version 1', () => {
    const db = openCacheDatabase(dir, { migrations: [migration001Initial] });
    try {
      expect(schemaVersion(db)).toBe(1);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
      expect(names(db, 'table')).toEqual(
        expect.arrayContaining(['items', 'items_fts', 'quarantine', 'sync_state']),
      );
      expect(columns(db, 'items')).toEqual(
        expect.arrayContaining([
          'rowid', 'id', 'source', 'backend_id', 'external_id', 'ref', 'title', 'party', 'kind', 'status',
          'received_at', 'due_at', 'due_key', 'urgency', 'assignee', 'assignee_name', 'updated_at', 'is_open',
          'clock_running', 'paused', 'search_folded', 'detail_json',
        ]),
      );
      expect(columns(db, 'sync_state')).toEqual([
        'backend_id', 'cursor', 'last_sync_at', 'last_attempt_at', 'last_error_code', 'last_error_message',
        'last_error_at', 'item_count',
      ]);
      expect(columns(db, 'quarantine')).toEqual([
        'id', 'backend_id', 'external_id', 'error', 'raw', 'first_seen_at', 'last_seen_at',
      ]);
      expect(names(db, 'index')).toEqual(
        expect.arrayContaining([
          'items_open_due', 'items_open_source_due', 'items_assignee_open_due', 'items_due',
          'quarantine_backend_external',
        ]),
      );
      expect(names(db, 'trigger')).toEqual(['items_fts_delete', 'items_fts_insert', 'items_fts_update']);
      const fts = db.prepare<[], { sql: string }>("SELECT sql FROM sqlite_schema WHERE name = 'items_fts'").get();
      expect(fts?.sql).toContain("remove_diacritics 2");
      expect(fts?.sql).toContain("prefix = '1 2 3'");
    } finally {
      db.close();
    }
  });

  it('keeps the FTS index in sync through the triggers', () => {
    const db = openCacheDatabase(dir);
    try {
      const insert = db.prepare(`INSERT INTO items (id, source, backend_id, external_id, ref, title, status,
        received_at, updated_at, due_key, is_open, clock_running, paused, search_folded, detail_json)
        VALUES (?, 'procedure', 'b', ?, 'r', 't', '4', 0, 0, 9007199254740991, 1, 1, 0, ?, '{}')`);
      insert.run('b:1', '1', 'nguyen van duc');
      insert.run('b:2', '2', 'tran thi binh');
      const hits = (q: string): number =>
        db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM items_fts WHERE items_fts MATCH ?').get(q)?.n ?? -1;
      expect(hits('"duc"*')).toBe(1);
      db.prepare("UPDATE items SET search_folded = 'le van an' WHERE id = 'b:1'").run();
      expect(hits('"duc"*')).toBe(0);
      expect(hits('"an"*')).toBe(1);
      db.prepare("DELETE FROM items WHERE id = 'b:2'").run();
      expect(hits('"binh"*')).toBe(0);
      db.exec("INSERT INTO items_fts (items_fts) VALUES ('integrity-check')");
    } finally {
      db.close();
    }
  });

  it('is not re-applied when the file is opened again', () => {
    openCacheDatabase(dir).close();
    const db = openCacheDatabase(dir);
    try {
      expect(schemaVersion(db)).toBe(MIGRATIONS.length);
      expect(runMigrations(db)).toEqual([]);
    } finally {
      db.close();
    }
  });
});

describe('002-outbox-audit', () => {
  it('creates the outbox and the audit log on an empty file and records user_version 2', () => {
    const db = openCacheDatabase(dir, { migrations: [migration001Initial, migration002OutboxAudit] });
    try {
      expect(schemaVersion(db)).toBe(2);
      expect(columns(db, 'outbox')).toEqual([
        'id', 'seq', 'item_id', 'backend_id', 'actor', 'action_json', 'state', 'attempts', 'counted_failures',
        'created_at', 'updated_at', 'next_attempt_at', 'last_error_json', 'base_json', 'base_updated_at',
        'conflict_json', 'optimistic_status', 'result_updated_at', 'key_round',
      ]);
      expect(columns(db, 'audit_log')).toEqual(['seq', 'at', 'actor', 'kind', 'summary', 'data_json', 'prev_hash', 'hash']);
      expect(names(db, 'index')).toEqual(
        expect.arrayContaining(['outbox_active', 'outbox_backend_state', 'outbox_item_seq', 'outbox_state_seq', 'audit_log_kind']),
      );
      expect(() =>
        db.prepare(`INSERT INTO outbox (id, seq, item_id, backend_id, actor, action_json, state, created_at, updated_at, base_json)
          VALUES ('k', 1, 'b:1', 'b', 'u', '{}', 'lost', 0, 0, '{}')`).run(),
      ).toThrow(/CHECK constraint/);
      // The pending-mark lookup uses the partial index over unfinished rows.
      const plan = db
        .prepare<[string], { detail: string }>(`EXPLAIN QUERY PLAN SELECT item_id, state, optimistic_status FROM outbox INDEXED BY outbox_active
          WHERE state IN ('pending', 'sending', 'needs_attention', 'conflict') AND item_id IN (SELECT value FROM json_each(?))`)
        .all('["b:1"]')
        .map((r) => r.detail)
        .join(' | ');
      expect(plan).toMatch(/SEARCH outbox USING (COVERING )?INDEX outbox_active \(item_id=\?\)/);
    } finally {
      db.close();
    }
  });

  it('applies on a file at version 1 with data, keeping items and cursors', () => {
    const v1 = openCacheDatabase(dir, { migrations: [migration001Initial] });
    v1.prepare(`INSERT INTO items (id, source, backend_id, external_id, ref, title, status, received_at, updated_at, due_key,
      is_open, clock_running, paused, search_folded, detail_json)
      VALUES ('b:1', 'procedure', 'b', '1', 'r', 'Đăng ký khai sinh', '4', 1, 2, 9007199254740991, 1, 1, 0, 'dang ky khai sinh', '{}')`).run();
    v1.prepare("INSERT INTO sync_state (backend_id, cursor) VALUES ('b', 'c-1')").run();
    v1.close();
    const v2 = openCacheDatabase(dir, { migrations: [migration001Initial, migration002OutboxAudit] });
    try {
      expect(schemaVersion(v2)).toBe(2);
      expect(v2.prepare('SELECT id, title FROM items').all()).toEqual([{ id: 'b:1', title: 'Đăng ký khai sinh' }]);
      expect(v2.prepare('SELECT cursor FROM sync_state').get()).toEqual({ cursor: 'c-1' });
      expect(v2.prepare('SELECT COUNT(*) AS n FROM outbox').get()).toEqual({ n: 0 });
      expect(v2.prepare('SELECT COUNT(*) AS n FROM audit_log').get()).toEqual({ n: 0 });
    } finally {
      v2.close();
    }
  });
});

describe('003-item-links', () => {
  const V3 = [migration001Initial, migration002OutboxAudit, migration003ItemLinks];

  function plan(db: Database.Database, sql: string, ...params: unknown[]): string {
    return db
      .prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
      .all(...params)
      .map((r) => r.detail)
      .join(' | ');
  }

  it('creates item_links and the lookup keys on an empty file, every lookup an index search', () => {
    const db = openCacheDatabase(dir, { migrations: V3 });
    try {
      expect(schemaVersion(db)).toBe(3);
      expect(columns(db, 'items')).toEqual(expect.arrayContaining(['ref_folded', 'citizen_id']));
      expect(columns(db, 'item_links')).toEqual(['from_id', 'kind', 'value_key', 'value', 'to_id', 'origin', 'created_at']);
      expect(names(db, 'index')).toEqual(
        expect.arrayContaining(['items_ref_folded', 'items_citizen', 'item_links_to', 'item_links_unresolved']),
      );
      expect(() =>
        db.prepare("INSERT INTO item_links (from_id, kind, value_key, value, origin, created_at) VALUES ('m', 'x', 'k', 'v', 'auto', 0)").run(),
      ).toThrow(/CHECK constraint/);
      expect(() =>
        db.prepare("INSERT INTO item_links (from_id, kind, value_key, value, origin, created_at) VALUES ('m', 'dossier', 'k', 'v', 'guess', 0)").run(),
      ).toThrow(/CHECK constraint/);
      expect(plan(db, "SELECT id FROM items WHERE ref_folded = ? AND source = 'procedure' ORDER BY updated_at DESC LIMIT 1", 'x')).toMatch(
        /SEARCH items USING INDEX items_ref_folded \(ref_folded=\? AND source=\?\)/,
      );
      expect(plan(db, "SELECT id FROM items WHERE citizen_id = ? AND source = 'procedure' ORDER BY updated_at DESC LIMIT 1", 'x')).toMatch(
        /SEARCH items USING INDEX items_citizen \(citizen_id=\? AND source=\?\)/,
      );
      expect(plan(db, 'SELECT from_id FROM item_links WHERE to_id = ?', 'x')).toMatch(/SEARCH item_links USING (COVERING )?INDEX item_links_to \(to_id=\?\)/);
      expect(plan(db, 'SELECT kind FROM item_links WHERE from_id = ?', 'x')).toMatch(/SEARCH item_links USING PRIMARY KEY \(from_id=\?\)/);
      expect(plan(db, "SELECT from_id FROM item_links WHERE to_id IS NULL AND kind = 'dossier' AND value_key = ?", 'x')).toMatch(
        /SEARCH item_links USING (COVERING )?INDEX item_links_unresolved \(kind=\? AND value_key=\?\)/,
      );
    } finally {
      db.close();
    }
  });

  it('applies on a file at version 2 with data, backfilling the lookup keys', () => {
    const v2 = openCacheDatabase(dir, { migrations: [migration001Initial, migration002OutboxAudit] });
    const insert = v2.prepare(`INSERT INTO items (id, source, backend_id, external_id, ref, title, status, received_at, updated_at, due_key,
      is_open, clock_running, paused, search_folded, detail_json)
      VALUES (?, ?, 'b', ?, ?, 't', '4', 1, 2, 9007199254740991, 1, 1, 0, 't', ?)`);
    insert.run('p:1', 'procedure', '1', '000.26.13.H26-251003-0012', JSON.stringify({ source: 'procedure', applicantIdNumber: '001190012345' }));
    insert.run('d:1', 'document', '1', '7816/VPCP-TTĐT', JSON.stringify({ source: 'document' }));
    insert.run('m:1', 'mail', '1', 'a@b.gov.vn', JSON.stringify({ source: 'mail' }));
    v2.prepare("INSERT INTO outbox (id, seq, item_id, backend_id, actor, action_json, state, created_at, updated_at, base_json) VALUES ('k', 1, 'p:1', 'b', 'u', '{}', 'done', 0, 0, '{}')").run();
    v2.close();
    const v3 = openCacheDatabase(dir, { migrations: V3 });
    try {
      expect(schemaVersion(v3)).toBe(3);
      expect(v3.prepare('SELECT id, ref_folded, citizen_id FROM items ORDER BY id').all()).toEqual([
        { id: 'd:1', ref_folded: '7816/vpcp-ttdt', citizen_id: null },
        { id: 'm:1', ref_folded: null, citizen_id: null },
        { id: 'p:1', ref_folded: '000.26.13.h26-251003-0012', citizen_id: '001190012345' },
      ]);
      expect(v3.prepare('SELECT COUNT(*) AS n FROM outbox').get()).toEqual({ n: 1 });
      expect(v3.prepare('SELECT COUNT(*) AS n FROM item_links').get()).toEqual({ n: 0 });
    } finally {
      v3.close();
    }
  });
});

describe('migration runner', () => {
  const addNote: Migration = {
    version: 3,
    name: 'test-add-note',
    up(db) {
      db.exec("ALTER TABLE items ADD COLUMN note TEXT NOT NULL DEFAULT ''");
    },
  };

  it('applies a later migration on a file at the previous version and keeps its data', () => {
    const v1 = openCacheDatabase(dir, { migrations: [migration001Initial] });
    v1.prepare(`INSERT INTO items (id, source, backend_id, external_id, ref, title, status, received_at, updated_at, due_key,
      is_open, clock_running, paused, search_folded, detail_json)
      VALUES ('b:1', 'procedure', 'b', '1', 'r', 'Đăng ký khai sinh', '4', 1, 2, 9007199254740991, 1, 1, 0, 'dang ky khai sinh', '{}')`).run();
    v1.prepare("INSERT INTO sync_state (backend_id, cursor) VALUES ('b', 'c-1')").run();
    v1.close();

    const v2 = openDatabaseFile(cacheDatabasePath(dir), { migrations: [migration001Initial, migration002OutboxAudit, addNote] });
    try {
      expect(schemaVersion(v2)).toBe(3);
      expect(v2.prepare('SELECT id, title, note FROM items').all()).toEqual([
        { id: 'b:1', title: 'Đăng ký khai sinh', note: '' },
      ]);
      expect(v2.prepare('SELECT cursor FROM sync_state').get()).toEqual({ cursor: 'c-1' });
      expect(
        v2.prepare("SELECT COUNT(*) AS n FROM items_fts WHERE items_fts MATCH '\"khai\"*'").get(),
      ).toEqual({ n: 1 });
    } finally {
      v2.close();
    }
  });

  it('rolls a failing migration back entirely', () => {
    openCacheDatabase(dir, { migrations: [migration001Initial, migration002OutboxAudit] }).close();
    const broken: Migration = {
      version: 3,
      name: 'broken',
      up(db) {
        db.exec('CREATE TABLE half_done (x INTEGER)');
        throw new Error('boom');
      },
    };
    expect(() => openDatabaseFile(join(dir, 'cache.sqlite'), { migrations: [migration001Initial, migration002OutboxAudit, broken] })).toThrow(
      'boom',
    );
    const db = rawDatabase(join(dir, 'cache.sqlite'));
    try {
      expect(schemaVersion(db)).toBe(2);
      expect(names(db, 'table')).not.toContain('half_done');
    } finally {
      db.close();
    }
  });

  it('refuses a database newer than the code, without touching it', () => {
    openCacheDatabase(dir, { migrations: [migration001Initial, migration002OutboxAudit, addNote] }).close();
    let error: unknown;
    try {
      openCacheDatabase(dir, { migrations: [migration001Initial, migration002OutboxAudit] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DatabaseTooNewError);
    expect((error as Error).message).toMatch(/schema version 3.*only knows up to version 2/s);
    const db = rawDatabase(join(dir, 'cache.sqlite'));
    try {
      expect(schemaVersion(db)).toBe(3);
    } finally {
      db.close();
    }
  });

  it('rejects a migration list with gaps', () => {
    const db = rawDatabase(join(dir, 'gaps.sqlite'));
    try {
      expect(() => runMigrations(db, [migration001Initial, { ...addNote, version: 3 }])).toThrow(/expected version 2/);
    } finally {
      db.close();
    }
  });
});
