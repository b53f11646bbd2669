/**
 * Pure helpers of the mail adapter: stable external ids, IMAP message → NormalizedRecord, attachment
 * names from BODYSTRUCTURE, the text preview, and the cursor format. No network here (unit-tested).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { FileRef, MailAddress, MailDetail } from '../../shared/work-item';
import type { NormalizedRecord } from './adapter';
import { AdapterError } from './adapter';
import { joinSearchText, mimeTypeFromName, truncateUtf8 } from './adapter.util';

/** The subset of imapflow's FetchMessageObject the adapter reads (kept structural for unit tests). */
export interface MailFetchLike {
  uid: number;
  flags?: Set<string> | undefined;
  size?: number | undefined;
  internalDate?: Date | string | undefined;
  envelope?:
    | {
        date?: Date | string | undefined;
        subject?: string | undefined;
        messageId?: string | undefined;
        from?: { name?: string | undefined; address?: string | undefined }[] | undefined;
        to?: { name?: string | undefined; address?: string | undefined }[] | undefined;
        cc?: { name?: string | undefined; address?: string | undefined }[] | undefined;
      }
    | undefined;
  bodyStructure?: MailStructureLike | undefined;
}

export interface MailStructureLike {
  part?: string | undefined;
  type: string;
  parameters?: Record<string, string> | undefined;
  encoding?: string | undefined;
  size?: number | undefined;
  disposition?: string | undefined;
  dispositionParameters?: Record<string, string> | undefined;
  childNodes?: MailStructureLike[] | undefined;
}

/** externalIds longer than this are replaced by a hash. */
export const MAIL_EXTERNAL_ID_MAX = 200;

function sha(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 40);
}

/** Message-ID without the angle brackets and surrounding space, or null. */
export function cleanMessageId(raw: string | undefined | null): string | null {
  const value = raw?.trim().replace(/^<|>$/g, '').trim();
  return value ? value : null;
}

/**
 * Stable id of a message in a folder, the same across UIDVALIDITY changes: `<folder>:<Message-ID>`
 * (hashed when long). Without a Message-ID: a hash of folder, INTERNALDATE, size, sender and subject —
 * never the UID, which a UIDVALIDITY change renumbers.
 */
export function mailExternalId(folder: string, messageId: string | null, fallback: { internalDate: number; size: number | null; from: string; subject: string }): string {
  if (messageId !== null) {
    const plain = `${folder}:${messageId}`;
    return plain.length <= MAIL_EXTERNAL_ID_MAX ? plain : `${folder.slice(0, 100)}:sha:${sha(plain)}`;
  }
  return `${folder.slice(0, 100)}:nomid:${sha([folder, fallback.internalDate, fallback.size ?? '', fallback.from, fallback.subject].join('\n'))}`;
}

function toDate(value: Date | string | undefined): number | null {
  if (value === undefined) return null;
  const t = value instanceof Date ? value.getTime() : Date.parse(value);
  return Number.isFinite(t) ? t : null;
}

function addresses(list: { name?: string | undefined; address?: string | undefined }[] | undefined): MailAddress[] {
  return (list ?? [])
    .filter((a) => (a.address ?? '').length > 0 || (a.name ?? '').length > 0)
    .map((a) => ({ name: a.name?.trim() ? a.name.trim().normalize('NFC') : null, address: a.address ?? '' }));
}

/**
 * The attachment leaves of a BODYSTRUCTURE tree in order, with their file name when they have one:
 * parts marked `attachment`, or named parts that are not text. The one rule for the cached list
 * (attachmentsOf) and for what a forward re-attaches (mail.smtp.ts attachmentParts).
 */
export function attachmentLeaves(node: MailStructureLike | undefined): Array<{ node: MailStructureLike; name: string | undefined }> {
  const out: Array<{ node: MailStructureLike; name: string | undefined }> = [];
  const walk = (n: MailStructureLike): void => {
    if (n.childNodes && n.childNodes.length > 0) {
      for (const c of n.childNodes) walk(c);
      return;
    }
    const name = n.dispositionParameters?.['filename'] ?? n.parameters?.['name'];
    if (n.disposition === 'attachment' || (name !== undefined && !n.type.startsWith('text/'))) out.push({ node: n, name });
  };
  if (node) walk(node);
  return out;
}

/** Attachments (name, type, encoded size) from a BODYSTRUCTURE tree. */
export function attachmentsOf(node: MailStructureLike | undefined): FileRef[] {
  return attachmentLeaves(node).map(({ node: n, name }, i) => {
    const fileName = name ?? `attachment-${n.part ?? i + 1}`;
    return {
      name: fileName,
      mimeType: n.type || mimeTypeFromName(fileName),
      // Encoded size on the server (base64 ≈ 4/3 of the file).
      size: n.size ?? null,
      description: null,
    };
  });
}

