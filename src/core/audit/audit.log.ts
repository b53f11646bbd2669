/**
 * The audit trail: an append-only, hash-chained log of what the official did and what the
 * workstation did on their behalf (actions and their outcomes, sign-ins, configuration changes).
 *
 *   hash(n) = sha256(hash(n-1) + canonicalJson({ seq, at, actor, kind, summary, data }))
 *   hash(0) = 64 zeros
 *
 * `verify()` walks the whole chain in seq order and names the first entry that does not fit: its
 * hash does not match its content (edited row), its prev_hash is not the previous entry's hash
 * (edited or re-linked row), its seq is not the previous one + 1 (deleted row), or the log ends
 * before the last number ever issued (deleted tail; seq is AUTOINCREMENT and never reused).
 *
 * Appends run inside the caller's transaction when there is one (better-sqlite3 nests them as
 * savepoints), so an action and its audit entry land together or not at all.
 * Never put secrets (passwords, tokens) into `data`.
 */
import type Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { AUDIT_KINDS, type AuditEntry, type AuditVerify } from '../../shared/api';

export type AuditKind = (typeof AUDIT_KINDS)[number];
export const GENESIS_HASH = '0'.repeat(64);
/** Office time zone (UTC+7, no DST) for export file names. */
const OFFICE_OFFSET_MS = 7 * 3_600_000;

export interface AuditAppend {
  actor: string;
  kind: AuditKind;
  summary: string;
  data?: Record<string, unknown>;
}

interface AuditRow {
  seq: number;
  at: number;
  actor: string;
  kind: string;
  summary: string;
  data_json: string;
  prev_hash: string;
  hash: string;
}

/** JSON with object keys sorted at every level and no whitespace; undefined members dropped. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const text = JSON.stringify(value);
    return text === undefined ? 'null' : text;
  }
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  const record = value as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of Object.keys(record).sort()) {
    const v = record[key];
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    parts.push(`${JSON.stringify(key)}:${canonicalJson(v)}`);
  }
  return `{${parts.join(',')}}`;
}

export function auditHash(
  prevHash: string,
  entry: { seq: number; at: number; actor: string; kind: string; summary: string; data: unknown },
): string {
  const body = canonicalJson({
    seq: entry.seq,
    at: entry.at,
    actor: entry.actor,
    kind: entry.kind,
    summary: entry.summary,
    data: entry.data,
  });
  return createHash('sha256').update(prevHash).update(body).digest('hex');
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** `nhat-ky-2026-11-25.jsonl`: the date in office time. */
export function auditExportFilename(now: number): string {
  return `nhat-ky-${new Date(now + OFFICE_OFFSET_MS).toISOString().slice(0, 10)}.jsonl`;
}

function isAuditKind(kind: string): kind is AuditKind {
  return (AUDIT_KINDS as readonly string[]).includes(kind);
}

export class AuditLog {
  private readonly lastRow: Database.Statement<[], { seq: number; hash: string }>;
  private readonly issued: Database.Statement<[], { seq: number }>;
  private readonly insert: Database.Statement<{
    seq: number;
    at: number;
    actor: string;
    kind: string;
    summary: string;
    data: string;
    prev: string;
    hash: string;
  }>;
  private readonly page: Database.Statement<[number, number], AuditRow>;
  private readonly countAll: Database.Statement<[], { n: number }>;
  private readonly lastOfKind: Database.Statement<[string], AuditRow>;

  constructor(
    private readonly db: Database.Database,
    private readonly now: () => number,
  ) {
    this.lastRow = db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
    this.issued = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'");
    this.insert = db.prepare(`INSERT INTO audit_log (seq, at, actor, kind, summary, data_json, prev_hash, hash)
      VALUES (@seq, @at, @actor, @kind, @summary, @data, @prev, @hash)`);
    this.page = db.prepare('SELECT * FROM audit_log ORDER BY seq DESC LIMIT ? OFFSET ?');
    this.countAll = db.prepare('SELECT COUNT(*) AS n FROM audit_log');
    this.lastOfKind = db.prepare('SELECT * FROM audit_log WHERE kind = ? ORDER BY seq DESC LIMIT 1');
  }

