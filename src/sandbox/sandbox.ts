/**
 * The training sandbox: both simulated backends over one generated commune, on loopback ports.
 * Used as the default backends in training mode, and by integration/e2e tests and the benchmark.
 *
 *   const sb = await TrainingSandbox.start({ seed: 1, streamIntervalMs: 0 });
 *   sb.procedureUrl; sb.documentUrl; sb.imapPort; sb.smtpPort; sb.credentials;
 *   sb.setFaults({ errorRate: 0.2 }); sb.emit('procedure', 5); await sb.stop(); await sb.restart();
 *   await sb.stopMail(); await sb.startMail(); sb.deliverStreamMail(); sb.mailMessages(); sb.sentMail();
 */
import { type WorkCalendar } from '../core/deadline';
import { toDocumentEntry, toDossierJson, type DocumentEntryJson, type DocumentRecord, type DossierJson, type DossierRecord } from './data-generator';
import { DocumentServer } from './document.server';
import { type FaultPatch, type FaultSettings } from './http-kit';
import { type ImapMessageView, type TrainingImapFolder } from './mailbox/imap.server';
import { DEFAULT_MAIL_CREDENTIALS, TrainingMailService, type TrainingMailCredentials } from './mailbox/mail.service';
import { type OutgoingMail } from './mailbox/smtp.server';
import { type StreamMail, type StreamMailCategory } from './mailbox/stream-mail';
import { ProcedureServer } from './procedure.server';
import {
  SandboxWorld, type ActionLogEntry, type DocumentView, type ItemKind, type ReplyDraftRecord, type StatusFeedbackRecord,
} from './sandbox-world';

export type { ActionLogEntry, ReplyDraftRecord } from './sandbox-world';
export type { ImapMessageView, OutgoingMail, StreamMail, TrainingMailCredentials };

/** Who changes an item on the backend in touchDossier/touchDocument, and what they write. */
export interface TouchOptions {
  /** Username of the other official (default: the leader, or anyone but the current handler). */
  by?: string;
  text?: string;
}

export interface TrainingSandboxOptions {
  seed?: number;
  /** Instant the generated history ends at; default clock(). */
  now?: number;
  /** Time source for sessions, tokens and new items; default Date.now. */
  clock?: () => number;
  /** Working days of history (default 60). */
  days?: number;
  dossiersPerDay?: number;
  documentsPerDay?: number;
  /** 0 = random free port. */
  procedurePort?: number;
  documentPort?: number;
  /** One new item (and sometimes a status change) every interval; 0 = off. Default 30 s. */
  streamIntervalMs?: number;
  /** Session and token lifetime; default 30 minutes. */
  sessionTtlMs?: number;
  /** Procedure-system login (default canbo.lan / training). */
  procedureCredentials?: { username: string; password: string };
  /** Document-gateway client credentials (default workstation / training). */
  documentCredentials?: { clientId: string; clientSecret: string };
  /** Serve the training mailbox over IMAP and SMTP (default true). */
  mail?: boolean;
  /** 0 = random free port. */
  imapPort?: number;
  smtpPort?: number;
  /** The mail account (default canbo.lan / training, canbo.lan@ngocha.hanoi.gov.vn). */
  mailCredentials?: TrainingMailCredentials;
  calendar?: WorkCalendar;
}

export interface SandboxCredentials {
  procedure: { username: string; password: string };
  document: { clientId: string; clientSecret: string };
  mail: TrainingMailCredentials;
}

export const DEFAULT_CREDENTIALS: SandboxCredentials = {
  procedure: { username: 'canbo.lan', password: 'training' },
  document: { clientId: 'workstation', clientSecret: 'training' },
  mail: { ...DEFAULT_MAIL_CREDENTIALS },
};
export const DEFAULT_STREAM_INTERVAL_MS = 30_000;
export const DEFAULT_SESSION_TTL_MS = 30 * 60_000;

export type FaultTarget = 'procedure' | 'document' | 'both';

export class TrainingSandbox {
  readonly credentials: SandboxCredentials;
  private readonly world: SandboxWorld;
  private readonly procedure: ProcedureServer;
  private readonly document: DocumentServer;
  private readonly mail: TrainingMailService | null;
  private readonly clock: () => number;
  private streamTimer: NodeJS.Timeout | null = null;
  private readonly streamIntervalMs: number;
  private ports = { procedure: 0, document: 0 };
  private running = false;

