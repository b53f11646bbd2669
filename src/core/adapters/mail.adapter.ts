/**
 * Adapter for official email over IMAP (imapflow), bodies parsed with mailparser.
 *
 * pull(cursor): one page of one folder per call, a round over every configured folder.
 *   - first sync of a folder: the messages of the last `initialDays` days, newest first, headers only
 *     (ENVELOPE, FLAGS, INTERNALDATE, RFC822.SIZE, BODYSTRUCTURE) plus a short preview from the first
 *     bytes of the first text part;
 *   - then incremental: new UIDs (≥ the stored UIDNEXT) and flag changes — with CONDSTORE through
 *     CHANGEDSINCE the stored HIGHESTMODSEQ, without it by comparing the FLAGS of the known UIDs —
 *     and expunges, from QRESYNC's VANISHED when enabled, else a UID SEARCH ALL diff, emitted as
 *     records with status 'deleted';
 *   - a UIDVALIDITY change restarts the folder's first sync. externalIds are `<folder>:<Message-ID>`
 *     (never the UID), so the re-sync upserts the same items: nothing duplicated; known ids that do
 *     not come back are emitted as 'deleted' at the end: nothing silently lost.
 * watch(onChange): IMAP IDLE on INBOX on its own connection. setFlags: \Seen / \Flagged both ways.
 * fetchBody: the whole message streamed through mailparser; attachment contents are counted and
 * discarded (never held in memory).
 */
import { ImapFlow, type FetchMessageObject } from 'imapflow';
import { MailParser, type AddressObject } from 'mailparser';
import { z } from 'zod';
import { MailAddressInputSchema, type ItemAction } from '../../shared/actions';
import type { MailAddress } from '../../shared/work-item';
import {
  AdapterError,
  type AdapterCapabilities,
  type AdapterDeps,
  type BackendAdapter,
  type NormalizedRecord,
  type PerformContext,
  type PerformResult,
  type PullPage,
  type QuarantinedRecord,
} from './adapter';
import { commonAdapterConfigFields, raceAbort, summariseZodError, throwIfAborted, truncateUtf8 } from './adapter.util';
import {
  deletedMail,
  firstTextPart,
  flagBits,
  normalizeMail,
  parseMailCursor,
  previewFromPart,
  type MailFolderState,
} from './mail.normalize';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export const MailAdapterConfigSchema = z
  .strictObject({
    id: commonAdapterConfigFields.id,
    label: commonAdapterConfigFields.label,
    host: z.string().trim().min(1).max(253),
    port: z.number().int().min(1).max(65_535),
    /** implicit: IMAPS (993); starttls: upgrade on the plain port, refused without it; none: loopback only. */
    tls: z.enum(['implicit', 'starttls', 'none']).default('implicit'),
    user: z.string().min(1).max(320),
    password: z.string().min(1).max(500),
    folders: z.array(z.string().trim().min(1).max(200)).min(1).max(50).default(['INBOX']),
    initialDays: z.number().int().min(1).max(3650).default(30),
    pageSize: z.number().int().min(1).max(1000).default(100),
    timeoutMs: commonAdapterConfigFields.timeoutMs,
    ca: commonAdapterConfigFields.ca,
    /** The official's address (From of outgoing mail); defaults to `user` when that is an address. */
    address: MailAddressInputSchema.optional(),
    displayName: z.string().trim().min(1).max(200).optional(),
    /** Outgoing mail (nodemailer). Without it the account only reads; sending is refused with a clear message. */
    smtp: z
      .strictObject({
        host: z.string().trim().min(1).max(253),
        port: z.number().int().min(1).max(65_535),
        /** implicit: SMTPS (465); starttls: upgrade on 587/25, refused without it; none: loopback only. */
        tls: z.enum(['implicit', 'starttls', 'none']).default('starttls'),
        /** Defaults to the IMAP user and password. */
        user: z.string().min(1).max(320).optional(),
        password: z.string().min(1).max(500).optional(),
      })
      .optional(),
    /** Where sent mail is stored; default: the folder marked \Sent (SPECIAL-USE), else "Sent". */
    sentFolder: z.string().trim().min(1).max(200).optional(),
  })
  .refine((c) => c.tls !== 'none' || LOOPBACK_HOSTS.has(c.host.toLowerCase()), {
    path: ['tls'],
    message: "tls 'none' is only allowed for a loopback host (127.0.0.1, localhost, ::1)",
  })
  .refine((c) => c.smtp === undefined || c.smtp.tls !== 'none' || LOOPBACK_HOSTS.has(c.smtp.host.toLowerCase()), {
    path: ['smtp', 'tls'],
    message: "smtp tls 'none' is only allowed for a loopback host (127.0.0.1, localhost, ::1)",
  })
  .refine((c) => c.smtp === undefined || c.address !== undefined || c.user.includes('@'), {
    path: ['address'],
    message: 'sending needs the account address: set "address" (the user name is not an e-mail address)',
  });
