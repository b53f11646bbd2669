/**
 * Values typed by the official for a manual link (`links.add`), normalised exactly like the
 * extractor normalises what it finds in a mail (mail-links.ts), so a manual link and an automatic one
 * to the same thing are the same row:
 *
 * - dossier: `<unit code>-<YYMMDD>-<4 digits>` with a real date, upper case, spaces around `-` dropped;
 * - document: `<number>[/<year>]/<notation>`, no spaces, Ð → Đ, leading zeros of the number dropped;
 * - citizen: a plausible 12-digit CCCD number (province code, century digit, birth year), or a
 *   9-digit CMND number; spaces and dots between digit groups dropped.
 *
 * The whole value must be one such reference: "xem hồ sơ 000.26…" or two numbers are refused.
 */
import type { LinkKind } from './mail-links';
import { extractLinks, isPlausibleCccd, normalizeNotation } from './mail-links';

export type LinkValueResult = { ok: true; value: string } | { ok: false; message: string };

/** Why a value was refused, in Vietnamese, with an example of the expected form. */
export const LINK_VALUE_HINTS: Readonly<Record<LinkKind, string>> = {
  dossier: 'Mã hồ sơ không đúng dạng <mã đơn vị>-<năm tháng ngày YYMMDD>-<4 chữ số>, ví dụ 000.26.13.H26-251003-0012.',
  document: 'Số/ký hiệu văn bản không đúng dạng <số>/<ký hiệu> hoặc <số>/<năm>/<ký hiệu>, ví dụ 7816/VPCP-TTĐT hoặc 25/2026/QĐ-UBND.',
  citizen: 'Số định danh phải là số căn cước công dân 12 chữ số hợp lệ (hoặc số CMND 9 chữ số), ví dụ 001084000999.',
};

/** Normalise and check a typed link value; `now` bounds plausible birth and document years. */
export function normalizeLinkValue(kind: LinkKind, raw: string, now: number = Date.now()): LinkValueResult {
  const input = raw.normalize('NFC').trim();
  const refused: LinkValueResult = { ok: false, message: LINK_VALUE_HINTS[kind] };
  if (input === '') return refused;

  if (kind === 'citizen') {
    const digits = input.replace(/[\s.]/g, '');
    if (/^\d{12}$/.test(digits)) return isPlausibleCccd(digits, now) ? { ok: true, value: digits } : refused;
    if (/^\d{9}$/.test(digits)) return { ok: true, value: digits };
    return refused;
  }

  // Typed, not prose: spaces around a hyphen (`KH - UBND`) are only spacing here.
  const typed = kind === 'document' ? input.replace(/[ \t]*-[ \t]*/g, '-') : input;
  const found = extractLinks(typed, { now }).filter((l) => l.kind === kind);
  if (found.length !== 1 || found[0]!.index !== 0) return refused;
  const value = found[0]!.value;
  // The match must be the whole input (the extractor also finds a reference inside longer text).
  const compact = kind === 'dossier'
    ? typed.replace(/\s+/g, '').toUpperCase()
    : normalizeNotation(typed).replace(/^0+(?=\d)/, '');
  return compact === value ? { ok: true, value } : refused;
}
