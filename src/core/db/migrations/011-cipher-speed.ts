/**
 * 011 (issue #7 follow-up: the speed the encrypted cache cost). On the encrypted cache every page
 * written is encrypted and MACed, and every page read that misses the page cache is decrypted and
 * checked, so this migration makes the two hot paths touch fewer pages.
 *
 * items_search_cover — a narrow covering index of what a queue search filters and orders, keyed by
 * rowid. A search takes the newest FTS hits (rowids, up to SEARCH_CANDIDATE_LIMIT) and keeps those
 * passing the queue filter, ordered by deadline. Read from `items` itself, each hit costs the leaf
 * page of a wide row (title, search text, detail JSON: one or two rows per 4 KiB page), so 5,000
 * hits read thousands of pages. This index holds only the filter and order columns (~45 entries a
 * page, in rowid order like the hits); the wide rows are read for the page of results shown only
 * (queue.service.ts, `list`). Inserts append at its end (new rowids are the largest) and updates
 * rewrite an entry in place, so landing writes few extra pages.
 *
 * citizens_pending — the applicants (issue #6) of the dossiers a sync cycle landed, one row per page
 * (`rows_json`: the page's CitizenFromDossier rows), written in the page's landing transaction: an
 * append of a few pages instead of ~3 random B-tree pages per dossier (citizens, its name and phone
 * indexes) re-encrypted at every page's commit. The sync engine folds them into `citizens` when
 * the cycle ends (or every CITIZENS_FLUSH_AT applicants) in one transaction, and a crash in between
 * loses nothing: the rows are flushed at the next start.
 */
import type Database from 'better-sqlite3';
import type { Migration } from '../migrations';

export const SEARCH_COVER_INDEX = 'items_search_cover';

export const migration011CipherSpeed: Migration = {
  version: 11,
  name: 'cipher-speed',
  up(db: Database.Database): void {
    db.exec(`
      CREATE INDEX ${SEARCH_COVER_INDEX} ON items
        (rowid, is_open, due_key, urgency, id, source, clock_running, paused, assignee, status);
      CREATE TABLE citizens_pending (
        seq INTEGER PRIMARY KEY,
        rows_json TEXT NOT NULL
      );
    `);
  },
};
