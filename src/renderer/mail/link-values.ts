/**
 * Checking what the official types when linking a mail by hand: a dossier code
 * (`000.26.13.H26-251003-0012`, Circular 01/2018/TT-VPCP, with a real date), a document's số/ký hiệu
 * (`7816/VPCP-TTĐT`, `25/2026/QĐ-UBND`) or a citizen's ID number (12-digit CCCD or 9-digit CMND).
 * Returns the normalised value or an i18n key. Pure.
 */
import type { LINK_KINDS } from '../../shared/api';

export type LinkKind = (typeof LINK_KINDS)[number];

export type LinkValueCheck = { ok: true; value: string } | { ok: false; error: string };

function isRealYymmdd(yymmdd: string): boolean {
  const year = 2000 + Number(yymmdd.slice(0, 2));
  const month = Number(yymmdd.slice(2, 4));
  const day = Number(yymmdd.slice(4, 6));
  if (month < 1 || month > 12 || day < 1) return false;
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

const DOSSIER_RE = /^(\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2})\s*-\s*(\d{6})\s*-\s*(\d{4})$/;
const DOCUMENT_RE = /^(\d{1,5})\s*\/\s*(?:(\d{4})\s*\/\s*)?(\p{Lu}[\p{L}\p{N}.]*(?:\s?-\s?\p{Lu}[\p{L}\p{N}.]*)*)$/u;

export function checkLinkValue(kind: LinkKind, raw: string, now: number = Date.now()): LinkValueCheck {
  const v = raw.normalize('NFC').trim();
  if (v === '') return { ok: false, error: 'links.errors.required' };
  if (v.length > 100) return { ok: false, error: 'links.errors.tooLong' };
  if (kind === 'dossier') {
    const m = DOSSIER_RE.exec(v.toUpperCase());
    if (!m?.[1] || !m[2] || !m[3]) return { ok: false, error: 'links.errors.dossier' };
    if (!isRealYymmdd(m[2])) return { ok: false, error: 'links.errors.dossierDate' };
    return { ok: true, value: `${m[1]}-${m[2]}-${m[3]}` };
  }
  if (kind === 'document') {
    const m = DOCUMENT_RE.exec(v);
    if (!m?.[1] || !m[3]) return { ok: false, error: 'links.errors.document' };
    // Without a year, a notation needs two segments (`KH-UBND`); `12/ABC` is not a document number.
    if (!m[2] && !m[3].includes('-')) return { ok: false, error: 'links.errors.document' };
    const notation = m[3].replace(/\s+/g, '');
    return { ok: true, value: m[2] ? `${m[1]}/${m[2]}/${notation}` : `${m[1]}/${notation}` };
  }
  const digits = v.replace(/[\s.]/g, '');
  if (/^\d{9}$/.test(digits)) return { ok: true, value: digits };
  if (!/^\d{12}$/.test(digits)) return { ok: false, error: 'links.errors.citizen' };
  const centurySex = Number(digits[3]);
  const year = 1900 + Math.floor(centurySex / 2) * 100 + Number(digits.slice(4, 6));
  if (centurySex > 5 || year > new Date(now).getUTCFullYear()) return { ok: false, error: 'links.errors.citizen' };
  return { ok: true, value: digits };
}
