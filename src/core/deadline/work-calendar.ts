/**
 * The office's working time: which days are worked, office hours, and arithmetic on working minutes.
 *
 * All instants are epoch milliseconds (UTC). Days are office days in the calendar's fixed UTC offset
 * (`utcOffsetMinutes`, +07:00 for Asia/Ho_Chi_Minh), so results never depend on the machine's TZ.
 *
 * Conventions (see the README of the deadline engine):
 * - Working time of a working day is the union of its office-hours ranges [start, end).
 * - `addWorkingMinutes` returns the *earliest* instant at which the requested working time has
 *   elapsed, so a duration that ends exactly at a boundary lands on the closing time (17:00) of the
 *   last day, or on the lunch break start (12:00), never on the next opening.
 * - Build instances with `loadCalendar` (validates the data); the constructor trusts its input.
 */
import { type CalendarData } from './calendar.schema';
import {
  DAY_MS,
  MINUTE_MS,
  dateKeyOfDay,
  dayOfDateKey,
  formatOfficeIso,
  officeDay,
  officeMidnight,
  parseClock,
  weekdayOfDay,
} from './office-time';

/** One office-hours range in minutes after office midnight. */
export interface OfficeRange {
  readonly startMinute: number;
  readonly endMinute: number;
}

interface Segment {
  start: number;
  end: number;
}

export interface CalendarDayEntry {
  readonly date: string;
  readonly name: string;
}

/** Longest span the engine walks day by day before concluding the data is unusable. */
const MAX_DAYS_SCANNED = 3_700;

export class WorkCalendar {
  readonly name: string;
  readonly utcOffsetMinutes: number;
  readonly officeHours: readonly OfficeRange[];
  /** Minutes after office midnight; same-day procedures received at/after it are due the next working day. */
  readonly sameDayCutoffMinute: number;
  readonly dueSoonWorkingHours: number;
  /** Assumed handling period of a document without DueDate, by priority 0..4, in working hours. */
  readonly documentWorkingHours: readonly [number, number, number, number, number];
  /** Years whose holidays and swapped days are listed (outside them only weekends are days off). */
  readonly years: readonly number[];
  readonly holidays: readonly CalendarDayEntry[];
  readonly workingSaturdays: readonly CalendarDayEntry[];

  private readonly holidayDays: ReadonlyMap<number, string>;
  private readonly workingWeekendDays: ReadonlyMap<number, string>;
  private readonly offsetMs: number;

  constructor(data: CalendarData) {
    this.name = data.name;
    this.utcOffsetMinutes = data.utcOffsetMinutes;
    this.offsetMs = data.utcOffsetMinutes * MINUTE_MS;
    this.officeHours = data.officeHours.map((r) => ({
      startMinute: parseClock(r.start) ?? 0,
      endMinute: parseClock(r.end) ?? 0,
    }));
    this.sameDayCutoffMinute = parseClock(data.sameDayCutoff) ?? 15 * 60;
    this.dueSoonWorkingHours = data.dueSoonWorkingHours;
    const byPriority = data.documentDefaults.workingHoursByPriority;
    this.documentWorkingHours = [byPriority['0'], byPriority['1'], byPriority['2'], byPriority['3'], byPriority['4']];
    this.years = [...data.years].sort((a, b) => a - b);
    this.holidays = data.holidays.map((h) => ({ date: h.date, name: h.name }));
    this.workingSaturdays = data.workingSaturdays.map((w) => ({ date: w.date, name: w.name }));
    this.holidayDays = new Map(data.holidays.map((h) => [dayOfDateKey(h.date) ?? Number.NaN, h.name]));
    this.workingWeekendDays = new Map(data.workingSaturdays.map((w) => [dayOfDateKey(w.date) ?? Number.NaN, w.name]));
  }

  /** Working minutes in a full working day (480 for 08:00–12:00 + 13:00–17:00). */
  get workingMinutesPerDay(): number {
    return this.officeHours.reduce((sum, r) => sum + r.endMinute - r.startMinute, 0);
  }

  // ---- days -------------------------------------------------------------------------------

  /** `YYYY-MM-DD` of the office day containing `ms`. */
  dateKey(ms: number): string {
    return dateKeyOfDay(this.day(ms));
  }