  private constructor(opts: TrainingSandboxOptions) {
    this.clock = opts.clock ?? Date.now;
    const seed = opts.seed ?? 1;
    this.credentials = {
      procedure: { ...(opts.procedureCredentials ?? DEFAULT_CREDENTIALS.procedure) },
      document: { ...(opts.documentCredentials ?? DEFAULT_CREDENTIALS.document) },
      mail: { ...(opts.mailCredentials ?? DEFAULT_CREDENTIALS.mail) },
    };
    this.world = new SandboxWorld({
      seed,
      now: opts.now ?? this.clock(),
      days: opts.days,
      dossiersPerDay: opts.dossiersPerDay,
      documentsPerDay: opts.documentsPerDay,
      calendar: opts.calendar,
    });
    const ttl = opts.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS;
    this.procedure = new ProcedureServer({
      world: this.world,
      clock: this.clock,
      seed,
      credentials: this.credentials.procedure,
      sessionTtlMs: ttl,
      emit: (count) => this.emit('procedure', count),
    });
    this.document = new DocumentServer({
      world: this.world,
      clock: this.clock,
      seed,
      credentials: this.credentials.document,
      tokenTtlMs: ttl,
      emit: (count) => this.emit('document', count),
    });
    this.mail =
      opts.mail === false
        ? null
        : new TrainingMailService({
            dataset: this.world.dataset,
            credentials: this.credentials.mail,
            seed,
            clock: this.clock,
            ...(opts.imapPort !== undefined ? { imapPort: opts.imapPort } : {}),
            ...(opts.smtpPort !== undefined ? { smtpPort: opts.smtpPort } : {}),
          });
    this.streamIntervalMs = opts.streamIntervalMs ?? DEFAULT_STREAM_INTERVAL_MS;
    this.ports = { procedure: opts.procedurePort ?? 0, document: opts.documentPort ?? 0 };
  }

  /** Generate the data and start both servers. */
  static async start(opts: TrainingSandboxOptions = {}): Promise<TrainingSandbox> {
    const sandbox = new TrainingSandbox(opts);
    await sandbox.listen();
    return sandbox;
  }

  get procedureUrl(): string {
    return `http://127.0.0.1:${this.ports.procedure}`;
  }