export type MailAdapterConfig = z.input<typeof MailAdapterConfigSchema>;

export const MAIL_CAPABILITIES: AdapterCapabilities = Object.freeze({
  cursor: true,
  incremental: true,
  paging: true,
  sessionRenewal: true,
  push: true,
  actions: true,
});

/** Where a message is now: a folder and a UID under a UIDVALIDITY. */
export interface MailTarget {
  folder: string;
  uid: number;
}

export interface MailBodyAttachment {
  filename: string | null;
  contentType: string;
  /** Decoded size in bytes. */
  size: number;
  contentId: string | null;
  inline: boolean;
}

export interface MailBody {
  subject: string;
  from: MailAddress | null;
  to: MailAddress[];
  date: number | null;
  messageId: string | null;
  text: string | null;
  /** Raw HTML as sent: sanitise (DOMPurify) before showing it. */
  html: string | null;
  attachments: MailBodyAttachment[];
}

const TIMEOUT_CODES = new Set(['CONNECT_TIMEOUT', 'GREETING_TIMEOUT', 'UPGRADE_TIMEOUT', 'ETIMEOUT', 'ETIMEDOUT']);
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'NoConnection',
  'EConnectionClosed',
  'ClosedAfterConnectText',
  'ClosedAfterConnectTLS',
]);

const PREVIEW_BYTES = 1024;

type FetchedMessage = FetchMessageObject;

export class MailAdapter implements BackendAdapter {
  readonly kind = 'mail' as const;
  readonly capabilities = MAIL_CAPABILITIES;
  readonly id: string;
  readonly label: string;
  private readonly config: z.output<typeof MailAdapterConfigSchema>;
  private client: ImapFlow | null = null;
  private connecting: Promise<ImapFlow> | null = null;
  /** externalId → location, from the pulls of this session (setFlags/fetchBody by externalId). */
  private readonly index = new Map<string, MailTarget>();
  private readonly watchers = new Set<() => Promise<void>>();

  constructor(config: MailAdapterConfig, _deps: AdapterDeps = {}) {
    const parsed = MailAdapterConfigSchema.safeParse(config);
    if (!parsed.success) {
      throw new AdapterError('config_invalid', `Invalid mail adapter config: ${summariseZodError(parsed.error, 20)}`, false);
    }
    this.config = parsed.data;
    this.id = parsed.data.id;
    this.label = parsed.data.label;
  }

  // ---------- pull ----------