  /**
   * Monday–Friday unless listed as a holiday; Saturday and Sunday only when listed as worked.
   * @throws RangeError for text that is not a real `YYYY-MM-DD` date.
   */
  isWorkingDay(dateKey: string): boolean {
    return this.isWorkingDayNumber(this.parseKey(dateKey));
  }

  /** Name of the holiday or worked weekend on that date, or null for an ordinary day. */
  dayNote(dateKey: string): string | null {
    const day = this.parseKey(dateKey);
    return this.holidayDays.get(day) ?? this.workingWeekendDays.get(day) ?? null;
  }

  /** Is this date in a year whose holidays are listed? Outside, only weekends count as days off. */
  covers(dateKey: string): boolean {
    const day = this.parseKey(dateKey);
    return this.years.includes(Number(dateKeyOfDay(day).slice(0, 4)));
  }

  /** Office midnight starting the day of `ms`. */
  startOfDay(ms: number): number {
    return officeMidnight(this.day(ms), this.utcOffsetMinutes);
  }

  /** Last millisecond of the office day of `ms` (inclusive bound: `x <= endOfDay(ms)`). */
  endOfDay(ms: number): number {
    return officeMidnight(this.day(ms) + 1, this.utcOffsetMinutes) - 1;
  }

  /**
   * Closing time of the office day of `ms` when it is a working day (even if `ms` is already past
   * closing), otherwise the closing time of the next working day.
   */
  endOfWorkingDay(ms: number): number {
    return this.closingOf(this.nextWorkingDayNumber(this.day(ms)));
  }

  /** Closing time of the first working day strictly after the office day of `ms`. */
  nextWorkingDayEnd(ms: number): number {
    return this.closingOf(this.nextWorkingDayNumber(this.day(ms) + 1));
  }

  /** Closing time of `dateKey` if it is a working day, else of the next working day. */
  closingOnOrAfter(dateKey: string): number {
    return this.closingOf(this.nextWorkingDayNumber(this.parseKey(dateKey)));
  }

  /** Is `ms` inside working time (opening inclusive, closing inclusive)? */
  isWorkingInstant(ms: number): boolean {
    return this.segmentsOf(this.day(ms)).some((s) => ms >= s.start && ms <= s.end);
  }

  // ---- working time -----------------------------------------------------------------------

  /**
   * The instant the clock starts for something received at `ms`: `ms` itself inside office hours;
   * during a break, the next range's opening; after closing or on a day off, the next working
   * day's opening. An instant exactly at a range's end (12:00, 17:00) moves to the next opening.
   */
  normalizeStart(ms: number): number {
    this.assertInstant(ms);
    let day = this.day(ms);
    for (let i = 0; i < MAX_DAYS_SCANNED; i += 1, day += 1) {
      for (const seg of this.segmentsOf(day)) {
        if (ms < seg.end) return Math.max(seg.start, ms);
      }
    }
    throw this.noWorkingTime(ms);
  }

  /**
   * The earliest instant at which `minutes` working minutes have elapsed after `ms` (fractions of a
   * minute allowed, rounded to the millisecond). The result is inside working hours; a duration
   * ending exactly at a boundary gives the range's end (e.g. 17:00), not the next opening.
   * Zero minutes gives `normalizeStart(ms)`.
   * @throws RangeError for negative or non-finite minutes.
   */
  addWorkingMinutes(ms: number, minutes: number): number {
    this.assertInstant(ms);
    if (!Number.isFinite(minutes) || minutes < 0) {
      throw new RangeError(`working minutes must be a finite number ≥ 0, got ${minutes}`);
    }
    let remaining = Math.round(minutes * MINUTE_MS);
    if (remaining === 0) return this.normalizeStart(ms);
    let day = this.day(ms);
    for (let i = 0; i < MAX_DAYS_SCANNED * 20; i += 1, day += 1) {
      for (const seg of this.segmentsOf(day)) {
        if (seg.end <= ms) continue;
        const begin = Math.max(seg.start, ms);
        const available = seg.end - begin;
        if (remaining <= available) return begin + remaining;
        remaining -= available;
      }
    }
    throw this.noWorkingTime(ms);
  }

