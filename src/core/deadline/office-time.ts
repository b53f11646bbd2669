/**
 * Calendar arithmetic in the office's fixed UTC offset, independent of the machine's time zone.
 *
 * A "day number" is the count of whole days since 1970-01-01 in office time: an instant `ms`
 * lies on day `floor((ms + offsetMs) / DAY_MS)`. Only `Date.UTC` and `getUTC*` are used here;
 * local-time getters (getHours, getDate…) would follow the machine's TZ and are banned in this folder.
 */

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
export const MINUTES_PER_DAY = 24 * 60;

const DATE_KEY_RE = /^(\d{4})([-/])(\d{2})\2(\d{2})$/;
const CLOCK_RE = /^(\d{2}):(\d{2})$/;

/**
 * Day number of a `YYYY-MM-DD` key (also `YYYY/MM/DD`, the edXML DueDate form),
 * or null when the text is not a real calendar date (2026-02-30, 2026-13-01…).
 */
export function dayOfDateKey(key: string): number | null {
  const m = DATE_KEY_RE.exec(key.trim());
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[3]);
  const day = Number(m[4]);
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  const ms = Date.UTC(year, month - 1, day);
  const d = new Date(ms);
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return null;
  return ms / DAY_MS;
}

export function isValidDateKey(key: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(key) && dayOfDateKey(key) !== null;
}

/** `YYYY-MM-DD` of a day number. */
export function dateKeyOfDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekdayOfDay(day: number): number {
  return new Date(day * DAY_MS).getUTCDay();
}

/** Minutes after midnight of `HH:MM` (00:00–24:00), or null. */
export function parseClock(text: string): number | null {
  const m = CLOCK_RE.exec(text);
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (min > 59) return null;
  const total = h * 60 + min;
  return total <= MINUTES_PER_DAY ? total : null;
}

export function formatClock(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}

/** Office day number of an instant. */
export function officeDay(ms: number, offsetMinutes: number): number {
  return Math.floor((ms + offsetMinutes * MINUTE_MS) / DAY_MS);
}

/** The instant (UTC ms) of office midnight starting `day`. */
export function officeMidnight(day: number, offsetMinutes: number): number {
  return day * DAY_MS - offsetMinutes * MINUTE_MS;
}

/** ISO 8601 text of an instant in office time, e.g. `2026-02-13T10:00:00+07:00` (ms shown only when not 0). */
export function formatOfficeIso(ms: number, offsetMinutes: number): string {
  const shifted = new Date(ms + offsetMinutes * MINUTE_MS).toISOString(); // 2026-02-13T10:00:00.000Z
  const base = shifted.endsWith('.000Z') ? shifted.slice(0, 19) : shifted.slice(0, 23);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${base}${sign}${formatClock(abs)}`;
}
