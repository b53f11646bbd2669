/**
 * Sending mail for the mail adapter (issue #4, point 5): compose with nodemailer's MailComposer, send
 * with its SMTPConnection, store the copy in Sent over IMAP (imapflow) — exactly once across crashes.
 *
 * SMTP has no idempotency key, so the outbox keeps a durable checkpoint for the entry
 * (PerformContext.progress, written synchronously to SQLite before the call returns):
 *
 *   null            nothing irreversible happened: (re)send freely.
 *   'smtp_started'  written just before the END of the message (the final "<CRLF>.<CRLF>") can leave:
 *                   the server may have accepted the mail. An attempt that finds it (the process died,
 *                   or the connection broke before the server's answer) never resends by itself: the
 *                   entry needs the official (check Sent / ask the recipient, then "Gửi lại" — which
 *                   clears it — or discard).
 *   'smtp_accepted' written right after the server's 250: SMTP is never repeated; only the Sent copy
 *                   (looked up by its Message-ID first, so it is appended once) and the flags remain.
 *
 * An SMTP server only takes responsibility for a message when it has read the final dot, so anything
 * that fails before the dot was handed to the socket (connection refused, TLS, AUTH, MAIL FROM, RCPT
 * TO, DATA refused, the connection dropped mid-message, a file that could not be read) is "not sent"
 * and retried (or refused) normally; a definite 4xx/5xx answer to the message is "not sent" too. The
 * message stream passes through a gate (GatedMessage) that writes 'smtp_started' synchronously before
 * it lets the end of the message through: the checkpoint cannot lag behind the dot. This is stricter
 * than looking at nodemailer's `error.command`, which says 'CONN' both for a refused connection and
 * for a connection lost after the dot.
 *
 * The Message-ID is fixed per outbox entry (`<idempotency key@domain of the address>`) and the Date
 * is the entry's creation time, so every attempt sends the same message and the Sent copy is found
 * again by its Message-ID. Attachments are streamed from the files on disk (staged attachments) or
 * from IMAP (a forward's original attachments, `download(uid, part)`), never held whole in memory on
 * the SMTP path; imapflow's APPEND takes a Buffer, so the Sent copy is built in memory for the APPEND
 * only.
 */
import { createReadStream, statSync } from 'node:fs';
import { Readable, finished } from 'node:stream';
import type { ImapFlow } from 'imapflow';
import MailComposer from 'nodemailer/lib/mail-composer';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { MailActionSchema, type MailSendAction } from '../../shared/actions';
import { AdapterError, type NormalizedRecord, type PerformContext, type PerformResult } from './adapter';
import { truncateUtf8 } from './adapter.util';
import { attachmentLeaves, cleanMessageId, type MailStructureLike } from './mail.normalize';

/** Checkpoint values of a mail being sent (PerformProgress). */
export const SMTP_STARTED = 'smtp_started';
export const SMTP_ACCEPTED = 'smtp_accepted';

/** At most this many ids in a reply's References header (the first one and the latest ones). */
const MAX_REFERENCES = 20;

// ---------- configuration ----------

/** How to reach the SMTP server (from the mail adapter's config). */
export interface SmtpEndpoint {
  host: string;
  port: number;
  /** implicit: SMTPS; starttls: upgrade required (refused without it); none: plain, loopback only. */
  tls: 'implicit' | 'starttls' | 'none';
  user: string;
  password: string;
  /** Extra certificate authorities; verification always stays on. */
  ca?: string | Buffer[] | undefined;
  timeoutMs: number;
}

/** The account a mail goes out from. */
export interface SendingAccount {
  /** The mailbox's label in the app, for messages. */
  label: string;
  address: string;
  displayName: string | null;
  smtp: SmtpEndpoint | null;
  /** Configured Sent folder; else SPECIAL-USE \Sent, else "Sent". */
  sentFolder: string | null;
}