  async pull(cursor: string | null, signal?: AbortSignal): Promise<PullPage> {
    throwIfAborted(signal);
    const state = parseMailCursor(cursor);
    const folders = this.config.folders;
    const index = state.folderIndex % folders.length;
    const folder = folders[index]!;
    const result = await this.withClient(signal, (client) => this.pullFolder(client, folder, state.folders[folder] ?? null));
    state.folders[folder] = result.state;
    let hasMore = result.more;
    if (!result.more) {
      if (index + 1 < folders.length) {
        state.folderIndex = index + 1;
        hasMore = true;
      } else {
        state.folderIndex = 0;
      }
    } else {
      state.folderIndex = index;
    }
    return { records: result.records, quarantined: result.quarantined, cursor: JSON.stringify(state), hasMore, remaining: null };
  }

  private async pullFolder(
    client: ImapFlow,
    folder: string,
    prev: MailFolderState | null,
  ): Promise<{ state: MailFolderState; records: NormalizedRecord[]; quarantined: QuarantinedRecord[]; more: boolean }> {
    const vanished = new Set<number>();
    const onExpunge = (data: { uid?: number; vanished?: boolean }): void => {
      if (data.vanished && typeof data.uid === 'number') vanished.add(data.uid);
    };
    client.on('expunge', onExpunge);
    const lock = await client.getMailboxLock(folder);
    try {
      // A mailbox kept selected on this connection only sees messages that arrived (or vanished)
      // since its last command at a sync point: without it, a pull woken by IDLE on the watch
      // connection would still see the old view (FETCH 1:* resolved against it).
      await client.noop();
      const mailbox = client.mailbox;
      if (!mailbox) throw new AdapterError('unknown', `IMAP: folder "${folder}" could not be opened`, false);
      const uidValidity = mailbox.uidValidity.toString();
      const modseq = mailbox.highestModseq !== undefined ? mailbox.highestModseq.toString() : null;
      let st: MailFolderState;
      if (prev === null) {
        st = fresh(uidValidity);
      } else if (prev.uidValidity !== uidValidity) {
        // UIDVALIDITY changed: the UIDs mean nothing any more. Re-sync the folder; remember the ids known so far.
        const staleIds = new Set([...(prev.stale ?? []), ...Object.values(prev.known).map(([id]) => id)]);
        st = { ...fresh(uidValidity), stale: [...staleIds] };
      } else {
        st = { ...prev, known: { ...prev.known } };
      }
      const records: NormalizedRecord[] = [];
      const quarantined: QuarantinedRecord[] = [];
      if (st.phase === 'initial') {
        if (st.below === null) {
          st.below = mailbox.uidNext;
          st.passUidNext = mailbox.uidNext;
          st.passModseq = modseq;
        }
        const since = new Date(Date.now() - this.config.initialDays * 86_400_000);
        const found = st.below > 1 ? await client.search({ since, uid: `1:${st.below - 1}` }, { uid: true }) : [];
        const uids = (found || []).filter((u) => u < st.below!).sort((a, b) => b - a);
        const page = uids.slice(0, this.config.pageSize);
        await this.fetchRecords(client, folder, uidValidity, page, st, records, quarantined);
        if (uids.length > page.length) {
          st.below = page[page.length - 1]!;
          return { state: st, records, quarantined, more: true };
        }
        // First sync of this folder done: from now on incremental from the snapshot taken at its start.
        st.phase = 'incremental';
        st.below = null;
        st.uidNext = st.passUidNext;
        st.highestModseq = st.passModseq;
        st.after = 0;
        if (st.stale) {
          const back = new Set(Object.values(st.known).map(([id]) => id));
          const at = Date.now();
          for (const id of st.stale) if (!back.has(id)) records.push(deletedMail(id, { folder, uid: 0, uidValidity }, at));
          st.stale = null;
        }
        // Anything that arrived during the first sync is picked up by the next (incremental) pull.
        return { state: st, records, quarantined, more: mailbox.uidNext > st.uidNext || (modseq !== null && modseq !== st.highestModseq) };
      }

      // Incremental pass.
      if (st.after === 0) {
        st.passUidNext = mailbox.uidNext;
        st.passModseq = modseq;
      }
      const condstore = client.enabled.has('CONDSTORE') && st.highestModseq !== null && modseq !== null;
      const qresync = condstore && client.enabled.has('QRESYNC');
      const candidates: number[] = [];
      const seenUids = new Set<number>();
      const flagsQuery = { uid: true, flags: true } as const;
      const scan = (msg: FetchedMessage): void => {
        seenUids.add(msg.uid);
        const known = st.known[String(msg.uid)];
        if (known ? known[1] !== flagBits(msg.flags) : msg.uid >= st.uidNext) candidates.push(msg.uid);
      };
      if (condstore) {
        for await (const msg of client.fetch('1:*', flagsQuery, { uid: true, changedSince: BigInt(st.highestModseq!) })) scan(msg);
      } else if (mailbox.exists > 0) {
        for await (const msg of client.fetch('1:*', flagsQuery, { uid: true })) scan(msg);
      }
      // Expunged since the last pass: VANISHED (QRESYNC) or the difference with the UIDs on the server.
      let gone: number[];
      if (qresync) {
        gone = [...vanished].filter((u) => st.known[String(u)] !== undefined);
      } else {
        const all = new Set(condstore ? ((await client.search({ all: true }, { uid: true })) || []) : seenUids);
        gone = Object.keys(st.known)
          .map(Number)
          .filter((u) => !all.has(u));
      }
      const at = Date.now();
      for (const uid of gone) {
        const [externalId] = st.known[String(uid)]!;
        delete st.known[String(uid)];
        records.push(deletedMail(externalId, { folder, uid, uidValidity }, at));
        this.index.delete(externalId);
      }
      const todo = [...new Set(candidates)].filter((u) => u > st.after).sort((a, b) => a - b);
      const page = todo.slice(0, this.config.pageSize);
      await this.fetchRecords(client, folder, uidValidity, page, st, records, quarantined);
      if (todo.length > page.length) {
        st.after = page[page.length - 1]!;
        return { state: st, records, quarantined, more: true };
      }
      st.after = 0;
      st.uidNext = Math.max(st.passUidNext, st.uidNext);
      st.highestModseq = st.passModseq;
      return { state: st, records, quarantined, more: false };
    } finally {
      lock.release();
      client.off('expunge', onExpunge);
    }
  }

