/**
 * The compose form's logic: who a reply goes to, subjects without doubled "Re:"/"Fwd:", the quoted
 * original, recipient lists as typed, the 25 MB attachment budget, and turning the form into the
 * contract's `mail.send` action (or i18n-keyed problems per field). Pure: no React, no DOM.
 */
import {
  MAIL_MAX_ATTACHMENT_BYTES,
  MailAddressInputSchema,
  MailSendActionSchema,
  type MailSendAction,
  type MailSendMode,
  type StagedAttachment,
} from '../../shared/actions';
import type { MailAddress, MailDetail } from '../../shared/work-item';
import { formatDateTime } from '../format/date.format';
import type { Translate } from '../format/translate';

type Lang = 'vi' | 'en';

// ---------- subjects ----------

const REPLY_PREFIX_RE = /^\s*(?:(?:re|aw|sv|tl|tr[aả]\s*l[oờ]i)(?:\s*\[\d+\])?\s*:\s*)+/iu;
const FORWARD_PREFIX_RE = /^\s*(?:(?:fwd?|tv|chuy[eể]n\s*ti[eế]p)(?:\s*\[\d+\])?\s*:\s*)+/iu;

/** "Re: " once, whatever reply prefixes (Re:, RE[2]:, TL:, Trả lời:) the subject already had. */
export function replySubject(subject: string): string {
  const s = subject.trim();
  if (REPLY_PREFIX_RE.test(s)) return `Re: ${s.replace(REPLY_PREFIX_RE, '')}`.trimEnd();
  return `Re: ${s}`.trimEnd();
}

/** "Fwd: " once (Fw:, FWD:, TV:, Chuyển tiếp: count as already forwarded). */
export function forwardSubject(subject: string): string {
  const s = subject.trim();
  if (FORWARD_PREFIX_RE.test(s)) return `Fwd: ${s.replace(FORWARD_PREFIX_RE, '')}`.trimEnd();
  return `Fwd: ${s}`.trimEnd();
}

// ---------- recipients ----------

function sameAddress(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

function uniqueAddresses(list: readonly string[], exclude: readonly string[]): string[] {
  const out: string[] = [];
  for (const a of list) {
    const v = a.trim();
    if (v === '') continue;
    if (exclude.some((x) => sameAddress(x, v)) || out.some((x) => sameAddress(x, v))) continue;
    out.push(v);
  }
  return out;
}

/**
 * Recipients of a reply. Reply: the sender (or, for a mail I sent, its recipients). Reply all: the
 * sender and every To, with the Cc kept as Cc; my own address removed everywhere, nobody twice.
 */
export function replyRecipients(
  mode: 'reply' | 'replyAll',
  mail: Pick<MailDetail, 'from' | 'to' | 'cc'>,
  ownAddress: string | null,
): { to: string[]; cc: string[] } {
  const own = ownAddress ? [ownAddress] : [];
  const from = mail.from?.address ?? null;
  const fromIsMe = from !== null && ownAddress !== null && sameAddress(from, ownAddress);
  const toAddrs = mail.to.map((a) => a.address);
  const ccAddrs = mail.cc.map((a) => a.address);
  if (mode === 'reply') {
    const to = fromIsMe || from === null ? uniqueAddresses(toAddrs, own) : uniqueAddresses([from], []);
    return { to, cc: [] };
  }
  const to = uniqueAddresses([...(from !== null ? [from] : []), ...toAddrs], own);
  const cc = uniqueAddresses(ccAddrs, [...own, ...to]);
  return { to, cc };
}

/** "Nguyễn Văn Hùng <hung@…>" → the address; a bare address stays; anything else as typed. */
function addressPart(token: string): string {
  const angle = /<([^<>]+)>\s*$/.exec(token);
  return (angle?.[1] ?? token).trim();
}

export interface ParsedAddresses {
  addresses: string[];
  /** Tokens that are not e-mail addresses, as typed. */
  invalid: string[];
}

/** A recipient field as typed: separated by commas, semicolons or new lines; "Tên <địa chỉ>" accepted. */
export function parseAddressList(raw: string): ParsedAddresses {
  const addresses: string[] = [];
  const invalid: string[] = [];
  for (const token of raw.split(/[,;\n]+/)) {
    const t = token.trim();
    if (t === '') continue;
    const address = addressPart(t);
    if (MailAddressInputSchema.safeParse(address).success) {
      if (!addresses.some((a) => sameAddress(a, address))) addresses.push(address);
    } else invalid.push(t);
  }
  return { addresses, invalid };
}

export function formatAddress(a: MailAddress): string {
  return a.name ? `${a.name} <${a.address}>` : a.address;
}

// ---------- quoting ----------

/** "> " before every line of the original (an empty line becomes ">"). */
export function quoteLines(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/\n+$/, '')
    .split('\n')
    .map((line) => (line === '' ? '>' : line.startsWith('>') ? `>${line}` : `> ${line}`))
    .join('\n');
}

