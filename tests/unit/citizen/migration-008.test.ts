/** Migration 008 (citizens, attachment text): on an empty file, and on a version-7 file with cached dossiers. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCacheDatabase } from '../../../src/core/db/cache.database';
import { MIGRATIONS, schemaVersion } from '../../../src/core/db/migrations';
import { migration008CitizensSearch } from '../../../src/core/db/migrations/008-citizens-search';
import { dossierDetail, tempDir } from '../core/fixtures/records.fixture';

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir('cw-migration-008-'));
});
afterEach(() => cleanup());

const insertItem = `INSERT INTO items (id, source, backend_id, external_id, ref, title, party, kind, status, received_at, due_at,
  due_key, urgency, updated_at, is_open, clock_running, paused, search_folded, detail_json, ref_folded, citizen_id)
  VALUES (?, 'procedure', 'p', ?, ?, 't', NULL, NULL, '4', 1, NULL, 9007199254740991, 0, ?, 1, 1, 0, '', ?, NULL, ?)`;

describe('008-citizens-search', () => {
  it('is the eighth migration', () => {
    expect(MIGRATIONS[7]).toBe(migration008CitizensSearch);
  });

  it('creates the tables and indexes on an empty file', () => {
    const db = openCacheDatabase(dir, { migrations: MIGRATIONS.slice(0, 8) });
    try {
      expect(schemaVersion(db)).toBe(8);
      const names = db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE name LIKE 'citizens%' OR name LIKE 'attachment%'").all().map((r) => r.name);
      expect(names).toEqual(expect.arrayContaining(['citizens', 'citizens_name_year', 'citizens_phone', 'attachment_texts', 'attachment_fts']));
      // The FTS index follows the table through its triggers.
      db.prepare("INSERT INTO attachment_texts (item_id, part_index, filename, status, text_folded, extracted_at) VALUES ('m:1', 0, 'a.pdf', 'ok', 'giay khai sinh', 1)").run();
      expect(db.prepare("SELECT rowid FROM attachment_fts WHERE attachment_fts MATCH '\"khai\"*'").all()).toHaveLength(1);
      db.prepare("DELETE FROM attachment_texts WHERE item_id = 'm:1'").run();
      expect(db.prepare("SELECT rowid FROM attachment_fts WHERE attachment_fts MATCH '\"khai\"*'").all()).toHaveLength(0);
    } finally {
      db.close();
    }
  });

  it('fills citizens from the dossiers already cached, the newest dossier winning', () => {
    const v7 = openCacheDatabase(dir, { migrations: MIGRATIONS.slice(0, 7) });
    const older = { ...dossierDetail('000.26.13.H26-251001-0001', 'Nguyễn Văn Đức', 's'), phone: '0911111111' };
    const newer = { ...dossierDetail('000.26.13.H26-251101-0002', 'Nguyễn Văn Đức', 's'), phone: '+84 912 345 678', address: 'Số 5 Đội Cấn' };
    const business = { ...dossierDetail('000.26.13.H26-251101-0003', 'Công ty TNHH Ngọc Hà', 's'), applicantType: 2, applicantIdNumber: '001099000111' };
    v7.prepare(insertItem).run('p:1', '1', older.code, 200, JSON.stringify(older), '001084000999');
    v7.prepare(insertItem).run('p:2', '2', newer.code, 300, JSON.stringify(newer), '001084000999');
    v7.prepare(insertItem).run('p:3', '3', business.code, 300, JSON.stringify(business), '001099000111');
    v7.prepare(insertItem).run('p:4', '4', 'x', 100, '{}', '001084000123'); // no applicant: skipped
    v7.close();
    const db = openCacheDatabase(dir, { migrations: MIGRATIONS.slice(0, 8) });
    try {
      expect(schemaVersion(db)).toBe(8);
      const rows = db.prepare('SELECT id_number, full_name, name_folded, birth_year, sex, phone, address, source_ref, source_at FROM citizens').all();
      expect(rows).toEqual([
        {
          id_number: '001084000999',
          full_name: 'Nguyễn Văn Đức',
          name_folded: 'nguyen van duc',
          birth_year: 1984,
          sex: 'male',
          phone: '0912345678',
          address: 'Số 5 Đội Cấn',
          source_ref: newer.code,
          source_at: 300,
        },
      ]);
      const plan = db
        .prepare<[], { detail: string }>("EXPLAIN QUERY PLAN SELECT * FROM citizens WHERE name_folded >= 'nguyen van' AND name_folded < 'nguyen van\uffff' AND birth_year = 1984")
        .all()
        .map((r) => r.detail)
        .join(' | ');
      expect(plan).toContain('citizens_name_year');
    } finally {
      db.close();
    }
  });
});