/** nodemailer SMTPConnection options: TLS always verified, TLS 1.2 at least, STARTTLS required in starttls mode. */
export function smtpConnectionOptions(smtp: SmtpEndpoint): ConstructorParameters<typeof SMTPConnection>[0] {
  return {
    host: smtp.host,
    port: smtp.port,
    secure: smtp.tls === 'implicit',
    requireTLS: smtp.tls === 'starttls',
    ignoreTLS: smtp.tls === 'none',
    connectionTimeout: smtp.timeoutMs,
    greetingTimeout: smtp.timeoutMs,
    socketTimeout: Math.max(smtp.timeoutMs * 4, 60_000),
    logger: false,
    tls: { rejectUnauthorized: true, minVersion: 'TLSv1.2', ...(smtp.ca !== undefined ? { ca: smtp.ca } : {}) },
  };
}

// ---------- message ----------

/** The domain part of an address, for Message-IDs. */
export function addressDomain(address: string): string {
  const at = address.lastIndexOf('@');
  const domain = at >= 0 ? address.slice(at + 1).trim().toLowerCase() : '';
  return /^[a-z0-9.-]+$/.test(domain) && domain !== '' ? domain : 'localhost';
}

/** The fixed Message-ID of an outbox entry's mail (without angle brackets). */
export function outboxMessageId(idempotencyKey: string, address: string): string {
  return `${idempotencyKey}@${addressDomain(address)}`;
}

export interface OutgoingAttachment {
  filename: string;
  contentType: string;
  /** Opened when the composer reaches the attachment (never before the message is read). */
  open: () => Promise<Readable>;
}

export interface OutgoingMail {
  from: { name: string | null; address: string };
  to: readonly string[];
  cc: readonly string[];
  bcc: readonly string[];
  subject: string;
  text: string;
  date: Date;
  /** Without angle brackets. */
  messageId: string;
  inReplyTo: string | null;
  /** With angle brackets. */
  references: readonly string[];
  attachments: readonly OutgoingAttachment[];
}

/**
 * A stream that opens its source on the first read and closes it when destroyed: files and IMAP
 * downloads are only opened when the message is really being read, and released when it is abandoned.
 */
export class LazyReadable extends Readable {
  private source: Readable | null = null;
  private opening = false;

  constructor(private readonly opener: () => Promise<Readable>) {
    super();
  }

  override _read(): void {
    if (this.source) {
      this.source.resume();
      return;
    }
    if (this.opening) return;
    this.opening = true;
    this.opener().then(
      (src) => {
        if (this.destroyed) {
          src.destroy();
          return;
        }
        this.source = src;
        src.on('data', (chunk: Buffer) => {
          if (!this.push(chunk)) src.pause();
        });
        src.once('end', () => this.push(null));
        src.once('error', (error) => this.destroy(error));
      },
      (error: unknown) => this.destroy(error instanceof Error ? error : new Error(String(error))),
    );
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.source?.destroy();
    callback(error);
  }
}

/**
 * The message as it goes to the SMTP server: reads the composed message lazily (after the server's
 * 354) and calls `beforeEnd` synchronously before it lets the end of the message through — the
 * checkpoint is durable before the final dot can be written. `endPassed` tells whether that moment
 * was reached.
 */
export class GatedMessage extends Readable {
  endPassed = false;
  private source: Readable | null = null;

  constructor(
    private readonly open: () => Readable,
    private readonly beforeEnd: () => void,
  ) {
    super();
  }

  override _read(): void {
    if (this.source) {
      this.source.resume();
      return;
    }
    const src = this.open();
    this.source = src;
    src.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) src.pause();
    });
    src.once('end', () => {
      try {
        this.beforeEnd();
      } catch (error) {
        this.destroy(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      this.endPassed = true;
      this.push(null);
    });
    src.once('error', (error) => this.destroy(error));
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.source?.destroy();
    callback(error);
  }
}

/** A composed message and the attachment streams it opened (destroy them when abandoning it). */
export interface ComposedMail {
  createReadStream(): Readable;
  build(): Promise<Buffer>;
  envelope: { from: string; to: string[] };
  dispose(): void;
}

/**
 * Compose with nodemailer's MailComposer: From = display name <address>, To/Cc (Bcc only in the envelope,
 * or also in the headers with `keepBcc` for the Sent copy), UTF-8 text, the fixed Date and Message-ID,
 * In-Reply-To/References, attachments streamed. No file or URL access of nodemailer's own.
 */
