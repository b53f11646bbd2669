/**
 * Mail bodies on the adapter side (issue #4): a message streamed through mailparser into text, HTML,
 * the attachment list and small inline images; and which IMAP body part an attachment of that list is.
 *
 * - Attachment contents are never held in memory: each one is counted as it streams by and dropped,
 *   except images with a Content-ID (`cid:` references in the HTML), kept as data: URIs when they are
 *   ≤ 2 MB each and ≤ 10 MB together.
 * - Text and HTML are decoded by mailparser (libmime + iconv-lite: UTF-8, ISO-8859-x, windows-125x
 *   including windows-1258, VISCII, TCVN…) and put in NFC: windows-1258 spells many Vietnamese
 *   letters as a base letter plus a combining tone mark.
 * - Malformed MIME (unterminated multipart, bad base64, an unknown charset label) is read as far as it
 *   goes; a parser failure ends the body where it stopped and is listed in `problems`, never thrown.
 *   Only a failure of the source stream (the connection dropped) rejects: a truncated body must not be
 *   cached as if it were whole.
 * - Each attachment carries its IMAP part number (mailparser numbers parts like BODYSTRUCTURE does;
 *   a message that is a single attachment is part "1"). `matchAttachmentPart` checks that number
 *   against the server's BODYSTRUCTURE before a download, so the index shown is the file saved.
 */
import type { Readable } from 'node:stream';
import { MailParser, type AddressObject } from 'mailparser';
import type { MailAddress } from '../../shared/work-item';
import { AdapterError } from './adapter';
import type { MailStructureLike } from './mail.normalize';

export const INLINE_IMAGE_MAX_BYTES = 2 * 1024 * 1024;
export const INLINE_IMAGES_TOTAL_MAX_BYTES = 10 * 1024 * 1024;

export interface MailBodyAttachment {
  /** IMAP body part number (BODYSTRUCTURE numbering); "1" for a message that is one attachment. */
  part: string;
  filename: string | null;
  contentType: string;
  /** Decoded size in bytes. */
  size: number;
  /** Without the angle brackets. */
  contentId: string | null;
  inline: boolean;
}

export interface MailBody {
  subject: string;
  from: MailAddress | null;
  to: MailAddress[];
  date: number | null;
  messageId: string | null;
  text: string | null;
  /** Raw HTML as sent: sanitise (DOMPurify) before showing it. */
  html: string | null;
  attachments: MailBodyAttachment[];
  /** Content-ID → data: URI of the small inline images. */
  inlineImages: Record<string, string>;
  /** What could not be read (the body is what came before it). */
  problems: string[];
}

export interface ParseOptions {
  inlineImageMaxBytes?: number;
  inlineImagesTotalMaxBytes?: number;
}

/** The message (or the part) is not on the server under the cached location nor its Message-ID. */
export class MailGoneError extends AdapterError {
  constructor(what: string) {
    super('unknown', `Thư ${what} không còn trên máy chủ (đã bị chuyển sang thư mục khác hoặc bị xoá).`, false);
    this.name = 'MailGoneError';
  }
}

function addresses(value: AddressObject | AddressObject[] | undefined): MailAddress[] {
  const list = Array.isArray(value) ? value : value ? [value] : [];
  return list.flatMap((a) => a.value).map((a) => ({ name: a.name ? a.name.normalize('NFC') : null, address: a.address ?? '' }));
}

const SAFE_IMAGE_TYPE = /^image\/[a-z0-9.+-]{1,60}$/;

/** mailparser's attachment event (the fields read here; its typings lack partId/cid). */
interface ParsedAttachment {
  content: Readable;
  contentType: string;
  partId?: string | null;
  filename?: string;
  contentId?: string;
  cid?: string;
  related?: boolean;
  contentDisposition?: string;
  release: (() => void) | null;
}

