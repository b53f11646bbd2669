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
 * - Progress (`onProgress`, shown to the official as "còn N thư chưa tìm được"): the pending count is
 *   read once when a pass starts (the partial index: cheap) and followed by arithmetic after each
 *   chunk, no per-row cost. Reported at the pass start, after chunks (at most every
 *   `progressIntervalMs`), and when the pass ends: pending 0, or what is left if it failed or was
 *   stopped. A report equal to the previous one is not repeated, and a pass that finds nothing while
 *   nothing was reported pending says nothing (every sync cycle starts a pass).
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
  /** Progress of a pass (see the file comment); must not throw (a throw is logged and ignored). */
  onProgress?: (progress: MailSearchBackfillProgress) => void;
  /** Least time between two reports after chunks (default 250 ms); the start and end are always reported. */
  progressIntervalMs?: number;
}

export interface MailSearchBackfillProgress {
  /** Rows still waiting for their search index entry (estimate during a pass: the count at its start minus the rows indexed since). */
  pending: number;
  /** Rows this pass has indexed so far. */
  indexed: number;
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
  private readonly progressIntervalMs: number;
  /** The last progress reported (null: none yet, which the UI takes as nothing pending). */
  private lastReport: MailSearchBackfillProgress | null = null;
  private lastReportAt = 0;

  constructor(
    private readonly db: Database.Database,
    private readonly options: MailSearchBackfillOptions = {},
  ) {
    this.chunkSize = Math.max(1, options.chunkSize ?? 500);
    this.progressIntervalMs = Math.max(0, options.progressIntervalMs ?? 250);
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
    /** Pending at the start of the current sweep, and rows indexed since. */
    let counted = 0;
    let sweepIndexed = 0;
    let outcome: 'done' | 'stopped' | 'failed' = 'done';
    try {
      sweeps: do {
        this.again = false;
        let after = 0;
        counted = this.pending();
        sweepIndexed = 0;
        this.report({ pending: counted, indexed: total }, true);
        for (;;) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          if (this.stopped) {
            outcome = 'stopped';
            break sweeps;
          }
          const { lastRowid, read } = this.runChunk(after);
          if (read === 0) break;
          total += read;
          sweepIndexed += read;
          after = lastRowid;
          this.report({ pending: Math.max(0, counted - sweepIndexed), indexed: total }, false);
        }
      } while (this.again && !this.stopped);
    } catch (error) {
      // e.g. the database closed under us, or a full disk: the next start() tries again.
      outcome = 'failed';
      this.options.log?.('warn', 'mail search backfill failed; retried after the next sync', {
        error: error instanceof Error ? error.message : String(error),
      });
    }
    if (outcome !== 'done') {
      // What is left: counted again when the database still answers, else the estimate.
      let left: number = Math.max(0, counted - sweepIndexed);
      try {
        left = this.pending();
      } catch {
        // keep the estimate
      }
      this.report({ pending: left, indexed: total }, true);
      return;
    }
    this.report({ pending: 0, indexed: total }, true);
    if (total > 0) {
      this.options.log?.('info', 'mail search index backfilled', { rows: total });
      this.options.onDone?.(total);
    }
  }

  /** Hand a progress report to `onProgress` (throttled unless `always`; never a repeat, never "still nothing"). */
  private report(progress: MailSearchBackfillProgress, always: boolean): void {
    const onProgress = this.options.onProgress;
    if (!onProgress) return;
    const last = this.lastReport;
    if (last && last.pending === progress.pending && last.indexed === progress.indexed) return;
    if (progress.pending === 0 && progress.indexed === 0 && (last === null || last.pending === 0)) return;
    const at = Date.now();
    if (!always && at - this.lastReportAt < this.progressIntervalMs) return;
    this.lastReport = { ...progress };
    this.lastReportAt = at;
    try {
      onProgress({ ...progress });
    } catch (error) {
      this.options.log?.('warn', 'mail search backfill progress listener failed', {
        error: error instanceof Error ? error.message : String(error),
      });
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
