/**
 * 008 (issue #6): citizens known from the cache, and the text of mail attachments in the search.
 *
 * citizens — one row per ID number (12-digit CCCD or 9-digit CMND), filled as dossiers land (the
 * applicant of a dossier with LoaiDoiTuong 1) and from CCCD scans at the counter.
 * - `full_name`, `address`, `phone`, `email` come from the newest dossier (`source_item_id`,
 *   `source_ref` = its code, `source_at` = its updatedAt: provenance, and the guard that an older
 *   dossier never overwrites a newer one).
 * - `birth_year` / `sex` are derived from the CCCD number itself (NULL for a CMND).
 * - `scan_*` columns hold what the chip card's QR code said the last time it was scanned
 *   (`scanned_at`); the card wins over dossier text where both exist.
 * - lookups: primary key (ID), `citizens_name_year` (folded name + birth year), `citizens_phone`.
 *
 * attachment_texts — text extracted from a downloaded mail attachment (PDF, DOCX), folded like the
 * items' search text, with its own external-content FTS5 index `attachment_fts` (same tokenizer and
 * prefixes as items_fts). `status` says whether extraction worked ('ok', 'empty', 'failed', 'too_large',
 * 'unsupported'), so a failed file is not tried again at each open.
 */
import type Database from 'better-sqlite3';
import { foldVietnamese } from '../../../shared/text';
import { cccdFacts, normalizePhone } from '../../../shared/citizen';
import type { Migration } from '../migrations';

/** The citizens upsert used by the landing path and the backfill (newest dossier wins). */
export const UPSERT_CITIZEN_FROM_DOSSIER_SQL = `INSERT INTO citizens (id_number, full_name, name_folded, birth_year, sex,
    address, phone, email, source_item_id, source_ref, source_at, updated_at)
  VALUES (@idNumber, @fullName, @nameFolded, @birthYear, @sex, @address, @phone, @email, @itemId, @ref, @sourceAt, @at)
  ON CONFLICT (id_number) DO UPDATE SET full_name = excluded.full_name, name_folded = excluded.name_folded,
    address = COALESCE(excluded.address, citizens.address), phone = COALESCE(excluded.phone, citizens.phone),
    email = COALESCE(excluded.email, citizens.email), source_item_id = excluded.source_item_id,
    source_ref = excluded.source_ref, source_at = excluded.source_at, updated_at = excluded.updated_at
  WHERE excluded.source_at > citizens.source_at
    OR (excluded.source_at = citizens.source_at AND excluded.source_item_id IS NOT citizens.source_item_id)
    OR citizens.source_item_id IS NULL`;

export interface CitizenFromDossier {
  idNumber: string;
  fullName: string;
  nameFolded: string;
  birthYear: number | null;
  sex: string | null;
  address: string | null;
  phone: string | null;
  email: string | null;
  itemId: string;
  ref: string;
  sourceAt: number;
  at: number;
}

/** The citizens row for a dossier's applicant; null when the dossier has no personal applicant. */
export function citizenFromDossier(
  itemId: string,
  ref: string,
  updatedAt: number,
  d: { applicant: string; applicantIdNumber: string | null; applicantType: number; phone: string | null; email: string | null; address: string | null },
  at: number,
): CitizenFromDossier | null {
  const id = d.applicantIdNumber;
  if (id === null || d.applicantType !== 1 || !/^(\d{9}|\d{12})$/.test(id)) return null;
  const facts = cccdFacts(id);
  const phone = d.phone === null ? '' : normalizePhone(d.phone);
  return {
    idNumber: id,
    fullName: d.applicant,
    nameFolded: foldVietnamese(d.applicant).replace(/\s+/g, ' ').trim(),
    birthYear: facts?.birthYear ?? null,
    sex: facts?.sex ?? null,
    address: d.address,
    phone: phone === '' ? null : phone,
    email: d.email,
    itemId,
    ref,
    sourceAt: updatedAt,
    at,
  };
}