  /** Headers (and a short preview) of `uids`, normalised into `records`; updates `st.known`. */
  private async fetchRecords(
    client: ImapFlow,
    folder: string,
    uidValidity: string,
    uids: number[],
    st: MailFolderState,
    records: NormalizedRecord[],
    quarantined: QuarantinedRecord[],
  ): Promise<void> {
    if (uids.length === 0) return;
    const order = new Map(uids.map((uid, i) => [uid, i]));
    const messages = (
      await client.fetchAll(
        uids.join(','),
        { uid: true, flags: true, envelope: true, internalDate: true, size: true, bodyStructure: true },
        { uid: true },
      )
    ).sort((a, b) => (order.get(a.uid) ?? 0) - (order.get(b.uid) ?? 0));
    // Previews: the first bytes of the first text part, one FETCH per distinct part number.
    const previews = new Map<number, string | null>();
    type PartInfo = { type: string; encoding: string; charset: string };
    const byPart = new Map<string, { uids: number[]; info: Map<number, PartInfo> }>();
    for (const msg of messages) {
      const text = firstTextPart(msg.bodyStructure);
      if (!text) continue;
      const group = byPart.get(text.part) ?? { uids: [] as number[], info: new Map<number, PartInfo>() };
      group.uids.push(msg.uid);
      group.info.set(msg.uid, text);
      byPart.set(text.part, group);
    }
    for (const [part, group] of byPart) {
      try {
        for await (const msg of client.fetch(group.uids.join(','), { uid: true, bodyParts: [{ key: part, start: 0, maxLength: PREVIEW_BYTES }] }, { uid: true })) {
          const raw = msg.bodyParts?.get(part) ?? msg.bodyParts?.values().next().value;
          const info = group.info.get(msg.uid);
          if (raw && info) previews.set(msg.uid, previewFromPart(raw, info));
        }
      } catch {
        // A preview is a nicety: the headers still land.
      }
    }
    for (const msg of messages) {
      try {
        const record = normalizeMail(msg, { folder, uid: msg.uid, uidValidity }, previews.get(msg.uid) ?? null);
        records.push(record);
        st.known[String(msg.uid)] = [record.externalId, flagBits(msg.flags)];
        this.index.set(record.externalId, { folder, uid: msg.uid });
      } catch (error) {
        quarantined.push({
          externalId: `${folder}:${uidValidity}:${msg.uid}`,
          error: `message could not be read: ${error instanceof Error ? error.message : String(error)}`,
          raw: truncateUtf8(JSON.stringify({ uid: msg.uid, envelope: msg.envelope, size: msg.size }) ?? ''),
        });
      }
    }
  }

