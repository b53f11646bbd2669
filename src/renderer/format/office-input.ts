/**
 * Values of <input type="date"> / <input type="datetime-local"> in the office time zone
 * (Asia/Ho_Chi_Minh, UTC+7 all year: Vietnam has no daylight saving time), whatever the PC's zone.
 * Pure.
 */
const OFFICE_OFFSET_MS = 7 * 3600_000;

function pad(n: number, len = 2): string {
  return String(n).padStart(len, '0');
}

/** epoch ms → "2026-03-15" in office time. */
export function toOfficeDateInput(at: number): string {
  const d = new Date(at + OFFICE_OFFSET_MS);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** epoch ms → "2026-03-15T10:30" in office time. */
export function toOfficeDateTimeInput(at: number): string {
  const d = new Date(at + OFFICE_OFFSET_MS);
  return `${toOfficeDateInput(at)}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** "2026-03-15" → epoch ms of 00:00 office time that day; null when not a real date. */
export function fromOfficeDateInput(value: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const utc = Date.UTC(y, mo - 1, d);
  const back = new Date(utc);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null;
  return utc - OFFICE_OFFSET_MS;
}

/** "2026-03-15T10:30" (seconds allowed) → epoch ms in office time; null when not valid. */
export function fromOfficeDateTimeInput(value: string): number | null {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim());
  if (!m) return null;
  const day = fromOfficeDateInput(m[1] ?? '');
  const [h, mi, s] = [Number(m[2]), Number(m[3]), Number(m[4] ?? '0')];
  if (day === null || h > 23 || mi > 59 || s > 59) return null;
  return day + ((h * 60 + mi) * 60 + s) * 1000;
}
