/**
 * What an official can do to an item, as the UI submits it and the outbox stores it.
 * Dossier actions become procedure-system status changes + processing steps; document actions become
 * edXML status feedback 01–06 (see docs/backend-protocols.md §4–5).
 */
import { z } from 'zod';
import { cccdFacts } from './citizen';

const reason = z.string().trim().min(3).max(1000);
const note = z.string().trim().max(2000).optional();
const username = z.string().trim().min(1).max(100);

/** Most papers one dossier or one supplement records. */
export const MAX_PAPERS = 30;
/** Most fees one new dossier carries. */
export const MAX_FEES = 20;

/** The name of a paper the citizen handed in (TaiLieuNop: TenTepDinhKem). */
export const PaperNameSchema = z.string().trim().min(2, 'Tên giấy tờ quá ngắn').max(300, 'Tên giấy tờ quá dài (tối đa 300 ký tự)');

/** A fee of a new dossier (DanhSachLePhi), prefilled from the procedure catalogue; `paid`: paid at the counter. */
export const DossierFeeSchema = z.object({
  name: z.string().trim().min(2, 'Tên khoản phí, lệ phí quá ngắn').max(300),
  amount: z
    .number({ error: 'Mức phí phải là số tiền' })
    .int('Mức phí phải là số đồng nguyên')
    .min(0, 'Mức phí không được âm')
    .max(1_000_000_000, 'Mức phí quá lớn'),
  paid: z.boolean(),
});
export type DossierFee = z.infer<typeof DossierFeeSchema>;

const idNumberField = z
  .string()
  .trim()
  .refine((v) => /^\d{9}$/.test(v) || (/^\d{12}$/.test(v) && cccdFacts(v) !== null), 'Số định danh phải là CCCD 12 chữ số hợp lệ hoặc CMND 9 chữ số');
/** ISO yyyy-mm-dd. */
const birthDateField = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Ngày sinh phải có dạng yyyy-mm-dd')
  // The format has its own message; only a well-formed date is checked for being real.
  .refine((v) => !/^\d{4}-\d{2}-\d{2}$/.test(v) || isRealDay(v), 'Ngày sinh không phải ngày có thật');
const sexField = z.enum(['male', 'female'], { error: 'Chưa chọn giới tính' });
const addressField = z.string().trim().min(3, 'Địa chỉ quá ngắn').max(500);
/** Vietnamese mobile or landline, digits only after trimming spaces/dots; '' = none. */
const phoneField = z
  .string()
  .max(30)
  .transform((v) => v.replace(/[\s.\-]/g, ''))
  .pipe(z.string().regex(/^(0\d{9,10})?$/, 'Số điện thoại phải gồm 10–11 chữ số, bắt đầu bằng 0'));

/** CCCD digits against sex and birth year (nothing to check for a CMND, an unknown value or an unreal date). */
function checkIdFacts(a: { idNumber: string; sex?: 'male' | 'female' | undefined; birthDate?: string | undefined }, ctx: z.RefinementCtx): void {
  const facts = cccdFacts(a.idNumber);
  if (!facts) return;
  if (a.sex !== undefined && facts.sex !== a.sex) ctx.addIssue({ code: 'custom', path: ['sex'], message: 'Giới tính không khớp với số CCCD' });
  if (a.birthDate !== undefined && isRealDay(a.birthDate) && String(facts.birthYear) !== a.birthDate.slice(0, 4)) {
    ctx.addIssue({ code: 'custom', path: ['birthDate'], message: 'Năm sinh không khớp với số CCCD' });
  }
}

/**
 * The applicant's details as the official corrected them when recording a supplement (issue #6):
 * the whole set, checked like a new dossier's; sent with the supplement, applied to the dossier.
 * Birth date and sex may be unknown (dossiers do not carry them; only a scan does): absent = unchanged.
 */
export const ApplicantSchema = z
  .object({
    fullName: z.string().trim().min(2, 'Họ tên người nộp quá ngắn').max(200),
    idNumber: idNumberField,
    birthDate: birthDateField.optional(),
    sex: sexField.optional(),
    address: addressField,
    phone: phoneField,
  })
  .superRefine(checkIdFacts);
export type Applicant = z.infer<typeof ApplicantSchema>;

/**
 * The supplement as the citizen screen records it: at least one paper received (the queue's action
 * bar sends `dossier.supplementReceived` without papers, which stays legal).
 */
export const SupplementFormPapersSchema = z.array(PaperNameSchema).min(1, 'Chưa ghi giấy tờ nào nhận bổ sung').max(MAX_PAPERS, `Tối đa ${MAX_PAPERS} giấy tờ`);