export function composeMail(mail: OutgoingMail, options: { keepBcc: boolean }): ComposedMail {
  const streams: Readable[] = [];
  const composer = new MailComposer({
    from: mail.from.name ? { name: mail.from.name, address: mail.from.address } : mail.from.address,
    to: [...mail.to],
    cc: [...mail.cc],
    bcc: [...mail.bcc],
    subject: mail.subject,
    text: mail.text,
    date: mail.date,
    messageId: `<${mail.messageId}>`,
    ...(mail.inReplyTo !== null ? { inReplyTo: mail.inReplyTo } : {}),
    ...(mail.references.length > 0 ? { references: [...mail.references] } : {}),
    attachments: mail.attachments.map((a) => {
      const content = new LazyReadable(a.open);
      streams.push(content);
      return { filename: a.filename, contentType: a.contentType, content };
    }),
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  const node = composer.compile();
  node.keepBcc = options.keepBcc;
  const envelope = node.getEnvelope();
  return {
    createReadStream: () => node.createReadStream(),
    build: () => node.build(),
    envelope: { from: typeof envelope.from === 'string' ? envelope.from : mail.from.address, to: [...envelope.to] },
    dispose: () => {
      for (const s of streams) s.destroy();
    },
  };
}

// ---------- SMTP ----------

/** The fields of a nodemailer error the classification reads. */
interface NodemailerErrorLike {
  code?: string;
  originalCode?: string;
  command?: string;
  responseCode?: number;
  response?: string;
  message?: string;
  recipient?: string;
  rejectedErrors?: NodemailerErrorLike[];
}

export interface SmtpSendInfo {
  accepted: string[];
  rejected: string[];
  /** The server's answer per refused recipient. */
  rejectedResponses: Array<{ recipient: string; response: string }>;
  response: string;
}

/** A failed SMTP session: nodemailer's error, and whether the end of the message may have left. */
export class SmtpSendFailure extends Error {
  constructor(
    readonly error: NodemailerErrorLike,
    readonly endPassed: boolean,
  ) {
    super(error.message ?? 'SMTP failure');
    this.name = 'SmtpSendFailure';
  }
}

function asErrorLike(error: unknown): NodemailerErrorLike {
  return error !== null && typeof error === 'object' ? (error as NodemailerErrorLike) : { message: String(error) };
}

/**
 * One SMTP session: connect (TLS as configured), AUTH when the server offers it, MAIL FROM, RCPT TO,
 * DATA with `message`. Resolves with the server's answer; rejects with SmtpSendFailure. Aborting
 * drops the connection.
 */
export function smtpSend(
  smtp: SmtpEndpoint,
  envelope: { from: string; to: string[] },
  message: GatedMessage,
  signal?: AbortSignal,
): Promise<SmtpSendInfo> {
  return new Promise<SmtpSendInfo>((resolve, reject) => {
    let settled = false;
    const connection = new SMTPConnection(smtpConnectionOptions(smtp));
    const finish = (error: unknown, info?: SmtpSendInfo): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (error !== null || !info) {
        connection.close();
        message.destroy();
        reject(new SmtpSendFailure(asErrorLike(error), message.endPassed));
        return;
      }
      try {
        connection.quit();
      } catch {
        connection.close();
      }
      resolve(info);
    };
    const onAbort = (): void => finish(Object.assign(new Error('Sending aborted'), { code: 'EABORT', command: 'API' }));
    if (signal?.aborted) {
      finish(Object.assign(new Error('Sending aborted'), { code: 'EABORT', command: 'API' }));
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    connection.on('error', (error: unknown) => finish(error));
    const send = (): void => {
      connection.send(envelope, message, (error, info) => {
        if (error || !info) {
          finish(error ?? new Error('SMTP: no answer'));
          return;
        }
        finish(null, {
          accepted: info.accepted.map(String),
          rejected: info.rejected.map(String),
          rejectedResponses: (info.rejectedErrors ?? []).map((e) => {
            const x = asErrorLike(e);
            return { recipient: x.recipient ?? '', response: x.response ?? x.message ?? '' };
          }),
          response: info.response,
        });
      });
    };
    connection.connect((error) => {
      if (error) {
        finish(error);
        return;
      }
      if (!connection.allowsAuth) {
        send();
        return;
      }
      connection.login({ user: smtp.user, pass: smtp.password }, (loginError) => {
        if (loginError) finish(loginError);
        else send();
      });
    });
  });
}

/** What a failed SMTP session means for the outbox entry. */
export type SmtpFailureVerdict =
  /** Nothing was delivered; the error says whether to retry (unreachable/timeout wait, others count). */
  | { kind: 'not_sent'; error: AdapterError }
  /** Nothing was delivered and the server refused for good (5xx): the official must change something. */
  | { kind: 'refused'; message: string }
  /** The end of the message may have reached the server and no answer came: do not resend. */
  | { kind: 'uncertain' };

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);

function serverText(e: NodemailerErrorLike): string {
  return truncateUtf8((e.response ?? '').replace(/\s+/g, ' ').trim(), 400);
}

/** Classify a failed SMTP session (see the file comment for the reasoning). */
export function classifySmtpFailure(failure: SmtpSendFailure, account: SendingAccount): SmtpFailureVerdict {
  const e = failure.error;
  const smtp = account.smtp;
  const where = smtp ? `${smtp.host}:${smtp.port}` : '?';
  const rc = typeof e.responseCode === 'number' ? e.responseCode : null;
  const reply = serverText(e);
  const said = reply ? ` Máy chủ trả lời: "${reply}".` : '';
  if (failure.endPassed && (rc === null || rc < 400)) return { kind: 'uncertain' };
  // From here on nothing was delivered: the end of the message never left, or the server refused it.
  const code = e.code ?? '';
  const original = e.originalCode ?? '';
  const text = `${e.message ?? ''} ${original}`;
  if (code === 'EAUTH') {
    if (rc !== null && rc >= 400 && rc < 500) {
      return {
        kind: 'not_sent',
        error: new AdapterError('server_error', `Máy chủ gửi thư ${where} tạm thời chưa xác thực được tài khoản của hộp thư "${account.label}"; thư chưa được gửi và sẽ được gửi lại.${said}`, true),
      };
    }
    return {
      kind: 'not_sent',
      error: new AdapterError(
        'auth_failed',
        `Máy chủ gửi thư ${where} từ chối đăng nhập của hộp thư "${account.label}" (${account.address}, tài khoản SMTP "${smtp?.user ?? ''}"): sai tên đăng nhập hoặc mật khẩu. Thư chưa được gửi; đề nghị kiểm tra lại mật khẩu SMTP trong cấu hình rồi bấm "Gửi lại".${said}`,
        false,
      ),
    };
  }
  if (code === 'ENOAUTH') {
    return { kind: 'not_sent', error: new AdapterError('config_invalid', `Hộp thư "${account.label}" thiếu tên đăng nhập hoặc mật khẩu SMTP; thư chưa được gửi.`, false) };
  }
  if (code === 'ETIMEDOUT') {
    return { kind: 'not_sent', error: new AdapterError('timeout', `Máy chủ gửi thư ${where} không trả lời kịp; thư chưa được gửi và sẽ được gửi lại khi máy chủ trả lời.`, true) };
  }
  if (code === 'EDNS' || UNREACHABLE_CODES.has(original)) {
    return { kind: 'not_sent', error: new AdapterError('unreachable', `Không kết nối được máy chủ gửi thư ${where} (${original || code}); thư chưa được gửi và sẽ được gửi lại khi kết nối được.`, true) };
  }
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME|HOSTNAME|ERR_SSL|ERR_TLS/i.test(text)) {
    return {
      kind: 'not_sent',
      error: new AdapterError('unreachable', `Chứng chỉ TLS của máy chủ gửi thư ${where} không được tin cậy (${original || code}); thư chưa được gửi. Đề nghị bộ phận CNTT thêm CA của đơn vị vào cấu hình "ca".`, false),
    };
  }
  if (code === 'ETLS' && /STARTTLS/i.test(text)) {
    return {
      kind: 'not_sent',
      error: new AdapterError('config_invalid', `Máy chủ gửi thư ${where} không hỗ trợ mã hóa STARTTLS nên thư không được gửi (không gửi thư không mã hóa).${said}`, false),
    };
  }
  if (code === 'ETLS' || code === 'ECONNECTION' || code === 'ESOCKET') {
    return { kind: 'not_sent', error: new AdapterError('unreachable', `Kết nối với máy chủ gửi thư ${where} bị ngắt trước khi gửi xong thư (${original || code}); thư chưa được gửi và sẽ được gửi lại.`, true) };
  }
  if (rc !== null && rc >= 500) {
    if (e.command === 'RCPT TO') {
      const list = (e.rejectedErrors ?? []).map((r) => `${r.recipient ?? '?'}: "${serverText(r)}"`);
      return { kind: 'refused', message: `Máy chủ gửi thư từ chối người nhận, thư chưa được gửi cho ai: ${list.length > 0 ? list.join('; ') : `"${reply}"`}. Hãy sửa địa chỉ rồi gửi lại.` };
    }
    if (e.command === 'MAIL FROM') {
      return { kind: 'refused', message: `Máy chủ gửi thư từ chối địa chỉ người gửi ${account.address}; thư chưa được gửi.${said}` };
    }
    return { kind: 'refused', message: `Máy chủ gửi thư từ chối thư; thư chưa được gửi.${said}` };
  }
  if (rc !== null && rc >= 400) {
    return { kind: 'not_sent', error: new AdapterError('server_error', `Máy chủ gửi thư tạm thời chưa nhận thư; thư chưa được gửi và sẽ được gửi lại.${said}`, true) };
  }
  if (code === 'EMESSAGE') {
    return { kind: 'refused', message: `Thư lớn hơn giới hạn của máy chủ gửi thư; thư chưa được gửi. Hãy bớt tệp đính kèm.` };
  }
  if (code === 'EENVELOPE') {
    return { kind: 'refused', message: `Địa chỉ người gửi hoặc người nhận không hợp lệ; thư chưa được gửi (${truncateUtf8(e.message ?? '', 200)}).` };
  }
  if (code === 'ESTREAM') {
    return { kind: 'not_sent', error: new AdapterError('unknown', `Không đọc được nội dung thư hoặc tệp đính kèm khi gửi (${truncateUtf8(e.message ?? '', 200)}); thư chưa được gửi.`, true) };
  }
  return { kind: 'not_sent', error: new AdapterError('unknown', `Gửi thư qua ${where} chưa được (${truncateUtf8(e.message ?? code, 200)}); thư chưa được gửi.`, true) };
}

