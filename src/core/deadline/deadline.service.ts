/**
 * Due times of dossiers and documents, computed in working time against the office calendar.
 * Pure functions: the calendar is passed in, nothing is read from the clock or the machine's TZ.
 */
import { foldVietnamese } from '../../shared/text';
import { HOUR_MS, dayOfDateKey, dateKeyOfDay } from './office-time';
import { type WorkCalendar } from './work-calendar';

export const DURATION_UNITS = ['working', 'calendar', 'same_day'] as const;
export type DurationUnit = (typeof DURATION_UNITS)[number];

/**
 * A statutory handling period as the procedure systems store it: hours plus a unit.
 * working: working hours (1 working day = 8 h); calendar: elapsed hours (1 day = 24 h);
 * same_day: the 15:00 rule (hours are ignored).
 */
export interface Duration {
  hours: number;
  unit: DurationUnit;
}

/** A period while the clock was stopped (dossier waiting for the citizen's supplement). */
export interface Pause {
  from: number;
  /** null: still paused (ignored by computeDue; the SLA reports `paused`). */
  to: number | null;
}

export interface DueInput {
  receivedAt: number;
  duration: Duration;
  pauses?: readonly Pause[];
}

/**
 * The due instant of a dossier.
 *
 * - working: `hours` working hours counted from `normalizeStart(receivedAt)`; a period ending exactly
 *   at closing time is due at that closing time (17:00), not at the next opening.
 * - calendar: `receivedAt + hours`. When that instant is outside working time (day off, before
 *   opening, lunch break, after closing), the period ends at the closing time of the first working
 *   day that has not closed yet at that instant (Civil Code 2015 art. 148: a period whose last day
 *   is a day off ends at the end of the next working day): Sunday → Monday 17:00; Tuesday 18:00 →
 *   Wednesday 17:00; Tuesday 07:00 or 12:30 → Tuesday 17:00.
 * - same_day: normalised receipt before the cutoff (15:00) on a working day → that day's closing
 *   time; at or after the cutoff → the next working day's closing time. Receipt on a day off or after
 *   closing normalises to the next opening, hence that day's closing time.
 *
 * Pauses: the working time inside each closed pause (clipped to start at receipt, overlapping
 * pauses merged) is added, in working minutes, to the due instant computed above, for every unit.
 * Open pauses (`to === null`) are ignored here: the SLA shows the item as `paused`, and the due time
 * moves once the pause closes.
 */
export function computeDue(calendar: WorkCalendar, input: DueInput): number {
  const { receivedAt, duration } = input;
  if (!Number.isFinite(receivedAt)) throw new RangeError(`receivedAt must be finite epoch milliseconds, got ${receivedAt}`);
  if (!Number.isFinite(duration.hours) || duration.hours < 0) {
    throw new RangeError(`duration hours must be a finite number ≥ 0, got ${duration.hours}`);
  }

  let due: number;
  switch (duration.unit) {
    case 'working':
      due = calendar.addWorkingMinutes(calendar.normalizeStart(receivedAt), duration.hours * 60);
      break;
    case 'calendar': {
      const end = receivedAt + Math.round(duration.hours * HOUR_MS);
      due = calendar.isWorkingInstant(end) ? end : closingAtOrAfter(calendar, end);
      break;
    }
    case 'same_day': {
      const start = calendar.normalizeStart(receivedAt);
      const cutoff = calendar.startOfDay(start) + calendar.sameDayCutoffMinute * 60_000;
      due = start < cutoff ? calendar.endOfWorkingDay(start) : calendar.nextWorkingDayEnd(start);
      break;
    }
    default: {
      const unknownUnit: never = duration.unit;
      throw new RangeError(`unknown duration unit ${String(unknownUnit)}`);
    }
  }

  const paused = pausedWorkingMinutes(calendar, receivedAt, input.pauses ?? []);
  return paused > 0 ? calendar.addWorkingMinutes(due, paused) : due;
}

/**
 * Working minutes inside the closed pauses, each clipped to start no earlier than `since`;
 * overlapping pauses count once. Open pauses are ignored.
 * @throws RangeError for a pause that ends before it starts.
 */