  get documentUrl(): string {
    return `http://127.0.0.1:${this.ports.document}`;
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** IMAP port of the training mailbox on 127.0.0.1 (null when started with mail: false). */
  get imapPort(): number | null {
    return this.mail ? this.mail.imapPort : null;
  }

  /** SMTP submission port (AUTH PLAIN/LOGIN, no TLS) on 127.0.0.1 (null when started with mail: false). */
  get smtpPort(): number | null {
    return this.mail ? this.mail.smtpPort : null;
  }

  /** Mail domain of the training account. */
  get mailDomain(): string | null {
    return this.mail ? this.mail.domain : null;
  }

  private async listen(): Promise<void> {
    try {
      await this.procedure.http.listen(this.ports.procedure);
      await this.document.http.listen(this.ports.document);
      await this.mail?.start();
    } catch (err) {
      await this.procedure.http.close();
      await this.document.http.close();
      await this.mail?.stop();
      throw err;
    }
    // Remember the bound ports so restart() comes back on the same ones.
    this.ports = { procedure: this.procedure.http.port, document: this.document.http.port };
    this.running = true;
    if (this.streamIntervalMs > 0) {
      this.streamTimer = setInterval(() => this.tick(), this.streamIntervalMs);
      this.streamTimer.unref();
    }
  }

  /** Close every server (HTTP, IMAP, SMTP) and every open connection now ("backend down"). Data is kept. */
  async stop(): Promise<void> {
    if (this.streamTimer) clearInterval(this.streamTimer);
    this.streamTimer = null;
    this.running = false;
    await Promise.all([this.procedure.http.close(), this.document.http.close(), this.mail?.stop()]);
  }

  /** Start again on the same ports with the same data (sessions and tokens survive). */
  async restart(): Promise<void> {
    if (this.running) await this.stop();
    await this.listen();
  }

  /** Change fault switches at runtime (both servers unless a target is named). */
  setFaults(patch: FaultPatch, target: FaultTarget = 'both'): { procedure: FaultSettings; document: FaultSettings } {
    if (target !== 'document') this.procedure.faults.set(patch);
    if (target !== 'procedure') this.document.faults.set(patch);
    return this.faults();
  }

  faults(): { procedure: FaultSettings; document: FaultSettings } {
    return { procedure: this.procedure.faults.current, document: this.document.faults.current };
  }

  /** Create `count` new items now; returns their MaHoSo / DocId. */
  emit(kind: ItemKind, count = 1): string[] {
    return this.world.emit(kind, count, this.clock());
  }

  /**
   * One beat of the steady stream, on demand (new item, sometimes a status change, and now and then
   * a mail — about the dossier just received when there is one). Returns the changed item ids.
   */
  tick(): string[] {
    const changed = this.world.tick(this.clock());
    if (this.mail?.isRunning) {
      const first = changed[0];
      this.mail.streamBeat(first !== undefined ? (this.world.dossierByCode.get(first) ?? null) : null);
    }
    return changed;
  }

  // ---------- training mailbox ----------

  private requireMail(): TrainingMailService {
    if (!this.mail) throw new Error('the training sandbox was started with mail: false');
    return this.mail;
  }

  /** IMAP and SMTP down (every session dropped), the HTTP backends untouched. The mailbox is kept. */
  async stopMail(): Promise<void> {
    await this.requireMail().stop();
  }

  /** IMAP and SMTP back on the same ports with the same mailbox. */
  async startMail(): Promise<void> {
    await this.requireMail().start();
  }

  /** A new mail of the steady stream into INBOX now (IDLE sessions see EXISTS). */
  deliverStreamMail(options: { dossierCode?: string; category?: StreamMailCategory } = {}): StreamMail & { uid: number } {
    const dossier = options.dossierCode !== undefined ? (this.world.dossierByCode.get(options.dossierCode) ?? null) : null;
    return this.requireMail().deliverStreamMail({ dossier, ...(options.category ? { category: options.category } : {}) });
  }

  /** Deliver a raw RFC 822 message into INBOX now. */
  deliverMail(raw: string | Buffer): ImapMessageView {
    return this.requireMail().deliver(raw);
  }

  /** Ground truth: the messages of a folder as the IMAP server holds them, in UID order. */
  mailMessages(folder: TrainingImapFolder = 'INBOX'): ImapMessageView[] {
    return this.requireMail().messages(folder);
  }

  /** Change a message's flags on the server as another mail client would (announced to IDLE sessions). */
  setMailFlags(folder: TrainingImapFolder, messageId: string, flags: readonly string[]): boolean {
    return this.requireMail().setFlags(folder, messageId, flags);
  }

  /** Mail submitted over SMTP to anyone but the training account ("sent out"), oldest first. */
  sentMail(): readonly OutgoingMail[] {
    return this.requireMail().sent();
  }

  /** Move one open dossier/document one step further (new step, new NgayCapNhat/UpdatedAt). */
  advance(kind: ItemKind, id?: string): string | null {
    if (kind === 'procedure') {
      if (id === undefined) return this.world.advanceSomeDossier(this.clock());
      const rec = this.world.dossierByCode.get(id);
      return rec && this.world.advanceDossierRecord(rec, this.clock()) ? id : null;
    }
    return this.world.advanceSomeDocument(this.clock());
  }

  /** Invalidate every session and token (clients must authenticate again). */
  expireSessions(): void {
    this.procedure.dropSessions();
    this.document.dropTokens();
  }

  /** Ground truth: every dossier as the API serves it, in listing order. */
  dossiers(): DossierJson[] {
    return this.world.dossierJson();
  }

  /** Ground truth: every document (listing entry + header fields), in listing order. */
  documents(): DocumentView[] {
    return this.world.documentViews();
  }

  /** Raw records (live objects: do not mutate). */
  dossierRecords(): readonly DossierRecord[] {
    return this.world.dossierIndex.all();
  }

  documentRecords(): readonly DocumentRecord[] {
    return this.world.documentIndex.all();
  }

  /** Status feedback posted to the document gateway, oldest first. */
  statusFeedback(): readonly StatusFeedbackRecord[] {
    return this.world.feedback;
  }

  /**
   * Every action the backends applied (dossier actions and document status/replies), oldest first.
   * Each Idempotency-Key appears at most once: a repeated key gets the stored answer and applies nothing.
   */
  actionLog(): readonly ActionLogEntry[] {
    return this.world.actions;
  }

  /** How many requests carrying this Idempotency-Key reached either server (retries, faults included). */
  deliveries(key: string): number {
    return this.procedure.idempotency.deliveries(key) + this.document.idempotency.deliveries(key);
  }

  /** Reply drafts started on the gateway (POST /edoc/replies), oldest first. */
  replies(): readonly ReplyDraftRecord[] {
    return this.world.replies;
  }

  /**
   * Another official changes the dossier on the backend now (a comment step, status unchanged,
   * new NgayCapNhat) — a stale PhienBan then answers 409. Returns the dossier, or null if unknown.
   */
  touchDossier(code: string, opts: TouchOptions = {}): DossierJson | null {
    const rec = this.world.dossierByCode.get(code);
    if (!rec) return null;
    this.world.touchDossier(rec, this.clock(), opts.by, opts.text);
    return toDossierJson(rec);
  }

  /** Another official changes the document on the backend now (a note, new UpdatedAt). Null if unknown. */
  touchDocument(docId: string, opts: TouchOptions = {}): DocumentEntryJson | null {
    const doc = this.world.documentById.get(docId);
    if (!doc) return null;
    this.world.touchDocument(doc, this.clock(), opts.by, opts.text);
    return toDocumentEntry(doc);
  }

  counts(): ReturnType<SandboxWorld['counts']> {
    return this.world.counts();
  }
}