/** The message of an entry whose SMTP outcome is unknown (checkpoint 'smtp_started'). */
export const UNCERTAIN_SEND_MESSAGE =
  'Không chắc thư đã được gửi: kết nối với máy chủ gửi thư bị ngắt (hoặc ứng dụng bị tắt) đúng lúc máy chủ đang nhận thư, ' +
  'nên thư có thể đã đến người nhận. Để tránh gửi trùng, hệ thống không tự gửi lại. Hãy kiểm tra thư mục "Đã gửi" ' +
  '(Sent) hoặc hỏi người nhận: nếu thư chưa đến, bấm "Gửi lại"; nếu đã đến, bấm "Hủy".';

// ---------- the original of a reply / forward ----------

/** Where a message is: folder + UID. */
export interface MessageLocation {
  folder: string;
  uid: number;
}

export interface OriginalAttachmentPart {
  part: string;
  filename: string;
  contentType: string;
}

export interface OriginalMail {
  location: MessageLocation;
  /** Without angle brackets. */
  messageId: string | null;
  /** The original's References (or In-Reply-To), with angle brackets. */
  references: string[];
  attachments: OriginalAttachmentPart[];
}

function msgIds(value: string | undefined): string[] {
  return value ? (value.match(/<[^<>\s]+>/g) ?? []) : [];
}

