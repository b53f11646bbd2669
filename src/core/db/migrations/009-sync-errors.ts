/**
 * 009 (issue #5, sync health): every sync failure a backend reported, for the IT staff's health view
 * (error counts per backend and code, the recent errors). `sync_state` keeps only the last error.
 * Messages are the adapters' technical ones, which never carry credentials. Bounded by the service
 * (oldest rows pruned beyond 5,000 per backend).
 */
import type Database from 'better-sqlite3';
import type { Migration } from '../migrations';

export const migration009SyncErrors: Migration = {
  version: 9,
  name: 'sync-errors',
  up(db: Database.Database): void {
    db.exec(`
      CREATE TABLE sync_errors (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        backend_id TEXT NOT NULL,
        at INTEGER NOT NULL,
        code TEXT NOT NULL,
        message TEXT NOT NULL
      );
      CREATE INDEX sync_errors_backend_at ON sync_errors (backend_id, at);
    `);
  },
};