/** The reply's starting text: blank lines to write in, "Vào <ngày giờ>, <tên> đã viết:", quoted original. */
export function quotedReply(t: Translate, lang: Lang, mail: Pick<MailDetail, 'from' | 'date'>, originalText: string): string {
  const name = mail.from ? (mail.from.name ?? mail.from.address) : t('compose.unknownSender');
  const header = t('compose.quoteHeader', { date: mail.date !== null ? formatDateTime(lang, mail.date) : '', name });
  return `\n\n${header}\n${quoteLines(originalText)}\n`;
}

/** The forward's starting text: a header block with the original's particulars, then its text. */
export function forwardedText(t: Translate, lang: Lang, mail: Pick<MailDetail, 'from' | 'to' | 'cc' | 'date' | 'subject'>, originalText: string): string {
  const lines = [
    '',
    '',
    t('compose.forwardHeader'),
    `${t('compose.forwardFrom')}: ${mail.from ? formatAddress(mail.from) : ''}`,
    `${t('compose.forwardDate')}: ${mail.date !== null ? formatDateTime(lang, mail.date) : ''}`,
    `${t('compose.forwardSubject')}: ${mail.subject}`,
    `${t('compose.forwardTo')}: ${mail.to.map(formatAddress).join(', ')}`,
  ];
  if (mail.cc.length > 0) lines.push(`${t('compose.forwardCc')}: ${mail.cc.map(formatAddress).join(', ')}`);
  lines.push('', originalText.replace(/\r\n?/g, '\n').replace(/\n+$/, ''), '');
  return lines.join('\n');
}

// ---------- attachments ----------

export type BudgetCheck = { ok: true; total: number } | { ok: false; total: number; over: number };

/** Would adding these files keep the mail under 25 MB (checked before anything is read or uploaded)? */
export function checkAttachmentBudget(currentBytes: number, newSizes: readonly number[], max = MAIL_MAX_ATTACHMENT_BYTES): BudgetCheck {
  const total = currentBytes + newSizes.reduce((s, n) => s + n, 0);
  return total <= max ? { ok: true, total } : { ok: false, total, over: total - max };
}

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Bytes → base64 (no line breaks), without building a giant intermediate string. */
export function bytesToBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  const CHUNK = 3 * 4096;
  for (let start = 0; start < bytes.length; start += CHUNK) {
    const end = Math.min(bytes.length, start + CHUNK);
    let out = '';
    for (let i = start; i < end; i += 3) {
      const a = bytes[i] ?? 0;
      const b = bytes[i + 1];
      const c = bytes[i + 2];
      const triple = (a << 16) | ((b ?? 0) << 8) | (c ?? 0);
      out += BASE64_ALPHABET[(triple >> 18) & 63];
      out += BASE64_ALPHABET[(triple >> 12) & 63];
      out += b === undefined ? '=' : BASE64_ALPHABET[(triple >> 6) & 63];
      out += c === undefined ? '=' : BASE64_ALPHABET[triple & 63];
    }
    parts.push(out);
  }
  return parts.join('');
}

// ---------- the form ----------

export type ComposeMode = MailSendMode;

export interface ComposeState {
  mode: ComposeMode;
  /** Mail backend to send from (new mail); for replies the original's backend. */
  backendId: string;
  to: string;
  cc: string;
  bcc: string;
  showCcBcc: boolean;
  subject: string;
  text: string;
  attachments: StagedAttachment[];
  includeOriginalAttachments: boolean;
}

