/**
 * Reading mail HTML safely (issue #4). Platform-free: sanitising needs a DOM, so the renderer passes
 * its DOMPurify instance (`DOMPurify(window)`); nothing here imports a DOM or Node.
 *
 * The design, verified in Chromium (tests/e2e/mail.e2e.ts):
 *
 * 1. `sanitizeMailHtml`: DOMPurify with the HTML profile only (no SVG/MathML), scripts, style
 *    sheets, frames, forms, media, meta/link/base and every `on*` attribute removed. Then our hooks:
 *    - `style` attributes never reach the page: they are cleaned (`cleanInlineStyle`: remote
 *      `url()` removed, `expression`, `behavior`, `-moz-binding`, `position: fixed` dropped) and
 *      kept as `data-cw-style`. The renderer's CSP (`style-src 'self'`) is inherited by an
 *      `<iframe srcdoc>` and would block inline styles anyway; the parent applies the cleaned text
 *      through CSSOM (`el.style.cssText = …`), which CSP does not govern.
 *    - images: `cid:` → the inline part as a data: URI; remote images are withheld as
 *      `data-blocked-src` (counted, their URLs listed) until the official asks the core to fetch
 *      them, then substituted as data: URIs; anything else (relative, file:, javascript:) dropped.
 *    - links (`a`/`area`) lose their `href`: they are numbered (`data-cw-link`), the destination goes
 *      into `title`, and they are listed beside the body, where the official sees the real host and
 *      opens them after confirming (never by clicking inside the mail).
 *    Before DOMPurify parses the mail, `neutralizeForParsing` renames its `style`/`on*` attributes
 *    and `<base>`/`<meta>` tags in the raw text: Chromium checks the page's CSP even while parsing
 *    into an inert document (DOMParser, <template>), and would log a violation for each of them
 *    although nothing is applied or run. DOMPurify then sanitises as usual (the renaming is not a
 *    security step; the hooks treat the renamed attributes like the originals).
 * 2. `srcdocFor`: the clean HTML in a document whose own CSP (a meta, which can only tighten the
 *    inherited one) allows nothing but data: images, shown in `<iframe sandbox="allow-same-origin">`:
 *    no `allow-scripts`, so nothing ever runs inside; same origin only so the parent can apply the
 *    cleaned styles and size the frame. Chromium does not apply the parent's `default-src 'none'`
 *    (frame-src) to about:srcdoc.
 */

/** The part of an element the hooks touch (a DOM `Element` satisfies it). */
export interface MailElementLike {
  readonly tagName: string;
  readonly textContent: string | null;
  hasAttribute(name: string): boolean;
  getAttribute(name: string): string | null;
  setAttribute(name: string, value: string): void;
  removeAttribute(name: string): void;
}

/** The DOMPurify hook event for attributes (subset). */
export interface MailAttributeEvent {
  attrName: string;
  attrValue: string;
  keepAttr: boolean;
}

/** DOMPurify configuration fields used here (a subset of DOMPurify's `Config`). */
export interface MailPurifyConfig {
  USE_PROFILES: { html: true };
  FORBID_TAGS: string[];
  FORBID_ATTR: string[];
  ALLOWED_URI_REGEXP: RegExp;
  ALLOW_DATA_ATTR: boolean;
  ALLOW_UNKNOWN_PROTOCOLS: boolean;
  WHOLE_DOCUMENT: boolean;
  RETURN_DOM: false;
  RETURN_DOM_FRAGMENT: false;
  RETURN_TRUSTED_TYPE: false;
}

/** What `sanitizeMailHtml` needs from a DOMPurify instance. */
export interface PurifyLike {
  sanitize(dirty: string, config: MailPurifyConfig): string;
  addHook(entryPoint: 'afterSanitizeAttributes', hook: (node: MailElementLike) => void): void;
  addHook(entryPoint: 'uponSanitizeAttribute', hook: (node: MailElementLike, event: MailAttributeEvent) => void): void;
  removeHook(entryPoint: 'afterSanitizeAttributes' | 'uponSanitizeAttribute'): unknown;
}