/** The first text/plain part (else text/html) that is not an attachment: its part id, encoding, charset. */
export function firstTextPart(node: MailStructureLike | undefined): { part: string; type: string; encoding: string; charset: string } | null {
  let html: { part: string; type: string; encoding: string; charset: string } | null = null;
  const walk = (n: MailStructureLike): { part: string; type: string; encoding: string; charset: string } | null => {
    if (n.childNodes && n.childNodes.length > 0) {
      for (const c of n.childNodes) {
        const found = walk(c);
        if (found) return found;
      }
      return null;
    }
    if (n.disposition === 'attachment') return null;
    const entry = { part: n.part ?? '1', type: n.type, encoding: (n.encoding ?? '7bit').toLowerCase(), charset: n.parameters?.['charset'] ?? 'utf-8' };
    if (n.type === 'text/plain') return entry;
    if (n.type === 'text/html' && html === null) html = entry;
    return null;
  };
  return (node ? walk(node) : null) ?? html;
}

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 65 && code <= 70) return code - 55;
  if (code >= 97 && code <= 102) return code - 87;
  return -1;
}

/** Quoted-printable (latin1 text of the raw bytes) → bytes; soft line breaks dropped, bad escapes kept as is. */
function decodeQuotedPrintable(text: string): Buffer {
  const src = text.replace(/=\r?\n/g, '');
  const out = Buffer.allocUnsafe(src.length);
  let n = 0;
  for (let i = 0; i < src.length; i++) {
    const code = src.charCodeAt(i);
    if (code === 61 && i + 2 < src.length) {
      const hi = hexValue(src.charCodeAt(i + 1));
      const lo = hexValue(src.charCodeAt(i + 2));
      if (hi >= 0 && lo >= 0) {
        out[n++] = hi * 16 + lo;
        i += 2;
        continue;
      }
    }
    out[n++] = code & 0xff;
  }
  return out.subarray(0, n);
}

/** A short plain-text preview from the first bytes of a text part (possibly cut mid-way). */
export function previewFromPart(raw: Buffer, info: { type: string; encoding: string; charset: string }, maxChars = 200): string | null {
  let bytes: Buffer;
  const ascii = raw.toString('latin1');
  if (info.encoding === 'base64') {
    const clean = ascii.replace(/[^A-Za-z0-9+/=]/g, '');
    bytes = Buffer.from(clean.slice(0, clean.length - (clean.length % 4)), 'base64');
  } else if (info.encoding === 'quoted-printable') {
    bytes = decodeQuotedPrintable(ascii.replace(/=[0-9A-Fa-f]?$/, ''));
  } else {
    bytes = raw;
  }
  let text: string;
  try {
    text = new TextDecoder(info.charset.toLowerCase()).decode(bytes);
  } catch {
    text = bytes.toString('utf8');
  }
  if (info.type === 'text/html') {
    text = text.replace(/<(style|script)[\s\S]*?<\/\1>/gi, ' ').replace(/<[^>]*>?/g, ' ').replace(/&nbsp;/g, ' ');
  }
  text = text.normalize('NFC').replace(/\uFFFD+$/, '').replace(/\s+/g, ' ').trim();
  if (text === '') return null;
  return text.length > maxChars ? `${text.slice(0, maxChars).trimEnd()}…` : text;
}

export interface MailLocation {
  folder: string;
  uid: number;
  uidValidity: string;
}

/** An IMAP message → the cache's record. Status: 'unseen' | 'seen'; urgency 1 when flagged. */
export function normalizeMail(msg: MailFetchLike, loc: MailLocation, preview: string | null): NormalizedRecord {
  const env = msg.envelope ?? {};
  const from = addresses(env.from)[0] ?? null;
  // NFC: a windows-1258 encoded word decodes to base letters plus combining tone marks.
  const subject = (env.subject ?? '').trim().normalize('NFC');
  const receivedAt = toDate(msg.internalDate) ?? toDate(env.date) ?? 0;
  const messageId = cleanMessageId(env.messageId);
  const flags = msg.flags ?? new Set<string>();
  const seen = flags.has('\\Seen');
  const flagged = flags.has('\\Flagged');
  const to = addresses(env.to);
  const cc = addresses(env.cc);
  const detail: MailDetail = {
    source: 'mail',
    messageId,
    folder: loc.folder,
    uid: loc.uid,
    uidValidity: loc.uidValidity,
    from,
    to,
    cc,
    subject,
    date: toDate(env.date),
    seen,
    flagged,
    size: msg.size ?? null,
    attachments: attachmentsOf(msg.bodyStructure),
    preview,
  };
  return {
    source: 'mail',
    externalId: mailExternalId(loc.folder, messageId, { internalDate: receivedAt, size: msg.size ?? null, from: from?.address ?? '', subject }),
    ref: from?.address ?? '',
    title: subject,
    party: from?.name ?? from?.address ?? null,
    kind: null,
    status: seen ? 'seen' : 'unseen',
    receivedAt,
    dueAt: null,
    urgency: flagged ? 1 : 0,
    assignee: null,
    assigneeName: null,
    updatedAt: receivedAt,
    searchText: mailSearchText(detail),
    detail,
  };
}