export interface ComposeOriginal {
  detail: MailDetail;
  /** The original's text (plain text, or the text of its HTML), null while unknown. */
  text: string | null;
}

/** A fresh form for a mode; replies and forwards start from the original. */
export function initialCompose(
  mode: ComposeMode,
  ctx: { backendId: string; ownAddress: string | null; original: ComposeOriginal | null; t: Translate; lang: Lang },
): ComposeState {
  const base: ComposeState = {
    mode,
    backendId: ctx.backendId,
    to: '',
    cc: '',
    bcc: '',
    showCcBcc: false,
    subject: '',
    text: '',
    attachments: [],
    includeOriginalAttachments: false,
  };
  const original = ctx.original;
  if (mode === 'new' || !original) return base;
  const d = original.detail;
  const body = original.text ?? d.preview ?? '';
  if (mode === 'forward') {
    return {
      ...base,
      subject: forwardSubject(d.subject),
      text: forwardedText(ctx.t, ctx.lang, d, body),
      includeOriginalAttachments: d.attachments.length > 0,
    };
  }
  const r = replyRecipients(mode, d, ctx.ownAddress);
  return {
    ...base,
    to: r.to.join(', '),
    cc: r.cc.join(', '),
    showCcBcc: r.cc.length > 0,
    subject: replySubject(d.subject),
    text: quotedReply(ctx.t, ctx.lang, d, body),
  };
}

/** Has the official typed or attached anything beyond the starting form? */
export function isComposeDirty(state: ComposeState, initial: ComposeState): boolean {
  return (
    state.to.trim() !== initial.to.trim() ||
    state.cc.trim() !== initial.cc.trim() ||
    state.bcc.trim() !== initial.bcc.trim() ||
    state.subject.trim() !== initial.subject.trim() ||
    state.text.trim() !== initial.text.trim() ||
    state.attachments.length > 0
  );
}

export type ComposeErrors = Partial<Record<'to' | 'cc' | 'bcc' | 'subject' | 'text' | 'attachments' | 'form', { key: string; values?: Record<string, unknown> }>>;
export type ComposeBuild = { ok: true; action: MailSendAction } | { ok: false; errors: ComposeErrors };

const MAX_RECIPIENTS = 100;

/** The form → a `mail.send` action checked against the contract, or problems per field. */
export function buildMailSend(state: ComposeState): ComposeBuild {
  const errors: ComposeErrors = {};
  const lists = { to: parseAddressList(state.to), cc: parseAddressList(state.cc), bcc: parseAddressList(state.bcc) };
  for (const field of ['to', 'cc', 'bcc'] as const) {
    const l = lists[field];
    if (l.invalid.length > 0) errors[field] = { key: 'compose.errors.invalidAddress', values: { list: l.invalid.join(', '), count: l.invalid.length } };
    else if (l.addresses.length > MAX_RECIPIENTS) errors[field] = { key: 'compose.errors.tooMany', values: { max: MAX_RECIPIENTS } };
  }
  if (!errors.to && lists.to.addresses.length + lists.cc.addresses.length + lists.bcc.addresses.length === 0) {
    errors.to = { key: 'compose.errors.noRecipient' };
  }
  const subject = state.subject.trim();
  if (subject.length > 998) errors.subject = { key: 'compose.errors.subjectTooLong' };
  if (state.text.length > 500_000) errors.text = { key: 'compose.errors.textTooLong' };
  const total = state.attachments.reduce((s, a) => s + a.size, 0);
  if (total > MAIL_MAX_ATTACHMENT_BYTES) errors.attachments = { key: 'compose.errors.tooBig' };
  if (state.attachments.length > 20) errors.attachments = { key: 'compose.errors.tooManyFiles', values: { max: 20 } };
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const parsed = MailSendActionSchema.safeParse({
    kind: 'mail.send',
    mode: state.mode,
    to: lists.to.addresses,
    cc: lists.cc.addresses,
    bcc: lists.bcc.addresses,
    subject,
    text: state.text,
    attachments: state.attachments,
    includeOriginalAttachments: state.mode === 'forward' && state.includeOriginalAttachments,
  });
  if (!parsed.success) return { ok: false, errors: { form: { key: 'compose.errors.invalid' } } };
  return { ok: true, action: parsed.data };
}