/** Header lines (unfolded) of a raw header block, lower-case names. */
export function parseHeaderBlock(raw: Buffer | string): Map<string, string> {
  const text = (typeof raw === 'string' ? raw : raw.toString('latin1')).replace(/\r?\n[ \t]+/g, ' ');
  const out = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!out.has(name)) out.set(name, line.slice(colon + 1).trim());
  }
  return out;
}

/** References of a reply (RFC 5322 §3.6.4): the original's References (else In-Reply-To) + its Message-ID, bounded. */
export function replyReferences(original: { messageId: string | null; references: readonly string[] }): string[] {
  const ids = [...original.references];
  if (original.messageId) ids.push(`<${original.messageId}>`);
  const unique = [...new Set(ids)];
  return unique.length <= MAX_REFERENCES ? unique : [unique[0]!, ...unique.slice(unique.length - (MAX_REFERENCES - 1))];
}

/** The attachments of a BODYSTRUCTURE with their part numbers (same rule as the cached list, attachmentsOf). */
export function attachmentParts(node: MailStructureLike | undefined): OriginalAttachmentPart[] {
  return attachmentLeaves(node).flatMap(({ node: n, name }) => {
    if (n.part === undefined) return [];
    const type = n.type || 'application/octet-stream';
    const charset = type.startsWith('text/') ? n.parameters?.['charset'] : undefined;
    // Downloaded as stored (charset untouched): a text attachment keeps its charset label.
    return [{ part: n.part, filename: name ?? `attachment-${n.part}`, contentType: charset ? `${type}; charset=${charset}` : type }];
  });
}

