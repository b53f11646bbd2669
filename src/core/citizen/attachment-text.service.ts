/**
 * Text of mail attachments for the unified search (issue #6).
 *
 * When an attachment lands in the disk cache (`<dataDir>/mail-files/`, downloaded on demand), its text
 * is extracted — PDF with pdfjs-dist (legacy build, works on Node 20), DOCX with mammoth — folded like
 * the items' search text (no marks, đ → d, distinct words) and stored in `attachment_texts`, indexed by
 * `attachment_fts` (migration 008). Bounded: files over MAX_FILE_BYTES are not read, extraction stops
 * after EXTRACT_TIMEOUT_MS and keeps at most MAX_TEXT_CHARS of text, PDFs at most MAX_PDF_PAGES pages.
 * Failures are recorded (status 'failed'…) and logged, never thrown: a broken file breaks nothing and
 * is not tried again at every open.
 */
import type Database from 'better-sqlite3';
import { readFile } from 'node:fs/promises';
import { searchWords } from '../../shared/text';
import type { CoreLog } from '../core.log';

export const MAX_FILE_BYTES = 20 * 1024 * 1024;
export const EXTRACT_TIMEOUT_MS = 15_000;
export const MAX_TEXT_CHARS = 400_000;
export const MAX_PDF_PAGES = 200;

export type AttachmentKind = 'pdf' | 'docx';
export type ExtractStatus = 'ok' | 'empty' | 'failed' | 'too_large' | 'unsupported';

const DOCX_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/** Which extractor reads this attachment, by content type, then file name. */
export function attachmentKind(contentType: string, filename: string | null): AttachmentKind | null {
  const type = contentType.toLowerCase().split(';')[0]?.trim() ?? '';
  const name = (filename ?? '').toLowerCase();
  if (type === 'application/pdf' || name.endsWith('.pdf')) return 'pdf';
  if (type === DOCX_TYPE || name.endsWith('.docx')) return 'docx';
  return null;
}

interface PdfTextItem {
  str?: unknown;
}

async function pdfText(data: Uint8Array, signal: { aborted: boolean }): Promise<string> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const task = pdfjs.getDocument({ data, useSystemFonts: false, disableFontFace: true, isEvalSupported: false, verbosity: 0 });
  const doc = await task.promise;
  try {
    const parts: string[] = [];
    let length = 0;
    const pages = Math.min(doc.numPages, MAX_PDF_PAGES);
    for (let n = 1; n <= pages && length < MAX_TEXT_CHARS && !signal.aborted; n++) {
      const page = await doc.getPage(n);
      const content = await page.getTextContent();
      const text = (content.items as PdfTextItem[]).map((i) => (typeof i.str === 'string' ? i.str : '')).join(' ');
      parts.push(text);
      length += text.length;
      page.cleanup();
    }
    return parts.join('\n');
  } finally {
    await doc.destroy();
  }
}

async function docxText(buffer: Buffer): Promise<string> {
  const mammoth = await import('mammoth');
  const result = await mammoth.extractRawText({ buffer });
  return result.value;
}

/** Extract the plain text of a file (bounded). Throws on a broken file or time-out. */
export async function extractText(path: string, kind: AttachmentKind): Promise<string> {
  const buffer = await readFile(path);
  const signal = { aborted: false };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      signal.aborted = true;
      reject(new Error(`text extraction took longer than ${EXTRACT_TIMEOUT_MS} ms`));
    }, EXTRACT_TIMEOUT_MS);
  });
  try {
    const text = await Promise.race([kind === 'pdf' ? pdfText(new Uint8Array(buffer), signal) : docxText(buffer), timeout]);
    return text.slice(0, MAX_TEXT_CHARS);
  } finally {
    clearTimeout(timer);
  }
}

export interface AttachmentToIndex {
  itemId: string;
  index: number;
  filename: string | null;
  contentType: string;
  /** The cached file on disk. */
  path: string;
  size: number;
}

export class AttachmentTextService {
  private readonly seen: Database.Statement<[string, number], { status: string }>;
  private readonly store: Database.Statement<{
    itemId: string;
    index: number;
    filename: string;
    status: ExtractStatus;
    text: string;
    at: number;
  }>;
  private readonly running = new Map<string, Promise<ExtractStatus>>();

  constructor(
    private readonly db: Database.Database,
    private readonly now: () => number,
    private readonly log: CoreLog,
  ) {
    this.seen = db.prepare('SELECT status FROM attachment_texts WHERE item_id = ? AND part_index = ?');
    this.store = db.prepare(`INSERT INTO attachment_texts (item_id, part_index, filename, status, text_folded, extracted_at)
      VALUES (@itemId, @index, @filename, @status, @text, @at)
      ON CONFLICT (item_id, part_index) DO UPDATE SET filename = excluded.filename, status = excluded.status,
        text_folded = excluded.text_folded, extracted_at = excluded.extracted_at`);
  }

  /**
   * Extract and index one cached attachment, once (later calls answer the stored status). Never
   * throws: failures are stored as a status and logged.
   */
  index(file: AttachmentToIndex): Promise<ExtractStatus> {
    const key = `${file.itemId}\u0000${file.index}`;
    const previous = this.seen.get(file.itemId, file.index);
    if (previous) return Promise.resolve(previous.status as ExtractStatus);
    const inFlight = this.running.get(key);
    if (inFlight) return inFlight;
    const run = this.run(file).finally(() => this.running.delete(key));
    this.running.set(key, run);
    return run;
  }

  private async run(file: AttachmentToIndex): Promise<ExtractStatus> {
    const filename = file.filename ?? `tệp ${file.index + 1}`;
    const kind = attachmentKind(file.contentType, file.filename);
    let status: ExtractStatus;
    let text = '';
    if (kind === null) status = 'unsupported';
    else if (file.size > MAX_FILE_BYTES) status = 'too_large';
    else {
      try {
        const words = [...new Set(searchWords(await extractText(file.path, kind)))];
        text = words.join(' ');
        status = words.length > 0 ? 'ok' : 'empty';
      } catch (error) {
        status = 'failed';
        this.log('warn', 'attachment text extraction failed', {
          itemId: file.itemId,
          index: file.index,
          reason: error instanceof Error ? error.message.slice(0, 300) : String(error).slice(0, 300),
        });
      }
    }
    try {
      this.store.run({ itemId: file.itemId, index: file.index, filename, status, text, at: this.now() });
    } catch (error) {
      // The database is closing or the item vanished: the attachment is simply not searchable.
      this.log('warn', 'attachment text not stored', { itemId: file.itemId, reason: error instanceof Error ? error.message : String(error) });
      return 'failed';
    }
    return status;
  }

  /** Wait for the extractions in flight (tests, close). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.running.values()]);
  }
}
