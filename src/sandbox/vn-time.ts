/**
 * Time formats of the backend protocols: `yyyyMMddHHmmss` and `yyyy/MM/dd` in Asia/Ho_Chi_Minh
 * (fixed UTC+7, no DST). Only UTC getters on a shifted instant, so the machine's TZ never matters.
 */

export const VN_OFFSET_MS = 7 * 3_600_000;
export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** `yyyyMMddHHmmss` of an instant in Vietnam time. */
export function formatVnTimestamp(ms: number): string {
  const d = new Date(ms + VN_OFFSET_MS);
  return (
    String(d.getUTCFullYear()) +
    pad2(d.getUTCMonth() + 1) +
    pad2(d.getUTCDate()) +
    pad2(d.getUTCHours()) +
    pad2(d.getUTCMinutes()) +
    pad2(d.getUTCSeconds())
  );
}

/** `yyyyMMddHHmmss` or `""` for null. */
export function formatVnTimestampOrEmpty(ms: number | null): string {
  return ms === null ? '' : formatVnTimestamp(ms);
}

/** Instant of a `yyyyMMddHHmmss` string in Vietnam time, or null when it is not a real time. */
export function parseVnTimestamp(text: string): number | null {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(text);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return null;
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const check = new Date(ms);
  if (check.getUTCDate() !== d || check.getUTCMonth() !== mo - 1) return null;
  return ms - VN_OFFSET_MS;
}

/** `YYYY-MM-DD` office date key of an instant (the deadline engine's day key). */
export function vnDateKey(ms: number): string {
  return new Date(ms + VN_OFFSET_MS).toISOString().slice(0, 10);
}

/** `yyyy/MM/dd` (edXML dates) of an instant. */
export function vnSlashDate(ms: number): string {
  return vnDateKey(ms).replace(/-/g, '/');
}

/** `YYMMDD` of an instant (dossier code). */
export function vnYymmdd(ms: number): string {
  const k = vnDateKey(ms);
  return k.slice(2, 4) + k.slice(5, 7) + k.slice(8, 10);
}

/** `yyyy/MM/dd HH:mm:ss` (edXML trace timestamps). */
export function vnSlashDateTime(ms: number): string {
  const t = formatVnTimestamp(ms);
  return `${t.slice(0, 4)}/${t.slice(4, 6)}/${t.slice(6, 8)} ${t.slice(8, 10)}:${t.slice(10, 12)}:${t.slice(12, 14)}`;
}

/** Instant of office midnight at the start of a `YYYY-MM-DD` key. */
export function vnMidnight(dateKey: string): number {
  return Date.parse(`${dateKey}T00:00:00Z`) - VN_OFFSET_MS;
}

/** Truncate an instant to whole seconds (protocol timestamps have second precision). */
export function floorSecond(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}
