/**
 * Adapter for official email over IMAP (imapflow), bodies parsed with mailparser.
 *
 * pull(cursor): one page of one folder per call, a round over every configured folder.
 *   - first sync of a folder: the messages of the last `initialDays` days, newest first, headers only
 *     (From/To/Cc/Subject/Date/Message-ID header fields — cheaper than ENVELOPE, see mail.headers.ts —,
 *     FLAGS, INTERNALDATE, RFC822.SIZE, BODYSTRUCTURE) plus a short preview from the first bytes of
 *     the first text part; a first sync of more than one page lands without search index entries,
 *     added right after in the background (src/core/mail/mail-search-backfill.ts);
 *   - then the history backfill, in the same cycle: the older mail back to `historyDays`, newest
 *     first, a page a pull, marked `history` (kept in the known UIDs' bits across later fetches; the
 *     default mail rules make it work only when flagged); a cursor from before it existed plans it;
 *   - then incremental: new UIDs (≥ the stored UIDNEXT) and flag changes — with CONDSTORE through
 *     CHANGEDSINCE the stored HIGHESTMODSEQ, without it by comparing the FLAGS of the known UIDs —
 *     and expunges, from QRESYNC's VANISHED when enabled, else a UID SEARCH ALL diff, emitted as
 *     records with status 'deleted';
 *   - a UIDVALIDITY change restarts the folder's first sync. externalIds are `<folder>:<Message-ID>`
 *     (never the UID), so the re-sync upserts the same items: nothing duplicated; known ids that do
 *     not come back are emitted as 'deleted' once the first sync and its history are done: nothing
 *     silently lost.
 * watch(onChange, onEnd): IMAP IDLE on INBOX on its own connection; onEnd when that connection ends.
 * setFlags: \Seen / \Flagged both ways.
 * fetchBody: the whole message streamed through mailparser (mail.body.ts); attachment contents are
 * counted and discarded (never held in memory), small inline images kept as data: URIs.
 * downloadAttachment: one body part, decoded, streamed to the caller while the folder is locked.
 * perform: mail.markSeen / mail.flag (setFlags, the message re-read), mail.send through mail.smtp.ts
 * (SMTP exactly once with the outbox checkpoint, the Sent copy once, \Answered on a replied original).
 */
import type { Readable } from 'node:stream';
import { ImapFlow, type FetchMessageObject } from 'imapflow';
import { z } from 'zod';
import { MailAddressInputSchema, type ItemAction } from '../../shared/actions';
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
  HISTORY_BIT,
  normalizeMail,
  parseMailCursor,
  previewFromPart,
  SERVER_FLAG_BITS,
  type MailCursor,
  type MailFetchLike,
  type MailFolderState,
} from './mail.normalize';
import { ENVELOPE_HEADER_FIELDS, envelopeFromHeaders } from './mail.headers';
import { MailGoneError, matchAttachmentPart, parseMessageStream, type MailBody } from './mail.body';
import { performSend, resolveSentFolder, type MailSendHost, type MessageLocation, type SendingAccount } from './mail.smtp';

export { parseMessageStream, MailGoneError, type MailBody, type MailBodyAttachment } from './mail.body';

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
    /** First sync: the mail of the last `initialDays` days (newest first), then the account is online. */
    initialDays: z.number().int().min(1).max(3650).default(30),
    /**
     * History backfill right after: the older mail back to `historyDays` (0 or ≤ initialDays: none),
     * for links and search ("years of history in the cache"); not work unless flagged (mail rules).
     */
    historyDays: z.number().int().min(0).max(3650).default(365),
    /**
     * Messages per pull page, each landed in one transaction. 2,500: a first sync of a 10,000-message
     * mailbox lands ~25 % faster than with 500 (fewer commits rewriting the same index pages; 5,000
     * gains nothing more) and its first page is in the queue well within a second (see the benchmark).
     */
    pageSize: z.number().int().min(1).max(10_000).default(2_500),
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