/** Read what a reply or forward needs from the original (the folder must not be locked by the caller). */
export async function readOriginal(client: ImapFlow, location: MessageLocation): Promise<OriginalMail | null> {
  const lock = await client.getMailboxLock(location.folder);
  try {
    const msg = await client.fetchOne(
      String(location.uid),
      { uid: true, headers: ['message-id', 'references', 'in-reply-to'], bodyStructure: true },
      { uid: true },
    );
    if (!msg) return null;
    const headers = parseHeaderBlock(msg.headers ?? '');
    const refs = msgIds(headers.get('references'));
    return {
      location,
      messageId: cleanMessageId(msgIds(headers.get('message-id'))[0] ?? headers.get('message-id') ?? null),
      references: refs.length > 0 ? refs : msgIds(headers.get('in-reply-to')).slice(0, 1),
      attachments: attachmentParts(msg.bodyStructure),
    };
  } finally {
    lock.release();
  }
}

/**
 * One attachment of a message on the server as a stream: the folder is locked from the start of the
 * download until the stream ends, fails or is destroyed. Bytes as stored (charset untouched).
 */
export async function downloadPart(client: ImapFlow, location: MessageLocation, part: string): Promise<Readable> {
  const lock = await client.getMailboxLock(location.folder);
  let released = false;
  const release = (): void => {
    if (!released) {
      released = true;
      lock.release();
    }
  };
  try {
    const { content } = await client.download(String(location.uid), part, { uid: true, decodeText: false });
    if (!content) throw new Error(`part ${part} of ${location.folder}/${location.uid} is not on the server`);
    finished(content, () => release());
    return content;
  } catch (error) {
    release();
    throw error;
  }
}

// ---------- Sent ----------

/** The Sent folder: the configured one, else SPECIAL-USE \Sent, else "Sent"; created when missing. */
export async function resolveSentFolder(client: ImapFlow, configured: string | null): Promise<string> {
  const folders = await client.list();
  const name = configured ?? folders.find((f) => f.specialUse === '\\Sent')?.path ?? folders.find((f) => f.path.toLowerCase() === 'sent')?.path ?? 'Sent';
  if (!folders.some((f) => f.path === name)) await client.mailboxCreate(name);
  return name;
}

/** UIDs of the messages of `folder` with this Message-ID (without brackets). */
export async function findByMessageId(client: ImapFlow, folder: string, messageId: string): Promise<number[]> {
  const lock = await client.getMailboxLock(folder);
  try {
    await client.noop();
    return (await client.search({ header: { 'message-id': `<${messageId}>` } }, { uid: true })) || [];
  } finally {
    lock.release();
  }
}

/**
 * The Sent copy exactly once: looked up by Message-ID first; appended (\Seen, the mail's date) only
 * when absent. Returns its location. `build` is only called when it must be appended.
 */
export async function ensureSentCopy(
  client: ImapFlow,
  folder: string,
  messageId: string,
  date: Date,
  build: () => Promise<Buffer>,
): Promise<MessageLocation | null> {
  const existing = await findByMessageId(client, folder, messageId);
  if (existing.length > 0) return { folder, uid: Math.min(...existing) };
  const raw = await build();
  const appended = await client.append(folder, raw, ['\\Seen'], date);
  if (appended && typeof appended.uid === 'number') return { folder, uid: appended.uid };
  const found = await findByMessageId(client, folder, messageId);
  return found.length > 0 ? { folder, uid: Math.min(...found) } : null;
}