/** Parse a message stream with mailparser; attachment contents stream by and are dropped (see the file comment). */
export function parseMessageStream(stream: Readable, options: ParseOptions = {}): Promise<MailBody> {
  const eachMax = options.inlineImageMaxBytes ?? INLINE_IMAGE_MAX_BYTES;
  const totalMax = options.inlineImagesTotalMaxBytes ?? INLINE_IMAGES_TOTAL_MAX_BYTES;
  return new Promise<MailBody>((resolve, reject) => {
    const parser = new MailParser({ skipImageLinks: true, skipTextToHtml: true, checksumAlgo: false } as ConstructorParameters<typeof MailParser>[0]);
    const body: MailBody = {
      subject: '',
      from: null,
      to: [],
      date: null,
      messageId: null,
      text: null,
      html: null,
      attachments: [],
      inlineImages: {},
      problems: [],
    };
    let settled = false;
    let inlineTotal = 0;
    const finish = (): void => {
      if (settled) return;
      settled = true;
      resolve(body);
    };
    const fail = (error: unknown): void => {
      if (settled) return;
      settled = true;
      parser.destroy();
      reject(error instanceof Error ? error : new Error(String(error)));
    };
    parser.on('headers', (headers) => {
      const subject = headers.get('subject');
      body.subject = typeof subject === 'string' ? subject.normalize('NFC') : '';
      body.from = addresses(headers.get('from') as AddressObject | undefined)[0] ?? null;
      body.to = addresses(headers.get('to') as AddressObject | AddressObject[] | undefined);
      const date = headers.get('date');
      body.date = date instanceof Date && Number.isFinite(date.getTime()) ? date.getTime() : null;
      const mid = headers.get('message-id');
      body.messageId = typeof mid === 'string' ? mid.replace(/^<|>$/g, '') : null;
    });
    parser.on('data', (data: { type: string } & Record<string, unknown>) => {
      if (data.type === 'text') {
        body.text = typeof data['text'] === 'string' ? data['text'].normalize('NFC') : null;
        body.html = typeof data['html'] === 'string' ? data['html'].normalize('NFC') : null;
        return;
      }
      if (data.type !== 'attachment') return;
      const att = data as unknown as ParsedAttachment;
      const contentId = (att.cid ?? att.contentId ?? '').trim().replace(/^<|>$/g, '').trim() || null;
      const type = (att.contentType || 'application/octet-stream').toLowerCase();
      const entry: MailBodyAttachment = {
        part: att.partId ?? '1',
        filename: att.filename ? att.filename.normalize('NFC') : null,
        contentType: type,
        size: 0,
        contentId,
        inline: att.contentDisposition === 'inline' || att.related === true,
      };
      body.attachments.push(entry);
      // Images referenced by cid: are kept when small; everything else is only counted.
      let keep: Buffer[] | null = contentId !== null && SAFE_IMAGE_TYPE.test(type) ? [] : null;
      att.content.on('data', (chunk: Buffer) => {
        entry.size += chunk.length;
        if (keep === null) return;
        if (entry.size > eachMax || inlineTotal + entry.size > totalMax) keep = null;
        else keep.push(chunk);
      });
      const done = (): void => {
        if (keep !== null && contentId !== null && !(contentId in body.inlineImages)) {
          inlineTotal += entry.size;
          body.inlineImages[contentId] = `data:${type};base64,${Buffer.concat(keep).toString('base64')}`;
        }
        keep = null;
        att.release?.();
      };
      att.content.once('end', done);
      att.content.once('error', (error: Error) => {
        body.problems.push(`attachment ${entry.part}: ${error.message}`);
        keep = null;
        att.release?.();
      });
    });
    parser.once('end', finish);
    parser.once('error', (error: Error) => {
      // Malformed beyond what mailparser tolerates: keep what was read, stop reading.
      body.problems.push(error.message);
      stream.unpipe(parser);
      stream.destroy();
      finish();
    });
    stream.once('error', fail);
    stream.pipe(parser);
  });
}

function normalName(name: string | null | undefined): string | null {
  const n = name?.normalize('NFC').trim();
  return n ? n : null;
}

function nodeName(n: MailStructureLike): string | null {
  return normalName(n.dispositionParameters?.['filename'] ?? n.parameters?.['name']);
}

function fits(n: MailStructureLike, expected: { filename: string | null; contentType: string }): boolean {
  const name = nodeName(n);
  const want = normalName(expected.filename);
  if (name !== null && want !== null) return name === want;
  const type = (n.type || '').toLowerCase();
  // mailparser names the type from the file name when the part says application/octet-stream.
  return type === expected.contentType.toLowerCase() || type === 'application/octet-stream';
}

/**
 * The IMAP part number to download for an attachment of the cached list: its own number when the
 * server's BODYSTRUCTURE has a fitting part there (same file name, else same type), otherwise the
 * first part with the same file name; null when none fits (the message on the server is another one).
 */
export function matchAttachmentPart(
  structure: MailStructureLike | undefined,
  expected: { part: string; filename: string | null; contentType: string },
): string | null {
  if (!structure) return null;
  const single = !structure.childNodes || structure.childNodes.length === 0;
  if (single) return expected.part === '1' && fits(structure, expected) ? '1' : null;
  const all: MailStructureLike[] = [];
  const walk = (n: MailStructureLike): void => {
    all.push(n);
    for (const c of n.childNodes ?? []) walk(c);
  };
  walk(structure);
  const direct = all.find((n) => n.part === expected.part);
  if (direct && fits(direct, expected) && !(direct.type || '').toLowerCase().startsWith('multipart/')) return expected.part;
  // Elsewhere: only a part carrying the same file name (a type alone identifies nothing).
  const want = normalName(expected.filename);
  if (want === null) return null;
  const other = all.find((n) => n.part !== undefined && !(n.type || '').toLowerCase().startsWith('multipart/') && nodeName(n) === want);
  return other?.part ?? null;
}