/**
 * A cached mail as the core knows it: the location seen at its last sync (UID under a UIDVALIDITY)
 * and its stable externalId (`<folder>:<Message-ID>`), searched by Message-ID when the UID is stale.
 */
export interface MailLocator {
  externalId: string;
  folder: string;
  uid: number;
  uidValidity: string | null;
}

/** What downloadAttachment knows of the attachment (from the cached body's list). */
export interface MailPartRequest {
  part: string;
  filename: string | null;
  contentType: string;
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
/** FETCH window of body and attachment downloads (imapflow asks the server in chunks of this size). */
const DOWNLOAD_CHUNK_BYTES = 256 * 1024;

type FetchedMessage = FetchMessageObject;

/** How every IMAP connection of a mail account is opened (the adapter's, test connection's). */
export function imapClientOptions(
  c: Pick<z.output<typeof MailAdapterConfigSchema>, 'host' | 'port' | 'tls' | 'user' | 'password' | 'ca'>,
  timeoutMs: number,
  socketTimeoutMs: number,
): ConstructorParameters<typeof ImapFlow>[0] {
  return {
    host: c.host,
    port: c.port,
    secure: c.tls === 'implicit',
    doSTARTTLS: c.tls === 'starttls' ? true : c.tls === 'none' ? false : undefined,
    auth: { user: c.user, pass: c.password },
    logger: false,
    disableAutoIdle: true,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: socketTimeoutMs,
    // TLS is always verified; `ca` adds the office's own authority.
    tls: { rejectUnauthorized: true, ...(c.ca !== undefined ? { ca: c.ca } : {}), minVersion: 'TLSv1.2' },
  };
}

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
  /** The cursor the last pull returned and its state (see pull). */
  private lastCursor: { text: string; state: MailCursor } | null = null;

  /** The account mail is sent from (null: no SMTP configured, the mailbox only reads). */
  readonly sendingAccount: SendingAccount | null;

  constructor(config: MailAdapterConfig, _deps: AdapterDeps = {}) {
    const parsed = MailAdapterConfigSchema.safeParse(config);
    if (!parsed.success) {
      throw new AdapterError('config_invalid', `Invalid mail adapter config: ${summariseZodError(parsed.error, 20)}`, false);
    }
    this.config = parsed.data;
    this.id = parsed.data.id;
    this.label = parsed.data.label;
    const c = parsed.data;
    // The schema guarantees an address when smtp is set (`address`, else a user name that is one).
    this.sendingAccount = c.smtp
      ? {
          label: c.label,
          address: c.address ?? c.user,
          displayName: c.displayName ?? null,
          smtp: {
            host: c.smtp.host,
            port: c.smtp.port,
            tls: c.smtp.tls,
            user: c.smtp.user ?? c.user,
            password: c.smtp.password ?? c.password,
            ca: c.ca,
            timeoutMs: c.timeoutMs,
          },
          sentFolder: c.sentFolder ?? null,
        }
      : null;
  }

  // ---------- pull ----------