export const migration008CitizensSearch: Migration = {
  version: 8,
  name: 'citizens-search',
  up(db: Database.Database): void {
    db.exec(`
      CREATE TABLE citizens (
        id_number TEXT PRIMARY KEY,
        full_name TEXT NOT NULL,
        name_folded TEXT NOT NULL,
        birth_year INTEGER,
        sex TEXT CHECK (sex IN ('male', 'female')),
        address TEXT,
        phone TEXT,
        email TEXT,
        source_item_id TEXT,
        source_ref TEXT,
        source_at INTEGER NOT NULL,
        scan_full_name TEXT,
        scan_birth_date TEXT,
        scan_sex TEXT CHECK (scan_sex IN ('male', 'female')),
        scan_address TEXT,
        scan_old_id TEXT,
        scanned_at INTEGER,
        updated_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX citizens_name_year ON citizens (name_folded, birth_year);
      CREATE INDEX citizens_phone ON citizens (phone) WHERE phone IS NOT NULL;

      CREATE TABLE attachment_texts (
        rowid INTEGER PRIMARY KEY,
        item_id TEXT NOT NULL,
        part_index INTEGER NOT NULL,
        filename TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('ok', 'empty', 'failed', 'too_large', 'unsupported')),
        text_folded TEXT NOT NULL DEFAULT '',
        extracted_at INTEGER NOT NULL,
        UNIQUE (item_id, part_index)
      );
      CREATE VIRTUAL TABLE attachment_fts USING fts5(
        text_folded,
        content = 'attachment_texts',
        content_rowid = 'rowid',
        tokenize = 'unicode61 remove_diacritics 2',
        prefix = '1 2 3'
      );
      CREATE TRIGGER attachment_fts_insert AFTER INSERT ON attachment_texts BEGIN
        INSERT INTO attachment_fts (rowid, text_folded) VALUES (new.rowid, new.text_folded);
      END;
      CREATE TRIGGER attachment_fts_delete AFTER DELETE ON attachment_texts BEGIN
        INSERT INTO attachment_fts (attachment_fts, rowid, text_folded) VALUES ('delete', old.rowid, old.text_folded);
      END;
      CREATE TRIGGER attachment_fts_update AFTER UPDATE OF text_folded ON attachment_texts
      WHEN old.text_folded IS NOT new.text_folded BEGIN
        INSERT INTO attachment_fts (attachment_fts, rowid, text_folded) VALUES ('delete', old.rowid, old.text_folded);
        INSERT INTO attachment_fts (rowid, text_folded) VALUES (new.rowid, new.text_folded);
      END;
    `);
    // Backfill from the dossiers already cached, oldest version first so the newest wins.
    const rows = db
      .prepare<[], { id: string; ref: string; updated_at: number; detail_json: string }>(
        "SELECT id, ref, updated_at, detail_json FROM items WHERE source = 'procedure' AND citizen_id IS NOT NULL ORDER BY updated_at",
      )
      .all();
    const upsert = db.prepare<CitizenFromDossier>(UPSERT_CITIZEN_FROM_DOSSIER_SQL);
    const at = Date.now();
    for (const r of rows) {
      let detail: unknown;
      try {
        detail = JSON.parse(r.detail_json);
      } catch {
        continue;
      }
      const d = detail as Record<string, unknown>;
      const str = (k: string): string | null => (typeof d[k] === 'string' ? (d[k] as string) : null);
      const row = citizenFromDossier(
        r.id,
        r.ref,
        r.updated_at,
        {
          applicant: str('applicant') ?? '',
          applicantIdNumber: str('applicantIdNumber'),
          applicantType: typeof d['applicantType'] === 'number' ? d['applicantType'] : 0,
          phone: str('phone'),
          email: str('email'),
          address: str('address'),
        },
        at,
      );
      if (row && row.fullName !== '') upsert.run(row);
    }
  },
};
