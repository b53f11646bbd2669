/**
 * New mail for the sandbox's steady stream: now and then a citizen asks about a dossier (often the
 * one just received), a colleague asks for a check, the city sends a document by mail, or a
 * newsletter arrives. Built from the live sandbox data so dossier codes and số/ký hiệu resolve.
 */
import { foldVietnamese } from '../../shared/text';
import type { Dataset, DocumentRecord, DossierRecord } from '../data-generator';
import { mixSeed, type Rng } from '../prng';
import { tinyPdf } from './mime';
import { composeMessage, MAILBOX_OWNER, TRAINING_MAIL_DOMAIN, type MessageDraft, type TrainingIntent } from './training-mailbox';

export type StreamMailCategory = 'citizen' | 'internal' | 'document' | 'newsletter';

export interface StreamMail {
  raw: string;
  messageId: string;
  subject: string;
  category: StreamMailCategory;
  /** Dossier codes, số/ký hiệu and CCCD numbers the mail cites. */
  links: TrainingIntent['links'];
}

export interface StreamMailOptions {
  dataset: Dataset;
  rng: Rng;
  now: number;
  /** Running number of stream mails (unique Message-IDs). */
  seq: number;
  /** A dossier to ask about (the one just received), else a recent open one is picked. */
  dossier?: DossierRecord | null;
  /** Force a category (tests); else drawn 45/20/20/15 %. */
  category?: StreamMailCategory;
}

const OPEN_STATUSES = new Set(['1', '2', '4', '5', '6', '9']);

function recent<T>(items: readonly T[], n: number): readonly T[] {
  return items.slice(Math.max(0, items.length - n));
}

function pickDossier(o: StreamMailOptions): DossierRecord | null {
  if (o.dossier && o.dossier.applicantType === 1) return o.dossier;
  const candidates = recent(o.dataset.dossiers, 400).filter((d) => d.applicantType === 1 && OPEN_STATUSES.has(d.status));
  return candidates.length > 0 ? o.rng.pick(candidates) : null;
}

function pickDocument(o: StreamMailOptions): DocumentRecord | null {
  const candidates = recent(o.dataset.documents, 200).filter((d) => d.sender.email.endsWith('hanoi.gov.vn'));
  return candidates.length > 0 ? o.rng.pick(candidates) : null;
}

function gmailOf(fullName: string, n: number): string {
  const parts = foldVietnamese(fullName).split(' ');
  const given = parts[parts.length - 1] ?? 'congdan';
  return `${given}.${parts.slice(0, -1).map((p) => p[0] ?? '').join('')}${n}@gmail.com`;
}

/** What a stream mail says, before it is dated and numbered (bulk-mailbox.ts adds to it). */
export interface StreamDraft {
  draft: MessageDraft;
  category: StreamMailCategory;
  links: TrainingIntent['links'];
}