// ---------- the whole send ----------

/** What the mail adapter lends to `performSend` (its connection and its readers). */
export interface MailSendHost {
  readonly account: SendingAccount;
  /** The folders the adapter syncs, to take the Message-ID out of an externalId `<folder>:<Message-ID>`. */
  readonly folders: readonly string[];
  withClient<T>(signal: AbortSignal | undefined, fn: (client: ImapFlow) => Promise<T>): Promise<T>;
  /** Where a cached mail is now; null when it is no longer on the server. */
  locate(client: ImapFlow, externalId: string): Promise<MessageLocation | null>;
  /** A message as a cache record (headers, flags, preview); null when gone. No lock held by the caller. */
  readRecord(client: ImapFlow, location: MessageLocation): Promise<NormalizedRecord | null>;
  /** The Sent folder, resolved once per adapter. */
  sentFolder(client: ImapFlow): Promise<string>;
}

function notFound(message: string): PerformResult {
  return { outcome: 'not_found', message };
}

function rejected(message: string): PerformResult {
  return { outcome: 'rejected', message };
}

/** The Message-ID in an externalId `<folder>:<Message-ID>`, null for hashed ids. */
export function messageIdOfExternalId(externalId: string, folders: readonly string[]): string | null {
  const folder = folders.find((f) => externalId.startsWith(`${f}:`)) ?? externalId.slice(0, Math.max(0, externalId.indexOf(':')));
  const rest = folder ? externalId.slice(folder.length + 1) : '';
  return rest && !rest.startsWith('sha:') && !rest.startsWith('nomid:') ? rest : null;
}

/**
 * mail.send: new, reply, reply-all or forward, exactly once (see the file comment). `externalId` is the
 * original mail (reply/forward) or the stand-in of a new mail.
 */
