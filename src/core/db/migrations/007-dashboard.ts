/**
 * 007 (issue #5, supervisor dashboard): what the on-time rate and the authority check need.
 *
 * - `items.resolved_at` / `items.counted_due_at`: VIRTUAL generated columns read from the dossier's
 *   detail (NgayKetThucXuLy of a status 9/10 dossier; NgayHenTraBanDau when an apology letter moved
 *   the due — the normaliser writes the key only then, so other rows are not parsed — else the item's
 *   due), so the sync's upsert does not change.
 * - `dossier_results`: one row per resolved dossier (finish, counted due, on time, who recorded the
 *   result = the official of the last processing step that set status 9, procedure), kept by
 *   triggers on `items` so the scorecard never parses JSON at read time: measured on 200,000 items,
 *   reading the resolver from the steps at query time cost ~250 ms per 8,500 resolved dossiers.
 * - `work_kinds`: the procedures / document types ever seen (filter choices, matrix rows) without a
 *   scan of `items` (~600 ms on 200,000 wide rows).
 * - `authority`: the matrix of which official may handle which procedure or document type, keyed by
 *   the item's `source` and `kind` (TenTTHC, or the document type's name), the values the queue
 *   shows. A subject with no rows is unrestricted.
 * - The procedure backends' cursors are cleared once, so the next sync re-reads every dossier and
 *   stores NgayHenTraBanDau, which older normalisers dropped.
 */
import type Database from 'better-sqlite3';
import type { Migration } from '../migrations';

/** The result row of a resolved dossier `r` (NEW in the triggers, `items` in the backfill). */
function resultSelect(r: string): string {
  return `SELECT ${r}.id, ${r}.kind, ${r}.resolved_at, ${r}.counted_due_at,
      (${r}.counted_due_at IS NULL OR ${r}.resolved_at <= ${r}.counted_due_at),
      (SELECT json_extract(s.value, '$.official') FROM json_each(${r}.detail_json, '$.steps') s
        WHERE json_extract(s.value, '$.status') = '9' ORDER BY CAST(s.key AS INTEGER) DESC LIMIT 1)`;
}

export const migration007Dashboard: Migration = {
  version: 7,
  name: 'dashboard',
  up(db: Database.Database): void {
    db.exec(`
      -- JSON is read only where it can matter (status 9/10; the key present) and only when valid, so a
      -- damaged detail never blocks a write (reading that item reports it instead).
      ALTER TABLE items ADD COLUMN resolved_at INTEGER GENERATED ALWAYS AS (
        CASE WHEN source = 'procedure' AND status IN ('9', '10') AND json_valid(detail_json)
          THEN json_extract(detail_json, '$.finishedAt') END
      ) VIRTUAL;
      ALTER TABLE items ADD COLUMN counted_due_at INTEGER GENERATED ALWAYS AS (
        COALESCE(CASE WHEN source = 'procedure' AND instr(detail_json, '"originalAppointmentAt"') > 0 AND json_valid(detail_json)
          THEN json_extract(detail_json, '$.originalAppointmentAt') END, due_at)
      ) VIRTUAL;

      CREATE TABLE dossier_results (
        item_id TEXT PRIMARY KEY,
        kind TEXT,
        resolved_at INTEGER NOT NULL,
        due_at INTEGER,
        on_time INTEGER NOT NULL,
        resolver TEXT
      ) WITHOUT ROWID;
      CREATE INDEX dossier_results_at ON dossier_results (resolved_at, on_time, kind, resolver);
      INSERT INTO dossier_results (item_id, kind, resolved_at, due_at, on_time, resolver)
        ${resultSelect('items')} FROM items WHERE items.resolved_at IS NOT NULL;

      -- No OR IGNORE / OR REPLACE in the triggers: the outer statement's conflict clause (the queue's
      -- upsert) would override it. Delete, then insert.
      CREATE TRIGGER dossier_results_insert AFTER INSERT ON items WHEN new.resolved_at IS NOT NULL BEGIN
        DELETE FROM dossier_results WHERE item_id = new.id;
        INSERT INTO dossier_results (item_id, kind, resolved_at, due_at, on_time, resolver) ${resultSelect('new')};
      END;
      CREATE TRIGGER dossier_results_update AFTER UPDATE OF status, detail_json, kind, due_at ON items
      WHEN new.source = 'procedure' BEGIN
        DELETE FROM dossier_results WHERE item_id = old.id;
        INSERT INTO dossier_results (item_id, kind, resolved_at, due_at, on_time, resolver)
          ${resultSelect('new')} WHERE new.resolved_at IS NOT NULL;
      END;
      CREATE TRIGGER dossier_results_delete AFTER DELETE ON items WHEN old.source = 'procedure' BEGIN
        DELETE FROM dossier_results WHERE item_id = old.id;
      END;

      CREATE TABLE work_kinds (
        source TEXT NOT NULL,
        kind TEXT NOT NULL,
        PRIMARY KEY (source, kind)
      ) WITHOUT ROWID;
      INSERT OR IGNORE INTO work_kinds (source, kind)
        SELECT DISTINCT source, kind FROM items WHERE source IN ('procedure', 'document') AND kind IS NOT NULL;
      CREATE TRIGGER work_kinds_insert AFTER INSERT ON items
      WHEN new.kind IS NOT NULL AND new.source IN ('procedure', 'document') BEGIN
        INSERT INTO work_kinds (source, kind) SELECT new.source, new.kind
        WHERE NOT EXISTS (SELECT 1 FROM work_kinds WHERE source = new.source AND kind = new.kind);
      END;
      CREATE TRIGGER work_kinds_update AFTER UPDATE OF kind ON items
      WHEN new.kind IS NOT NULL AND new.source IN ('procedure', 'document') BEGIN
        INSERT INTO work_kinds (source, kind) SELECT new.source, new.kind
        WHERE NOT EXISTS (SELECT 1 FROM work_kinds WHERE source = new.source AND kind = new.kind);
      END;

      CREATE TABLE authority (
        source TEXT NOT NULL CHECK (source IN ('procedure', 'document')),
        kind TEXT NOT NULL,
        username TEXT NOT NULL,
        PRIMARY KEY (source, kind, username)
      ) WITHOUT ROWID;

      UPDATE sync_state SET cursor = NULL
      WHERE backend_id IN (SELECT DISTINCT backend_id FROM items WHERE source = 'procedure');
    `);
  },
};
