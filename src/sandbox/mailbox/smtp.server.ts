/**
 * The training account's outgoing server: smtp-server (nodemailer's SMTP server library) on loopback,
 * AUTH PLAIN/LOGIN required, no STARTTLS (the mail adapter allows tls 'none' only for loopback hosts).
 *
 * Mail to the account's own address is delivered into its INBOX (`deliverLocal`, so IMAP clients see
 * EXISTS and IDLE wakes), with the Return-Path and Received headers a real MTA adds. Mail to anyone
 * else is accepted and kept in `sent()` — nothing leaves the machine; tests read what was "sent out".
 */
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { z } from 'zod';
import { rfc5322Date } from './mime';

/** One submission to addresses outside the training account. */
export interface OutgoingMail {
  id: string;
  at: number;
  /** Envelope sender (MAIL FROM). */
  from: string;
  /** Envelope recipients that are not the training account. */
  to: string[];
  messageId: string | null;
  /** The message as submitted (before any header was added). */
  raw: Buffer;
}

export interface TrainingSmtpAccount {
  /** Login name (the IMAP user); the address also logs in. */
  user: string;
  password: string;
  address: string;
}

export interface TrainingSmtpOptions {
  domain: string;
  account: TrainingSmtpAccount;
  /** Put a message into the account's INBOX (called once per local recipient). */
  deliverLocal(raw: Buffer, at: number): void;
  clock?: () => number;
  /** Largest accepted message (default 25 MB, like the usual office limit). */
  maxBytes?: number;
}

const AddressSchema = z.email();

function headerEnd(raw: Buffer): number {
  const i = raw.indexOf('\r\n\r\n');
  if (i >= 0) return i + 2;
  const j = raw.indexOf('\n\n');
  return j >= 0 ? j + 1 : raw.length;
}

function messageIdOf(head: string): string | null {
  return /^Message-ID:[ \t]*(?:\r?\n[ \t]+)?<([^>\r\n]+)>/im.exec(head)?.[1] ?? null;
}

function smtpError(message: string, responseCode: number): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode });
}

export class TrainingSmtpServer {
  private server: SMTPServer | null = null;
  private readonly sockets = new Set<Socket>();
  private readonly outgoing: OutgoingMail[] = [];
  private readonly clock: () => number;
  private readonly maxBytes: number;
  private boundPort = 0;

  constructor(private readonly options: TrainingSmtpOptions) {
    this.clock = options.clock ?? Date.now;
    this.maxBytes = options.maxBytes ?? 25 * 1024 * 1024;
  }

  get port(): number {
    return this.boundPort;
  }

  get isListening(): boolean {
    return this.server !== null;
  }

  /** Submissions to outside addresses, oldest first. */
  sent(): readonly OutgoingMail[] {
    return this.outgoing;
  }

  /** Listen on 127.0.0.1 (0 = a free port; after a close, the same port again). */
  async listen(port = this.boundPort): Promise<void> {
    if (this.server) return;
    const server = this.create();
    server.server.on('connection', (socket: Socket) => {
      // Many small responses per command: without this, Nagle + delayed ACK cost ~40 ms a round trip.
      socket.setNoDelay(true);
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      server.once('error', onError);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', onError);
        resolve();
      });
    });
    // Later socket errors (a client resetting) must not crash the sandbox.
    server.on('error', () => undefined);
    const address = server.server.address();
    this.boundPort = typeof address === 'object' && address ? address.port : port;
    this.server = server;
  }

  /** Stop listening and drop every session now ("server down"). */
  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  private isLocal(address: string): boolean {
    const a = address.trim().toLowerCase();
    const { account, domain } = this.options;
    return a === account.address.toLowerCase() || a === `${account.user.toLowerCase()}@${domain.toLowerCase()}`;
  }

  private create(): SMTPServer {
    const { account, domain } = this.options;
    return new SMTPServer({
      name: `mail.${domain}`,
      banner: 'Máy chủ thư đào tạo (training sandbox)',
      logger: false,
      // Loopback only: no reverse DNS lookup of 127.0.0.1 per connection.
      disableReverseLookup: true,
      secure: false,
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      authOptional: false,
      authMethods: ['PLAIN', 'LOGIN'],
      size: this.maxBytes,
      closeTimeout: 1000,
      onAuth: (auth, _session, callback) => {
        const login = (auth.username ?? '').trim().toLowerCase();
        const known = login === account.user.toLowerCase() || login === account.address.toLowerCase();
        if ((auth.method === 'PLAIN' || auth.method === 'LOGIN') && known && auth.password === account.password) {
          callback(null, { user: account.address });
          return;
        }
        callback(smtpError('Sai tên đăng nhập hoặc mật khẩu (authentication failed)', 535));
      },
      onMailFrom: (address: SMTPServerAddress, _session, callback) => {
        if (address.address !== '' && !AddressSchema.safeParse(address.address).success) {
          callback(smtpError(`Địa chỉ người gửi không hợp lệ: ${address.address}`, 553));
          return;
        }
        callback();
      },
      onRcptTo: (address: SMTPServerAddress, _session, callback) => {
        if (!AddressSchema.safeParse(address.address).success) {
          callback(smtpError(`Địa chỉ người nhận không hợp lệ: ${address.address}`, 553));
          return;
        }
        callback();
      },
      onData: (stream: SMTPServerDataStream, session: SMTPServerSession, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.once('error', (err: Error) => callback(err));
        stream.once('end', () => {
          if (stream.sizeExceeded) {
            callback(smtpError(`Thư vượt quá dung lượng cho phép (${Math.round(this.maxBytes / 1024 / 1024)} MB)`, 552));
            return;
          }
          try {
            this.accept(Buffer.concat(chunks), session);
            callback();
          } catch (error) {
            callback(smtpError(`Không nhận được thư: ${error instanceof Error ? error.message : String(error)}`, 451));
          }
        });
      },
    });
  }

  private accept(raw: Buffer, session: SMTPServerSession): void {
    const at = this.clock();
    const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
    const recipients = session.envelope.rcptTo.map((r) => r.address);
    const local = recipients.filter((r) => this.isLocal(r));
    const remote = recipients.filter((r) => !this.isLocal(r));
    const head = raw.subarray(0, headerEnd(raw)).toString('latin1');
    const messageId = messageIdOf(head);
    const domain = this.options.domain;
    if (local.length > 0) {
      // What Postfix + Dovecot add on delivery: Return-Path, Received, and a Message-ID/Date when missing.
      const added = [
        `Return-Path: <${from}>`,
        `Received: from ${session.hostNameAppearsAs || 'unknown'} (${session.clientHostname} [${session.remoteAddress}])\r\n\tby mail.${domain} (training sandbox) with ${session.transmissionType || 'ESMTPSA'} id ${session.id}\r\n\tfor <${local[0]}>; ${rfc5322Date(at)}`,
        ...(messageId === null ? [`Message-ID: <${session.id}.${at}@mail.${domain}>`] : []),
        ...(/^Date:/im.test(head) ? [] : [`Date: ${rfc5322Date(at)}`]),
      ];
      const delivered = Buffer.concat([Buffer.from(`${added.join('\r\n')}\r\n`, 'latin1'), raw]);
      this.options.deliverLocal(delivered, at);
    }
    if (remote.length > 0) this.outgoing.push({ id: randomUUID(), at, from, to: remote, messageId, raw });
  }
}