  /** Append one entry (inside the caller's transaction if any) and return it. */
  append(input: AuditAppend): AuditEntry {
    return this.db.transaction((): AuditEntry => {
      const last = this.lastRow.get();
      const issued = this.issued.get()?.seq ?? 0;
      const seq = Math.max(last?.seq ?? 0, issued) + 1;
      const prevHash = last?.hash ?? GENESIS_HASH;
      const dataJson = canonicalJson(input.data ?? {});
      // Hash what will be read back: the stored JSON, parsed.
      const data = JSON.parse(dataJson) as Record<string, unknown>;
      const at = this.now();
      const hash = auditHash(prevHash, { seq, at, actor: input.actor, kind: input.kind, summary: input.summary, data });
      this.insert.run({ seq, at, actor: input.actor, kind: input.kind, summary: input.summary, data: dataJson, prev: prevHash, hash });
      return { seq, at, actor: input.actor, kind: input.kind, summary: input.summary, data, prevHash, hash };
    })();
  }

  /** Newest first. */
  list(offset: number, limit: number): { entries: AuditEntry[]; total: number } {
    return {
      entries: this.page.all(limit, offset).map(toEntry),
      total: this.countAll.get()?.n ?? 0,
    };
  }

  /** The latest entry of a kind (e.g. the last recorded configuration). */
  lastOf(kind: AuditKind): AuditEntry | null {
    const row = this.lastOfKind.get(kind);
    return row ? toEntry(row) : null;
  }

  /** Walk the chain from the first entry; stops at the first entry that does not fit. */
  verify(): AuditVerify {
    let expectedSeq = 1;
    let prevHash = GENESIS_HASH;
    let checked = 0;
    const bad = (seq: number, reason: string): AuditVerify => ({ ok: false, checked, firstBadSeq: seq, reason });
    for (const row of this.db.prepare<[], AuditRow>('SELECT * FROM audit_log ORDER BY seq').iterate()) {
      if (row.seq !== expectedSeq) {
        return bad(
          expectedSeq,
          row.seq > expectedSeq
            ? `entries ${expectedSeq}${row.seq - 1 > expectedSeq ? `–${row.seq - 1}` : ''} are missing (deleted)`
            : `entry ${row.seq} is out of order`,
        );
      }
      if (row.prev_hash !== prevHash) return bad(row.seq, `entry ${row.seq} does not link to entry ${row.seq - 1} (prev_hash differs)`);
      let data: unknown;
      try {
        data = JSON.parse(row.data_json);
      } catch {
        return bad(row.seq, `entry ${row.seq} has unreadable data`);
      }
      const hash = auditHash(prevHash, { seq: row.seq, at: row.at, actor: row.actor, kind: row.kind, summary: row.summary, data });
      if (hash !== row.hash) return bad(row.seq, `entry ${row.seq} was changed after it was written (hash differs)`);
      prevHash = row.hash;
      expectedSeq = row.seq + 1;
      checked += 1;
    }
    const issued = this.issued.get()?.seq ?? 0;
    if (issued >= expectedSeq) {
      return bad(expectedSeq, `entries ${expectedSeq}${issued > expectedSeq ? `–${issued}` : ''} at the end are missing (deleted)`);
    }
    return { ok: true, checked, firstBadSeq: null, reason: null };
  }

  /** The whole log, oldest first, one JSON object per line. */
  exportJsonl(): { filename: string; content: string } {
    const lines: string[] = [];
    for (const row of this.db.prepare<[], AuditRow>('SELECT * FROM audit_log ORDER BY seq').iterate()) {
      lines.push(JSON.stringify(toEntry(row)));
    }
    return { filename: auditExportFilename(this.now()), content: lines.length > 0 ? `${lines.join('\n')}\n` : '' };
  }
}

function toEntry(row: AuditRow): AuditEntry {
  let data: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(row.data_json);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) data = parsed as Record<string, unknown>;
  } catch {
    data = { unreadable: row.data_json.slice(0, 200) };
  }
  return {
    seq: row.seq,
    at: row.at,
    actor: row.actor,
    kind: isAuditKind(row.kind) ? row.kind : 'action',
    summary: row.summary,
    data,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}
