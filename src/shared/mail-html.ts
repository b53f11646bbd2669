/**
 * Reading mail HTML safely (issue #4, point 4). Platform-free: sanitising needs a DOM, so the
 * renderer passes its DOMPurify instance (`DOMPurify(window)`); nothing here imports a DOM or Node.
 *
 * Layers, each sufficient against scripts on its own:
 * 1. `sanitizeMailHtml`: DOMPurify with scripts, styles sheets, frames, forms, meta/link/base and
 *    every `on*` attribute removed; URLs limited to https:, mailto:, cid: and data:image/…; remote
 *    images kept only as `data-blocked-src` until the official asks for them; links get
 *    `rel="noopener noreferrer" target="_blank"`.
 * 2. `srcdocFor`: the clean HTML wrapped in a document whose CSP forbids everything but inline
 *    styles and (local, or when allowed remote) images, shown in `<iframe sandbox="">` (no
 *    allow-scripts, no allow-same-origin): see `MAIL_IFRAME_SANDBOX`.
 */

/** The part of an element the hooks touch (a DOM `Element` satisfies it). */
export interface MailElementLike {
  readonly tagName: string;
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
  /** The official asked to show remote images for this mail (or sender). Default false. */
  allowRemoteImages?: boolean;
}

export interface SanitizedMail {
  html: string;
  /** Remote images were withheld (show the "Hiện ảnh" bar). */
  blockedRemoteImages: number;
}

/** Attribute that keeps a withheld remote image URL (never loaded while it sits there). */
export const BLOCKED_SRC_ATTR = 'data-blocked-src';

/** The iframe's sandbox attribute: empty = every restriction (no scripts, opaque origin, no forms, no popups). */
export const MAIL_IFRAME_SANDBOX = '';

export const MAIL_FORBID_TAGS: readonly string[] = [
  'script', 'style', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'form', 'input', 'button',
  'textarea', 'select', 'option', 'meta', 'link', 'base', 'noscript', 'template', 'portal',
];

/** Event handlers are also dropped by pattern (`on*`) in a hook; these are named for defence in depth. */
export const MAIL_FORBID_ATTR: readonly string[] = [
  'onerror', 'onload', 'onclick', 'onmouseover', 'onmouseenter', 'onfocus', 'onblur', 'onanimationstart',
  'ontoggle', 'onbegin', 'srcset', 'ping', 'formaction', 'action', 'background', 'poster', 'xlink:href',
];

/** https:, mailto:, cid: and raster/vector images as data: (DOMPurify tests the value without whitespace). */
export const MAIL_ALLOWED_URI_REGEXP = /^(?:https:|mailto:|cid:|data:image\/(?:png|gif|jpe?g|webp|bmp|svg\+xml)[;,])/i;

/** The DOMPurify configuration for mail bodies. */
export function mailPurifyConfig(): MailPurifyConfig {
  return {
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

const CSS_REMOTE_URL_RE = /url\(\s*(['"]?)\s*(?:https?:)?\/\/[^)]*\)/gi;

/** Inline CSS with remote `url(…)` replaced by `none` (background images are images too). */
export function stripRemoteCssUrls(style: string): string {
  return style.replace(CSS_REMOTE_URL_RE, 'none');
}

/** The hooks, exposed for tests with a fake element; `counter.blocked` counts withheld images. */
export function mailHooks(allowRemoteImages: boolean, counter: { blocked: number }) {
  const upon = (_node: MailElementLike, event: MailAttributeEvent): void => {
    if (/^on/i.test(event.attrName)) event.keepAttr = false;
  };
  const after = (node: MailElementLike): void => {
    const tag = node.tagName.toLowerCase();
    if (!allowRemoteImages) {
      const src = node.getAttribute('src');
      if (src !== null && isRemoteUrl(src)) {
        node.removeAttribute('src');
        if (tag === 'img') {
          node.setAttribute(BLOCKED_SRC_ATTR, src);
          counter.blocked += 1;
        }
      }
      const style = node.getAttribute('style');
      if (style !== null) {
        const stripped = stripRemoteCssUrls(style);
        if (stripped !== style) {
          node.setAttribute('style', stripped);
          counter.blocked += 1;
        }
      }
    }
    if (tag === 'a' && node.hasAttribute('href')) {
      node.setAttribute('rel', 'noopener noreferrer');
      node.setAttribute('target', '_blank');
    }
  };
  return { upon, after };
}

/**
 * Sanitise one mail body with the renderer's DOMPurify. Hooks are added for this call only
 * (removed in `finally`), so other users of the instance are not affected.
 */
export function sanitizeMailHtml(purify: PurifyLike, html: string, options: SanitizeOptions = {}): SanitizedMail {
  const counter = { blocked: 0 };
  const hooks = mailHooks(options.allowRemoteImages === true, counter);
  purify.addHook('uponSanitizeAttribute', hooks.upon);
  purify.addHook('afterSanitizeAttributes', hooks.after);
  try {
    return { html: purify.sanitize(html, mailPurifyConfig()), blockedRemoteImages: counter.blocked };
  } finally {
    purify.removeHook('afterSanitizeAttributes');
    purify.removeHook('uponSanitizeAttribute');
  }
}

/** The Content-Security-Policy of the mail frame. */
export function mailCsp(options: SanitizeOptions = {}): string {
  const img = options.allowRemoteImages === true ? "img-src data: cid: https:" : 'img-src data: cid:';
  return ["default-src 'none'", img, "style-src 'unsafe-inline'", "base-uri 'none'", "form-action 'none'"].join('; ');
}

function escapeAttr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * The `srcdoc` of the mail frame: already-sanitised HTML in a document whose first element is the
 * CSP meta (so it applies before any content), with no referrer sent for allowed images.
 */
export function srcdocFor(cleanHtml: string, options: SanitizeOptions = {}): string {
  return [
    '<!DOCTYPE html><html><head>',
    `<meta http-equiv="Content-Security-Policy" content="${escapeAttr(mailCsp(options))}">`,
    '<meta charset="utf-8"><meta name="referrer" content="no-referrer">',
    '</head><body>',
    cleanHtml,
    '</body></html>',
  ].join('');
}