export interface SanitizeOptions {
  /** Content-ID (without <>) → data: URI of the mail's inline parts (`mail.body`'s inlineImages). */
  inlineImages?: Readonly<Record<string, string>>;
  /**
   * Remote image URL → data: URI fetched by the core (`mail.remoteImages`), null when it could not
   * be fetched. Remote images not in here stay withheld.
   */
  remoteImages?: Readonly<Record<string, string | null>>;
}

/** A link of the body, numbered in document order (1-based, the marker shown in the body). */
export interface MailBodyLink {
  n: number;
  /** The destination exactly as written in the mail (not opened, not fetched). */
  href: string;
  /** The visible text of the link (whitespace collapsed), empty for image-only links. */
  text: string;
}

export interface SanitizedMail {
  html: string;
  /** Remote images withheld (the "Hiện hình ảnh" bar counts them). */
  blockedRemoteImages: number;
  /** Their distinct URLs, in document order (what `mail.remoteImages` is asked for). */
  remoteImageUrls: string[];
  /** Remote `url()`s removed from inline styles (never fetched). */
  removedCssUrls: number;
  /** Images the core could not fetch after all (the bar says so). */
  failedRemoteImages: number;
  links: MailBodyLink[];
}

/** Attribute that keeps a withheld remote image URL (never loaded while it sits there). */
export const BLOCKED_SRC_ATTR = 'data-blocked-src';
/** Attribute that carries an element's cleaned inline style, applied by the parent through CSSOM. */
export const STYLE_ATTR = 'data-cw-style';
/** Attribute that numbers a neutralised link (its marker in the body, its row in the link list). */
export const LINK_ATTR = 'data-cw-link';

/** The frame's sandbox: no scripts ever; same origin only so the parent can style and size it. */
export const MAIL_IFRAME_SANDBOX = 'allow-same-origin';

export const MAIL_FORBID_TAGS: readonly string[] = [
  'script', 'style', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'form', 'input', 'button',
  'textarea', 'select', 'option', 'meta', 'link', 'base', 'noscript', 'template', 'portal', 'video', 'audio',
  'source', 'track', 'title', 'head', 'dialog', 'slot',
];

/** Event handlers are also dropped by pattern (`on*`) in a hook; these are named for defence in depth. */
export const MAIL_FORBID_ATTR: readonly string[] = [
  'onerror', 'onload', 'onclick', 'onmouseover', 'onmouseenter', 'onfocus', 'onblur', 'onanimationstart',
  'ontoggle', 'onbegin', 'srcset', 'ping', 'formaction', 'action', 'background', 'poster', 'xlink:href',
  'target', 'download', 'autofocus', 'contenteditable', 'popover',
];

/**
 * Values of ordinary attributes (width, align, colspan…) pass; so do https:, mailto:, cid: and
 * data: images. `href` and `src` never get here: the hooks take them over (see the header).
 */
export const MAIL_ALLOWED_URI_REGEXP =
  /^(?:(?:https|mailto|cid):|data:image\/(?:png|gif|jpe?g|webp|bmp)[;,]|[^a-z]|[a-z+.-]+(?:[^a-z+.\-:]|$))/i;

/** Images the frame may show: raster data: URIs only (the frame's CSP also allows only data:). */
const DATA_IMAGE_RE = /^data:image\/(?:png|gif|jpe?g|webp|bmp|avif);base64,[a-z0-9+/=\s]+$/i;

export function isDataImageUri(value: string): boolean {
  return DATA_IMAGE_RE.test(value.trim());
}

