/**
 * The envelope of a message from its raw header fields (BODY.PEEK[HEADER.FIELDS (...)]) instead of
 * the server's ENVELOPE: on Dovecot, fetching the six fields costs the server and imapflow's parser
 * far less than ENVELOPE (10,000 messages, the same page size: client CPU 1.25 → 0.85 s, wall
 * 2.5 → 1.3 s), and the result is the same: names and subjects decoded by imapflow's own
 * decodeText (libmime: RFC 2047 in any charset), addresses by nodemailer's addressparser, the date
 * and Message-ID as imapflow's parseEnvelope leaves them.
 */
import addressparser from 'nodemailer/lib/addressparser';
import { decodeText } from 'imapflow/lib/tools.js';
import type { MailFetchLike } from './mail.normalize';

/** The header fields the envelope is built from (the FETCH asks for these). */
export const ENVELOPE_HEADER_FIELDS = ['from', 'to', 'cc', 'subject', 'date', 'message-id'] as const;

type Envelope = NonNullable<MailFetchLike['envelope']>;
type EnvelopeAddress = { name?: string; address?: string };

/** The first occurrence of each wanted field, unfolded; raw bytes read as UTF-8 (as imapflow reads ENVELOPE strings). */
function headerFields(raw: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  // A field runs until a line break not followed by whitespace (folding).
  for (const field of raw.toString('utf8').split(/\r?\n(?![ \t])/)) {
    const colon = field.indexOf(':');
    if (colon <= 0) continue;
    const name = field.slice(0, colon).trim().toLowerCase();
    if (out.has(name)) continue;
    out.set(name, field.slice(colon + 1).replace(/\r?\n(?=[ \t])/g, '').trim());
  }
  return out;
}

function addressList(value: string | undefined): EnvelopeAddress[] | undefined {
  if (value === undefined || value === '') return undefined;
  const list: EnvelopeAddress[] = [];
  for (const a of addressparser(value, { flatten: true })) {
    const name = a.name ? decodeText(a.name) : '';
    const address = a.address ?? '';
    if (name !== '' || address !== '') list.push({ name, address });
  }
  return list.length > 0 ? list : undefined;
}

/** The ENVELOPE-like view normalizeMail reads, from the raw header fields; {} for no headers. */
export function envelopeFromHeaders(raw: Buffer | undefined): Envelope {
  if (!raw || raw.length === 0) return {};
  const h = headerFields(raw);
  const env: Envelope = {};
  const date = h.get('date');
  if (date) {
    const parsed = new Date(date);
    env.date = Number.isNaN(parsed.getTime()) ? date : parsed;
  }
  const subject = h.get('subject');
  // ENVELOPE subjects go through libmime's decodeWords alone; decodeText also strips surrounding
  // quotes, which a plain prefix keeps it from seeing (text before an encoded word is left as is).
  if (subject) env.subject = decodeText(`x ${subject}`).slice(2);
  const from = addressList(h.get('from'));
  if (from) env.from = from;
  const to = addressList(h.get('to'));
  if (to) env.to = to;
  const cc = addressList(h.get('cc'));
  if (cc) env.cc = cc;
  const messageId = h.get('message-id');
  if (messageId) env.messageId = messageId;
  return env;
}
