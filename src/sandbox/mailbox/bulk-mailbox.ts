/**
 * A large realistic mailbox for the benchmark (npm run bench, mail section): `count` messages over
 * about a year, made of the same pieces as the training stream (stream-mail.ts) — citizens asking
 * about dossiers of the dataset, colleagues, documents of the city by mail, newsletters — with
 * RFC 2047 subjects, quoted-printable/base64 bodies, an HTML alternative on some (newsletters
 * always), and on a few an attachment of a few hundred KB (random bytes, like a scanned PDF: it
 * does not compress).
 *
 * A generator: one message at a time, so 10,000 messages never sit in memory together.
 */
import type { Dataset, DossierRecord } from '../data-generator';
import { mixSeed, Rng } from '../prng';
import { composeMessage, MAILBOX_OWNER, TRAINING_MAIL_DOMAIN } from './training-mailbox';
import { streamDraft, type StreamMailCategory } from './stream-mail';

export interface BulkMailboxOptions {
  dataset: Dataset;
  count: number;
  seed?: number;
  /** The newest message is just before this instant (default dataset.now). */
  now?: number;
  /** Span of the mailbox in days (default 365). */
  days?: number;
  /** Share of messages with a large attachment (default 0.03). */
  attachmentRate?: number;
  /** Share of messages with an HTML alternative (default 0.25). */
  htmlRate?: number;
}

export interface BulkMessage {
  raw: string;
  internalDate: number;
  flags: string[];
  messageId: string;
  category: StreamMailCategory;
  /** Dossier codes the message cites. */
  dossiers: string[];
}

function randomBytes(rng: Rng, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 4) {
    const v = Math.floor(rng.float() * 4294967296);
    out[i] = v & 0xff;
    out[i + 1] = (v >>> 8) & 0xff;
    out[i + 2] = (v >>> 16) & 0xff;
    out[i + 3] = (v >>> 24) & 0xff;
  }
  return out;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** `count` messages, oldest first. */
export function* bulkMailbox(options: BulkMailboxOptions): Generator<BulkMessage> {
  const ds = options.dataset;
  const seed = options.seed ?? ds.seed;
  const now = options.now ?? ds.now;
  const span = (options.days ?? 365) * 86_400_000;
  const attachmentRate = options.attachmentRate ?? 0.03;
  const htmlRate = options.htmlRate ?? 0.25;
  const rng = new Rng(mixSeed(seed, 0x62756c6b));
  const citizens: DossierRecord[] = ds.dossiers.filter((d) => d.applicantType === 1);
  const start = now - span;
  for (let n = 0; n < options.count; n++) {
    const at = Math.floor(start + ((n + rng.float()) / options.count) * span);
    const category = rng.weighted<StreamMailCategory>([['citizen', 40], ['internal', 15], ['document', 25], ['newsletter', 20]]);
    const dossier = citizens.length > 0 && (category === 'citizen' || category === 'internal') ? rng.pick(citizens) : null;
    const { draft, links } = streamDraft({ dataset: ds, rng, now: at, seq: n, dossier, category });
    if (draft.html === undefined && rng.chance(htmlRate)) {
      draft.html = `<html><body>${draft.text.split('\n').map((line) => `<p>${escapeHtml(line)}</p>`).join('')}</body></html>`;
    }
    if (rng.chance(attachmentRate)) {
      const size = rng.int(150, 600) * 1024;
      const name = category === 'document' ? `Văn bản kèm theo ${n}.pdf` : `Bản scan giấy tờ ${n}.pdf`;
      draft.attachments = [...(draft.attachments ?? []), { filename: name, contentType: 'application/pdf', bytes: randomBytes(rng, size) }];
    }
    const domain = draft.from.address.split('@')[1] ?? TRAINING_MAIL_DOMAIN;
    const messageId = `b${n}.${mixSeed(seed, n).toString(36)}@${domain}`;
    const raw = composeMessage(draft, {
      at,
      messageId,
      boundaryKey: `b${n}-${seed}`,
      to: draft.to ?? [{ name: MAILBOX_OWNER.name, address: MAILBOX_OWNER.address }],
    });
    // Older mail is mostly read; some flagged.
    const age = (now - at) / span;
    const flags = [...(rng.chance(0.2 + 0.75 * age) ? ['\\Seen'] : []), ...(rng.chance(0.03) ? ['\\Flagged'] : [])];
    yield { raw, internalDate: at, flags, messageId, category, dossiers: links.filter((l) => l.kind === 'dossier').map((l) => l.value) };
  }
}