export function pausedWorkingMinutes(calendar: WorkCalendar, since: number, pauses: readonly Pause[]): number {
  const closed: Array<{ from: number; to: number }> = [];
  for (const p of pauses) {
    if (p.to === null) continue;
    if (!Number.isFinite(p.from) || !Number.isFinite(p.to)) throw new RangeError('pause bounds must be finite epoch milliseconds');
    if (p.to < p.from) {
      throw new RangeError(`pause ends before it starts (${calendar.formatIso(p.from)} → ${calendar.formatIso(p.to)})`);
    }
    const from = Math.max(p.from, since);
    if (p.to > from) closed.push({ from, to: p.to });
  }
  closed.sort((a, b) => a.from - b.from);
  let total = 0;
  let current: { from: number; to: number } | null = null;
  for (const p of closed) {
    if (current && p.from <= current.to) {
      current.to = Math.max(current.to, p.to);
    } else {
      if (current) total += calendar.workingMinutesBetween(current.from, current.to);
      current = { ...p };
    }
  }
  if (current) total += calendar.workingMinutesBetween(current.from, current.to);
  return total;
}

/** Closing time of the first working day whose closing is at or after `ms`. */
function closingAtOrAfter(calendar: WorkCalendar, ms: number): number {
  const sameDay = calendar.endOfWorkingDay(ms);
  return sameDay >= ms ? sameDay : calendar.nextWorkingDayEnd(ms);
}

/**
 * Map the procedure catalogue's `DonViTinh` and `ThoiGianGiaiQuyet` (hours) to a Duration:
 * "ngày làm việc" → working, "ngày" → calendar, "trong ngày" → same_day. Case, diacritics, đ/d and
 * extra spaces do not matter. Returns null for an unknown unit or hours that are not a number ≥ 0,
 * so the caller can fall back to the backend's own NgayHenTra.
 */
export function procedureDuration(donViTinh: string, thoiGianGiaiQuyetHours: number): Duration | null {
  if (!Number.isFinite(thoiGianGiaiQuyetHours) || thoiGianGiaiQuyetHours < 0) return null;
  const unit = foldVietnamese(donViTinh).replace(/[\s_-]+/g, ' ').trim();
  switch (unit) {
    case 'ngay lam viec':
      return { hours: thoiGianGiaiQuyetHours, unit: 'working' };
    case 'ngay':
      return { hours: thoiGianGiaiQuyetHours, unit: 'calendar' };
    case 'trong ngay':
      return { hours: thoiGianGiaiQuyetHours, unit: 'same_day' };
    default:
      return null;
  }
}

/**
 * Assumed due time of an incoming document that carries no DueDate: the calendar's
 * `documentDefaults.workingHoursByPriority[priority]` working hours counted from
 * `normalizeStart(receivedAt)` (defaults: 0 Thường 40 h = 5 working days, 1 Khẩn 16 h, 2 Thượng khẩn 8 h,
 * 3 Hỏa tốc and 4 Hỏa tốc hẹn giờ 4 h).
 * @throws RangeError when priority is not an integer 0..4.
 */
export function defaultDocumentDue(calendar: WorkCalendar, receivedAt: number, priority: number): number {
  if (!Number.isInteger(priority) || priority < 0 || priority > 4) {
    throw new RangeError(`document priority must be an integer 0..4, got ${priority}`);
  }
  const hours = calendar.documentWorkingHours[priority] ?? calendar.documentWorkingHours[0];
  return calendar.addWorkingMinutes(calendar.normalizeStart(receivedAt), hours * 60);
}

/**
 * A deadline given as a date only (edXML DueDate `2026/11/30`, or `2026-11-30`) means the end of
 * that working day: the closing time of that date, or of the next working day when the date is a
 * day off.
 * @throws RangeError for text that is not a real date.
 */
export function endOfDateInOffice(calendar: WorkCalendar, date: string): number {
  const day = dayOfDateKey(date);
  if (day === null) throw new RangeError(`"${date}" is not a valid date (expected YYYY-MM-DD or YYYY/MM/DD)`);
  return calendar.closingOnOrAfter(dateKeyOfDay(day));
}
