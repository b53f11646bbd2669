/**
 * Issue #7: removing personal data and secrets from text that leaves the workstation (the
 * diagnostics bundle). Pure functions; counts say what was removed.
 */

export const REDACTED = {
  email: '[email]',
  idNumber: '[số định danh]',
  phone: '[số điện thoại]',
  name: '[họ tên]',
  secret: '[bí mật]',
} as const;

export type RedactionKind = keyof typeof REDACTED;
export type RedactionCounts = Record<RedactionKind, number>;

export function emptyCounts(): RedactionCounts {
  return { email: 0, idNumber: 0, phone: 0, name: 0, secret: 0 };
}

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
/** Vietnamese phone numbers: 0 or +84/84, then 9–10 digits, optionally grouped by spaces, dots or dashes. */
const PHONE = /(?<![\d.])(?:\+84|84|0)(?:[ .-]?\d){8,10}(?![\d])/g;
/** CCCD (12 digits) and CMND (9 digits) standing alone (not part of a longer number or a timestamp). */
const ID_NUMBER = /(?<![\d.])(?:\d{12}|\d{9})(?![\d])/g;
export function nameKey(name: string): string {
  return name.normalize('NFC').trim().replace(/\s+/g, ' ').toLocaleLowerCase('vi');
}

/** Names worth matching: at least two words (a single word would hit ordinary words). */
export function nameSet(names: Iterable<string | null | undefined>): Set<string> {
  const set = new Set<string>();
  for (const n of names) {
    if (typeof n !== 'string') continue;
    const key = nameKey(n);
    if (key.split(' ').length >= 2 && key.length <= 80) set.add(key);
  }
  return set;
}

export interface Redactor {
  redact(text: string): string;
  readonly counts: RedactionCounts;
}

/**
 * A redactor for one bundle: the secrets it must never let through (exact values, replaced first),
 * the names of people from the cache (matched word-for-word, any case), then e-mail addresses,
 * phone numbers and ID numbers by pattern.
 */
export function createRedactor(options: { secrets?: Iterable<string>; names?: Iterable<string> } = {}): Redactor {
  const counts = emptyCounts();
  // Longest first, so a secret containing another is removed whole; short values would hit ordinary text.
  const secrets = [...new Set(options.secrets ?? [])].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
  const nameRe = namesPattern(options.names ?? []);
  const replace = (text: string, re: RegExp, kind: RedactionKind): string =>
    text.replace(re, () => {
      counts[kind] += 1;
      return REDACTED[kind];
    });
  return {
    counts,
    redact(input: string): string {
      let text = input.normalize('NFC');
      for (const s of secrets) {
        if (!text.includes(s)) continue;
        const parts = text.split(s);
        counts.secret += parts.length - 1;
        text = parts.join(REDACTED.secret);
      }
      if (nameRe) text = replace(text, nameRe, 'name');
      text = replace(text, EMAIL, 'email');
      text = replace(text, PHONE, 'phone');
      text = replace(text, ID_NUMBER, 'idNumber');
      return text;
    },
  };
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * One case-insensitive pattern for the given names (longest first), whole words only, any run of
 * spaces between the words. The caller passes only the names that occur in the text (see
 * `namesPresent`), so the pattern stays small however many names the cache holds.
 */
function namesPattern(names: Iterable<string>): RegExp | null {
  const list = [...new Set([...names].map(nameKey))].filter((n) => n.length > 0).sort((a, b) => b.length - a.length);
  if (list.length === 0) return null;
  const alternatives = list.map((n) => n.split(' ').map(escapeRe).join('\\s+'));
  return new RegExp(`(?<![\\p{L}\\p{M}\\d])(?:${alternatives.join('|')})(?![\\p{L}\\p{M}\\d])`, 'giu');
}

/** The names of `names` (keys from `nameSet`) that occur in `text`, ignoring case. */
export function namesPresent(names: Set<string>, text: string): string[] {
  const lower = text.normalize('NFC').replace(/\s+/g, ' ').toLocaleLowerCase('vi');
  return [...names].filter((n) => lower.includes(n));
}

const SECRET_KEY = /(pass(word)?|secret|token|api[-_]?key|private[-_]?key|credential)/i;

/**
 * A copy of a configuration object without secrets: values under secret-looking keys become
 * `[bí mật]` (a `{"$secret": name}` reference is kept: it names a keyring entry, not the secret).
 * Also returns the secret values found, so the caller can scrub them from any other text.
 */
export function stripSecrets(value: unknown): { clean: unknown; secretValues: string[] } {
  const found: string[] = [];
  const walk = (v: unknown, key: string | null): unknown => {
    if (Array.isArray(v)) return v.map((x) => walk(x, key));
    if (v && typeof v === 'object') {
      const obj = v as Record<string, unknown>;
      if (Object.keys(obj).length === 1 && typeof obj['$secret'] === 'string') return { $secret: obj['$secret'] };
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(obj)) out[k] = walk(x, k);
      return out;
    }
    if (key !== null && SECRET_KEY.test(key) && (typeof v === 'string' || typeof v === 'number')) {
      if (typeof v === 'string' && v.length > 0) found.push(v);
      return REDACTED.secret;
    }
    return v;
  };
  return { clean: walk(value, null), secretValues: found };
}

/** Apply a redactor to every string (and key) of a JSON-like value. */
export function redactDeep(value: unknown, redactor: Redactor): unknown {
  if (typeof value === 'string') return redactor.redact(value);
  if (Array.isArray(value)) return value.map((x) => redactDeep(x, redactor));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(value as Record<string, unknown>)) out[redactor.redact(k)] = redactDeep(x, redactor);
    return out;
  }
  return value;
}
