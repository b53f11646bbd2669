/**
 * Links from a mail to the cache: dossier codes, document numbers (số/ký hiệu) and citizens' ID
 * numbers found in a subject or body (issue #4, point 3). Pure functions, no I/O.
 *
 * - Dossier code (Circular 01/2018/TT-VPCP): `<unit code>-<YYMMDD>-<4-digit sequence>`, e.g.
 *   `000.26.13.H26-251003-0012`; the date must be a real calendar date.
 * - Document number: `<number>[/<year>]/<notation>`, e.g. `7816/VPCP-TTĐT`, `25/2026/QĐ-UBND`,
 *   `45/KH-UBND`. Notation segments start with an upper-case letter (Vietnamese letters allowed; `SXD-TTr`); without
 *   a year at least two segments are required (`45/2019/QH14` is fine, `12/ABC` is not). Spaces
 *   around `/` are tolerated, and around `-` on one side (`VPCP- TTĐT`); ` - ` with spaces on both
 *   sides is read as a prose dash, not part of a notation. Matching against the cache uses
 *   `foldNotation` (lower case, no diacritics, đ → d).
 * - CCCD: 12 digits with a known province code, a century/sex digit 0–5 and a birth year not after
 *   the current year. 9-digit CMND only right after "CMND", "CMTND" or "chứng minh (nhân dân)".
 *
 * Digit runs are matched whole: a 12-digit number inside a longer run (or inside `1.234…`) is never
 * a CCCD. `index` is the offset in the NFC form of the text (the same as the input for NFC text).
 */
import { foldVietnamese } from './text';

export type LinkKind = 'dossier' | 'document' | 'citizen';

export interface MailLink {
  kind: LinkKind;
  /** Normalised value: dossier code in upper case, notation without spaces, ID digits. */
  value: string;
  index: number;
}

export interface ExtractOptions {
  /** The current instant (birth years after its year are rejected); default Date.now(). */
  now?: number;
}

/**
 * Province (and centrally-run city) codes of the CCCD number, as issued before the 2025 mergers
 * (Circular 07/2016/TT-BCA, 63 codes). Numbers issued since keep these codes.
 */
export const CCCD_PROVINCE_CODES: ReadonlySet<string> = new Set([
  '001', '002', '004', '006', '008', '010', '011', '012', '014', '015', '017', '019', '020', '022', '024', '025',
  '026', '027', '030', '031', '033', '034', '035', '036', '037', '038', '040', '042', '044', '045', '046', '048',
  '049', '051', '052', '054', '056', '058', '060', '062', '064', '066', '067', '068', '070', '072', '074', '075',
  '077', '079', '080', '082', '083', '084', '086', '087', '089', '091', '092', '093', '094', '095', '096',
]);

// Unit code `000.26.13.H26`, date, sequence; nothing alphanumeric or `.` glued on either side.
const DOSSIER_RE = /(?<![\p{L}\p{N}.])(\d{3}\.\d{2}\.\d{2}\.[A-Za-z]\d{2})[ \t]?-[ \t]?(\d{6})[ \t]?-[ \t]?(\d{4})(?![\p{L}\p{N}]|[.,]\p{N})/gu;

// A notation segment starts with an upper-case letter, then letters/digits (`TTr`, `PC06`), `.` only
// between them (`V.I`).
const SEG = String.raw`\p{Lu}(?:[\p{L}\p{N}]|\.(?=[\p{L}\p{N}]))*`;
// `-` with at most one space on one side.
const HYPHEN = String.raw`(?:-[ \t]?|[ \t]-)`;
const DOCUMENT_RE = new RegExp(
  String.raw`(?<![\p{L}\p{N}/.,\-])(\d{1,5})[ \t]*\/[ \t]*(?:(\d{4})[ \t]*\/[ \t]*)?(${SEG}(?:${HYPHEN}${SEG})*)(?![\p{L}\p{N}])`,
  'gu',
);

