/**
 * Notifications and tray counts in the core (issue #7 point 3). Decisions are notify.policy.ts; this
 * service feeds it from the cache and the change feed, and emits on the event hub:
 * - `notify.raised` {notification}: the Electron shell shows an OS notification (unless `quiet`),
 *   the renderer lists it (and shows a Web Notification in the browser host when permitted);
 * - `tray.counts` {counts}: open / due today / overdue in scope, emitted when they change.
 *
 * New items are found by rowid (the `items` table keeps rowids on update: upserts are
 * INSERT … ON CONFLICT DO UPDATE), above the high-water mark taken at start, so a restart or a sync
 * of known items never raises anything, and a capped `items.changed` list loses nothing.
 * "About to go overdue" is checked on every change and on a timer (tickMs, default 60 s): time
 * passing is what moves an item into the window. Thresholds already notified and the last
 * notifications with their read marks are kept in the cache (migration 010), so a restart neither
 * repeats a due-soon notification nor empties the *Thông báo* list and the tray's unread count.
 */
import type Database from 'better-sqlite3';
import type { CoreEvent } from '../../shared/api';
import type { DesktopNotification, NotifySettings, TrayCounts } from '../../shared/desktop';
import { DesktopNotificationSchema, NotifySettingsSchema } from '../../shared/desktop';
import type { CoreLog } from '../core.log';
import type { WorkCalendar } from '../deadline';
import type { QueueService } from '../queue/queue.service';
import { composeNotification, dueSoonItems, isQuietTime, newUrgentItems, type NotifyCandidate } from './notify.policy';

export const NOTIFY_HISTORY_MAX = 100;
const CHECK_MIN_INTERVAL_MS = 250;
/** Items looked at per due-soon pass (nearest deadlines first). */
const DUE_SOON_SCAN = 500;

interface NewRow {
  rowid: number;
  id: string;
  ref: string;
  title: string;
  source: string;
  urgency: number;
  received_at: number;
  is_open: number;
  assignee: string | null;
}

export interface NotifyServiceDeps {
  db: Database.Database;
  queue: QueueService;
  calendar: WorkCalendar;
  settings: NotifySettings | undefined;
  username: string;
  emit: (event: CoreEvent) => void;
  subscribe: (listener: (event: CoreEvent) => void) => () => void;
  now: () => number;
  log: CoreLog;
  /** Due-soon re-check period (tests shorten it). */
  tickMs?: number;
}

export class NotifyService {
  readonly settings: NotifySettings;
  private readonly history: DesktopNotification[] = [];
  private readonly notifiedThresholds = new Map<string, number>();
  private readonly pending = new Map<DesktopNotification['kind'], { items: Map<string, NotifyCandidate>; quiet: boolean; timer: NodeJS.Timeout | null }>();
  private readonly heldDuringQuiet = new Map<string, NotifyCandidate>();
  private readonly selectNew: Database.Statement<[number], NewRow>;
  private readonly selectMaxRowid: Database.Statement<[], { m: number | null }>;
  private readonly store: NotifyStore | null;
  private highWater = 0;
  private lastCounts = '';
  private wasQuiet: boolean | null = null;
  private seq = 0;
  private tick: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  private checkScheduled = false;
  private lastCheckAt = -Infinity;

  constructor(private readonly deps: NotifyServiceDeps) {
    this.settings = NotifySettingsSchema.parse(deps.settings ?? {});
    this.selectNew = deps.db.prepare(
      'SELECT rowid, id, ref, title, source, urgency, received_at, is_open, assignee FROM items WHERE rowid > ? ORDER BY rowid LIMIT 5000',
    );
    this.selectMaxRowid = deps.db.prepare('SELECT max(rowid) AS m FROM items');
    this.highWater = this.selectMaxRowid.get()?.m ?? 0;
    this.store = NotifyStore.open(deps.db, deps.log);
    if (this.store) {
      for (const [id, threshold] of this.store.marks()) this.notifiedThresholds.set(id, threshold);
      this.history.push(...this.store.history(NOTIFY_HISTORY_MAX));
    }
  }