/** The DOMPurify configuration for mail bodies. */
export function mailPurifyConfig(): MailPurifyConfig {
  return {
    USE_PROFILES: { html: true },
    FORBID_TAGS: [...MAIL_FORBID_TAGS],
    FORBID_ATTR: [...MAIL_FORBID_ATTR],
    ALLOWED_URI_REGEXP: MAIL_ALLOWED_URI_REGEXP,
    ALLOW_DATA_ATTR: false,
    ALLOW_UNKNOWN_PROTOCOLS: false,
    WHOLE_DOCUMENT: false,
    RETURN_DOM: false,
    RETURN_DOM_FRAGMENT: false,
    RETURN_TRUSTED_TYPE: false,
  };
}

/** Would loading this URL reach the network (http:, https: or protocol-relative)? */
export function isRemoteUrl(url: string): boolean {
  return /^\s*(?:https?:)?\/\//i.test(url);
}

/** `cid:part1@x` / `cid:<part1@x>` → `part1@x`; null when not a cid: URL. */
export function contentIdOf(url: string): string | null {
  const m = /^\s*cid:\s*<?([^>\s]+)>?\s*$/i.exec(url);
  if (!m?.[1]) return null;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return m[1];
  }
}

// ---------- inline CSS ----------

/** Properties that run code or bind behaviour in some engine: dropped whatever their value. */
const FORBIDDEN_CSS_PROPERTIES: ReadonlySet<string> = new Set(['behavior', '-ms-behavior', '-moz-binding', 'binding']);
const FORBIDDEN_CSS_VALUE_RE = /expression\s*\(|javascript:|vbscript:|-moz-binding|behavior\s*:|image-set\s*\(|(?<![a-z-])src\s*\(|@import/i;
const CSS_URL_RE = /url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"]*))\s*\)/gi;

/** Split a declaration list at `;` outside quotes and parentheses. */
function splitDeclarations(css: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let current = '';
  for (const ch of css) {
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '(') depth += 1;
    else if (ch === ')') depth = Math.max(0, depth - 1);
    else if (ch === ';' && depth === 0) {
      out.push(current);
      current = '';
      continue;
    }
    current += ch;
  }
  out.push(current);
  return out;
}

export interface CleanedStyle {
  css: string;
  /** Remote `url()`s that were removed. */
  removedRemoteUrls: number;
}

/**
 * An inline `style` made safe to apply: comments and declarations with CSS escapes removed (they
 * could spell `url(` or `expression` in disguise), code-running properties and `position: fixed`
 * dropped, `url()` kept only for data: images (and `cid:` parts turned into them), other URLs
 * replaced by `none`.
 */
export function cleanInlineStyle(style: string, inlineImages: Readonly<Record<string, string>> = {}): CleanedStyle {
  let removedRemoteUrls = 0;
  const kept: string[] = [];
  const withoutComments = style.replace(/\/\*[\s\S]*?(?:\*\/|$)/g, ' ');
  for (const raw of splitDeclarations(withoutComments)) {
    const decl = raw.trim();
    if (decl === '') continue;
    const colon = decl.indexOf(':');
    if (colon <= 0) continue;
    const prop = decl.slice(0, colon).trim().toLowerCase();
    let value = decl.slice(colon + 1).trim();
    if (!/^-?[a-z][a-z0-9-]*$/.test(prop) || value === '') continue;
    if (decl.includes('\\') || /[<>]/.test(value)) continue;
    if (FORBIDDEN_CSS_PROPERTIES.has(prop) || FORBIDDEN_CSS_VALUE_RE.test(value)) continue;
    if (prop === 'position' && /^fixed\b/i.test(value)) continue;
    value = value.replace(CSS_URL_RE, (_whole, dq: string | undefined, sq: string | undefined, bare: string | undefined) => {
      const url = (dq ?? sq ?? bare ?? '').trim();
      if (isDataImageUri(url)) return `url("${url}")`;
      const cid = contentIdOf(url);
      const inline = cid !== null ? inlineImages[cid] : undefined;
      if (inline !== undefined && isDataImageUri(inline)) return `url("${inline}")`;
      if (isRemoteUrl(url)) removedRemoteUrls += 1;
      return 'none';
    });
    // A url( left unmatched (unbalanced quotes…) is not trusted.
    if (/url\(\s*(?!"data:image\/)/i.test(value)) continue;
    kept.push(`${prop}: ${value}`);
  }
  return { css: kept.join('; '), removedRemoteUrls };
}

/** Inline CSS with remote `url(…)` replaced by `none` (kept for callers that only need that). */
export function stripRemoteCssUrls(style: string): string {
  return style.replace(/url\(\s*(['"]?)\s*(?:https?:)?\/\/[^)]*\)/gi, 'none');
}

// ---------- before parsing ----------

/** What `neutralizeForParsing` renames attributes and tags to (prefixes, then the original name). */
export const RAW_ATTR_PREFIX = 'data-cw-raw-';
const RAW_TAG_PREFIX = 'cw-raw-';
const RENAMED_TAGS: ReadonlySet<string> = new Set(['base', 'meta']);
/** Elements whose content is text up to their end tag (the HTML tokenizer's raw text states). */
const RAW_TEXT_TAGS: ReadonlySet<string> = new Set(['script', 'style', 'textarea', 'title', 'xmp', 'iframe', 'noembed', 'noframes', 'noscript']);

const TAG_OPEN_RE = /<([a-zA-Z][^\s/>\0]*)/y;
const SPACE_RE = /[\s/]+/y;
const ATTR_NAME_RE = /[^\s/>][^\s/>=]*/y;
const EQ_RE = /\s*=\s*/y;
const QUOTED_RE = /"[^"]*"?|'[^']*'?/y;
const UNQUOTED_RE = /[^\s>]*/y;
const STYLE_END_RE = /<\/style[^>]*>?/iy;

function matchAt(re: RegExp, text: string, at: number): string | null {
  re.lastIndex = at;
  const m = re.exec(text);
  return m ? m[0] : null;
}

/**
 * The raw HTML with `style` and `on*` attributes renamed to `data-cw-raw-…` and `<base>`/`<meta>`
 * renamed to unknown elements, following the HTML tokenizer closely enough (comments, quoted values,
 * raw-text elements). Text and everything else stay as they are.
 */
export function neutralizeForParsing(html: string): string {
  const out: string[] = [];
  const n = html.length;
  let lowerHtml: string | null = null;
  let i = 0;
  while (i < n) {
    const lt = html.indexOf('<', i);
    if (lt < 0) {
      out.push(html.slice(i));
      break;
    }
    out.push(html.slice(i, lt));
    i = lt;
    if (html.startsWith('<!--', i)) {
      const end = html.indexOf('-->', i + 4);
      const stop = end < 0 ? n : end + 3;
      out.push(html.slice(i, stop));
      i = stop;
      continue;
    }
    const open = matchAt(TAG_OPEN_RE, html, i);
    if (open === null) {
      out.push('<');
      i += 1;
      continue;
    }
    const name = open.slice(1);
    const lower = name.toLowerCase();
    const tagStart = out.length;
    out.push(RENAMED_TAGS.has(lower) ? `<${RAW_TAG_PREFIX}${name}` : open);
    i += open.length;
    // Attributes up to the end of the tag.
    while (i < n) {
      const space = matchAt(SPACE_RE, html, i);
      if (space !== null) {
        out.push(space);
        i += space.length;
      }
      if (i >= n || html[i] === '>') break;
      const attr = matchAt(ATTR_NAME_RE, html, i);
      if (attr === null) break;
      const attrLower = attr.toLowerCase();
      out.push(attrLower === 'style' || attrLower.startsWith('on') ? `${RAW_ATTR_PREFIX}${attrLower}` : attr);
      i += attr.length;
      const eq = matchAt(EQ_RE, html, i);
      if (eq !== null) {
        out.push(eq);
        i += eq.length;
        const value = matchAt(QUOTED_RE, html, i) ?? matchAt(UNQUOTED_RE, html, i) ?? '';
        out.push(value);
        i += value.length;
      }
    }
    if (i < n && html[i] === '>') {
      out.push('>');
      i += 1;
    }
    if (RAW_TEXT_TAGS.has(lower)) {
      lowerHtml ??= html.toLowerCase();
      const close = lowerHtml.indexOf(`</${lower}`, i);
      const stop = close < 0 ? n : close;
      if (lower === 'style') {
        // A style sheet goes here already (DOMPurify would drop it with its content): even parsed
        // inert, Chromium checks a <style> element against the page's CSP.
        out.length = tagStart;
        STYLE_END_RE.lastIndex = stop;
        const end = STYLE_END_RE.exec(html);
        i = end ? stop + end[0].length : n;
        continue;
      }
      out.push(html.slice(i, stop));
      i = stop;
    }
  }
  return out.join('');
}

// ---------- hooks ----------

interface HookState {
  blocked: number;
  failed: number;
  remoteUrls: string[];
  removedCssUrls: number;
  links: Array<{ n: number; href: string; node: MailElementLike }>;
}

/** The hooks, exposed for tests with a fake element; `state` collects what they saw. */
export function mailHooks(options: SanitizeOptions, state: HookState) {
  const inline = options.inlineImages ?? {};
  const remote = options.remoteImages ?? {};
  // Attributes the hooks take over from DOMPurify (it removes them; we decide what comes back).
  const styles = new Map<MailElementLike, string>();
  const hrefs = new Map<MailElementLike, string>();
  const srcs = new Map<MailElementLike, string>();

  const upon = (node: MailElementLike, event: MailAttributeEvent): void => {
    const name = event.attrName.toLowerCase();
    if (/^on/.test(name) || (name.startsWith('data-cw-') && name !== `${RAW_ATTR_PREFIX}style`) || name === BLOCKED_SRC_ATTR) {
      event.keepAttr = false;
      return;
    }
    if (name === 'style' || name === `${RAW_ATTR_PREFIX}style`) {
      styles.set(node, event.attrValue);
      event.keepAttr = false;
    } else if (name.startsWith(RAW_ATTR_PREFIX)) {
      event.keepAttr = false;
    } else if (name === 'href') {
      hrefs.set(node, event.attrValue);
      event.keepAttr = false;
    } else if (name === 'src') {
      srcs.set(node, event.attrValue);
      event.keepAttr = false;
    }
  };

  const after = (node: MailElementLike): void => {
    const tag = node.tagName.toLowerCase();

    const style = styles.get(node);
    if (style !== undefined) {
      styles.delete(node);
      const cleaned = cleanInlineStyle(style, inline);
      state.removedCssUrls += cleaned.removedRemoteUrls;
      if (cleaned.css !== '') node.setAttribute(STYLE_ATTR, cleaned.css);
    }

    const src = srcs.get(node);
    if (src !== undefined) {
      srcs.delete(node);
      if (tag === 'img') {
        const url = src.trim();
        const cid = contentIdOf(url);
        if (isDataImageUri(url)) node.setAttribute('src', url);
        else if (cid !== null) {
          const data = inline[cid];
          if (data !== undefined && isDataImageUri(data)) node.setAttribute('src', data);
        } else if (isRemoteUrl(url)) {
          const fetched = remote[url];
          if (typeof fetched === 'string' && isDataImageUri(fetched)) node.setAttribute('src', fetched);
          else {
            node.setAttribute(BLOCKED_SRC_ATTR, url);
            if (fetched === null) state.failed += 1;
            else {
              state.blocked += 1;
              if (!state.remoteUrls.includes(url)) state.remoteUrls.push(url);
            }
          }
        }
      }
    }

    const href = hrefs.get(node);
    if (href !== undefined) {
      hrefs.delete(node);
      if (tag === 'a' || tag === 'area') {
        const n = state.links.length + 1;
        const dest = href.trim();
        state.links.push({ n, href: dest, node });
        node.setAttribute(LINK_ATTR, String(n));
        node.setAttribute('title', `[${n}] ${dest.slice(0, 500)}`);
      }
    }
  };
  return { upon, after };
}

/**
 * Sanitise one mail body with the renderer's DOMPurify. Hooks are added for this call only
 * (removed in `finally`), so other users of the instance are not affected.
 */
export function sanitizeMailHtml(purify: PurifyLike, html: string, options: SanitizeOptions = {}): SanitizedMail {
  const state: HookState = { blocked: 0, failed: 0, remoteUrls: [], removedCssUrls: 0, links: [] };
  const hooks = mailHooks(options, state);
  purify.addHook('uponSanitizeAttribute', hooks.upon);
  purify.addHook('afterSanitizeAttributes', hooks.after);
  let clean: string;
  try {
    clean = purify.sanitize(neutralizeForParsing(html), mailPurifyConfig());
  } finally {
    purify.removeHook('afterSanitizeAttributes');
    purify.removeHook('uponSanitizeAttribute');
  }
  return {
    html: clean,
    blockedRemoteImages: state.blocked,
    remoteImageUrls: state.remoteUrls,
    removedCssUrls: state.removedCssUrls,
    failedRemoteImages: state.failed,
    // The nodes were sanitised after their hook ran: their text now is what the frame shows.
    links: state.links.map((l) => ({ n: l.n, href: l.href, text: (l.node.textContent ?? '').replace(/\s+/g, ' ').trim() })),
  };
}

// ---------- the frame ----------

/** The Content-Security-Policy of the mail frame (added to the inherited one: it can only tighten). */
export function mailCsp(): string {
  return ["default-src 'none'", 'img-src data:', "style-src 'none'", "font-src 'none'", "base-uri 'none'", "form-action 'none'"].join('; ');
}

function escapeAttr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * The `srcdoc` of the mail frame: already-sanitised HTML in a document whose first element is the
 * CSP meta (so it applies before any content), with no referrer sent.
 */
export function srcdocFor(cleanHtml: string, lang = 'vi'): string {
  return [
    `<!DOCTYPE html><html lang="${escapeAttr(lang)}"><head>`,
    `<meta http-equiv="Content-Security-Policy" content="${escapeAttr(mailCsp())}">`,
    '<meta charset="utf-8"><meta name="referrer" content="no-referrer">',
    '</head><body>',
    cleanHtml,
    '</body></html>',
  ].join('');
}

// ---------- leaving the app ----------

/**
 * May this URL be handed to the system browser / mail program? http(s) to a named host without
 * credentials, or mailto: with one address. The renderer asks the official first; the Electron
 * shell checks again before `shell.openExternal`.
 */
export function isOpenableExternalUrl(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return false;
  }
  if (url.protocol === 'mailto:') {
    let to: string;
    try {
      to = decodeURIComponent(url.pathname);
    } catch {
      return false;
    }
    return /^[^@\s,;<>]+@[^@\s,;<>]+$/.test(to);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return false;
  if (url.username || url.password) return false;
  const host = url.hostname;
  return host.includes('.') && !/^[\d.]+$/.test(host) && !host.startsWith('[');
}

const WINDOWS_RESERVED = /^(?:con|prn|aux|nul|com\d|lpt\d)(?:\..*)?$/i;

/** A file name from a mail that is safe as a default save name: no folders, no control characters. */
export function safeAttachmentName(name: string | null | undefined, fallback = 'tep-dinh-kem'): string {
  let base = (name ?? '').normalize('NFC');
  base = base.split(/[\\/]/).pop() ?? '';
  base = base.replace(/[\u0000-\u001f\u007f<>:"|?*]/g, '_').replace(/\s+/g, ' ').trim();
  base = base.replace(/^[.\s]+/, '').replace(/[.\s]+$/, '');
  if (base === '') return fallback;
  if (WINDOWS_RESERVED.test(base)) base = `_${base}`;
  if (base.length > 200) {
    const dot = base.lastIndexOf('.');
    const ext = dot > 0 && base.length - dot <= 10 ? base.slice(dot) : '';
    base = base.slice(0, 200 - ext.length) + ext;
  }
  return base;
}