/**
 * A mail's search text besides ref (sender address), title (subject) and party (sender name):
 * recipients, attachment names and the preview. From the detail alone, so the search backfill
 * (src/core/mail/mail-search-backfill.ts) rebuilds exactly what a landing would have indexed.
 */
export function mailSearchText(detail: Pick<MailDetail, 'to' | 'cc' | 'attachments' | 'preview'>): string {
  return joinSearchText([...detail.to.map((a) => `${a.name ?? ''} ${a.address}`), ...detail.cc.map((a) => a.address), ...detail.attachments.map((a) => a.name), detail.preview]);
}

/** A message that vanished (expunged, moved): the cache marks it 'deleted' under the same externalId. */
export function deletedMail(externalId: string, loc: MailLocation, at: number): NormalizedRecord {
  return {
    source: 'mail',
    externalId,
    ref: '',
    title: '',
    party: null,
    kind: null,
    status: 'deleted',
    receivedAt: at,
    dueAt: null,
    urgency: 0,
    assignee: null,
    assigneeName: null,
    updatedAt: at,
    searchText: '',
    detail: {
      source: 'mail',
      messageId: null,
      folder: loc.folder,
      uid: loc.uid,
      uidValidity: loc.uidValidity,
      from: null,
      to: [],
      cc: [],
      subject: '',
      date: null,
      seen: true,
      flagged: false,
      size: null,
      attachments: [],
      preview: null,
    },
  };
}

// ---------- cursor ----------

/** Flags kept per known UID, as bits: 1 = \Seen, 2 = \Flagged (and HISTORY_BIT, ours, not a server flag). */
export function flagBits(flags: Set<string> | undefined): number {
  return (flags?.has('\\Seen') ? 1 : 0) | (flags?.has('\\Flagged') ? 2 : 0);
}

/** In a known UID's bits: the message came in by the history backfill (kept when it is fetched again). */
export const HISTORY_BIT = 4;
/** The server-flag part of a known UID's bits. */
export const SERVER_FLAG_BITS = 3;

const FolderStateSchema = z.object({
  uidValidity: z.string(),
  /** UIDNEXT when the last completed pass started; 0 before the first sync finished. */
  uidNext: z.number().int().min(0),
  highestModseq: z.string().nullable(),
  phase: z.enum(['initial', 'incremental']),
  /** Initial sync: UIDs below this one are still to fetch (newest first). */
  below: z.number().int().min(0).nullable(),
  /** Incremental pass in progress: UIDs up to this one are done. */
  after: z.number().int().min(0),
  /** UIDNEXT / HIGHESTMODSEQ when the current pass (first sync or incremental) started. */
  passUidNext: z.number().int().min(0),
  passModseq: z.string().nullable(),
  /** Known messages: uid → [externalId, flag bits]; for expunge detection and flag changes without CONDSTORE. */
  known: z.record(z.string(), z.tuple([z.string(), z.number().int()])),
  /** After a UIDVALIDITY change: the externalIds known before, to mark those that did not come back. */
  stale: z.array(z.string()).nullable(),
  /**
   * Start of the first sync's window (epoch ms: `initialDays` before that sync began, fixed for its
   * whole pass). Absent in cursors written before the history backfill existed.
   */
  windowStart: z.number().nullable().optional(),
  /**
   * History backfill still to do after the first sync: UIDs below `below` received in
   * [`since`, `before`) (epoch ms), newest first; null when done or not wanted.
   */
  history: z.object({ below: z.number().int().min(0), since: z.number(), before: z.number() }).nullable().optional(),
});
export type MailFolderState = z.infer<typeof FolderStateSchema>;

export const MailCursorSchema = z.object({
  v: z.literal(1),
  /** Index of the folder the next pull works on (a round goes over every folder). */
  folderIndex: z.number().int().min(0),
  folders: z.record(z.string(), FolderStateSchema),
});
export type MailCursor = z.infer<typeof MailCursorSchema>;

export function parseMailCursor(cursor: string | null): MailCursor {
  if (cursor === null || cursor === '') return { v: 1, folderIndex: 0, folders: {} };
  let json: unknown;
  try {
    json = JSON.parse(cursor);
  } catch {
    throw new AdapterError('unknown', `Invalid mail cursor "${truncateUtf8(cursor, 80)}"`, false);
  }
  const parsed = MailCursorSchema.safeParse(json);
  if (!parsed.success) throw new AdapterError('unknown', `Invalid mail cursor "${truncateUtf8(cursor, 80)}"`, false);
  return parsed.data;
}