const CCCD_RE = /(?<![\p{L}\p{N}]|\p{N}[.,])(\d{12})(?![\p{L}\p{N}]|[.,]\p{N})/gu;
const CMND_RE =
  /(?<![\p{L}\p{N}])(?:CMND|CMTND|ch[ứu]ng[ \t]+minh(?:[ \t]+nh[âa]n[ \t]+d[âa]n)?)(?:[ \t]*(?:s[ốo]|:|#|No\.?))*[ \t]*(\d{9})(?![\p{L}\p{N}]|[.,]\p{N})/giu;

const MAY_HAVE_LINK_RE = /\d{3}|\d[ \t]*\//;

function isRealYymmdd(yymmdd: string): boolean {
  const year = 2000 + Number(yymmdd.slice(0, 2));
  const month = Number(yymmdd.slice(2, 4));
  const day = Number(yymmdd.slice(4, 6));
  if (month < 1 || month > 12 || day < 1) return false;
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

/** Birth year encoded in a 12-digit CCCD, or null when the century/sex digit is not 0–5. */
export function cccdBirthYear(id: string): number | null {
  const centurySex = Number(id[3]);
  if (!/^\d{12}$/.test(id) || centurySex > 5) return null;
  return 1900 + Math.floor(centurySex / 2) * 100 + Number(id.slice(4, 6));
}

/** Is this a plausible 12-digit CCCD number (known province, century digit, birth year ≤ this year)? */
export function isPlausibleCccd(id: string, now: number = Date.now()): boolean {
  if (!/^\d{12}$/.test(id) || !CCCD_PROVINCE_CODES.has(id.slice(0, 3))) return false;
  const year = cccdBirthYear(id);
  const thisYear = new Date(now + 7 * 3_600_000).getUTCFullYear();
  return year !== null && year <= thisYear && year >= thisYear - 130;
}

/** Key for looking a notation up in the cache: no spaces, folded (lower case, no marks, đ → d). */
export function foldNotation(notation: string): string {
  return foldVietnamese(normalizeNotation(notation));
}

/** Display form of a document number: NFC, no spaces, Icelandic Ð (a common typo) as Đ. */
export function normalizeNotation(notation: string): string {
  return notation.normalize('NFC').replace(/[ \t]+/g, '').replace(/Ð/g, 'Đ');
}

/** All links in the text, in order of appearance (repeated values appear once per occurrence). */
export function extractLinks(text: string, options: ExtractOptions = {}): MailLink[] {
  const now = options.now ?? Date.now();
  const src = text.normalize('NFC');
  const out: MailLink[] = [];
  // Every pattern needs three digits in a row (dossier code, CCCD, CMND) or a digit before `/`
  // (document number; `\d` is ASCII in every pattern): text with neither has no link.
  if (!MAY_HAVE_LINK_RE.test(src)) return out;

  for (const m of src.matchAll(DOSSIER_RE)) {
    const [, unit = '', date = '', seq = ''] = m;
    if (!isRealYymmdd(date)) continue;
    out.push({ kind: 'dossier', value: `${unit.toUpperCase()}-${date}-${seq}`, index: m.index });
  }

  for (const m of src.matchAll(DOCUMENT_RE)) {
    const [, number = '', year, notation = ''] = m;
    const segments = notation.split(/[ \t]*-[ \t]*/);
    if (year === undefined && segments.length < 2) continue;
    if (year !== undefined) {
      const y = Number(year);
      const thisYear = new Date(now + 7 * 3_600_000).getUTCFullYear();
      if (y < 1945 || y > thisYear + 1) continue;
    }
    // A notation has letters: `12/2026/1234` never reaches here (SEG starts with a letter).
    const value = normalizeNotation(`${Number(number)}/${year === undefined ? '' : `${year}/`}${segments.join('-')}`);
    out.push({ kind: 'document', value, index: m.index });
  }

  for (const m of src.matchAll(CCCD_RE)) {
    const id = m[1] ?? '';
    if (isPlausibleCccd(id, now)) out.push({ kind: 'citizen', value: id, index: m.index });
  }

  for (const m of src.matchAll(CMND_RE)) {
    const id = m[1] ?? '';
    out.push({ kind: 'citizen', value: id, index: m.index + m[0].length - id.length });
  }

  return out.sort((a, b) => a.index - b.index || a.kind.localeCompare(b.kind));
}

/** The distinct (kind, value) pairs of a list of links, first occurrence kept. */
export function uniqueLinks(links: readonly MailLink[]): MailLink[] {
  const seen = new Set<string>();
  const out: MailLink[] = [];
  for (const link of links) {
    const key = `${link.kind}:${link.kind === 'document' ? foldNotation(link.value) : link.value}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(link);
  }
  return out;
}

/** What the cache offers for linking; each returns the item id, or null when unknown. */
export interface LinkLookup {
  findDossier(code: string): string | null;
  /** `foldedNotation` is `foldNotation(value)`, e.g. `7816/vpcp-ttdt`. */
  findDocumentByNotation(foldedNotation: string): string | null;
  findCitizen(idNumber: string): string | null;
}

export interface MatchedLink extends MailLink {
  id: string;
}

export interface LinkMatch {
  /** Links found in the cache, one per distinct value, in order of appearance. */
  matched: MatchedLink[];
  /** Distinct links the cache does not know (still worth showing as plain references). */
  unmatched: MailLink[];
  dossierIds: string[];
  documentIds: string[];
  citizenIds: string[];
}

/** Resolve extracted links against the cache (distinct values only; lookups are called once each). */
export function matchLinks(links: readonly MailLink[], lookup: LinkLookup): LinkMatch {
  const result: LinkMatch = { matched: [], unmatched: [], dossierIds: [], documentIds: [], citizenIds: [] };
  for (const link of uniqueLinks(links)) {
    const id =
      link.kind === 'dossier'
        ? lookup.findDossier(link.value)
        : link.kind === 'document'
          ? lookup.findDocumentByNotation(foldNotation(link.value))
          : lookup.findCitizen(link.value);
    if (id === null) {
      result.unmatched.push(link);
      continue;
    }
    result.matched.push({ ...link, id });
    const ids = link.kind === 'dossier' ? result.dossierIds : link.kind === 'document' ? result.documentIds : result.citizenIds;
    if (!ids.includes(id)) ids.push(id);
  }
  return result;
}
