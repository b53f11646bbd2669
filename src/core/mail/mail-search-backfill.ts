/**
 * Issue #4 (first mail sync, headers first): the search index entries of mail that landed with
 * `searchDeferred` (a first sync of more than one page) are written right after, in the background.
 *
 * Such a row carries SEARCH_PENDING as its search text; everything the queue shows (headers, flags,
 * preview, links, mail rules) is already in it. The backfill rebuilds the search text from the row
 * alone (ref, title, party, kind and the detail's recipients, attachment names and preview: what
 * normalizeMail + searchTextOf would have produced) and writes it, which fires items_fts_update.
 *
 * - Chunks of `chunkSize` rows in rowid order, one transaction each, the event loop free between
 *   chunks (the UI and the next sync cycle go first); a pass ends at the last rowid it saw.
 * - Nothing is remembered outside the rows: after a crash or restart `start()` finds the rows still
 *   pending and goes on (resumable by construction). A row re-landed meanwhile (with its real text,
 *   or pending again) is simply taken as it is now: the UPDATE only touches rows still pending.
 * - Never throws: a failure is logged and the next `start()` (the next sync cycle) tries again.
 */
import type Database from 'better-sqlite3';
import { mailSearchText } from '../adapters/mail.normalize';
import type { CoreLog } from '../core.log';
import { searchTextOf } from '../queue/queue.service';
import { MailDetailSchema } from '../../shared/work-item';
import { SEARCH_PENDING_INDEX } from '../db/migrations/012-mail-search-pending';
import { SEARCH_PENDING } from './search-pending';

export interface MailSearchBackfillOptions {
  /** Rows per transaction (default 500). */
  chunkSize?: number;
  log?: CoreLog;
  /** Called when a pass leaves no row pending (with the number of rows it indexed). */
  onDone?: (indexed: number) => void;
}

interface PendingRow {
  rowid: number;
  ref: string;
  title: string;
  party: string | null;
  kind: string | null;
  detail_json: string;
}

export class MailSearchBackfill {
  private readonly selectPending: Database.Statement<[number, number], PendingRow>;
  private readonly countPending: Database.Statement<[], { n: number }>;
  private readonly writeText: Database.Statement<{ rowid: number; text: string }>;
  private readonly chunkSize: number;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    private readonly db: Database.Database,
    private readonly options: MailSearchBackfillOptions = {},
  ) {
    this.chunkSize = Math.max(1, options.chunkSize ?? 500);
    // Through the partial index of pending rows (migration 012): nothing else of items is read.
    const pending = `items INDEXED BY ${SEARCH_PENDING_INDEX} WHERE search_folded = '${SEARCH_PENDING}'`;
    this.selectPending = db.prepare(`SELECT rowid, ref, title, party, kind, detail_json FROM ${pending}
      AND rowid > ? ORDER BY rowid LIMIT ?`);
    this.countPending = db.prepare(`SELECT count(*) AS n FROM ${pending}`);
    this.writeText = db.prepare(`UPDATE items SET search_folded = @text WHERE rowid = @rowid AND search_folded = '${SEARCH_PENDING}'`);
  }

  /** Rows still waiting for their search index entry. */
  pending(): number {
    return this.countPending.get()?.n ?? 0;
  }

  /**
   * Index one chunk of pending rows after `afterRowid` (one transaction). Returns the last rowid seen
   * and how many rows were read (0: nothing left after `afterRowid`).
   */
  runChunk(afterRowid = 0): { lastRowid: number; read: number } {
    return this.db.transaction(() => {
      const rows = this.selectPending.all(afterRowid, this.chunkSize);
      for (const row of rows) this.writeText.run({ rowid: row.rowid, text: searchTextOfRow(row) });
      return { lastRowid: rows.length > 0 ? rows[rows.length - 1]!.rowid : afterRowid, read: rows.length };
    })();
  }

  /** Start a background pass (or one more after the current one); returns at once. */
  start(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = null;
    });
  }

  /** Resolves when no pass is running (after `start()`: when the backfill is done or failed). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** No new pass, the current one ends after its chunk. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.idle();
  }

  private async loop(): Promise<void> {
    let total = 0;
    do {
      this.again = false;
      let after = 0;
      try {
        for (;;) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          if (this.stopped) return;
          const { lastRowid, read } = this.runChunk(after);
          if (read === 0) break;
          total += read;
          after = lastRowid;
        }
      } catch (error) {
        // e.g. the database closed under us, or a full disk: the next start() tries again.
        this.options.log?.('warn', 'mail search backfill failed; retried after the next sync', {
          error: error instanceof Error ? error.message : String(error),
        });
        return;
      }
    } while (this.again && !this.stopped);
    if (total > 0) {
      this.options.log?.('info', 'mail search index backfilled', { rows: total });
      this.options.onDone?.(total);
    }
  }
}

/** The search text a landing would have written for this mail row (normalizeMail + searchTextOf). */
export function searchTextOfRow(row: Pick<PendingRow, 'ref' | 'title' | 'party' | 'kind' | 'detail_json'>): string {
  let searchText = '';
  try {
    const detail = MailDetailSchema.safeParse(JSON.parse(row.detail_json));
    if (detail.success) searchText = mailSearchText(detail.data);
  } catch {
    // unreadable detail: the columns still make it findable by sender and subject
  }
  return searchTextOf({ ref: row.ref, title: row.title, party: row.party, kind: row.kind, searchText });
}