/** The content of one stream mail. */
export function streamDraft(o: StreamMailOptions): StreamDraft {
  const { rng, seq } = o;
  let category: StreamMailCategory =
    o.category ?? (o.dossier ? (rng.chance(0.7) ? 'citizen' : 'internal') : rng.weighted<StreamMailCategory>([['citizen', 45], ['internal', 20], ['document', 20], ['newsletter', 15]]));
  const dossier = category === 'citizen' || category === 'internal' ? pickDossier(o) : null;
  const doc = category === 'document' ? pickDocument(o) : null;
  if ((category === 'citizen' || category === 'internal') && !dossier) category = 'newsletter';
  if (category === 'document' && !doc) category = 'newsletter';

  let draft: MessageDraft;
  let links: TrainingIntent['links'] = [];
  if ((category === 'citizen' || category === 'internal') && dossier) {
    const c = dossier.applicant;
    if (category === 'citizen') {
      const withId = c.idType === 1 && rng.chance(0.5);
      draft = {
        from: { name: c.fullName, address: gmailOf(c.fullName, rng.int(70, 99)) },
        subject: rng.chance(0.5) ? `Hỏi tiến độ hồ sơ ${dossier.code}` : `Hồ sơ ${dossier.procedure.name.toLowerCase()} - mã ${dossier.code}`,
        subjectMode: rng.chance(0.5) ? 'B' : 'Q',
        text: [
          'Kính gửi chị Lan,',
          '',
          `Tôi là ${c.fullName}, tôi vừa nộp hồ sơ ${dossier.procedure.name.toLowerCase()}, mã hồ sơ ${dossier.code}.`,
          withId ? `Số CCCD của tôi: ${c.idNumber}.` : `Số điện thoại liên hệ: ${c.phone}.`,
          'Xin chị cho biết hồ sơ đã đủ giấy tờ chưa và khi nào tôi nhận được kết quả ạ?',
          '',
          'Trân trọng cảm ơn chị.',
          c.fullName,
        ].join('\n'),
        encoding: rng.chance(0.5) ? 'quoted-printable' : 'base64',
      };
      links = [{ kind: 'dossier', value: dossier.code }, ...(withId ? [{ kind: 'citizen' as const, value: c.idNumber }] : [])];
    } else {
      draft = {
        from: { name: 'Lê Thị Mai', address: `canbo.mai@${TRAINING_MAIL_DOMAIN}` },
        subject: `Nhờ chị xem giúp hồ sơ ${dossier.code}`,
        subjectMode: 'Q',
        text: [`Chị Lan ơi, hồ sơ ${dossier.code} của ${c.fullName} vừa chuyển sang, chị xem giúp em trong hôm nay nhé.`, '', 'Mai'].join('\n'),
        encoding: 'quoted-printable',
      };
      links = [{ kind: 'dossier', value: dossier.code }];
    }
  } else if (category === 'document' && doc) {
    const notation = `${doc.codeNumber}/${doc.codeNotation}`;
    const subject = `${doc.type.name} số ${notation} ${doc.subject.charAt(0).toLowerCase()}${doc.subject.slice(1)}`;
    draft = {
      from: { name: doc.sender.name, address: doc.sender.email },
      to: [{ name: 'UBND phường Ngọc Hà', address: `vanthu@${TRAINING_MAIL_DOMAIN}` }, { name: MAILBOX_OWNER.name, address: MAILBOX_OWNER.address }],
      subject,
      subjectMode: 'B',
      text: [
        'Kính gửi: Ủy ban nhân dân phường Ngọc Hà',
        '',
        `${doc.sender.name} gửi ${doc.type.name.toLowerCase()} số ${notation}, đề nghị UBND phường nghiên cứu, triển khai thực hiện.`,
        '',
        `Văn thư - ${doc.sender.name}`,
      ].join('\n'),
      encoding: 'quoted-printable',
      attachments: [{ filename: `${doc.codeNumber}-${doc.sender.organAbbr}.pdf`, contentType: 'application/pdf', bytes: tinyPdf(`${doc.codeNumber}-${doc.sender.organAbbr}`) }],
    };
    links = [{ kind: 'document', value: notation }];
  } else {
    const items = [
      { name: 'Báo Điện tử Chính phủ', address: 'bantin@baochinhphu.vn', subject: 'Điểm tin chính sách trong ngày' },
      { name: 'Cổng Dịch vụ công quốc gia', address: 'no-reply@dichvucong.gov.vn', subject: 'Thông báo bảo trì hệ thống cuối tuần' },
      { name: 'VnExpress', address: 'newsletter@vnexpress.net', subject: 'Tin nóng: Hà Nội điều chỉnh giờ làm việc mùa đông' },
    ];
    const n = rng.pick(items);
    draft = {
      from: { name: n.name, address: n.address },
      subject: n.subject,
      subjectMode: 'Q',
      text: `${n.subject}.\nXem chi tiết trên trang web. Hủy đăng ký nhận thư: https://example.vn/unsubscribe`,
      html: `<html><body><h2>${n.subject}</h2><p>Xem chi tiết trên trang web.</p><img src="https://track.example.vn/open.gif?s=${seq}" width="1" height="1"></body></html>`,
      encoding: 'base64',
      extraHeaders: ['List-Unsubscribe: <https://example.vn/unsubscribe>', 'Precedence: bulk'],
    };
    category = 'newsletter';
  }
  return { draft, category, links };
}

/** One new message for the training INBOX (7-bit, CRLF). */
export function streamMail(o: StreamMailOptions): StreamMail {
  const { now, seq } = o;
  const { draft, category, links } = streamDraft(o);
  const domain = draft.from.address.split('@')[1] ?? TRAINING_MAIL_DOMAIN;
  const messageId = `s${seq}.${mixSeed(o.dataset.seed, seq, Math.floor(now / 1000)).toString(36)}@${domain}`;
  const raw = composeMessage(draft, {
    at: now,
    messageId,
    boundaryKey: `s${seq}-${o.dataset.seed}`,
    to: draft.to ?? [{ name: MAILBOX_OWNER.name, address: MAILBOX_OWNER.address }],
  });
  return { raw, messageId, subject: draft.subject, category, links };
}