  // ---------- flags, bodies ----------

  /** Set or clear \Seen and \Flagged on the server. */
  async setFlags(target: string | MailTarget, flags: { seen?: boolean; flagged?: boolean }, signal?: AbortSignal): Promise<void> {
    await this.withClient(signal, async (client) => {
      const loc = await this.locate(client, target);
      const lock = await client.getMailboxLock(loc.folder);
      try {
        const range = String(loc.uid);
        const add: string[] = [];
        const remove: string[] = [];
        if (flags.seen !== undefined) (flags.seen ? add : remove).push('\\Seen');
        if (flags.flagged !== undefined) (flags.flagged ? add : remove).push('\\Flagged');
        if (add.length > 0) await client.messageFlagsAdd(range, add, { uid: true });
        if (remove.length > 0) await client.messageFlagsRemove(range, remove, { uid: true });
      } finally {
        lock.release();
      }
    });
  }

  /**
   * The message parsed by mailparser, streamed from the server: text and HTML are kept, attachment
   * contents are counted and discarded, so a 25 MB attachment never sits in memory.
   */
  async fetchBody(target: string | MailTarget, signal?: AbortSignal): Promise<MailBody> {
    return this.withClient(signal, async (client) => {
      const loc = await this.locate(client, target);
      const lock = await client.getMailboxLock(loc.folder);
      try {
        const { content } = await client.download(String(loc.uid), undefined, { uid: true });
        if (!content) throw new AdapterError('unknown', `Mail ${loc.folder}/${loc.uid} is not on the server (moved or deleted)`, false);
        return await parseMessageStream(content);
      } finally {
        lock.release();
      }
    });
  }

  private async locate(client: ImapFlow, target: string | MailTarget): Promise<MailTarget> {
    if (typeof target !== 'string') return target;
    const known = this.index.get(target);
    if (known) return known;
    // `<folder>:<Message-ID>`: search the folder by header.
    const folder = this.config.folders.find((f) => target.startsWith(`${f}:`));
    const messageId = folder ? target.slice(folder.length + 1) : '';
    if (folder && messageId && !messageId.startsWith('sha:') && !messageId.startsWith('nomid:')) {
      const lock = await client.getMailboxLock(folder);
      try {
        const uids = (await client.search({ header: { 'message-id': messageId } }, { uid: true })) || [];
        if (uids.length > 0) return { folder, uid: Math.max(...uids) };
      } finally {
        lock.release();
      }
    }
    throw new AdapterError('unknown', `Mail ${truncateUtf8(target, 120)} is not on the server (moved or deleted)`, false);
  }

  // ---------- push ----------

