/**
 * The training mailbox over real IMAP: hoodiecrow-imap (an in-memory IMAP4rev1 server written for
 * client tests by the author of imapflow) with ID, ENABLE, CONDSTORE, IDLE, NAMESPACE, UIDPLUS,
 * SPECIAL-USE, LITERAL+, AUTH=PLAIN and UNSELECT, on loopback without TLS (the mail adapter allows
 * tls 'none' only for loopback hosts). One account; folders INBOX, Sent (\Sent), Drafts (\Drafts)
 * and Trash (\Trash) in the personal namespace "" with separator "/".
 *
 * Four fixes over hoodiecrow's own behaviour, as small plugins below:
 *  - a partial FETCH (`BODY.PEEK[1]<0.1024>`) of several messages returned empty parts after the
 *    first message shorter than the range (hoodiecrow shortened the shared query in place);
 *  - ENABLE answers the untagged `* ENABLED …` response of RFC 5161 (hoodiecrow only says OK, so
 *    clients never see CONDSTORE as enabled);
 *  - IDLE's 30-minute timer is unref'd and cleared when the socket closes (else it keeps a process alive);
 *  - a STORE is announced to the other sessions on the folder (`* n FETCH (UID u FLAGS (…))`), as
 *    Dovecot does, so a client in IDLE sees flags changed on another device.
 * Everything stays in memory: a restart of the process starts from the seed again.
 */
import hoodiecrow, {
  type CommandHandler,
  type HoodiecrowMailbox,
  type HoodiecrowMessage,
  type HoodiecrowServer,
  type ImapResponse,
} from 'hoodiecrow-imap';
import builtinFetchHandlers from 'hoodiecrow-imap/lib/commands/handlers/fetch.js';
import type { Socket } from 'node:net';

export type TrainingImapFolder = 'INBOX' | 'Sent' | 'Drafts' | 'Trash';
export const TRAINING_IMAP_FOLDERS: readonly TrainingImapFolder[] = ['INBOX', 'Sent', 'Drafts', 'Trash'];
const SPECIAL_USE: Record<Exclude<TrainingImapFolder, 'INBOX'>, string> = { Sent: '\\Sent', Drafts: '\\Drafts', Trash: '\\Trash' };
const SYSTEM_FLAGS = new Set(['\\Answered', '\\Flagged', '\\Draft', '\\Deleted', '\\Seen']);

export interface ImapSeedMessage {
  /** RFC 822 bytes (a string is taken as UTF-8). */
  raw: string | Buffer;
  flags: readonly string[];
  internalDate: number;
}

/** A message as the server holds it (ground truth for tests). */
export interface ImapMessageView {
  folder: TrainingImapFolder;
  uid: number;
  flags: string[];
  modseq: number;
  messageId: string | null;
  raw: Buffer;
}

export interface TrainingImapOptions {
  /** Login name → password (every login sees the same mailbox). */
  logins: Record<string, string>;
  seed: Partial<Record<TrainingImapFolder, readonly ImapSeedMessage[]>>;
  /** UIDVALIDITY of the folders (INBOX gets it, the others +1, +2, +3). */
  uidValidity: number;
  debug?: boolean;
}

function toBinary(raw: string | Buffer): string {
  return (typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw).toString('binary');
}

function messageIdOf(raw: string): string | null {
  const head = raw.slice(0, Math.max(0, raw.indexOf('\r\n\r\n')) || raw.length);
  const m = /^Message-ID:[ \t]*(?:\r\n[ \t]+)?<([^>\r\n]+)>/im.exec(head);
  return m?.[1] ?? null;
}

/** Every message of a multi-message partial FETCH gets the range asked for, not what the previous one left. */
function partialFetchPlugin(server: HoodiecrowServer): void {
  const asked = new WeakMap<object, number[]>();
  for (const key of ['BODY', 'BODY.PEEK']) {
    const builtin = builtinFetchHandlers[key];
    if (!builtin) continue;
    server.fetchHandlers[key] = (connection, message, query) => {
      if (query.partial) {
        const original = asked.get(query) ?? [...query.partial];
        asked.set(query, original);
        query.partial = [...original];
      }
      return builtin(connection, message, query);
    };
  }
}

