/**
 * The DOM side of reading mail: the renderer's DOMPurify instance, the text of a sanitised body
 * (for quoting in replies), and preparing the sandboxed frame — base styles through a constructed
 * style sheet and the cleaned inline styles through CSSOM (neither is governed by CSP, unlike
 * `style` attributes and `<style>` elements), then its height.
 */
import DOMPurify from 'dompurify';
import { LINK_ATTR, STYLE_ATTR, sanitizeMailHtml, type PurifyLike, type SanitizedMail, type SanitizeOptions } from '../../shared/mail-html';

/** A DOMPurify instance of this window, with the mail configuration applied per call. */
export function createMailSanitizer(win: Window & typeof globalThis): (html: string, options: SanitizeOptions) => SanitizedMail {
  const purify: PurifyLike = DOMPurify(win);
  return (html, options) => sanitizeMailHtml(purify, html, options);
}

const BLOCK_TAGS = new Set(['P', 'DIV', 'TR', 'LI', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'TABLE', 'BLOCKQUOTE', 'PRE', 'UL', 'OL', 'SECTION', 'ARTICLE', 'HEADER', 'FOOTER', 'HR', 'ADDRESS', 'DL', 'DT', 'DD']);

/** Plain text of already-sanitised HTML (parsed inert: nothing loads, nothing runs). */
export function htmlToPlainText(win: Window & typeof globalThis, cleanHtml: string): string {
  const doc = new win.DOMParser().parseFromString(`<body>${cleanHtml}</body>`, 'text/html');
  let out = '';
  const walk = (node: Node, pre: boolean): void => {
    if (node.nodeType === 3) {
      const text = node.textContent ?? '';
      out += pre ? text : text.replace(/\s+/g, ' ');
      return;
    }
    if (node.nodeType !== 1) return;
    const el = node as Element;
    const tag = el.tagName;
    if (tag === 'BR') {
      out += '\n';
      return;
    }
    const block = BLOCK_TAGS.has(tag);
    if (block && !out.endsWith('\n') && out !== '') out += '\n';
    if (tag === 'LI') out += '- ';
    if (tag === 'TD' || tag === 'TH') out += out.endsWith('\n') || out === '' ? '' : '\t';
    for (const child of Array.from(el.childNodes)) walk(child, pre || tag === 'PRE');
    if (block && !out.endsWith('\n')) out += '\n';
  };
  walk(doc.body, false);
  return out
    .split('\n')
    .map((l) => l.replace(/[ \t]+$/g, '').replace(/^ +/, ''))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Base look of a mail inside the frame; link markers come from `data-cw-link`. */
export const MAIL_FRAME_CSS = `
html { color-scheme: light; }
body { margin: 12px 14px; font: 14px/1.55 "Segoe UI", Roboto, "Noto Sans", Arial, sans-serif; color: #1c2024; overflow-wrap: anywhere; }
img { max-width: 100%; height: auto; }
table { max-width: 100%; }
pre { white-space: pre-wrap; }
blockquote { margin: 0 0 0 6px; padding-left: 10px; border-left: 3px solid #c9ced6; color: #4a5565; }
a[${LINK_ATTR}] { color: #1f4fa3; text-decoration: underline dotted; cursor: help; }
a[${LINK_ATTR}]::after, area[${LINK_ATTR}]::after { content: "[" attr(${LINK_ATTR}) "]"; font-size: 0.72em; vertical-align: super; margin-left: 1px; color: #7a3e00; font-weight: 600; text-decoration: none; }
a[${LINK_ATTR}].cw-link-active { outline: 2px solid #f5a524; outline-offset: 1px; }
img[data-blocked-src] { display: inline-block; min-width: 24px; min-height: 16px; background: #eef1f5; outline: 1px dashed #b4bcc8; }
`;

/**
 * Make a loaded mail frame readable: base sheet, cleaned inline styles, height to its content.
 * Returns the content height in CSS pixels, or null when the frame is not accessible.
 */
export function prepareMailFrame(frame: HTMLIFrameElement): number | null {
  const doc = frame.contentDocument;
  const win = frame.contentWindow as (Window & typeof globalThis) | null;
  if (!doc || !win || !doc.body) return null;
  if (doc.documentElement.getAttribute('data-cw-ready') !== '1') {
    const sheet = new win.CSSStyleSheet();
    sheet.replaceSync(MAIL_FRAME_CSS);
    doc.adoptedStyleSheets = [sheet];
    for (const el of Array.from(doc.querySelectorAll<HTMLElement>(`[${STYLE_ATTR}]`))) {
      el.style.cssText = el.getAttribute(STYLE_ATTR) ?? '';
    }
    doc.documentElement.setAttribute('data-cw-ready', '1');
  }
  return measureMailFrame(frame);
}

/** Height of the frame's content (the frame itself never scrolls vertically). */
export function measureMailFrame(frame: HTMLIFrameElement): number | null {
  const doc = frame.contentDocument;
  if (!doc?.body) return null;
  const win = frame.contentWindow;
  const style = win ? win.getComputedStyle(doc.body) : null;
  const margins = style ? parseFloat(style.marginTop) + parseFloat(style.marginBottom) : 0;
  // Horizontal overflow (wide tables) adds a scroll bar at the bottom.
  const scrollbar = doc.documentElement.scrollWidth > doc.documentElement.clientWidth ? 16 : 0;
  return Math.ceil(Math.max(doc.body.scrollHeight + margins, doc.body.getBoundingClientRect().height + margins)) + scrollbar;
}

/** Highlight link n inside the frame (the official chose it in the list). */
export function highlightFrameLink(frame: HTMLIFrameElement | null, n: number | null): void {
  const doc = frame?.contentDocument;
  if (!doc) return;
  for (const el of Array.from(doc.querySelectorAll('.cw-link-active'))) el.classList.remove('cw-link-active');
  if (n === null) return;
  const target = doc.querySelector(`[${LINK_ATTR}="${n}"]`);
  if (target) {
    target.classList.add('cw-link-active');
    target.scrollIntoView({ block: 'nearest' });
  }
}