export async function performSend(
  host: MailSendHost,
  externalId: string,
  rawAction: MailSendAction,
  ctx: PerformContext,
  signal?: AbortSignal,
): Promise<PerformResult> {
  const parsed = MailActionSchema.safeParse(rawAction);
  if (!parsed.success || parsed.data.kind !== 'mail.send') return rejected('Thư gửi đi không hợp lệ, chưa gửi.');
  const action = parsed.data;
  const { account } = host;
  const smtp = account.smtp;
  if (!smtp) {
    return rejected(`Hộp thư "${account.label}" chưa được cấu hình máy chủ gửi thư (SMTP); thư chưa được gửi. Đề nghị bộ phận CNTT bổ sung cấu hình "smtp".`);
  }
  const progress = ctx.progress;
  if (!progress) {
    throw new AdapterError('config_invalid', 'Sending mail needs the outbox checkpoint (PerformContext.progress); nothing was sent', false);
  }
  if (progress.value === SMTP_STARTED) throw new AdapterError('unknown', UNCERTAIN_SEND_MESSAGE, false);

  const messageId = outboxMessageId(ctx.idempotencyKey, account.address);
  const date = new Date(ctx.createdAt ?? Date.now());
  const isReply = action.mode === 'reply' || action.mode === 'replyAll';

  // The original: its location, headers and attachments, read at send time.
  let original: OriginalMail | null = null;
  if (action.mode !== 'new') {
    original = await host.withClient(signal, async (client) => {
      const location = await host.locate(client, externalId);
      return location ? readOriginal(client, location) : null;
    });
    if (!original && action.mode === 'forward' && action.includeOriginalAttachments && progress.value !== SMTP_ACCEPTED) {
      return notFound('Thư gốc không còn trên máy chủ (đã chuyển thư mục hoặc bị xoá) nên không chuyển tiếp được các tệp đính kèm của thư gốc; thư chưa được gửi.');
    }
  }
  const originalId = original?.messageId ?? messageIdOfExternalId(externalId, host.folders);

  // Staged files must all be there before anything is sent.
  const files: OutgoingAttachment[] = [];
  for (const a of action.attachments) {
    const path = ctx.attachmentPaths?.[a.id];
    let size = -1;
    try {
      if (path !== undefined) size = statSync(path).size;
    } catch {
      size = -1;
    }
    if (path === undefined || size !== a.size) {
      // Already sent: the Sent copy is built with the files still there.
      if (progress.value === SMTP_ACCEPTED) continue;
      return rejected(`Tệp đính kèm "${a.filename}" không còn trên máy nên thư chưa được gửi: hãy hủy thư này, soạn lại và đính kèm lại tệp.`);
    }
    files.push({ filename: a.filename, contentType: a.contentType, open: () => Promise.resolve(createReadStream(path)) });
  }
  const forwarded: OutgoingAttachment[] =
    action.mode === 'forward' && action.includeOriginalAttachments && original
      ? original.attachments.map((p) => {
          const location = original.location;
          return { filename: p.filename, contentType: p.contentType, open: () => host.withClient(signal, (client) => downloadPart(client, location, p.part)) };
        })
      : [];
  const mail: OutgoingMail = {
    from: { name: account.displayName, address: account.address },
    to: action.to,
    cc: action.cc,
    bcc: action.bcc,
    subject: action.subject,
    text: action.text,
    date,
    messageId,
    inReplyTo: isReply && originalId ? `<${originalId}>` : null,
    references: isReply ? replyReferences({ messageId: originalId, references: original?.references ?? [] }) : [],
    attachments: [...files, ...forwarded],
  };

  let partial: SmtpSendInfo | null = null;
  if (progress.value !== SMTP_ACCEPTED) {
    const composed = composeMail(mail, { keepBcc: false });
    const gate = new GatedMessage(() => composed.createReadStream(), () => progress.save(SMTP_STARTED));
    let info: SmtpSendInfo;
    try {
      info = await smtpSend(smtp, composed.envelope, gate, signal);
    } catch (error) {
      composed.dispose();
      if (!(error instanceof SmtpSendFailure)) throw error;
      const verdict = classifySmtpFailure(error, account);
      if (verdict.kind === 'uncertain') throw new AdapterError('unknown', UNCERTAIN_SEND_MESSAGE, false, { cause: error });
      if (error.endPassed) progress.save(null);
      if (verdict.kind === 'refused') return rejected(verdict.message);
      throw verdict.error;
    }
    composed.dispose();
    progress.save(SMTP_ACCEPTED);
    if (info.rejected.length > 0) partial = info;
  }

  // Sent copy (once), flags of the original, the record for the cache.
  const sent = await host.withClient(signal, async (client) => {
    const folder = await host.sentFolder(client);
    return ensureSentCopy(client, folder, messageId, date, async () => {
      const copy = composeMail(mail, { keepBcc: true });
      try {
        return await copy.build();
      } finally {
        copy.dispose();
      }
    });
  });
  if (!sent) throw new AdapterError('unknown', 'Thư đã gửi nhưng chưa lưu được bản sao vào thư mục "Đã gửi"; sẽ thử lại.', true);
  const record = await host.withClient(signal, async (client) => {
    if (original) {
      const location = original.location;
      if (isReply) {
        const lock = await client.getMailboxLock(location.folder);
        try {
          await client.messageFlagsAdd(String(location.uid), ['\\Answered', '\\Seen'], { uid: true });
        } finally {
          lock.release();
        }
      }
      const reread = await host.readRecord(client, location);
      if (reread) return reread;
    }
    return host.readRecord(client, sent);
  });
  if (!record) throw new AdapterError('unknown', 'Thư đã gửi nhưng chưa đọc lại được bản trong thư mục "Đã gửi"; sẽ thử lại.', true);
  if (partial) {
    const list = partial.rejectedResponses.length > 0
      ? partial.rejectedResponses.map((r) => `${r.recipient}: "${truncateUtf8(r.response, 300)}"`).join('; ')
      : partial.rejected.join(', ');
    return rejected(
      `Thư đã được gửi đến ${partial.accepted.join(', ')} và đã lưu vào thư mục "Đã gửi", nhưng máy chủ từ chối người nhận: ${list}. ` +
        'Thư không được gửi lại cho ai; nếu cần, hãy soạn thư mới cho những người nhận này với địa chỉ đúng. Bấm "Gửi lại" để hoàn tất mục này ' +
        '(không gửi lại thư cho những người đã nhận) hoặc "Hủy".',
    );
  }
  return { outcome: 'applied', record };
}