/** Largest total size of the files attached to one outgoing mail (decoded bytes). */
export const MAIL_MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024;

/** A file the official picked, stored by the core with `mail.stageAttachment` before sending. */
export const StagedAttachmentSchema = z.object({
  /** Id returned by `mail.stageAttachment`. */
  id: z.string().uuid(),
  filename: z.string().trim().min(1).max(255),
  contentType: z.string().trim().min(1).max(200),
  size: z.number().int().min(0).max(MAIL_MAX_ATTACHMENT_BYTES),
});
export type StagedAttachment = z.infer<typeof StagedAttachmentSchema>;

/** Scanned papers sent with a new dossier or a supplement (issue #6): at most this many files, each and in all this big (decoded bytes). */
export const DOSSIER_MAX_FILES = 10;
export const DOSSIER_FILE_MAX_BYTES = 5 * 1024 * 1024;
export const DOSSIER_FILES_MAX_BYTES = 10 * 1024 * 1024;

/** The scanned files of a new dossier or a supplement: staged like mail attachments, limits checked with Vietnamese messages. */
const DossierFilesSchema = z
  .array(StagedAttachmentSchema)
  .refine((f) => f.length <= DOSSIER_MAX_FILES, `Tối đa ${DOSSIER_MAX_FILES} tệp đính kèm`)
  .refine((f) => f.every((x) => x.size <= DOSSIER_FILE_MAX_BYTES), `Mỗi tệp đính kèm tối đa ${DOSSIER_FILE_MAX_BYTES / 1024 / 1024} MB`)
  .refine((f) => f.reduce((n, x) => n + x.size, 0) <= DOSSIER_FILES_MAX_BYTES, `Tổng dung lượng tệp đính kèm tối đa ${DOSSIER_FILES_MAX_BYTES / 1024 / 1024} MB`)
  .refine((f) => new Set(f.map((x) => x.id)).size === f.length, 'Một tệp được đính kèm hai lần');

export const DossierActionSchema = z.discriminatedUnion('kind', [
  /** Tiếp nhận: 1 → 2. */
  z.object({ kind: z.literal('dossier.receive'), note }),
  /** Từ chối tiếp nhận: 1|2 → 3, with a reason. */
  z.object({ kind: z.literal('dossier.refuse'), reason }),
  /** Chuyển bước xử lý / chuyển nội bộ: 2|4 → 4, to another official. */
  z.object({ kind: z.literal('dossier.forward'), toUser: username, note }),
  /** Trả lại bước trước: 4 → 4, back to the previous handler. */
  z.object({ kind: z.literal('dossier.sendBack'), reason }),
  /** Yêu cầu bổ sung: 2|4 → 5, clock paused; what is missing. */
  z.object({ kind: z.literal('dossier.requestSupplement'), missing: reason, note }),
  /**
   * Nhận bổ sung: 5 → 4, due date moved by the paused working time. Issue #6: optionally the papers the
   * citizen brought (names, recorded in TaiLieuNop) and the applicant's details as the official
   * corrected them (the whole set, checked like a new dossier's).
   */
  z.object({
    kind: z.literal('dossier.supplementReceived'),
    note,
    // A refinement, not .max(): an aborting check would hide the message behind ItemActionSchema's union.
    papers: z
      .array(PaperNameSchema)
      .refine((p) => p.length <= MAX_PAPERS, `Tối đa ${MAX_PAPERS} giấy tờ`)
      .optional(),
    applicant: ApplicantSchema.optional(),
    /** Scanned papers (`mail.stageAttachment` first): sent in TaiLieuBoSung with their content. */
    files: DossierFilesSchema.optional(),
  }),
  /** Yêu cầu thực hiện nghĩa vụ tài chính: 4 → 6. */
  z.object({
    kind: z.literal('dossier.requestFees'),
    fees: z.array(z.object({ name: z.string().trim().min(1).max(300), amount: z.number().int().min(0).max(1_000_000_000) })).min(1).max(20),
  }),
  /** Cập nhật kết quả: 4|6 → 9. */
  z.object({ kind: z.literal('dossier.recordResult'), resultName: z.string().trim().min(1).max(300), note }),
  /** Trả kết quả: 9 → 10 (0 at the counter, 1 by post). */
  z.object({ kind: z.literal('dossier.returnResult'), method: z.union([z.literal(0), z.literal(1)]) }),
  /** Dừng xử lý: 2|4|5|6 → 8, with a reason. */
  z.object({ kind: z.literal('dossier.stop'), reason }),
  /** Phiếu xin lỗi và hẹn lại: late open dossier, new appointment date; still counted late. */
  z.object({ kind: z.literal('dossier.apology'), reason, newAppointmentAt: z.number().int() }),
]);
export type DossierAction = z.infer<typeof DossierActionSchema>;