  async pull(cursor: string | null, signal?: AbortSignal): Promise<PullPage> {
    throwIfAborted(signal);
    // The cursor this adapter returned last is, in a sync cycle, the one the next pull gets (the
    // engine prefetches from it): reuse its parsed state instead of JSON.parse + zod of every known
    // UID on every page (O(n) a page, O(n²) a first sync). Taken once: a retry from the same cursor,
    // or any other cursor, is parsed afresh, so a state a failed pull may have changed is never reused.
    const last = this.lastCursor;
    this.lastCursor = null;
    const state = last !== null && cursor !== null && last.text === cursor ? last.state : parseMailCursor(cursor);
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
    const text = JSON.stringify(state);
    this.lastCursor = { text, state };
    return { records: result.records, quarantined: result.quarantined, cursor: text, hasMore, remaining: null };
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
        // `prev` belongs to this pull alone (parsed from the cursor, or the last pull's state taken
        // once): updated in place, no copy of every known UID a page. A failed pull discards it.
        st = prev;
      }
      const records: NormalizedRecord[] = [];
      const quarantined: QuarantinedRecord[] = [];
      // Headers first: a first sync (or history backfill) of a folder of more than one page lands
      // without search index entries, added right after by the search backfill
      // (src/core/mail/mail-search-backfill.ts); a small folder is searchable at once.
      const deferSearch = mailbox.exists > this.config.pageSize;
      if (st.phase === 'initial') {
        if (st.below === null) {
          st.below = mailbox.uidNext;
          st.passUidNext = mailbox.uidNext;
          st.passModseq = modseq;
        }
        // The window is fixed when the first sync starts (a pass spanning midnight keeps its edge).
        st.windowStart ??= Date.now() - this.config.initialDays * DAY_MS;
        const below = st.below;
        const { uids, low } = await this.searchBelow(client, { since: new Date(st.windowStart) }, below, st);
        const page = uids.slice(0, this.config.pageSize);
        await this.fetchRecords(client, folder, uidValidity, page, st, records, quarantined, deferSearch);
        if (uids.length > page.length) {
          st.below = page[page.length - 1]!;
          return { state: st, records, quarantined, more: true };
        }
        if (below > 1 && low > 1) {
          // Everything of [low, below) is in this page; older UIDs remain.
          st.below = low;
          return { state: st, records, quarantined, more: true };
        }
        // First sync of this folder done: from now on incremental from the snapshot taken at its start.
        st.phase = 'incremental';
        st.below = null;
        st.uidNext = st.passUidNext;
        st.highestModseq = st.passModseq;
        st.after = 0;
        // Older mail follows by the history backfill (the next pulls of this cycle); after a UIDVALIDITY
        // change the messages that did not come back are told once that backfill has run too.
        st.history = this.historyPlan(st.passUidNext, st.windowStart);
        if (st.history === null) dropStale(st, records, folder, uidValidity);
        // Anything that arrived during the first sync is picked up by the next (incremental) pull.
        return {
          state: st,
          records,
          quarantined,
          more: st.history !== null || mailbox.uidNext > st.uidNext || (modseq !== null && modseq !== st.highestModseq),
        };
      }

