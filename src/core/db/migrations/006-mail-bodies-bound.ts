/**
 * 006: the mail body cache gets a bound. `evicted_at` marks a body whose text, HTML and inline images
 * were dropped to keep the cache under its size limit (oldest fetched first); the row stays, with the
 * links found in the full body (`body_links_json`), so the mail keeps its links and the body is simply
 * fetched again when the official opens it. Partial index `mail_bodies_live`: the bodies still held,
 * oldest first, for the eviction pass and the total size.
 */
import type Database from 'better-sqlite3';
import type { Migration } from '../migrations';

export const migration006MailBodiesBound: Migration = {
  version: 6,
  name: 'mail-bodies-bound',
  up(db: Database.Database): void {
    db.exec(`
      ALTER TABLE mail_bodies ADD COLUMN evicted_at INTEGER;
      CREATE INDEX mail_bodies_live ON mail_bodies (fetched_at, size) WHERE evicted_at IS NULL;
    `);
  },
};
