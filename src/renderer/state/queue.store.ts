/**
 * The queue's data: a sparse cache of pages of 100 rows, loaded by offset as the list scrolls,
 * sized by `queue.counts` so the scrollbar covers the whole queue (200,000 rows is fine: only
 * visible pages are fetched). Live refreshes keep the rows in place (no reset of scroll or
 * selection). Plain TypeScript, read from React with useSyncExternalStore.
 */
import type { ApiOutput, WorkstationApi } from '../../shared/api';
import { SLA_STATES, type SlaState } from '../../shared/domain';
import type { WorkItem } from '../../shared/work-item';
import { toApiFilter, type QueueFilterState } from './queue-filter';

export const PAGE_SIZE = 100;
/** Coalesce bursts of change events (a sync writes many batches) into one refresh. */
const REFRESH_DELAY_MS = 300;
/** Counts scan the whole filter: during a long sync refresh them at most this often. */
const COUNTS_MIN_INTERVAL_MS = 2000;
/** Wait for scrolling to settle a moment before fetching pages. */
const RANGE_DELAY_MS = 40;

type Counts = ApiOutput<'queue.counts'>;

interface Page {
  items: WorkItem[];
  stale: boolean;
}

export interface QueueSnapshot {
  /** Bumped on every change; rows re-read through itemAt(). */
  version: number;
  /** Rows to render (loaded, placeholders, and one trailing placeholder while more may come). */
  rowCount: number;
  /** True once the count is known exactly (from queue.counts or the last page). */
  exact: boolean;
  /** loading: no page yet for this filter; ready: first page in; error: first page failed. */
  status: 'loading' | 'ready' | 'error';
  error: unknown;
  /** Counts per SLA state for the current filter without its SLA part (the SLA buttons). */
  bySla: Record<SlaState, number> | null;
  /** Total matching the whole filter, when known. */
  total: number | null;
  /** Server time the remaining minutes were computed at. */
  now: number | null;
}

type Caller = Pick<WorkstationApi, 'call'>;

export class QueueStore {
  private pages = new Map<number, Page>();
  private inflight = new Set<number>();
  private generation = 0;
  private filter: QueueFilterState | null = null;
  private range = { start: 0, end: 30 };
  private rangeTimer: ReturnType<typeof setTimeout> | null = null;
  private refreshTimer: ReturnType<typeof setTimeout> | null = null;
  private refreshRunning = false;
  private refreshAgain = false;
  private lastCountsAt = 0;
  private countsTimer: ReturnType<typeof setTimeout> | null = null;
  private listeners = new Set<() => void>();
  /** Known length of the list, from counts or from a last page. */
  private knownCount: number | null = null;
  /** Smallest row count implied by loaded pages (offset + length, +1 when hasMore). */
  private impliedCount = 0;
  /** Set when a page said the list ends (hasMore false): the exact length, trusted over counts. */
  private endedAt: number | null = null;
  private snap: QueueSnapshot = {
    version: 0,
    rowCount: 0,
    exact: false,
    status: 'loading',
    error: null,
    bySla: null,
    total: null,
    now: null,
  };

  constructor(private readonly api: Caller) {}

  // ---------- React glue ----------

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  getSnapshot = (): QueueSnapshot => this.snap;

  private emit(patch: Partial<QueueSnapshot>): void {
    const rowCount = this.knownCount ?? this.impliedCount;
    this.snap = { ...this.snap, ...patch, rowCount, exact: this.knownCount !== null, version: this.snap.version + 1 };
    for (const l of [...this.listeners]) l();
  }

  // ---------- reads ----------

  itemAt(index: number): WorkItem | undefined {
    const page = this.pages.get(Math.floor(index / PAGE_SIZE));
    return page?.items[index % PAGE_SIZE];
  }

  /** Index of a loaded item, or -1. */
  indexOf(id: string): number {
    for (const [pageIndex, page] of this.pages) {
      const i = page.items.findIndex((item) => item.id === id);
      if (i >= 0) return pageIndex * PAGE_SIZE + i;
    }
    return -1;
  }

  // ---------- commands ----------

  /** New filter: drop everything and load the first page, then the counts. */
  setFilter(filter: QueueFilterState): void {
    this.filter = filter;
    this.generation += 1;
    this.pages = new Map();
    this.inflight = new Set();
    this.knownCount = null;
    this.impliedCount = 0;
    this.endedAt = null;
    if (this.countsTimer) clearTimeout(this.countsTimer);
    this.countsTimer = null;
    this.emit({ status: 'loading', error: null, total: null, bySla: null });
    const gen = this.generation;
    void this.loadPage(0, gen).then(() => {
      if (gen === this.generation) void this.loadCounts(gen);
    });
  }

  /** The virtual list reports which rows are on screen (with overscan). */
  setVisibleRange(start: number, end: number): void {
    this.range = { start, end };
    if (this.rangeTimer) return;
    this.rangeTimer = setTimeout(() => {
      this.rangeTimer = null;
      this.ensureRange();
    }, RANGE_DELAY_MS);
  }