/** RFC 5161: ENABLE lists what it enabled in an untagged ENABLED response before the OK. */
function enabledResponsePlugin(server: HoodiecrowServer): void {
  server.outputHandlers.push((connection, response, description, parsed) => {
    if (description !== 'ENABLE' || response.command !== 'OK' || !parsed) return;
    const asked = (Array.isArray(parsed.attributes) ? parsed.attributes : [])
      .flatMap((a) => (Array.isArray(a) ? a : [a]))
      .map((a) => (a.value ?? '').toUpperCase());
    const enabled = (connection.enabled ?? []).filter((c) => asked.includes(c));
    if (connection.socket && !connection.socket.destroyed) connection.socket.write(`* ENABLED${enabled.map((c) => ` ${c}`).join('')}\r\n`);
  });
}

/** IDLE (RFC 2177) with a timer that neither outlives the socket nor keeps the process alive. */
function idlePlugin(server: HoodiecrowServer): void {
  server.registerCapability('IDLE');
  server.setCommandHandler('IDLE', (connection, parsed, data, callback) => {
    if (connection.state === 'Not Authenticated') {
      connection.send({ tag: parsed.tag, command: 'NO', attributes: [{ type: 'TEXT', value: 'Login first' }] }, 'INVALID COMMAND', parsed, data);
      callback();
      return;
    }
    const socket = connection.socket;
    const expire = setTimeout(() => {
      if (connection.socket && !connection.socket.destroyed) {
        connection.send({ tag: '*', command: 'BYE', attributes: [{ type: 'TEXT', value: 'IDLE terminated' }] }, 'IDLE EXPIRED', parsed, data);
        connection.socket.end();
      }
    }, 30 * 60_000);
    expire.unref();
    socket?.once('close', () => clearTimeout(expire));
    connection.directNotifications = true;
    connection.inputHandler = (line: string) => {
      clearTimeout(expire);
      connection.inputHandler = false;
      if (line.toUpperCase() === 'DONE') {
        connection.send({ tag: parsed.tag, command: 'OK', attributes: [{ type: 'TEXT', value: 'IDLE terminated' }] }, 'IDLE', parsed, data);
      } else {
        connection.send({ tag: parsed.tag, command: 'BAD', attributes: [{ type: 'TEXT', value: 'Invalid Idle continuation' }] }, 'INVALID IDLE', parsed, data);
      }
    };
    if (socket && !socket.destroyed) socket.write('+ idling\r\n');
    connection.processNotifications();
    callback();
  });
}

function flagsFetch(seq: number, message: HoodiecrowMessage): ImapResponse {
  return {
    tag: '*',
    attributes: [
      seq,
      { type: 'ATOM', value: 'FETCH' },
      [
        { type: 'ATOM', value: 'UID' },
        message.uid,
        { type: 'ATOM', value: 'FLAGS' },
        message.flags.map((f) => ({ type: 'ATOM', value: f })),
        ...(message.MODSEQ !== undefined ? [{ type: 'ATOM', value: 'MODSEQ' }, [message.MODSEQ]] : []),
      ],
    ],
  };
}

/** Announce flag changes made by one session to the other sessions on the same folder. */
function storeNotifyPlugin(server: HoodiecrowServer): void {
  for (const command of ['STORE', 'UID STORE']) {
    const previous = server.getCommandHandler(command);
    if (!previous) continue;
    const wrapped: CommandHandler = (connection, parsed, data, callback) => {
      const mailbox = connection.selectedMailbox;
      const first = Array.isArray(parsed.attributes) ? parsed.attributes[0] : undefined;
      const range = mailbox && first && !Array.isArray(first) && typeof first.value === 'string'
        ? server.getMessageRange(mailbox, first.value, command === 'UID STORE').map(([, m]) => ({ m, before: [...m.flags].sort().join(' ') }))
        : [];
      previous(connection, parsed, data, () => {
        if (mailbox) {
          for (const { m, before } of range) {
            if ([...m.flags].sort().join(' ') === before) continue;
            const seq = mailbox.messages.indexOf(m) + 1;
            if (seq > 0) server.notify(flagsFetch(seq, m), mailbox, connection);
          }
        }
        callback();
      });
    };
    server.setCommandHandler(command, wrapped);
  }
}

export class TrainingImapServer {
  private readonly server: HoodiecrowServer;
  private readonly sockets = new Set<Socket>();
  private boundPort = 0;
  private listening = false;

