/**
 * 010 (issue #7 point 3, notifications): what the notification service has already told the official
 * survives a restart — the due-soon thresholds already notified per item (so a restart does not repeat
 * "due in 60 working minutes") and the last notifications with their read marks (the *Thông báo* list
 * and the tray's unread count). Bounded by the service: marks only for items in the due-soon window,
 * history capped at NOTIFY_HISTORY_MAX rows.
 */
import type Database from 'better-sqlite3';
import type { Migration } from '../migrations';

export const migration010NotifyState: Migration = {
  version: 10,
  name: 'notify-state',
  up(db: Database.Database): void {
    db.exec(`
      CREATE TABLE notify_marks (
        item_id TEXT PRIMARY KEY,
        threshold INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE notify_history (
        id TEXT PRIMARY KEY,
        at INTEGER NOT NULL,
        read INTEGER NOT NULL DEFAULT 0,
        json TEXT NOT NULL
      );
      CREATE INDEX notify_history_at ON notify_history (at);
    `);
  },
};