  /**
   * IMAP IDLE on INBOX, on a connection of its own: `onChange` on EXISTS, EXPUNGE and FLAGS. Returns
   * the function that stops watching. Fails (AdapterError) when the first connection fails.
   */
  async watch(onChange: () => void): Promise<() => Promise<void>> {
    const client = this.newClient();
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.mailboxOpen('INBOX');
    } catch (error) {
      client.close();
      throw this.classify(error);
    }
    let stopped = false;
    const fire = (): void => {
      if (!stopped) onChange();
    };
    client.on('exists', fire);
    client.on('expunge', fire);
    client.on('flags', fire);
    const loop = async (): Promise<void> => {
      while (!stopped && client.usable) {
        try {
          await client.idle();
        } catch {
          break;
        }
      }
    };
    void loop();
    const stop = async (): Promise<void> => {
      if (stopped) return;
      stopped = true;
      this.watchers.delete(stop);
      try {
        await client.logout();
      } catch {
        client.close();
      }
    };
    this.watchers.add(stop);
    return stop;
  }

  // ---------- actions ----------

  /** The shared contract has no mail actions yet: flags go through setFlags(). */
  async perform(_externalId: string, action: ItemAction, _ctx: PerformContext): Promise<PerformResult> {
    return { outcome: 'rejected', message: `Thao tác "${action.kind}" không áp dụng cho thư điện tử.` };
  }

  async close(): Promise<void> {
    for (const stop of [...this.watchers]) await stop();
    const client = this.client;
    this.client = null;
    if (client) {
      try {
        if (client.usable) await client.logout();
      } catch {
        // already gone
      }
      client.close();
    }
  }

  // ---------- connection ----------

  private newClient(): ImapFlow {
    const c = this.config;
    return new ImapFlow({
      host: c.host,
      port: c.port,
      secure: c.tls === 'implicit',
      doSTARTTLS: c.tls === 'starttls' ? true : c.tls === 'none' ? false : undefined,
      auth: { user: c.user, pass: c.password },
      logger: false,
      qresync: true,
      disableAutoIdle: true,
      connectionTimeout: c.timeoutMs,
      greetingTimeout: c.timeoutMs,
      socketTimeout: Math.max(c.timeoutMs * 4, 60_000),
      // TLS is always verified; `ca` adds the office's own authority.
      tls: { rejectUnauthorized: true, ...(c.ca !== undefined ? { ca: c.ca } : {}), minVersion: 'TLSv1.2' },
    });
  }

  private async connection(signal?: AbortSignal): Promise<ImapFlow> {
    if (this.client?.usable) return this.client;
    if (!this.connecting) {
      const pending = (async () => {
        const client = this.newClient();
        // An 'error' event without a listener would crash the process: errors surface through the calls.
        client.on('error', () => undefined);
        client.on('close', () => {
          if (this.client === client) this.client = null;
        });
        try {
          await client.connect();
        } catch (error) {
          client.close();
          throw error;
        }
        this.client = client;
        return client;
      })().finally(() => {
        if (this.connecting === pending) this.connecting = null;
      });
      this.connecting = pending;
    }
    return raceAbort(this.connecting, signal);
  }

  private async withClient<T>(signal: AbortSignal | undefined, fn: (client: ImapFlow) => Promise<T>): Promise<T> {
    let client: ImapFlow;
    try {
      client = await this.connection(signal);
    } catch (error) {
      throw this.classify(error);
    }
    try {
      return await raceAbort(fn(client), signal);
    } catch (error) {
      if (signal?.aborted || error instanceof AdapterError) throw error;
      if (!client.usable && this.client === client) this.client = null;
      throw this.classify(error);
    }
  }

  /** imapflow/socket errors → AdapterError with a message an IT person can act on. */
  private classify(error: unknown): AdapterError {
    if (error instanceof AdapterError) return error;
    const e = (error ?? {}) as { code?: string; authenticationFailed?: boolean; responseText?: string; message?: string };
    const where = `${this.config.host}:${this.config.port}`;
    const server = e.responseText ? ` (server: ${truncateUtf8(e.responseText, 200)})` : '';
    if (e.authenticationFailed) {
      return new AdapterError(
        'auth_failed',
        `Đăng nhập hộp thư thất bại: máy chủ IMAP ${where} từ chối tên đăng nhập "${this.config.user}" hoặc mật khẩu — kiểm tra lại mật khẩu${server}.`,
        false,
        { cause: error },
      );
    }
    const code = e.code ?? '';
    if (TIMEOUT_CODES.has(code)) {
      return new AdapterError('timeout', `Máy chủ thư ${where} không trả lời kịp (${code}).`, true, { cause: error });
    }
    if (UNREACHABLE_CODES.has(code)) {
      return new AdapterError('unreachable', `Không kết nối được máy chủ thư ${where} (${code}).`, true, { cause: error });
    }
    if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL/.test(code)) {
      return new AdapterError(
        'unreachable',
        `Chứng chỉ TLS của máy chủ thư ${where} không được tin cậy (${code}); thêm CA của đơn vị vào cấu hình "ca".`,
        false,
        { cause: error },
      );
    }
    return new AdapterError('unknown', `IMAP ${where}: ${truncateUtf8(e.message ?? String(error), 300)}${server}`, true, { cause: error });
  }
}