/**
 * Issue #6 "declare once": register a NEW dossier received at the counter (procedure system
 * `DongBoHoSoMC`, isUpdating false). Not an action on an existing item: submitted with
 * `dossier.register` (outbox stand-in item), never offered by legalActions (ACTION_TRANSITIONS from []).
 */
export const DossierRegisterActionSchema = z
  .object({
    kind: z.literal('dossier.register'),
    /** MaTTHC from the procedure catalogue. */
    procedureCode: z.string().trim().min(1, 'Chưa chọn thủ tục').max(100),
    applicantName: z.string().trim().min(2, 'Họ tên người nộp quá ngắn').max(200),
    /** 12-digit CCCD (checked: province, century/sex digit) or 9-digit CMND. */
    idNumber: idNumberField,
    birthDate: birthDateField,
    sex: sexField,
    address: addressField,
    phone: phoneField,
    summary: z.string().trim().min(3, 'Trích yếu quá ngắn').max(1000),
    /** Papers received at the counter (TaiLieuNop names): the catalogue's component papers ticked, plus free text. */
    papers: z.array(PaperNameSchema).max(MAX_PAPERS, `Tối đa ${MAX_PAPERS} giấy tờ`).optional(),
    /** Fees (DanhSachLePhi), prefilled from the catalogue; absent = the backend's catalogue fee. */
    fees: z.array(DossierFeeSchema).max(MAX_FEES, `Tối đa ${MAX_FEES} khoản phí, lệ phí`).optional(),
    /** Scanned papers (`mail.stageAttachment` first): sent in TaiLieuNop with their content. */
    files: DossierFilesSchema.optional(),
  })
  .superRefine(checkIdFacts);
export type DossierRegisterAction = z.infer<typeof DossierRegisterActionSchema>;