  start(): void {
    if (this.unsubscribe) return;
    this.unsubscribe = this.deps.subscribe((event) => {
      if (event.type === 'items.changed') this.scheduleCheck();
    });
    this.tick = setInterval(() => this.check(), this.deps.tickMs ?? 60_000);
    this.tick.unref();
    this.check();
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.tick) clearInterval(this.tick);
    this.tick = null;
    for (const bucket of this.pending.values()) if (bucket.timer) clearTimeout(bucket.timer);
    this.pending.clear();
  }

  list(): { notifications: DesktopNotification[]; unread: number; counts: TrayCounts; settings: NotifySettings; quietNow: boolean } {
    return {
      notifications: this.history.map((n) => ({ ...n, itemIds: [...n.itemIds] })),
      unread: this.unread(),
      counts: this.counts(),
      settings: this.settings,
      quietNow: isQuietTime(this.settings, this.deps.calendar, this.deps.now()),
    };
  }

  markRead(ids: readonly string[] | undefined): { unread: number } {
    const wanted = ids ? new Set(ids) : null;
    const marked: string[] = [];
    for (const n of this.history) {
      if (n.read || (wanted && !wanted.has(n.id))) continue;
      n.read = true;
      marked.push(n.id);
    }
    this.store?.markRead(marked);
    this.emitCountsIfChanged();
    return { unread: this.unread() };
  }

  counts(): TrayCounts {
    const c = this.deps.queue.counts({ scope: this.settings.scope, includeClosed: false }, this.deps.now());
    return { open: c.total, dueToday: c.bySla.due_today, overdue: c.bySla.overdue, unread: this.unread() };
  }

  private emitCountsIfChanged(): void {
    const counts = this.counts();
    const key = JSON.stringify(counts);
    if (key === this.lastCounts) return;
    this.lastCounts = key;
    this.deps.emit({ type: 'tray.counts', counts });
  }

  private unread(): number {
    return this.history.filter((n) => !n.read).length;
  }

  /**
   * Coalesce change events (a first sync emits one per page of 200) into one check, at most one every
   * CHECK_MIN_INTERVAL_MS, so a long sync pays a few queries a second, not one per page.
   */
  private scheduleCheck(): void {
    if (this.checkScheduled) return;
    this.checkScheduled = true;
    const wait = Math.max(0, this.lastCheckAt + CHECK_MIN_INTERVAL_MS - performance.now());
    const timer = setTimeout(() => {
      this.checkScheduled = false;
      if (this.unsubscribe) this.check();
    }, wait);
    timer.unref();
  }

  /** One pass: new urgent items, due-soon thresholds, quiet-time end, tray counts. Never throws. */
  check(): void {
    this.lastCheckAt = performance.now();
    try {
      const now = this.deps.now();
      const quiet = isQuietTime(this.settings, this.deps.calendar, now);
      if (this.wasQuiet === true && !quiet && this.heldDuringQuiet.size > 0) {
        this.raise('quiet_summary', [...this.heldDuringQuiet.values()], false);
        this.heldDuringQuiet.clear();
      }
      this.wasQuiet = quiet;
      if (this.settings.enabled) {
        const urgent = newUrgentItems(this.settings, this.deps.username, this.freshItems(), now);
        if (urgent.length > 0) {
          if (quiet) for (const u of urgent) this.heldDuringQuiet.set(u.id, u);
          this.add('urgent', urgent, quiet);
        }
        if (!quiet) {
          const due = dueSoonItems(this.settings, this.deps.username, this.nearestDeadlines(now), this.notifiedThresholds);
          if (due.length > 0) {
            this.store?.setMarks(due.map((c) => [c.id, this.notifiedThresholds.get(c.id) ?? 0]));
            this.add('due_soon', due, false);
          }
        }
      } else {
        this.freshItems();
      }
      this.emitCountsIfChanged();
    } catch (error) {
      this.deps.log('warn', 'notification check failed', { error: error instanceof Error ? error.message : String(error) });
    }
  }

  /** Items inserted since the last pass (rowid above the high-water mark). */
  private freshItems(): NotifyCandidate[] {
    const out: NotifyCandidate[] = [];
    for (;;) {
      const rows = this.selectNew.all(this.highWater);
      for (const r of rows) {
        out.push({
          id: r.id,
          ref: r.ref,
          title: r.title,
          source: r.source,
          urgency: r.urgency,
          receivedAt: r.received_at,
          isOpen: r.is_open === 1,
          assignee: r.assignee,
          remainingWorkingMinutes: null,
        });
        this.highWater = r.rowid;
      }
      if (rows.length < 5000) return out;
    }
  }

  private nearestDeadlines(now: number): NotifyCandidate[] {
    const max = Math.max(...this.settings.leadMinutes);
    const page = this.deps.queue.list({ scope: this.settings.scope, includeClosed: false }, 0, DUE_SOON_SCAN, now);
    const out: NotifyCandidate[] = [];
    for (const item of page.items) {
      const left = item.remainingWorkingMinutes;
      if (left === null || left === undefined) continue;
      if (left > max) break; // ordered by deadline: the rest is further away
      out.push({
        id: item.id,
        ref: item.ref,
        title: item.title,
        source: item.source,
        urgency: item.urgency,
        receivedAt: item.receivedAt,
        isOpen: true,
        assignee: item.assignee,
        remainingWorkingMinutes: left,
      });
    }
    // Thresholds of items that left the window (done, moved) are forgotten.
    const inWindow = new Set(out.map((c) => c.id));
    const left: string[] = [];
    for (const id of this.notifiedThresholds.keys()) if (!inWindow.has(id)) left.push(id);
    for (const id of left) this.notifiedThresholds.delete(id);
    this.store?.dropMarks(left);
    return out;
  }

  /** Collect items of one kind for `burstMs`, then raise one notification for all of them. */
  private add(kind: DesktopNotification['kind'], items: readonly NotifyCandidate[], quiet: boolean): void {
    let bucket = this.pending.get(kind);
    if (!bucket) {
      bucket = { items: new Map(), quiet, timer: null };
      this.pending.set(kind, bucket);
    }
    for (const item of items) bucket.items.set(item.id, item);
    if (this.settings.burstMs === 0) {
      this.flush(kind);
      return;
    }
    if (!bucket.timer) {
      bucket.timer = setTimeout(() => this.flush(kind), this.settings.burstMs);
      bucket.timer.unref();
    }
  }

  private flush(kind: DesktopNotification['kind']): void {
    const bucket = this.pending.get(kind);
    this.pending.delete(kind);
    if (!bucket || bucket.items.size === 0) return;
    if (bucket.timer) clearTimeout(bucket.timer);
    this.raise(kind, [...bucket.items.values()], bucket.quiet);
  }

  private raise(kind: DesktopNotification['kind'], items: readonly NotifyCandidate[], quiet: boolean): void {
    const at = this.deps.now();
    this.seq += 1;
    const notification = composeNotification(kind, items, { id: `n-${at.toString(36)}-${this.seq}`, at, quiet });
    this.history.unshift(notification);
    this.history.length = Math.min(this.history.length, NOTIFY_HISTORY_MAX);
    this.store?.add(notification, NOTIFY_HISTORY_MAX);
    this.deps.emit({ type: 'notify.raised', notification: { ...notification, itemIds: [...notification.itemIds] } });
    try {
      this.emitCountsIfChanged();
    } catch (error) {
      this.deps.log('warn', 'tray counts failed', { error: error instanceof Error ? error.message : String(error) });
    }
  }
}