function fresh(uidValidity: string): MailFolderState {
  return {
    uidValidity,
    uidNext: 0,
    highestModseq: null,
    phase: 'initial',
    below: null,
    after: 0,
    passUidNext: 0,
    passModseq: null,
    known: {},
    stale: null,
  };
}

function firstAddress(value: AddressObject | AddressObject[] | undefined): MailAddress[] {
  const list = Array.isArray(value) ? value : value ? [value] : [];
  return list.flatMap((a) => a.value).map((a) => ({ name: a.name ? a.name : null, address: a.address ?? '' }));
}

/** Parse a message stream with mailparser, discarding attachment contents as they stream by. */
export function parseMessageStream(stream: NodeJS.ReadableStream): Promise<MailBody> {
  return new Promise<MailBody>((resolve, reject) => {
    const parser = new MailParser({ skipImageLinks: true });
    const body: MailBody = { subject: '', from: null, to: [], date: null, messageId: null, text: null, html: null, attachments: [] };
    parser.on('headers', (headers) => {
      const subject = headers.get('subject');
      body.subject = typeof subject === 'string' ? subject : '';
      body.from = firstAddress(headers.get('from') as AddressObject | undefined)[0] ?? null;
      body.to = firstAddress(headers.get('to') as AddressObject | AddressObject[] | undefined);
      const date = headers.get('date');
      body.date = date instanceof Date && Number.isFinite(date.getTime()) ? date.getTime() : null;
      const mid = headers.get('message-id');
      body.messageId = typeof mid === 'string' ? mid.replace(/^<|>$/g, '') : null;
    });
    parser.on('data', (data: { type: string } & Record<string, unknown>) => {
      if (data.type === 'text') {
        body.text = typeof data['text'] === 'string' ? data['text'] : null;
        body.html = typeof data['html'] === 'string' ? data['html'] : null;
        return;
      }
      if (data.type === 'attachment') {
        const att = data as unknown as {
          content: NodeJS.ReadableStream;
          filename?: string;
          contentType: string;
          contentId?: string;
          related?: boolean;
          contentDisposition?: string;
          release: () => void;
        };
        let size = 0;
        att.content.on('data', (chunk: Buffer) => {
          size += chunk.length;
        });
        att.content.on('end', () => {
          body.attachments.push({
            filename: att.filename ?? null,
            contentType: att.contentType,
            size,
            contentId: att.contentId ?? null,
            inline: att.contentDisposition === 'inline' || att.related === true,
          });
          att.release();
        });
      }
    });
    parser.once('end', () => resolve(body));
    parser.once('error', reject);
    stream.once('error', (error) => {
      parser.destroy();
      reject(error);
    });
    stream.pipe(parser);
  });
}