  /** Working minutes (fractional) from `a` to `b`; 0 when `b <= a`. */
  workingMinutesBetween(a: number, b: number): number {
    this.assertInstant(a);
    this.assertInstant(b);
    if (b <= a) return 0;
    const first = this.day(a);
    const last = this.day(b);
    // Partial first and last days from their segments; whole days between in O(holidays), so an
    // item overdue for years costs the same as one overdue for an hour.
    const partial = (day: number): number => {
      let sum = 0;
      for (const seg of this.segmentsOf(day)) {
        const from = Math.max(seg.start, a);
        const to = Math.min(seg.end, b);
        if (to > from) sum += to - from;
      }
      return sum;
    };
    let total = partial(first);
    if (last > first) {
      total += partial(last);
      total += this.workingDaysStrictlyBetween(first, last) * this.workingMinutesPerDay * MINUTE_MS;
    }
    return total / MINUTE_MS;
  }

  /** Working days d with `from < d < to` (office day numbers). */
  private workingDaysStrictlyBetween(from: number, to: number): number {
    const lo = from + 1;
    const hi = to - 1;
    if (hi < lo) return 0;
    const span = hi - lo + 1;
    let count = Math.floor(span / 7) * 5;
    for (let day = lo + span - (span % 7); day <= hi; day += 1) {
      const weekday = weekdayOfDay(day);
      if (weekday !== 0 && weekday !== 6) count += 1;
    }
    for (const day of this.holidayDays.keys()) {
      const weekday = weekdayOfDay(day);
      if (day >= lo && day <= hi && weekday !== 0 && weekday !== 6) count -= 1;
    }
    for (const day of this.workingWeekendDays.keys()) {
      const weekday = weekdayOfDay(day);
      if (day >= lo && day <= hi && (weekday === 0 || weekday === 6)) count += 1;
    }
    return count;
  }

  /** Working minutes from `a` to `b`, negative when `b` is before `a`. */
  signedWorkingMinutesBetween(a: number, b: number): number {
    return b >= a ? this.workingMinutesBetween(a, b) : -this.workingMinutesBetween(b, a);
  }

  /** ISO 8601 text in office time, e.g. `2026-02-13T10:00:00+07:00`; for logs, tests and messages. */
  formatIso(ms: number): string {
    return formatOfficeIso(ms, this.utcOffsetMinutes);
  }

  // ---- internals --------------------------------------------------------------------------

  private day(ms: number): number {
    this.assertInstant(ms);
    return officeDay(ms, this.utcOffsetMinutes);
  }

  private parseKey(dateKey: string): number {
    const day = dayOfDateKey(dateKey);
    if (day === null) throw new RangeError(`"${dateKey}" is not a valid date (expected YYYY-MM-DD)`);
    return day;
  }

  private isWorkingDayNumber(day: number): boolean {
    if (this.holidayDays.has(day)) return false;
    if (this.workingWeekendDays.has(day)) return true;
    const weekday = weekdayOfDay(day);
    return weekday !== 0 && weekday !== 6;
  }

  private nextWorkingDayNumber(fromDay: number): number {
    let day = fromDay;
    for (let i = 0; i < MAX_DAYS_SCANNED; i += 1, day += 1) {
      if (this.isWorkingDayNumber(day)) return day;
    }
    throw new RangeError(`no working day within ${MAX_DAYS_SCANNED} days after ${dateKeyOfDay(fromDay)}`);
  }

  private segmentsOf(day: number): Segment[] {
    if (!this.isWorkingDayNumber(day)) return [];
    const midnight = day * DAY_MS - this.offsetMs;
    return this.officeHours.map((r) => ({
      start: midnight + r.startMinute * MINUTE_MS,
      end: midnight + r.endMinute * MINUTE_MS,
    }));
  }

  private closingOf(day: number): number {
    const last = this.officeHours[this.officeHours.length - 1];
    const endMinute = last ? last.endMinute : 0;
    return officeMidnight(day, this.utcOffsetMinutes) + endMinute * MINUTE_MS;
  }

  private assertInstant(ms: number): void {
    if (!Number.isFinite(ms)) throw new RangeError(`instant must be finite epoch milliseconds, got ${ms}`);
  }

  private noWorkingTime(ms: number): RangeError {
    return new RangeError(`no working time within ${MAX_DAYS_SCANNED} days after ${this.formatIso(ms)}`);
  }
}