/** `yyyy-mm-dd` naming a real day from 1900 on. */
function isRealDay(v: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return false;
  const t = Date.parse(`${v}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === v && v >= '1900-01-01';
}

export const DocumentActionSchema = z.discriminatedUnion('kind', [
  /** Vào sổ: 01 → 03 (feedback 03) with incoming number and date. */
  z.object({ kind: z.literal('document.register'), incomingNumber: z.string().trim().min(1).max(50), incomingDate: z.number().int() }),
  /** Từ chối (sai nơi nhận): 01 → 02 (feedback 02) with a reason. */
  z.object({ kind: z.literal('document.refuse'), reason }),
  /** Phân công: 03|04|05 → 04 (feedback 04): lead, cooperating, for information, internal deadline. */
  z.object({
    kind: z.literal('document.assign'),
    lead: username,
    cooperating: z.array(username).max(20).default([]),
    forInfo: z.array(username).max(20).default([]),
    internalDueAt: z.number().int().optional(),
    instruction: note,
  }),
  /** Đang xử lý: 04 → 05 (feedback 05). */
  z.object({ kind: z.literal('document.inProgress'), note }),
  /** Hoàn thành: 04|05 → 06 (feedback 06). */
  z.object({ kind: z.literal('document.done'), note }),
  /** Start a reply linked to the original (ResponseFor); the original moves to 05 if it was 03/04. */
  z.object({ kind: z.literal('document.reply'), subject: z.string().trim().min(3).max(1000), note }),
]);
export type DocumentAction = z.infer<typeof DocumentActionSchema>;

/** An e-mail address as typed in a recipient field (display names are not accepted here). */
export const MailAddressInputSchema = z
  .string()
  .trim()
  .max(320)
  .regex(/^[^\s@<>(),;:"\[\]]+@[^\s@<>(),;:"\[\]]+\.[^\s@<>(),;:"\[\]]+$/, 'not an e-mail address');


export const MAIL_SEND_MODES = ['new', 'reply', 'replyAll', 'forward'] as const;
export type MailSendMode = (typeof MAIL_SEND_MODES)[number];

/**
 * Send a mail. `new` goes through `mail.compose` (no item); reply, reply-all and forward are actions on
 * the original mail item (In-Reply-To/References are taken from the original at send time).
 */
export const MailSendActionSchema = z
  .object({
    kind: z.literal('mail.send'),
    mode: z.enum(MAIL_SEND_MODES),
    to: z.array(MailAddressInputSchema).max(100),
    cc: z.array(MailAddressInputSchema).max(100).default([]),
    bcc: z.array(MailAddressInputSchema).max(100).default([]),
    subject: z.string().trim().max(998),
    /** Plain-text body, the quoted original included as the official left it. */
    text: z.string().max(500_000),
    attachments: z.array(StagedAttachmentSchema).max(20).default([]),
    /** forward: also attach the original's attachments (streamed from the server at send time). */
    includeOriginalAttachments: z.boolean().default(false),
  })
  .refine((a) => a.to.length + a.cc.length + a.bcc.length > 0, { message: 'at least one recipient', path: ['to'] })
  .refine((a) => a.attachments.reduce((n, f) => n + f.size, 0) <= MAIL_MAX_ATTACHMENT_BYTES, {
    message: 'attachments exceed 25 MB in total',
    path: ['attachments'],
  });
export type MailSendAction = z.infer<typeof MailSendActionSchema>;

export const MailActionSchema = z.discriminatedUnion('kind', [
  /** Mark read/unread (IMAP \Seen). */
  z.object({ kind: z.literal('mail.markSeen'), seen: z.boolean() }),
  /** Flag/unflag (IMAP \Flagged). */
  z.object({ kind: z.literal('mail.flag'), flagged: z.boolean() }),
  MailSendActionSchema,
]);
export type MailAction = z.infer<typeof MailActionSchema>;

export const ItemActionSchema = z.union([DossierActionSchema, DossierRegisterActionSchema, DocumentActionSchema, MailActionSchema]);
export type ItemAction = z.infer<typeof ItemActionSchema>;
export type ItemActionKind = ItemAction['kind'];

/** The staged files an action carries into the outbox (a mail's attachments, a new dossier's scans). */
export function stagedFilesOf(action: ItemAction): readonly StagedAttachment[] {
  if (action.kind === 'mail.send') return action.attachments;
  if (action.kind === 'dossier.register' || action.kind === 'dossier.supplementReceived') return action.files ?? [];
  return [];
}

export const DOSSIER_ACTION_KINDS = DossierActionSchema.options.map((o) => o.shape.kind.value);
export const DOCUMENT_ACTION_KINDS = DocumentActionSchema.options.map((o) => o.shape.kind.value);
export const MAIL_ACTION_KINDS = ['mail.markSeen', 'mail.flag', 'mail.send'] as const satisfies readonly MailAction['kind'][];

/** Statuses of a cached mail item ('outgoing': the stand-in item of a new mail in the outbox). */
export const MAIL_STATUSES = ['unseen', 'seen', 'deleted', 'outgoing'] as const;

/**
 * Legal transitions: from which backend statuses an action may start, and the status it leads to
 * (null = unchanged). The sandbox enforces the same table; the UI uses it to offer only legal actions,
 * and the outbox to apply an action optimistically.
 */
export const ACTION_TRANSITIONS: Readonly<Record<ItemActionKind, { from: readonly string[]; to: string | null }>> = {
  'dossier.receive': { from: ['1'], to: '2' },
  'dossier.refuse': { from: ['1', '2'], to: '3' },
  'dossier.forward': { from: ['2', '4'], to: '4' },
  'dossier.sendBack': { from: ['4'], to: '4' },
  'dossier.requestSupplement': { from: ['2', '4'], to: '5' },
  'dossier.supplementReceived': { from: ['5'], to: '4' },
  'dossier.requestFees': { from: ['4'], to: '6' },
  'dossier.recordResult': { from: ['4', '6'], to: '9' },
  'dossier.returnResult': { from: ['9'], to: '10' },
  'dossier.stop': { from: ['2', '4', '5', '6'], to: '8' },
  'dossier.apology': { from: ['2', '4', '5', '6'], to: null },
  // A new dossier (dossier.register): never an action on an existing item; its stand-in shows '2'.
  'dossier.register': { from: [], to: '2' },
  'document.register': { from: ['01'], to: '03' },
  'document.refuse': { from: ['01'], to: '02' },
  'document.assign': { from: ['03', '04', '05'], to: '04' },
  'document.inProgress': { from: ['04'], to: '05' },
  'document.done': { from: ['04', '05'], to: '06' },
  'document.reply': { from: ['03', '04', '05'], to: '05' },
  // Mail: markSeen's optimistic status depends on its `seen` field (see optimisticStatusFor).
  'mail.markSeen': { from: ['unseen', 'seen'], to: null },
  'mail.flag': { from: ['unseen', 'seen'], to: null },
  'mail.send': { from: ['unseen', 'seen', 'outgoing'], to: null },
};

/** The status an item shows while `action` is pending, starting from `status`. */
export function optimisticStatusFor(action: ItemAction, status: string): string {
  if (action.kind === 'mail.markSeen') return action.seen ? 'seen' : 'unseen';
  return ACTION_TRANSITIONS[action.kind].to ?? status;
}

export function isActionAllowed(kind: ItemActionKind, status: string): boolean {
  return ACTION_TRANSITIONS[kind].from.includes(status);
}
