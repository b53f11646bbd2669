/**
 * 005: mail bodies fetched on demand (issue #4), and links removed by hand.
 *
 * mail_bodies (one row per mail item whose body was read once)
 * - `text`, `html`: the text part and the HTML part exactly as sent (HTML is UNTRUSTED: the renderer
 *   sanitises it), NFC. Either may be NULL.
 * - `attachments_json`: `[{index, part, filename, contentType, size, inline, contentId}]` in the
 *   order mailparser met them; `index` is the handle of `mail.saveAttachment` and the attachment
 *   route, `part` the IMAP body part number (BODYSTRUCTURE numbering) it is downloaded by.
 * - `inline_images_json`: `{contentId: "data:image/…;base64,…"}` for small inline images
 *   (≤ 2 MB each, ≤ 10 MB per mail), so `cid:` references show without the server.
 * - `body_links_json`: `[{kind, value}]` found in the full text (links deep in the body); merged with
 *   the subject + preview links every time the mail lands again, so a re-sync keeps them.
 * - `size`: bytes of text + html + inline images (what the row costs); `fetched_at`: epoch ms.
 * - The row stays when the mail is deleted on the server: its body stays readable.
 *
 * item_links
 * - `removed_at`: set when the official removes a link by hand (a tombstone). Tombstoned rows are not
 *   shown and not counted by the mail rules; an automatic link found again when the mail is synced
 *   keeps its tombstone. Adding the link again by hand clears it.
 * - `item_links_value`: links by (kind, value_key) — the mails citing a citizen's ID number are shown
 *   on every dossier of that citizen, not only the one the link resolved to.
 */
import type Database from 'better-sqlite3';
import type { Migration } from '../migrations';

export const migration005MailBodiesLinks: Migration = {
  version: 5,
  name: 'mail-bodies-links',
  up(db: Database.Database): void {
    db.exec(`
      CREATE TABLE mail_bodies (
        item_id TEXT PRIMARY KEY NOT NULL,
        text TEXT,
        html TEXT,
        attachments_json TEXT NOT NULL DEFAULT '[]',
        inline_images_json TEXT NOT NULL DEFAULT '{}',
        body_links_json TEXT NOT NULL DEFAULT '[]',
        size INTEGER NOT NULL DEFAULT 0,
        fetched_at INTEGER NOT NULL
      );

      ALTER TABLE item_links ADD COLUMN removed_at INTEGER;
      CREATE INDEX item_links_value ON item_links (kind, value_key, from_id) WHERE removed_at IS NULL;
    `);
  },
};
