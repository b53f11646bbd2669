/**
 * Which notifications to raise (issue #7 point 3) — pure functions over plain data, unit-tested
 * without timers or a database (tests/unit/desktop/notify.policy.test.ts).
 *
 * - New urgent items: an open item seen for the first time, urgency ≥ minUrgency, received within
 *   the last day (a first sync of years of history is not "new"), in scope.
 * - About to go overdue: an open item whose remaining WORKING time (the deadline engine's count) fell
 *   to a threshold of `leadMinutes`; once per item and threshold (the smallest one reached counts).
 *   Items already overdue are not "about to": the tray counts them.
 * - Quiet hours (office time, may cross midnight) and days off of the office calendar: no pop-up.
 *   Urgent items are still listed (quiet) and summed up in one notification when the quiet time ends;
 *   a due-soon threshold is not spent while quiet, so it fires at the end of the quiet time.
 * - Bursts: everything of one kind raised within `burstMs` becomes one notification ("12 việc khẩn mới").
 */
import type { WorkCalendar } from '../deadline';
import type { DesktopNotification, NotifySettings } from '../../shared/desktop';

export interface NotifyCandidate {
  id: string;
  ref: string;
  title: string;
  source: string;
  urgency: number;
  receivedAt: number;
  isOpen: boolean;
  assignee: string | null;
  /** Working minutes left (null: no deadline / paused). */
  remainingWorkingMinutes: number | null;
}

export const NEW_ITEM_MAX_AGE_MS = 24 * 60 * 60 * 1000;
const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

function clockMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** Whether `now` is quiet time: inside quiet hours (office time zone) or on a day off of the office calendar. */
export function isQuietTime(settings: NotifySettings, calendar: WorkCalendar, now: number): boolean {
  if (settings.quietOnDaysOff && !calendar.isWorkingDay(calendar.dateKey(now))) return true;
  const local = (((now + calendar.utcOffsetMinutes * MINUTE_MS) % DAY_MS) + DAY_MS) % DAY_MS;
  const minute = Math.floor(local / MINUTE_MS);
  const start = clockMinutes(settings.quietHours.start);
  const end = clockMinutes(settings.quietHours.end);
  if (start === end) return false;
  return start < end ? minute >= start && minute < end : minute >= start || minute < end;
}

export function inScope(settings: NotifySettings, username: string, item: Pick<NotifyCandidate, 'assignee'>): boolean {
  return settings.scope === 'all' || item.assignee === username;
}

/** The new urgent items among items seen for the first time. */
export function newUrgentItems(settings: NotifySettings, username: string, fresh: readonly NotifyCandidate[], now: number): NotifyCandidate[] {
  return fresh.filter(
    (c) => c.isOpen && c.urgency >= settings.minUrgency && c.receivedAt >= now - NEW_ITEM_MAX_AGE_MS && inScope(settings, username, c),
  );
}

/**
 * Due-soon decisions. `notified` maps item id → the smallest threshold already notified (updated in
 * place for the items returned). Returns the items to notify now.
 */
export function dueSoonItems(
  settings: NotifySettings,
  username: string,
  open: readonly NotifyCandidate[],
  notified: Map<string, number>,
): NotifyCandidate[] {
  const thresholds = [...settings.leadMinutes].sort((a, b) => a - b);
  const out: NotifyCandidate[] = [];
  for (const c of open) {
    const left = c.remainingWorkingMinutes;
    if (!c.isOpen || left === null || left <= 0 || !inScope(settings, username, c)) continue;
    const reached = thresholds.find((t) => left <= t);
    if (reached === undefined) continue;
    const before = notified.get(c.id);
    if (before !== undefined && before <= reached) continue;
    notified.set(c.id, reached);
    out.push(c);
  }
  return out;
}

const URGENCY_WORD = ['', 'khẩn', 'thượng khẩn', 'hỏa tốc', 'hỏa tốc hẹn giờ'];

function noun(items: readonly NotifyCandidate[]): string {
  const sources = new Set(items.map((i) => i.source));
  if (sources.size !== 1) return 'việc';
  const only = [...sources][0];
  return only === 'document' ? 'văn bản' : only === 'procedure' ? 'hồ sơ' : only === 'mail' ? 'thư' : 'việc';
}

function line(c: NotifyCandidate): string {
  return c.ref ? `${c.ref} — ${c.title}` : c.title;
}

function listBody(items: readonly NotifyCandidate[]): string {
  const shown = items.slice(0, 3).map(line);
  return items.length > 3 ? `${shown.join('\n')}\n… và ${items.length - 3} việc khác` : shown.join('\n');
}

export function formatWorkingMinutes(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = Math.round(minutes % 60);
  if (h === 0) return `${m} phút`;
  return m === 0 ? `${h} giờ` : `${h} giờ ${m} phút`;
}

/** The text of one notification for `items` of one kind (one item, or a burst combined). */
export function composeNotification(
  kind: DesktopNotification['kind'],
  items: readonly NotifyCandidate[],
  meta: { id: string; at: number; quiet: boolean },
): DesktopNotification {
  const first = items[0];
  let title: string;
  let body: string;
  if (kind === 'urgent') {
    if (items.length === 1 && first) {
      const word = URGENCY_WORD[Math.min(first.urgency, 4)] ?? 'khẩn';
      const what = noun(items);
      title = `${what.charAt(0).toUpperCase()}${what.slice(1)} ${word} mới`;
      body = line(first);
    } else {
      title = `${items.length} ${noun(items)} khẩn mới`;
      body = listBody(items);
    }
  } else if (kind === 'due_soon') {
    if (items.length === 1 && first) {
      title = `Sắp quá hạn: còn ${formatWorkingMinutes(first.remainingWorkingMinutes ?? 0)} làm việc`;
      body = line(first);
    } else {
      title = `${items.length} ${noun(items)} sắp quá hạn`;
      body = listBody(items);
    }
  } else {
    title = `Trong giờ nghỉ có ${items.length} ${noun(items)} khẩn mới`;
    body = listBody(items);
  }
  return {
    id: meta.id,
    kind,
    at: meta.at,
    title,
    body,
    itemIds: items.slice(0, 50).map((i) => i.id),
    count: items.length,
    quiet: meta.quiet,
    read: false,
  };
}
