/**
 * Just enough MIME writing for the training mailbox: RFC 2047 encoded words (B and Q), quoted-
 * printable and base64 bodies, RFC 2231 file names, windows-1258. Output is 7-bit ASCII with CRLF.
 */

export const CRLF = '\r\n';

export type Charset = 'UTF-8' | 'windows-1258';

let cp1258Table: Map<string, number> | null = null;

/** Encode text as windows-1258: tone marks as combining bytes after a base letter the code page has. */
export function encodeWindows1258(text: string): Uint8Array {
  if (cp1258Table === null) {
    const bytes = new Uint8Array(128).map((_, i) => 128 + i);
    const decoded = new TextDecoder('windows-1258').decode(bytes);
    cp1258Table = new Map();
    [...decoded].forEach((ch, i) => {
      if (ch !== '\ufffd' && !cp1258Table?.has(ch)) cp1258Table?.set(ch, 128 + i);
    });
  }
  const table = cp1258Table;
  const out: number[] = [];
  const put = (ch: string): boolean => {
    const code = ch.codePointAt(0) ?? 63;
    if (code < 128) out.push(code);
    else if (table.has(ch)) out.push(table.get(ch) ?? 63);
    else return false;
    return true;
  };
  for (const ch of text.normalize('NFC')) {
    if (put(ch)) continue;
    // Split off the tone mark (grave, acute, tilde, hook, dot below); keep ơ/ư/â/ă/ê/ô composed.
    const nfd = ch.normalize('NFD');
    const tones = [...nfd].filter((c) => /[\u0300\u0301\u0303\u0309\u0323]/.test(c));
    const base = [...nfd].filter((c) => !/[\u0300\u0301\u0303\u0309\u0323]/.test(c)).join('').normalize('NFC');
    if (!put(base)) out.push(63);
    for (const t of tones) if (!put(t)) out.push(63);
  }
  return Uint8Array.from(out);
}

export function encodeText(text: string, charset: Charset): Uint8Array {
  return charset === 'UTF-8' ? new TextEncoder().encode(text) : encodeWindows1258(text);
}

export function base64Lines(bytes: Uint8Array): string {
  const b64 = Buffer.from(bytes).toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 76) lines.push(b64.slice(i, i + 76));
  return lines.join(CRLF);
}

/** Quoted-printable (RFC 2045) of text with `\n` line breaks, lines ≤ 76 characters. */
export function quotedPrintable(text: string, charset: Charset): string {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const bytes = encodeText(line, charset);
    let current = '';
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i] ?? 0;
      const last = i === bytes.length - 1;
      const literal = (b >= 33 && b <= 126 && b !== 61) || ((b === 32 || b === 9) && !last);
      const token = literal ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, '0')}`;
      if (current.length + token.length > 75) {
        out.push(`${current}=`);
        current = '';
      }
      current += token;
    }
    out.push(current);
  }
  return out.join(CRLF);
}

function utf8Chunks(text: string, maxBytes: number, charset: Charset): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let current: number[] = [];
  for (const ch of text) {
    const bytes = encodeText(ch, charset);
    if (current.length + bytes.length > maxBytes && current.length > 0) {
      chunks.push(Uint8Array.from(current));
      current = [];
    }
    current.push(...bytes);
  }
  if (current.length > 0) chunks.push(Uint8Array.from(current));
  return chunks;
}

/** RFC 2047 encoded words for a header value, folded onto continuation lines. */
export function encodeWords(text: string, mode: 'B' | 'Q', charset: Charset = 'UTF-8'): string {
  if (/^[\x20-\x7e]*$/.test(text)) return text;
  const prefix = `=?${charset}?${mode}?`;
  const words =
    mode === 'B'
      ? utf8Chunks(text, 45, charset).map((c) => `${prefix}${Buffer.from(c).toString('base64')}?=`)
      : utf8Chunks(text, 20, charset).map((c) => {
          let q = '';
          for (const b of c) {
            if (b === 32) q += '_';
            else if ((b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b === 33 || b === 42 || b === 43 || b === 45 || b === 47) q += String.fromCharCode(b);
            else q += `=${b.toString(16).toUpperCase().padStart(2, '0')}`;
          }
          return `${prefix}${q}?=`;
        });
  return words.join(`${CRLF} `);
}

/** `"Name" <addr>` with the display name encoded when needed. */
export function address(name: string | null, addr: string): string {
  if (name === null) return `<${addr}>`;
  return /^[\x20-\x7e]*$/.test(name) ? `"${name.replace(/["\\]/g, '')}" <${addr}>` : `${encodeWords(name, 'B')} <${addr}>`;
}

/** RFC 5322 date in +0700 (office time), e.g. `Tue, 03 Mar 2026 09:15:00 +0700`. */
export function rfc5322Date(ms: number): string {
  const d = new Date(ms + 7 * 3_600_000);
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]}, ${p(d.getUTCDate())} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0700`;
}

export interface TextPart {
  type: 'text/plain' | 'text/html';
  text: string;
  charset: Charset;
  encoding: 'quoted-printable' | 'base64';
}

export interface AttachmentPart {
  filename: string;
  contentType: string;
  bytes: Uint8Array;
}

export function textPart(p: TextPart): string {
  const body = p.encoding === 'base64' ? base64Lines(encodeText(p.text.replace(/\n/g, CRLF), p.charset)) : quotedPrintable(p.text, p.charset);
  return [`Content-Type: ${p.type}; charset=${p.charset === 'UTF-8' ? 'utf-8' : p.charset}`, `Content-Transfer-Encoding: ${p.encoding}`, '', body].join(CRLF);
}

export function attachmentPart(a: AttachmentPart): string {
  const ascii = /^[\x20-\x7e]*$/.test(a.filename);
  const disposition = ascii
    ? `attachment; filename="${a.filename}"`
    : `attachment;${CRLF} filename*=UTF-8''${encodeURIComponent(a.filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
  const nameParam = ascii ? `; name="${a.filename}"` : '';
  return [`Content-Type: ${a.contentType}${nameParam}`, 'Content-Transfer-Encoding: base64', `Content-Disposition: ${disposition}`, '', base64Lines(a.bytes)].join(CRLF);
}

export function multipart(subtype: 'mixed' | 'alternative', boundary: string, parts: readonly string[]): string {
  return [`Content-Type: multipart/${subtype}; boundary="${boundary}"`, '', 'This is a multi-part message in MIME format.', ...parts.flatMap((p) => [`--${boundary}`, p]), `--${boundary}--`, ''].join(CRLF);
}

/** A tiny but well-formed one-page PDF showing `title` (ASCII only). */
export function tinyPdf(title: string): Uint8Array {
  const safe = title.replace(/[^\x20-\x7e]/g, '?').replace(/[()\\]/g, '');
  const stream = `BT /F1 12 Tf 72 770 Td (${safe}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let pdf = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(pdf.length);
    pdf += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new TextEncoder().encode(pdf);
}