/**
 * The notification state in the cache (migration 010). A file migrated only up to an older version
 * (tests) has no tables: the service then keeps it in memory. A failing write is logged and never
 * stops a notification (the in-memory state stays right for this run).
 */
class NotifyStore {
  private readonly putMark: Database.Statement<[string, number]>;
  private readonly delMark: Database.Statement<[string]>;
  private readonly putNotification: Database.Statement<[string, number, number, string]>;
  private readonly trimHistory: Database.Statement<[number]>;
  private readonly setRead: Database.Statement<[string]>;

  private constructor(
    private readonly db: Database.Database,
    private readonly log: CoreLog,
  ) {
    this.putMark = db.prepare('INSERT INTO notify_marks (item_id, threshold) VALUES (?, ?) ON CONFLICT (item_id) DO UPDATE SET threshold = excluded.threshold');
    this.delMark = db.prepare('DELETE FROM notify_marks WHERE item_id = ?');
    this.putNotification = db.prepare('INSERT OR REPLACE INTO notify_history (id, at, read, json) VALUES (?, ?, ?, ?)');
    this.trimHistory = db.prepare('DELETE FROM notify_history WHERE id NOT IN (SELECT id FROM notify_history ORDER BY at DESC, rowid DESC LIMIT ?)');
    this.setRead = db.prepare('UPDATE notify_history SET read = 1 WHERE id = ?');
  }

  static open(db: Database.Database, log: CoreLog): NotifyStore | null {
    const has = db.prepare("SELECT 1 AS one FROM sqlite_master WHERE type = 'table' AND name = 'notify_marks'").get() !== undefined;
    return has ? new NotifyStore(db, log) : null;
  }

  marks(): [string, number][] {
    return this.db
      .prepare<[], { item_id: string; threshold: number }>('SELECT item_id, threshold FROM notify_marks')
      .all()
      .map((r) => [r.item_id, r.threshold]);
  }

  /** The newest `max` notifications; a row that no longer parses (written by another version) is skipped. */
  history(max: number): DesktopNotification[] {
    const rows = this.db
      .prepare<[number], { json: string; read: number }>('SELECT json, read FROM notify_history ORDER BY at DESC, rowid DESC LIMIT ?')
      .all(max);
    const out: DesktopNotification[] = [];
    for (const r of rows) {
      try {
        const parsed = DesktopNotificationSchema.safeParse(JSON.parse(r.json));
        if (parsed.success) out.push({ ...parsed.data, read: r.read === 1 });
      } catch {
        // not JSON: skipped
      }
    }
    return out;
  }

  setMarks(marks: readonly (readonly [string, number])[]): void {
    this.write('notification marks', () => {
      for (const [id, threshold] of marks) this.putMark.run(id, threshold);
    });
  }

  dropMarks(ids: readonly string[]): void {
    if (ids.length === 0) return;
    this.write('notification marks', () => {
      for (const id of ids) this.delMark.run(id);
    });
  }

  add(n: DesktopNotification, max: number): void {
    this.write('notification history', () => {
      this.putNotification.run(n.id, n.at, n.read ? 1 : 0, JSON.stringify(n));
      this.trimHistory.run(max);
    });
  }

  markRead(ids: readonly string[]): void {
    if (ids.length === 0) return;
    this.write('notification history', () => {
      for (const id of ids) this.setRead.run(id);
    });
  }

  private write(what: string, fn: () => void): void {
    try {
      this.db.transaction(fn)();
    } catch (error) {
      this.log('warn', `saving ${what} failed`, { error: error instanceof Error ? error.message : String(error) });
    }
  }
}