  /** Something changed in the cache: reload what is on screen, mark the rest stale. */
  refresh(): void {
    if (!this.filter) return;
    if (this.refreshRunning) {
      this.refreshAgain = true;
      return;
    }
    if (this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = null;
      void this.runRefresh();
    }, REFRESH_DELAY_MS);
  }

  /** Retry after an error (first page failed). */
  retry(): void {
    if (this.filter) this.setFilter(this.filter);
  }

  dispose(): void {
    if (this.rangeTimer) clearTimeout(this.rangeTimer);
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    if (this.countsTimer) clearTimeout(this.countsTimer);
    this.generation += 1;
    this.listeners.clear();
  }

  // ---------- internals ----------

  private visiblePages(): number[] {
    const first = Math.floor(Math.max(0, this.range.start) / PAGE_SIZE);
    const last = Math.floor(Math.max(0, this.range.end) / PAGE_SIZE);
    const out: number[] = [];
    for (let p = first; p <= last; p++) out.push(p);
    return out;
  }

  private ensureRange(): void {
    const gen = this.generation;
    const rowCount = this.knownCount ?? this.impliedCount;
    for (const p of this.visiblePages()) {
      if (p * PAGE_SIZE >= Math.max(rowCount, 1)) break;
      const page = this.pages.get(p);
      if ((!page || page.stale) && !this.inflight.has(p)) void this.loadPage(p, gen);
    }
  }

  private async loadPage(pageIndex: number, gen: number): Promise<void> {
    if (!this.filter) return;
    this.inflight.add(pageIndex);
    const offset = pageIndex * PAGE_SIZE;
    try {
      const result = await this.api.call('queue.list', {
        filter: toApiFilter(this.filter),
        offset,
        limit: PAGE_SIZE,
      });
      if (gen !== this.generation) return;
      this.pages.set(pageIndex, { items: result.items, stale: false });
      const end = offset + result.items.length;
      if (!result.hasMore) {
        if (result.items.length > 0 || pageIndex === 0) {
          // The list ends here: exact, whatever the counts said.
          this.endedAt = end;
          this.knownCount = end;
          this.impliedCount = end;
          for (const p of [...this.pages.keys()]) if (p > pageIndex) this.pages.delete(p);
        } else if (this.knownCount === null || this.knownCount > offset) {
          // Asked past the end (the list shrank): the end is at or before this offset.
          this.knownCount = offset;
          this.impliedCount = Math.min(this.impliedCount, offset);
        }
      } else {
        this.impliedCount = Math.max(this.impliedCount, end + 1);
        if (this.knownCount !== null && this.knownCount <= end) this.knownCount = end + 1;
        if (this.endedAt !== null && this.endedAt <= end) this.endedAt = null;
      }
      this.emit({ status: 'ready', error: null, now: result.now });
    } catch (error) {
      if (gen !== this.generation) return;
      if (pageIndex === 0 && !this.pages.has(0)) this.emit({ status: 'error', error });
      else console.warn('Queue page failed to load', pageIndex, error);
    } finally {
      if (gen === this.generation) this.inflight.delete(pageIndex);
    }
  }

  private async loadCounts(gen: number): Promise<void> {
    if (!this.filter) return;
    this.lastCountsAt = Date.now();
    try {
      const counts: Counts = await this.api.call('queue.counts', { filter: toApiFilter(this.filter, { withSla: false }) });
      if (gen !== this.generation) return;
      const bySla = Object.fromEntries(SLA_STATES.map((s) => [s, counts.bySla[s] ?? 0])) as Record<SlaState, number>;
      const total = this.filter.sla.length > 0 ? this.filter.sla.reduce((sum, s) => sum + bySla[s], 0) : counts.total;
      // A list that said where it ends is trusted over the counts (they may be a moment apart).
      this.knownCount = this.endedAt ?? Math.max(total, this.impliedCount > 0 ? this.impliedCount - 1 : 0);
      this.emit({ bySla, total });
      this.ensureRange();
    } catch (error) {
      console.warn('Queue counts failed', error);
    }
  }

  /** Counts after a refresh, throttled so a long sync does not rescan the cache every second. */
  private scheduleCounts(gen: number): void {
    if (this.countsTimer) return;
    const wait = Math.max(0, this.lastCountsAt + COUNTS_MIN_INTERVAL_MS - Date.now());
    this.countsTimer = setTimeout(() => {
      this.countsTimer = null;
      if (gen === this.generation) void this.loadCounts(gen);
    }, wait);
  }

  private async runRefresh(): Promise<void> {
    if (!this.filter) return;
    this.refreshRunning = true;
    this.refreshAgain = false;
    const gen = this.generation;
    try {
      for (const page of this.pages.values()) page.stale = true;
      const visible = this.visiblePages();
      // Far-away pages are dropped; they load again when scrolled to. Rows on screen keep
      // showing their (stale) data until the fresh page arrives, so nothing flickers or jumps.
      for (const p of [...this.pages.keys()]) if (!visible.includes(p) && p !== 0) this.pages.delete(p);
      this.endedAt = null;
      const limit = this.knownCount ?? this.impliedCount;
      const loads = new Set<number>([0]);
      for (const p of visible) if (p * PAGE_SIZE < Math.max(limit, 1)) loads.add(p);
      await Promise.all([...loads].map((p) => this.loadPage(p, gen)));
      if (gen === this.generation) this.scheduleCounts(gen);
    } finally {
      this.refreshRunning = false;
      if (this.refreshAgain && gen === this.generation) this.refresh();
    }
  }
}
