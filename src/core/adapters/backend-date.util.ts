/**
 * Backend date formats → epoch milliseconds.
 *
 * Both backends speak Asia/Ho_Chi_Minh wall-clock time, which is a fixed UTC+7 offset (no DST since
 * 1975). We therefore compute with Date.UTC and subtract the offset: the machine's time zone is never
 * consulted, so the result is the same on a laptop set to Europe/Paris and on the counter PC.
 */
import { z } from 'zod';

/** Asia/Ho_Chi_Minh: UTC+7, no daylight saving time. */
export const VN_UTC_OFFSET_MS = 7 * 60 * 60 * 1000;

/** A calendar date in the office time zone, `YYYY-MM-DD`. */
export type DateKey = string;

/** Turns a due date (a calendar day, no time) into the instant it expires. */
export type DueDateToInstant = (dateKey: DateKey) => number;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function validParts(y: number, mo: number, d: number, h: number, mi: number, s: number): boolean {
  return (
    y >= 1900 &&
    y <= 2999 &&
    mo >= 1 &&
    mo <= 12 &&
    d >= 1 &&
    d <= daysInMonth(y, mo) &&
    h >= 0 &&
    h <= 23 &&
    mi >= 0 &&
    mi <= 59 &&
    s >= 0 &&
    s <= 59
  );
}

/** Vietnamese wall-clock parts → epoch ms (null when the parts are not a real date/time). */
export function vnPartsToInstant(y: number, mo: number, d: number, h = 0, mi = 0, s = 0): number | null {
  if (!validParts(y, mo, d, h, mi, s)) return null;
  return Date.UTC(y, mo - 1, d, h, mi, s) - VN_UTC_OFFSET_MS;
}

const COMPACT = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/;

/** `yyyyMMddHHmmss` (Asia/Ho_Chi_Minh) → epoch ms, or null when not a valid timestamp. */
export function parseVnDateTime(value: string): number | null {
  const m = COMPACT.exec(value);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  return vnPartsToInstant(y, mo, d, h, mi, s);
}

/** Epoch ms → `yyyyMMddHHmmss` in Asia/Ho_Chi_Minh. */
export function formatVnDateTime(ms: number): string {
  const d = new Date(ms + VN_UTC_OFFSET_MS);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return (
    p(d.getUTCFullYear(), 4) +
    p(d.getUTCMonth() + 1) +
    p(d.getUTCDate()) +
    p(d.getUTCHours()) +
    p(d.getUTCMinutes()) +
    p(d.getUTCSeconds())
  );
}

/** Epoch ms → the office calendar day `YYYY-MM-DD`. */
export function vnDateKey(ms: number): DateKey {
  const d = new Date(ms + VN_UTC_OFFSET_MS);
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
}

/** `YYYY-MM-DD` + wall-clock time in Asia/Ho_Chi_Minh → epoch ms. Throws on an invalid key. */
export function dateKeyToInstant(dateKey: DateKey, hours = 0, minutes = 0, seconds = 0): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(dateKey);
  const ms = m ? vnPartsToInstant(Number(m[1]), Number(m[2]), Number(m[3]), hours, minutes, seconds) : null;
  if (ms === null) throw new RangeError(`Invalid date key: ${dateKey}`);
  return ms;
}

/** Default end of a due day: 17:00 (+07:00). The core injects its office calendar instead. */
export const defaultDueDateToInstant: DueDateToInstant = (dateKey) => dateKeyToInstant(dateKey, 17, 0, 0);

export interface ParsedCalendarDate {
  dateKey: DateKey;
  /** Present when the value carried a time of day. */
  instant: number | null;
}

const SLASHED = /^(\d{4})[/-](\d{2})[/-](\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/;
const COMPACT_DATE = /^(\d{4})(\d{2})(\d{2})$/;

/**
 * A backend "date, maybe with time": edXML `yyyy/MM/dd` or `yyyy/MM/dd HH:mm[:ss]`, ISO-like
 * `yyyy-MM-dd`, compact `yyyyMMdd` or `yyyyMMddHHmmss`. Returns null when unparseable.
 */
export function parseCalendarDate(value: string): ParsedCalendarDate | null {
  const v = value.trim();
  let y: number, mo: number, d: number;
  let time: [number, number, number] | null = null;
  let m = SLASHED.exec(v);
  if (m) {
    [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (m[4] !== undefined) time = [Number(m[4]), Number(m[5]), Number(m[6] ?? '0')];
  } else if ((m = COMPACT_DATE.exec(v))) {
    [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  } else if ((m = COMPACT.exec(v))) {
    [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    time = [Number(m[4]), Number(m[5]), Number(m[6])];
  } else {
    return null;
  }
  if (vnPartsToInstant(y, mo, d) === null) return null;
  const dateKey = `${String(y).padStart(4, '0')}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  if (!time) return { dateKey, instant: null };
  const instant = vnPartsToInstant(y, mo, d, ...time);
  return instant === null ? null : { dateKey, instant };
}

/**
 * A deadline value: a bare date means "end of that day" (decided by the injected calendar);
 * a date with a time of day is that instant, except a compact midnight `yyyyMMdd000000`, which
 * backends use for date-only fields and is therefore read as a date.
 */
export function deadlineToInstant(value: string, dueDateToInstant: DueDateToInstant): number | null {
  const parsed = parseCalendarDate(value);
  if (!parsed) return null;
  const dateOnly = parsed.instant === null || (COMPACT.test(value.trim()) && value.trim().endsWith('000000'));
  return dateOnly ? dueDateToInstant(parsed.dateKey) : parsed.instant;
}

// ---------- zod helpers for payloads ----------

/** Required `yyyyMMddHHmmss`. */
export const VnDateTimeSchema = z.string().transform((value, ctx) => {
  const ms = parseVnDateTime(value.trim());
  if (ms === null) {
    ctx.addIssue({ code: 'custom', message: `expected yyyyMMddHHmmss, got "${value.slice(0, 40)}"` });
    return z.NEVER;
  }
  return ms;
});

/** Optional `yyyyMMddHHmmss`: absent, null or "" → null. */
export const OptionalVnDateTimeSchema = z
  .string()
  .nullish()
  .transform((value, ctx): number | null => {
    if (value === null || value === undefined || value.trim() === '') return null;
    const ms = parseVnDateTime(value.trim());
    if (ms === null) {
      ctx.addIssue({ code: 'custom', message: `expected yyyyMMddHHmmss or "", got "${value.slice(0, 40)}"` });
      return z.NEVER;
    }
    return ms;
  });
