/**
 * Mail HTML on the core side (plain Node, no DOM).
 *
 * Sanitising needs a DOM, and the core has none: HTML is sanitised only in the renderer, with
 * `sanitizeMailHtml(DOMPurify(window), html)` from src/shared/mail-html.ts, and shown in a
 * `<iframe sandbox="" srcdoc=…>` built by `srcdocFor`. The core never hands HTML to anything that
 * renders it; it only keeps a plain-text preview (MailDetail.preview is "never HTML"), made here.
 */
export { BLOCKED_SRC_ATTR, mailCsp, mailPurifyConfig, sanitizeMailHtml, srcdocFor, type PurifyLike } from '../../shared/mail-html';

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

/**
 * Rough text of an HTML body for previews and link extraction (not for display as HTML):
 * script/style content dropped, tags removed, block ends as line breaks, entities decoded.
 */
export function htmlToText(html: string): string {
  return decodeEntities(
    html
      .replace(/<(script|style|head|title)\b[\s\S]*?<\/\1\s*>/gi, ' ')
      .replace(/<!--[\s\S]*?-->/g, ' ')
      .replace(/<br\s*\/?>|<\/(p|div|li|tr|h[1-6]|blockquote)\s*>/gi, '\n')
      .replace(/<[^>]*>/g, ' '),
  )
    .replace(/[ \t\u00a0]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Plain-text preview of a mail: the text part, else the HTML's text; whitespace collapsed, cut at `max`. */
export function mailPreview(body: { text?: string | null; html?: string | null }, max = 280): string | null {
  const source = body.text?.trim() ? body.text : body.html ? htmlToText(body.html) : '';
  const flat = source.normalize('NFC').replace(/\s+/g, ' ').trim();
  if (flat === '') return null;
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).trimEnd()}…`;
}
