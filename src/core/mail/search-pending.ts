/**
 * The search text a record lands with when its search index entry is deferred (`searchDeferred`,
 * a large first mail sync): a lone "-" gives FTS5 no token (nothing indexed, nothing to delete) and
 * is never what searchTextOf produces (letters and digits joined by spaces, or ""). The backfill
 * (mail-search-backfill.ts) finds these rows and writes their real search text.
 */
export const SEARCH_PENDING = '-';
