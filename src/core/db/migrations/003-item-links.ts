/**
 * 003: links between cached items (a mail citing a dossier, a document, a citizen's ID number) and
 * the lookup keys that resolve them with an index probe instead of a table scan.
 *
 * items
 * - `ref_folded`: `foldNotation(ref)` (no spaces, lower case, no marks, đ → d) for dossiers and
 *   documents, NULL for mail. A dossier code or a document's số/ký hiệu cited in a mail is found by
 *   `(ref_folded, source)` in the partial index `items_ref_folded`.
 * - `citizen_id`: the applicant's ID number of a dossier (detail.applicantIdNumber), NULL otherwise;
 *   partial index `items_citizen` (newest dossier first).
 * Both are backfilled here for the rows already cached.
 *
 * item_links
 * - one row per distinct (from_id, kind, value_key): `value` as cited (display), `value_key` the
 *   folded lookup key, `to_id` the cached item it resolves to, or NULL while the cache does not know
 *   it yet (resolved when that item lands: partial index `item_links_unresolved`).
 * - `origin`: 'auto' (extracted from the mail, recomputed when the mail changes) or 'manual'.
 * - indexes both ways: the primary key (from_id, …) and `item_links_to` (to_id, from_id).
 */
import type Database from 'better-sqlite3';
import { foldNotation } from '../../../shared/mail-links';
import type { Migration } from '../migrations';

export const migration003ItemLinks: Migration = {
  version: 3,
  name: 'item-links',
  up(db: Database.Database): void {
    db.exec(`
      ALTER TABLE items ADD COLUMN ref_folded TEXT;
      ALTER TABLE items ADD COLUMN citizen_id TEXT;
      UPDATE items SET citizen_id = json_extract(detail_json, '$.applicantIdNumber')
        WHERE source = 'procedure' AND json_valid(detail_json)
          AND json_type(detail_json, '$.applicantIdNumber') = 'text';
    `);
    const rows = db
      .prepare<[], { rowid: number; ref: string }>("SELECT rowid, ref FROM items WHERE source IN ('procedure', 'document')")
      .all();
    const set = db.prepare<[string, number]>('UPDATE items SET ref_folded = ? WHERE rowid = ?');
    for (const r of rows) set.run(foldNotation(r.ref), r.rowid);
    db.exec(`
      CREATE INDEX items_ref_folded ON items (ref_folded, source, updated_at) WHERE ref_folded IS NOT NULL;
      CREATE INDEX items_citizen ON items (citizen_id, source, updated_at) WHERE citizen_id IS NOT NULL;

      CREATE TABLE item_links (
        from_id TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('dossier', 'document', 'citizen')),
        value_key TEXT NOT NULL,
        value TEXT NOT NULL,
        to_id TEXT,
        origin TEXT NOT NULL CHECK (origin IN ('auto', 'manual')),
        created_at INTEGER NOT NULL,
        PRIMARY KEY (from_id, kind, value_key)
      ) WITHOUT ROWID;
      CREATE INDEX item_links_to ON item_links (to_id, from_id) WHERE to_id IS NOT NULL;
      CREATE INDEX item_links_unresolved ON item_links (kind, value_key) WHERE to_id IS NULL;
    `);
  },
};
