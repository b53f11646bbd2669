/**
 * Dates and times in the office time zone (Asia/Ho_Chi_Minh), whatever the PC's own zone is.
 * Vietnamese style: 24-hour clock, day/month/year ("10:42 15/03/2026" reads as "15/03/2026 10:42").
 */
export const OFFICE_TIME_ZONE = 'Asia/Ho_Chi_Minh';

type Lang = 'vi' | 'en';

const cache = new Map<string, Intl.DateTimeFormat>();
function fmt(lang: Lang, kind: 'date' | 'time' | 'dateTime' | 'dayMonth'): Intl.DateTimeFormat {
  const key = `${lang}:${kind}`;
  let f = cache.get(key);
  if (!f) {
    const locale = lang === 'vi' ? 'vi-VN' : 'en-GB';
    const base: Intl.DateTimeFormatOptions = { timeZone: OFFICE_TIME_ZONE, hourCycle: 'h23' };
    const opts: Intl.DateTimeFormatOptions =
      kind === 'date'
        ? { ...base, day: '2-digit', month: '2-digit', year: 'numeric' }
        : kind === 'time'
          ? { ...base, hour: '2-digit', minute: '2-digit' }
          : kind === 'dayMonth'
            ? { ...base, day: '2-digit', month: '2-digit' }
            : { ...base, day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' };
    f = new Intl.DateTimeFormat(locale, opts);
    cache.set(key, f);
  }
  return f;
}

function parts(lang: Lang, kind: 'date' | 'time' | 'dateTime' | 'dayMonth', at: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of fmt(lang, kind).formatToParts(at)) out[p.type] = p.value;
  return out;
}

/** 15/03/2026 */
export function formatDate(lang: Lang, at: number | null): string {
  if (at === null) return '';
  const p = parts(lang, 'date', at);
  return `${p.day}/${p.month}/${p.year}`;
}

/** 10:42 */
export function formatTime(lang: Lang, at: number | null): string {
  if (at === null) return '';
  const p = parts(lang, 'time', at);
  return `${p.hour}:${p.minute}`;
}

/** 15/03/2026 10:42 */
export function formatDateTime(lang: Lang, at: number | null): string {
  if (at === null) return '';
  return `${formatDate(lang, at)} ${formatTime(lang, at)}`;
}

/** Same calendar day in the office time zone? */
export function isSameOfficeDay(a: number, b: number): boolean {
  return formatDate('vi', a) === formatDate('vi', b);
}

/** "10:42" today, "10:42 14/03" this year, else full date and time. */
export function formatShortDateTime(lang: Lang, at: number | null, now: number): string {
  if (at === null) return '';
  if (isSameOfficeDay(at, now)) return formatTime(lang, at);
  const p = parts(lang, 'dayMonth', at);
  const sameYear = parts(lang, 'date', at).year === parts(lang, 'date', now).year;
  return sameYear ? `${formatTime(lang, at)} ${p.day}/${p.month}` : formatDateTime(lang, at);
}

/** Intl objects are costly to build (tens of ms on a counter PC for a screenful): build once. */
const numberCache = new Map<string, Intl.NumberFormat>();
function numberFormat(lang: Lang, kind: 'int' | 'money' | 'decimal'): Intl.NumberFormat {
  const key = `${lang}:${kind}`;
  let f = numberCache.get(key);
  if (!f) {
    const locale = lang === 'vi' ? 'vi-VN' : 'en-GB';
    f =
      kind === 'money'
        ? new Intl.NumberFormat(locale, { style: 'currency', currency: 'VND', maximumFractionDigits: 0 })
        : kind === 'decimal'
          ? new Intl.NumberFormat(locale, { maximumFractionDigits: 1 })
          : new Intl.NumberFormat(locale);
    numberCache.set(key, f);
  }
  return f;
}
const relativeCache = new Map<Lang, Intl.RelativeTimeFormat>();

/** "3 phút trước" / "3 minutes ago". */
export function formatRelative(lang: Lang, at: number, now: number): string {
  let rtf = relativeCache.get(lang);
  if (!rtf) {
    rtf = new Intl.RelativeTimeFormat(lang === 'vi' ? 'vi-VN' : 'en-GB', { numeric: 'auto' });
    relativeCache.set(lang, rtf);
  }
  const seconds = Math.round((at - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return rtf.format(0, 'second');
  if (abs < 3600) return rtf.format(Math.round(seconds / 60), 'minute');
  if (abs < 86400) return rtf.format(Math.round(seconds / 3600), 'hour');
  return rtf.format(Math.round(seconds / 86400), 'day');
}

/** 1.234.567 in Vietnamese, 1,234,567 in English. */
export function formatNumber(lang: Lang, n: number): string {
  return numberFormat(lang, 'int').format(n);
}

/** 50.000 ₫ */
export function formatMoney(lang: Lang, amount: number): string {
  return numberFormat(lang, 'money').format(amount);
}

/** 1,2 MB */
export function formatFileSize(lang: Lang, bytes: number | null): string {
  if (bytes === null) return '';
  const nf = numberFormat(lang, 'decimal');
  if (bytes < 1024) return `${nf.format(bytes)} B`;
  if (bytes < 1024 * 1024) return `${nf.format(bytes / 1024)} KB`;
  return `${nf.format(bytes / (1024 * 1024))} MB`;
}
