/**
 * The training mail account served over real protocols: IMAP (imap.server.ts) with the training
 * mailbox as its seed, SMTP (smtp.server.ts) delivering the account's own mail into INBOX, and new
 * mail from the sandbox's steady stream (stream-mail.ts). Owned by TrainingSandbox.
 */
import type { Dataset, DossierRecord } from '../data-generator';
import { mixSeed, Rng } from '../prng';
import { TrainingImapServer, type ImapMessageView, type TrainingImapFolder } from './imap.server';
import { TrainingSmtpServer, type OutgoingMail } from './smtp.server';
import { streamMail, type StreamMail, type StreamMailCategory } from './stream-mail';
import { MAILBOX_OWNER, TRAINING_MAIL_DOMAIN, trainingMailbox } from './training-mailbox';

export interface TrainingMailCredentials {
  /** IMAP and SMTP login (the address logs in too). */
  user: string;
  password: string;
  address: string;
  displayName: string;
}

/** Public constants of the sandbox (fictitious account), not secrets. */
export const DEFAULT_MAIL_CREDENTIALS: Readonly<TrainingMailCredentials> = Object.freeze({
  user: 'canbo.lan',
  password: 'training',
  address: MAILBOX_OWNER.address,
  displayName: MAILBOX_OWNER.name,
});

/** Share of stream beats that also bring a mail. */
const STREAM_MAIL_CHANCE = 0.3;

export interface TrainingMailServiceOptions {
  dataset: Dataset;
  credentials: TrainingMailCredentials;
  seed: number;
  clock: () => number;
  imapPort?: number;
  smtpPort?: number;
}

export class TrainingMailService {
  readonly domain = TRAINING_MAIL_DOMAIN;
  private readonly imap: TrainingImapServer;
  private readonly smtp: TrainingSmtpServer;
  private readonly dataset: Dataset;
  private readonly clock: () => number;
  private readonly rng: Rng;
  private streamSeq = 0;
  private ports: { imap: number; smtp: number };

  constructor(options: TrainingMailServiceOptions) {
    this.dataset = options.dataset;
    this.clock = options.clock;
    this.rng = new Rng(mixSeed(options.seed, 0x6d737472));
    const seedBox = trainingMailbox({ dataset: options.dataset });
    const folder = (name: TrainingImapFolder) =>
      seedBox.filter((m) => m.folder === name).map((m) => ({ raw: m.raw, flags: m.flags, internalDate: m.internalDate }));
    const { user, password, address } = options.credentials;
    this.imap = new TrainingImapServer({
      logins: { [user]: password, [address]: password },
      seed: { INBOX: folder('INBOX'), Sent: folder('Sent') },
      // Deterministic in (seed, now); a new generation is a new mailbox, so its UIDs get a new UIDVALIDITY.
      uidValidity: Math.floor(options.dataset.now / 1000) % 2_000_000_000 + 1,
    });
    this.smtp = new TrainingSmtpServer({
      domain: TRAINING_MAIL_DOMAIN,
      account: { user, password, address },
      clock: this.clock,
      deliverLocal: (raw, at) => {
        this.imap.append('INBOX', raw, [], at);
      },
    });
    this.ports = { imap: options.imapPort ?? 0, smtp: options.smtpPort ?? 0 };
  }

  get imapPort(): number {
    return this.imap.port;
  }

  get smtpPort(): number {
    return this.smtp.port;
  }

  get isRunning(): boolean {
    return this.imap.isListening;
  }

  /** Listen on both ports (the same ones again after a stop). */
  async start(): Promise<void> {
    try {
      if (!this.imap.isListening) await this.imap.listen(this.ports.imap);
      if (!this.smtp.isListening) await this.smtp.listen(this.ports.smtp);
    } catch (error) {
      await this.stop();
      throw error;
    }
    this.ports = { imap: this.imap.port, smtp: this.smtp.port };
  }

  /** Both servers down, every session dropped ("mail server offline"); the mailbox is kept. */
  async stop(): Promise<void> {
    await Promise.all([this.imap.close(), this.smtp.close()]);
  }

  /** Deliver a raw message into INBOX now (as the MTA would). */
  deliver(raw: string | Buffer, at = this.clock()): ImapMessageView {
    return this.imap.append('INBOX', raw, [], at);
  }

  /** A new stream mail into INBOX now (citing `dossier` when given). */
  deliverStreamMail(options: { dossier?: DossierRecord | null; category?: StreamMailCategory } = {}): StreamMail & { uid: number } {
    const now = this.clock();
    const mail = streamMail({ dataset: this.dataset, rng: this.rng, now, seq: ++this.streamSeq, ...options });
    const view = this.deliver(mail.raw, now);
    return { ...mail, uid: view.uid };
  }

  /** One beat of the steady stream: sometimes a mail, about the dossier just received when there is one. */
  streamBeat(newDossier: DossierRecord | null): StreamMail | null {
    if (!this.rng.chance(STREAM_MAIL_CHANCE)) return null;
    return this.deliverStreamMail({ dossier: newDossier && this.rng.chance(0.6) ? newDossier : null });
  }

  messages(folder: TrainingImapFolder = 'INBOX'): ImapMessageView[] {
    return this.imap.messages(folder);
  }

  find(folder: TrainingImapFolder, messageId: string): ImapMessageView | null {
    return this.imap.find(folder, messageId);
  }

  /** Flags changed on the server as another mail client would. */
  setFlags(folder: TrainingImapFolder, messageId: string, flags: readonly string[]): boolean {
    return this.imap.setFlags(folder, messageId, flags);
  }

  /** What was submitted over SMTP to addresses other than the training account. */
  sent(): readonly OutgoingMail[] {
    return this.smtp.sent();
  }
}
