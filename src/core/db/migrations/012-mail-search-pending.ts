/**
 * 012 (issue #4, first mail sync headers first): a partial index of the items whose search index
 * entry is still to be written (search text SEARCH_PENDING, see src/core/mail/mail-search-backfill.ts).
 * It holds only those rows — none once the backfill is done — so the backfill's "anything pending?"
 * at every start and after every sync cycle, and each of its chunks, read a few pages instead of
 * scanning the whole items table.
 */
import type Database from 'better-sqlite3';
import type { Migration } from '../migrations';
import { SEARCH_PENDING } from '../../mail/search-pending';

export const SEARCH_PENDING_INDEX = 'items_search_pending';

export const migration012MailSearchPending: Migration = {
  version: 12,
  name: 'mail-search-pending',
  up(db: Database.Database): void {
    db.exec(`CREATE INDEX ${SEARCH_PENDING_INDEX} ON items (rowid) WHERE search_folded = '${SEARCH_PENDING}';`);
  },
};
