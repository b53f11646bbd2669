/**
 * 004: sending mail through the outbox (issue #4, point 5).
 *
 * outbox
 * - `progress`: the durable checkpoint of an action whose backend has no idempotency key (SMTP),
 *   written by the adapter through PerformContext.progress while the entry is being sent. NULL =
 *   nothing irreversible happened yet. Mail: 'smtp_started' (the end of the message may have
 *   reached the server: outcome unknown, never resent without the official), 'smtp_accepted' (the
 *   server answered 250: SMTP is skipped, only the Sent copy and the flags remain).
 *
 * mail_staged_files
 * - one row per file the official picked for an outgoing mail (`mail.stageAttachment`), stored at
 *   `<dataDir>/mail-staging/<id>`; `filename`, `content_type`, `size` are checked against what the
 *   action names when it is submitted. The row is deleted, in the submit's transaction, when the file
 *   moves to `<dataDir>/outbox-files/<outbox id>/<id>`; rows older than 24 h are swept at start-up.
 */
import type Database from 'better-sqlite3';
import type { Migration } from '../migrations';

export const migration004MailOutbox: Migration = {
  version: 4,
  name: 'mail-outbox',
  up(db: Database.Database): void {
    db.exec(`
      ALTER TABLE outbox ADD COLUMN progress TEXT;

      CREATE TABLE mail_staged_files (
        id TEXT PRIMARY KEY NOT NULL,
        filename TEXT NOT NULL,
        content_type TEXT NOT NULL,
        size INTEGER NOT NULL CHECK (size >= 0),
        created_at INTEGER NOT NULL
      );
      CREATE INDEX mail_staged_files_created ON mail_staged_files (created_at);
    `);
  },
};