      // History backfill (issue #4: "first sync of recent mail headers-first, then backfill"): after
      // the first sync's window, the older mail back to `historyDays`, newest first, a page a pull,
      // before the next incremental pass. A cursor from before this existed plans it on its first pull.
      if (st.history === undefined) st.history = this.historyPlan(st.uidNext, st.windowStart);
      if (st.history && st.after === 0) {
        const h = st.history;
        const { uids, low } = await this.searchBelow(client, { since: new Date(h.since), before: new Date(h.before) }, h.below, st);
        const page = uids.slice(0, this.config.pageSize);
        await this.fetchRecords(client, folder, uidValidity, page, st, records, quarantined, deferSearch, true);
        if (uids.length > page.length) h.below = page[page.length - 1]!;
        else if (h.below > 1 && low > 1) h.below = low;
        else {
          st.history = null;
          dropStale(st, records, folder, uidValidity);
        }
        // The incremental pass (new mail, flags, deletions) follows on the next pull of this cycle.
        return { state: st, records, quarantined, more: true };
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
        if (known ? (known[1] & SERVER_FLAG_BITS) !== flagBits(msg.flags) : msg.uid >= st.uidNext) candidates.push(msg.uid);
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
      // A history backfill planned while this pass was under way (an older cursor) goes on in this cycle.
      return { state: st, records, quarantined, more: Boolean(st.history) };
    } finally {
      lock.release();
      client.off('expunge', onExpunge);
    }
  }

  /**
   * UIDs below `below` matching `criteria` (and not known yet), newest first: a window of UIDs just
   * below `below`, widened until it holds a page or reaches UID 1 — searching all of 1:below-1 on every
   * page costs O(n²) UIDs over a large first sync. `low`: the window's lowest UID.
   */
  private async searchBelow(
    client: ImapFlow,
    criteria: { since: Date; before?: Date },
    below: number,
    st: MailFolderState,
  ): Promise<{ uids: number[]; low: number }> {
    let low = Math.max(1, below - this.config.pageSize * 2);
    let uids: number[] = [];
    while (below > 1) {
      const found = (await client.search({ ...criteria, uid: `${low}:${below - 1}` }, { uid: true })) || [];
      uids = found.filter((u) => u >= low && u < below && st.known[String(u)] === undefined).sort((a, b) => b - a);
      if (uids.length >= this.config.pageSize || low === 1) break;
      low = Math.max(1, below - (below - low) * 4);
    }
    return { uids, low };
  }

  /**
   * The history backfill after a first sync whose window started at `windowStart` (unknown for a
   * cursor from before it was kept: `initialDays` before now); null when not wanted.
   */
  private historyPlan(below: number, windowStart: number | null | undefined): MailFolderState['history'] {
    const { initialDays, historyDays } = this.config;
    if (historyDays <= initialDays || below <= 1) return null;
    const before = windowStart ?? Date.now() - initialDays * DAY_MS;
    return { below, since: Date.now() - historyDays * DAY_MS, before };
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
    deferSearch = false,
    history = false,
  ): Promise<void> {
    if (uids.length === 0) return;
    const order = new Map(uids.map((uid, i) => [uid, i]));
    // Headers, and in the same FETCH the first bytes of part 1: the first text part of most mail
    // (a plain message, text/plain first in multipart/alternative or mixed) — one round trip a page.
    // The envelope comes from six raw header fields rather than ENVELOPE (mail.headers.ts: far
    // cheaper for the server and for imapflow's parser, the same result).
    const messages = (
      await client.fetchAll(
        uidSet(uids),
        {
          uid: true,
          flags: true,
          headers: [...ENVELOPE_HEADER_FIELDS],
          internalDate: true,
          size: true,
          bodyStructure: true,
          bodyParts: [{ key: '1', start: 0, maxLength: PREVIEW_BYTES }],
        },
        { uid: true },
      )
    ).sort((a, b) => (order.get(a.uid) ?? 0) - (order.get(b.uid) ?? 0));
    // Previews: the first bytes of the first text part; other part numbers (1.1 …) one FETCH per distinct part.
    const previews = new Map<number, string | null>();
    type PartInfo = { type: string; encoding: string; charset: string };
    const byPart = new Map<string, { uids: number[]; info: Map<number, PartInfo> }>();
    for (const msg of messages) {
      const text = firstTextPart(msg.bodyStructure);
      if (!text) continue;
      const first = text.part === '1' ? msg.bodyParts?.get('1') : undefined;
      if (first) {
        previews.set(msg.uid, previewFromPart(first, text));
        continue;
      }
      const group = byPart.get(text.part) ?? { uids: [] as number[], info: new Map<number, PartInfo>() };
      group.uids.push(msg.uid);
      group.info.set(msg.uid, text);
      byPart.set(text.part, group);
    }
    for (const [part, group] of byPart) {
      try {
        for await (const msg of client.fetch(uidSet(group.uids), { uid: true, bodyParts: [{ key: part, start: 0, maxLength: PREVIEW_BYTES }] }, { uid: true })) {
          const raw = msg.bodyParts?.get(part) ?? msg.bodyParts?.values().next().value;
          const info = group.info.get(msg.uid);
          if (raw && info) previews.set(msg.uid, previewFromPart(raw, info));
        }
      } catch {
        // A preview is a nicety: the headers still land.
      }
    }
    for (const msg of messages) {
      let envelope: MailFetchLike['envelope'];
      try {
        envelope = envelopeFromHeaders(msg.headers);
        const like: MailFetchLike = { uid: msg.uid, flags: msg.flags, size: msg.size, internalDate: msg.internalDate, envelope, bodyStructure: msg.bodyStructure };
        const record = normalizeMail(like, { folder, uid: msg.uid, uidValidity }, previews.get(msg.uid) ?? null);
        if (deferSearch) record.searchDeferred = true;
        // History stays history when the message is fetched again (a flag changed): the mark is kept
        // with its known bits, so the mail rules' verdict does not flip.
        const isHistory = history || ((st.known[String(msg.uid)]?.[1] ?? 0) & HISTORY_BIT) !== 0;
        if (isHistory && record.detail.source === 'mail') record.detail.history = true;
        records.push(record);
        st.known[String(msg.uid)] = [record.externalId, flagBits(msg.flags) | (isHistory ? HISTORY_BIT : 0)];
        this.index.set(record.externalId, { folder, uid: msg.uid });
      } catch (error) {
        quarantined.push({
          externalId: `${folder}:${uidValidity}:${msg.uid}`,
          error: `message could not be read: ${error instanceof Error ? error.message : String(error)}`,
          raw: truncateUtf8(JSON.stringify({ uid: msg.uid, envelope, headers: msg.headers?.toString('utf8'), size: msg.size }) ?? ''),
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
   * The message parsed by mailparser, streamed from the server (mail.body.ts): text and HTML are
   * kept, attachment contents are counted and discarded, so a 25 MB attachment never sits in memory.
   * Throws MailGoneError when the message is neither at its cached UID nor findable by Message-ID.
   */
  async fetchBody(target: string | MailTarget | MailLocator, signal?: AbortSignal): Promise<MailBody> {
    return this.withClient(signal, async (client) => {
      const loc = await this.locate(client, target);
      const lock = await client.getMailboxLock(loc.folder);
      try {
        const { content } = await client.download(String(loc.uid), undefined, { uid: true, chunkSize: DOWNLOAD_CHUNK_BYTES });
        if (!content) throw new MailGoneError(`${loc.folder}/${loc.uid}`);
        return await parseMessageStream(content);
      } finally {
        lock.release();
      }
    });
  }

  /**
   * One attachment, decoded (base64 / quoted-printable undone, charset untouched), handed to `consume`
   * as a stream while the folder is locked; resolves with what `consume` resolves. The part number
   * of the cached attachment list is checked against the server's BODYSTRUCTURE first
   * (`matchAttachmentPart`): the file saved is the one listed. Throws MailGoneError when the message
   * or the part is not there.
   */
  async downloadAttachment<T>(
    target: string | MailTarget | MailLocator,
    request: MailPartRequest,
    consume: (content: Readable) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    return this.withClient(signal, async (client) => {
      const loc = await this.locate(client, target);
      const lock = await client.getMailboxLock(loc.folder);
      try {
        const msg = await client.fetchOne(String(loc.uid), { uid: true, bodyStructure: true }, { uid: true });
        if (!msg) throw new MailGoneError(`${loc.folder}/${loc.uid}`);
        const part = matchAttachmentPart(msg.bodyStructure, request);
        if (part === null) {
          throw new MailGoneError(`${loc.folder}/${loc.uid} (tệp đính kèm "${truncateUtf8(request.filename ?? request.part, 120)}")`);
        }
        const { content } = await client.download(String(loc.uid), part, { uid: true, decodeText: false, chunkSize: DOWNLOAD_CHUNK_BYTES });
        if (!content) throw new MailGoneError(`${loc.folder}/${loc.uid} (phần ${part})`);
        return await consume(content);
      } finally {
        lock.release();
      }
    });
  }

  /**
   * Where a message is now. An explicit MailTarget is taken as is. Otherwise: this session's pulls
   * know it; else the cached location when the folder's UIDVALIDITY is unchanged and the UID still
   * exists (UIDs are never reused under one UIDVALIDITY); else a search of the folder by Message-ID.
   */
  private async locate(client: ImapFlow, target: string | MailTarget | MailLocator): Promise<MailTarget> {
    if (typeof target !== 'string' && !('externalId' in target)) return target;
    const externalId = typeof target === 'string' ? target : target.externalId;
    const known = this.index.get(externalId);
    if (known) return known;
    if (typeof target !== 'string' && target.uid > 0 && target.uidValidity !== null) {
      const lock = await client.getMailboxLock(target.folder);
      try {
        if (client.mailbox && client.mailbox.uidValidity.toString() === target.uidValidity) {
          const uids = (await client.search({ uid: String(target.uid) }, { uid: true })) || [];
          if (uids.includes(target.uid)) return { folder: target.folder, uid: target.uid };
        }
      } finally {
        lock.release();
      }
    }
    // `<folder>:<Message-ID>`: search the folder by header.
    const folder = this.config.folders.find((f) => externalId.startsWith(`${f}:`));
    const messageId = folder ? externalId.slice(folder.length + 1) : '';
    if (folder && messageId && !messageId.startsWith('sha:') && !messageId.startsWith('nomid:')) {
      const lock = await client.getMailboxLock(folder);
      try {
        const uids = (await client.search({ header: { 'message-id': messageId } }, { uid: true })) || [];
        if (uids.length > 0) return { folder, uid: Math.max(...uids) };
      } finally {
        lock.release();
      }
    }
    throw new MailGoneError(truncateUtf8(externalId, 120));
  }

  // ---------- push ----------

  /**
   * IMAP IDLE on INBOX, on a connection of its own: `onChange` on EXISTS, EXPUNGE and FLAGS. Returns
   * the function that stops watching. Fails (AdapterError) when the first connection fails. When the
   * connection ends by itself (server restarted, network lost, IDLE refused) `onEnd` is called once,
   * with the reason; it is never called after the returned stop function ran.
   */
  async watch(onChange: () => void, onEnd?: (reason: Error) => void): Promise<() => Promise<void>> {
    const client = this.newClient();
    let lastError: unknown = null;
    client.on('error', (error: unknown) => {
      lastError = error;
    });
    try {
      await client.connect();
      await client.mailboxOpen('INBOX');
    } catch (error) {
      client.close();
      throw this.classify(error);
    }
    let stopped = false;
    let ended = false;
    const fire = (): void => {
      if (!stopped) onChange();
    };
    const end = (why: string): void => {
      if (stopped || ended) return;
      ended = true;
      this.watchers.delete(stop);
      client.close();
      const reason = lastError !== null ? this.classify(lastError) : new AdapterError('unreachable', `IDLE: ${why}`, true);
      try {
        onEnd?.(reason);
      } catch {
        // the engine's handler does not throw; a failing one must not take the adapter down
      }
    };
    client.on('exists', fire);
    client.on('expunge', fire);
    client.on('flags', fire);
    client.on('close', () => end('the connection to the mail server closed'));
    const loop = async (): Promise<void> => {
      while (!stopped && client.usable) {
        let result: boolean | undefined;
        try {
          result = await client.idle();
        } catch (error) {
          lastError = error;
          break;
        }
        // false: the server refused IDLE or it broke off; looping again would spin.
        if (result === false && !stopped) break;
      }
      end('IDLE ended');
    };
    const stop = async (): Promise<void> => {
      if (stopped) return;
      stopped = true;
      this.watchers.delete(stop);
      if (ended) return;
      try {
        await client.logout();
      } catch {
        client.close();
      }
    };
    this.watchers.add(stop);
    void loop();
    return stop;
  }

  // ---------- actions ----------

  /**
   * The official's actions on mail: `mail.markSeen` / `mail.flag` set the flag on the server and answer
   * the message as re-read; `mail.send` (new, reply, reply-all, forward) goes through mail.smtp.ts —
   * SMTP exactly once with the outbox checkpoint, the Sent copy once, \Answered on a replied original.
   */
  async perform(externalId: string, action: ItemAction, ctx: PerformContext, signal?: AbortSignal): Promise<PerformResult> {
    switch (action.kind) {
      case 'mail.markSeen':
      case 'mail.flag': {
        const flags = action.kind === 'mail.markSeen' ? { seen: action.seen } : { flagged: action.flagged };
        try {
          await this.setFlags(externalId, flags, signal);
        } catch (error) {
          if (error instanceof MailGoneError) return { outcome: 'not_found', message: error.message };
          throw error;
        }
        const record = await this.withClient(signal, async (client) => {
          const location = await this.findMessage(client, externalId);
          return location ? this.readRecord(client, location) : null;
        });
        if (!record) return { outcome: 'not_found', message: new MailGoneError(truncateUtf8(externalId, 120)).message };
        return { outcome: 'applied', record };
      }
      case 'mail.send':
        return performSend(this.sendHost(), externalId, action, ctx, signal);
      default:
        return { outcome: 'rejected', message: `Thao tác "${action.kind}" không áp dụng cho thư điện tử.` };
    }
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
    return new ImapFlow({ ...imapClientOptions(this.config, this.config.timeoutMs, Math.max(this.config.timeoutMs * 4, 60_000)), qresync: true });
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

  // ---------- sending (helpers of perform; the bulk is in mail.smtp.ts) ----------

  /** The Sent folder resolved on this connection (SPECIAL-USE lookup once per session). */
  private sentFolderName: string | null = null;

  private sendHost(): MailSendHost {
    const account = this.sendingAccount ?? { label: this.label, address: this.config.address ?? this.config.user, displayName: null, smtp: null, sentFolder: null };
    return {
      account,
      folders: this.config.folders,
      withClient: (signal, fn) => this.withClient(signal, fn),
      locate: (client, externalId) => this.findMessage(client, externalId),
      readRecord: (client, location) => this.readRecord(client, location),
      sentFolder: async (client) => {
        this.sentFolderName ??= await resolveSentFolder(client, account.sentFolder);
        return this.sentFolderName;
      },
    };
  }

  /** Where a cached mail is now, null when it is no longer on the server. */
  private async findMessage(client: ImapFlow, externalId: string): Promise<MessageLocation | null> {
    try {
      return await this.locate(client, externalId);
    } catch (error) {
      if (error instanceof MailGoneError) return null;
      throw error;
    }
  }

  /** One message as a cache record (headers, flags, preview), as a pull would land it; null when gone. */
  private async readRecord(client: ImapFlow, location: MessageLocation): Promise<NormalizedRecord | null> {
    const lock = await client.getMailboxLock(location.folder);
    try {
      await client.noop();
      const mailbox = client.mailbox;
      if (!mailbox) return null;
      const uidValidity = mailbox.uidValidity.toString();
      const records: NormalizedRecord[] = [];
      const quarantined: QuarantinedRecord[] = [];
      await this.fetchRecords(client, location.folder, uidValidity, [location.uid], fresh(uidValidity), records, quarantined);
      return records[0] ?? null;
    } finally {
      lock.release();
    }
  }
}

/**
 * A UID set for FETCH with runs compacted ("1200:1699" instead of 500 numbers): a first sync's pages
 * are mostly contiguous, and imapflow compiles and the server parses every listed number.
 */
export function uidSet(uids: readonly number[]): string {
  const sorted = [...uids].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1]! <= sorted[j]! + 1) j++;
    parts.push(sorted[j] === sorted[i] ? String(sorted[i]) : `${sorted[i]}:${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

const DAY_MS = 86_400_000;

/** After a UIDVALIDITY change: the messages known before that did not come back are deleted. */
function dropStale(st: MailFolderState, records: NormalizedRecord[], folder: string, uidValidity: string): void {
  if (!st.stale) return;
  const back = new Set(Object.values(st.known).map(([id]) => id));
  const at = Date.now();
  for (const id of st.stale) if (!back.has(id)) records.push(deletedMail(id, { folder, uid: 0, uidValidity }, at));
  st.stale = null;
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
    windowStart: null,
    history: null,
  };
}
