/**
 * What the official should know before following a link found in a mail: the real destination host
 * (as the URL parser gives it: an internationalised name stays in its punycode form `xn--…`, so
 * look-alike letters cannot hide), whether it may be opened at all (http/https/mailto), and warnings:
 * the visible text names another domain than the destination (phishing), no https, punycode, a bare
 * IP address, credentials in the URL. Also finds links in plain-text bodies. Pure: no DOM.
 */
import { isOpenableExternalUrl } from '../../shared/mail-html';

export type LinkWarning =
  | { kind: 'textMismatch'; shown: string }
  | { kind: 'notHttps' }
  | { kind: 'punycode' }
  | { kind: 'ipHost' }
  | { kind: 'credentials' }
  | { kind: 'blocked'; scheme: string }
  | { kind: 'invalid' };

export interface LinkReport {
  n: number;
  /** As written in the mail. */
  href: string;
  /** Visible text (may be empty for image links). */
  text: string;
  /** `https:`, `mailto:`… ('' when the URL does not parse). */
  scheme: string;
  /** Destination host (punycode as is), or the address of a mailto: link; '' when none. */
  host: string;
  /** May be handed to the browser after confirmation. */
  openable: boolean;
  warnings: LinkWarning[];
  /** A warning that should make the official stop (mismatch, credentials, blocked, IP). */
  dangerous: boolean;
}

/** File extensions that look like top-level domains in prose ("baocao.pdf"): not domain names. */
const FILE_EXTENSIONS = new Set(['pdf', 'doc', 'docx', 'xls', 'xlsx', 'ppt', 'pptx', 'jpg', 'jpeg', 'png', 'gif', 'zip', 'rar', 'txt', 'odt', 'ods', 'csv', 'xml', 'html', 'htm', 'exe', 'msi', 'bmp', 'tif', 'tiff', 'mp3', 'mp4', 'rtf']);

const DOMAIN_TOKEN_RE =
  /(?:(https?):\/\/)?((?:[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?\.)+(\p{L}[\p{L}-]{1,23}|xn--[a-z0-9-]+))(?=$|[\s/:?#'")\]>,;!]|\.(?:\s|$))/giu;
const EMAIL_RE = /[\p{L}\p{N}._%+-]+@((?:[\p{L}\p{N}-]+\.)+\p{L}{2,})/iu;

/** Host as a URL parser writes it (lower case, punycode), or null. */
export function canonicalHost(host: string): string | null {
  try {
    const h = new URL(`http://${host}/`).hostname;
    return h === '' ? null : h;
  } catch {
    return null;
  }
}

function withoutWww(host: string): string {
  return host.startsWith('www.') ? host.slice(4) : host;
}

/** The domain the visible text of a link claims (a URL, "www.…" or a bare domain), or null. */
export function domainNamedBy(text: string): string | null {
  const email = EMAIL_RE.exec(text);
  if (email?.[1]) return canonicalHost(email[1]);
  DOMAIN_TOKEN_RE.lastIndex = 0;
  for (let m = DOMAIN_TOKEN_RE.exec(text); m !== null; m = DOMAIN_TOKEN_RE.exec(text)) {
    const scheme = m[1];
    const host = m[2] ?? '';
    const tld = (m[3] ?? '').toLowerCase();
    const explicit = scheme !== undefined || host.toLowerCase().startsWith('www.');
    if (!explicit && FILE_EXTENSIONS.has(tld)) continue;
    const canonical = canonicalHost(host);
    if (canonical) return canonical;
  }
  return null;
}

/** Does the destination belong to the domain the text names (same, or a subdomain of it)? */
export function hostMatches(destination: string, named: string): boolean {
  const d = withoutWww(destination.toLowerCase());
  const n = withoutWww(named.toLowerCase());
  return d === n || d.endsWith(`.${n}`);
}

export function checkLink(n: number, href: string, text: string): LinkReport {
  const warnings: LinkWarning[] = [];
  let url: URL | null = null;
  try {
    url = new URL(href.trim());
  } catch {
    url = null;
  }
  if (!url) {
    return { n, href, text, scheme: '', host: '', openable: false, warnings: [{ kind: 'invalid' }], dangerous: true };
  }
  const scheme = url.protocol;
  let host = '';
  if (scheme === 'mailto:') {
    try {
      host = decodeURIComponent(url.pathname);
    } catch {
      host = url.pathname;
    }
  } else if (scheme === 'http:' || scheme === 'https:') {
    host = url.hostname;
    if (scheme === 'http:') warnings.push({ kind: 'notHttps' });
    if (url.username || url.password) warnings.push({ kind: 'credentials' });
    if (/^[\d.]+$/.test(host) || host.startsWith('[')) warnings.push({ kind: 'ipHost' });
    if (host.split('.').some((label) => label.startsWith('xn--'))) warnings.push({ kind: 'punycode' });
  } else {
    warnings.push({ kind: 'blocked', scheme });
  }
  const named = domainNamedBy(text);
  if (named !== null && host !== '') {
    const destHost = scheme === 'mailto:' ? (canonicalHost(host.split('@').pop() ?? '') ?? host) : host;
    if (!hostMatches(destHost, named)) warnings.push({ kind: 'textMismatch', shown: named });
  }
  const openable = isOpenableExternalUrl(url.toString()) && !warnings.some((w) => w.kind === 'credentials');
  const dangerous = warnings.some((w) => w.kind === 'textMismatch' || w.kind === 'credentials' || w.kind === 'blocked' || w.kind === 'ipHost' || w.kind === 'invalid');
  return { n, href, text, scheme, host, openable, warnings, dangerous };
}

/** A link found in a plain-text body: [start, end) in the text. */
export interface TextLink {
  start: number;
  end: number;
  href: string;
  text: string;
}

const TEXT_URL_RE = /\b(?:(?:https?:\/\/|www\.)[^\s<>"'`]+|mailto:[^\s<>"'`]+)/gi;

/** URLs (http, https, www., mailto:) in plain text; trailing punctuation and unbalanced ")" left out. */
export function findTextLinks(text: string): TextLink[] {
  const out: TextLink[] = [];
  TEXT_URL_RE.lastIndex = 0;
  for (let m = TEXT_URL_RE.exec(text); m !== null; m = TEXT_URL_RE.exec(text)) {
    let raw = m[0];
    for (;;) {
      const last = raw.slice(-1);
      if (/[.,;:!?]/.test(last)) raw = raw.slice(0, -1);
      else if (last === ')' && (raw.match(/\(/g)?.length ?? 0) < (raw.match(/\)/g)?.length ?? 0)) raw = raw.slice(0, -1);
      else break;
    }
    if (raw.length < 5) continue;
    const href = /^www\./i.test(raw) ? `http://${raw}` : raw;
    out.push({ start: m.index, end: m.index + raw.length, href, text: raw });
  }
  return out;
}