  constructor(options: TrainingImapOptions) {
    const folder = (name: TrainingImapFolder, n: number) => ({
      uidvalidity: options.uidValidity + n,
      messages: (options.seed[name] ?? []).map((m) => ({ raw: toBinary(m.raw), flags: [...m.flags], internaldate: new Date(m.internalDate) })),
    });
    this.server = hoodiecrow({
      // ENABLE before CONDSTORE (CONDSTORE registers itself as enable-able); the fixes last, over the plugins they wrap.
      plugins: ['ID', 'ENABLE', 'CONDSTORE', 'NAMESPACE', 'UIDPLUS', 'SPECIAL-USE', 'LITERALPLUS', 'AUTH-PLAIN', 'UNSELECT', idlePlugin, partialFetchPlugin, enabledResponsePlugin, storeNotifyPlugin],
      users: Object.fromEntries(Object.entries(options.logins).map(([user, password]) => [user, { password }])),
      storage: {
        INBOX: folder('INBOX', 0),
        '': {
          separator: '/',
          type: 'personal',
          folders: {
            Sent: { ...folder('Sent', 1), 'special-use': SPECIAL_USE.Sent },
            Drafts: { ...folder('Drafts', 2), 'special-use': SPECIAL_USE.Drafts },
            Trash: { ...folder('Trash', 3), 'special-use': SPECIAL_USE.Trash },
          },
        },
      },
      debug: options.debug ?? false,
    });
    this.server.server.on('connection', (socket: Socket) => {
      // Many small responses per command: without this, Nagle + delayed ACK cost ~40 ms a round trip.
      socket.setNoDelay(true);
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  get port(): number {
    return this.boundPort;
  }

  get isListening(): boolean {
    return this.listening;
  }

  /** Listen on 127.0.0.1 (0 = a free port; after a stop, the same port again). */
  async listen(port = this.boundPort): Promise<void> {
    const net = this.server.server;
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      net.once('error', onError);
      net.listen(port, '127.0.0.1', () => {
        net.off('error', onError);
        resolve();
      });
    });
    const address = net.address();
    this.boundPort = typeof address === 'object' && address ? address.port : port;
    this.listening = true;
  }

  /** Stop listening and drop every session now ("server down"). The mailbox is kept. */
  async close(): Promise<void> {
    if (!this.listening) return;
    this.listening = false;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  /** Add a message to a folder as a delivery would: sessions on the folder see EXISTS (IDLE wakes). */
  append(folder: TrainingImapFolder, raw: string | Buffer, flags: readonly string[] = [], internalDate = Date.now()): ImapMessageView {
    const { message } = this.server.appendMessage(folder, [...flags], new Date(internalDate), toBinary(raw));
    return this.view(folder, message);
  }

  /** Every message of a folder in UID order. */
  messages(folder: TrainingImapFolder): ImapMessageView[] {
    return this.mailbox(folder).messages.map((m) => this.view(folder, m));
  }

  find(folder: TrainingImapFolder, messageId: string): ImapMessageView | null {
    const m = this.mailbox(folder).messages.find((x) => messageIdOf(x.raw) === messageId);
    return m ? this.view(folder, m) : null;
  }

  /**
   * Change a message's flags as another mail client would (new MODSEQ, FETCH FLAGS announced to the
   * sessions on the folder). Only the system flags are kept. Returns false for an unknown message.
   */
  setFlags(folder: TrainingImapFolder, messageId: string, flags: readonly string[]): boolean {
    const box = this.mailbox(folder);
    const index = box.messages.findIndex((x) => messageIdOf(x.raw) === messageId);
    const message = box.messages[index];
    if (!message) return false;
    message.flags = [...new Set(flags.filter((f) => SYSTEM_FLAGS.has(f)))];
    box.HIGHESTMODSEQ = (box.HIGHESTMODSEQ ?? 0) + 1;
    message.MODSEQ = box.HIGHESTMODSEQ;
    this.server.notify(flagsFetch(index + 1, message), box);
    return true;
  }

  private mailbox(folder: TrainingImapFolder): HoodiecrowMailbox {
    const box = this.server.getMailbox(folder);
    if (!box) throw new Error(`training IMAP: no folder ${folder}`);
    return box;
  }

  private view(folder: TrainingImapFolder, m: HoodiecrowMessage): ImapMessageView {
    return { folder, uid: m.uid, flags: [...m.flags], modseq: m.MODSEQ ?? 0, messageId: messageIdOf(m.raw), raw: Buffer.from(m.raw, 'binary') };
  }
}
