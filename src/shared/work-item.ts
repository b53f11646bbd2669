/**
 * The normalised records the core keeps in its cache and shows in the queue.
 * Adapters map backend payloads (Vietnamese field names, edXML) into these shapes.
 * Times are epoch milliseconds (UTC); the office time zone is applied for display only.
 */
import { z } from 'zod';
import { SlaStateSchema, SourceSchema, UrgencySchema } from './domain';

export const WorkItemSchema = z.object({
  /** `<backendId>:<externalId>` */
  id: z.string(),
  source: SourceSchema,
  backendId: z.string(),
  externalId: z.string(),
  /** Dossier code (MaHoSo) or document số/ký hiệu ("7816/VPCP-TTĐT"). */
  ref: z.string(),
  /** TrichYeuHoSo / document Subject. */
  title: z.string(),
  /** Applicant (ChuHoSo) or issuing organ. */
  party: z.string().nullable(),
  /** Procedure name (TenTTHC) or document type name (Công văn…). */
  kind: z.string().nullable(),
  /** Backend status code: TrangThaiHoSo '1'..'10' or document feedback '01'..'06'. */
  status: z.string(),
  receivedAt: z.number(),
  dueAt: z.number().nullable(),
  urgency: UrgencySchema,
  assignee: z.string().nullable(),
  assigneeName: z.string().nullable(),
  updatedAt: z.number(),
  /** Computed at query time against the office calendar. */
  sla: SlaStateSchema,
  /** Working minutes left until dueAt (negative when overdue); null without a deadline. */
  remainingWorkingMinutes: z.number().nullable(),
  /** Outbox actions on this item not yet confirmed by the backend (shown as a pending mark). */
  pendingActions: z.number().int().default(0),
  /** An action on this item needs the official: the backend refused it, or the item changed meanwhile. */
  attention: z.enum(['none', 'needs_attention', 'conflict']).default('none'),
});
export type WorkItem = z.infer<typeof WorkItemSchema>;

export const FileRefSchema = z.object({
  name: z.string(),
  mimeType: z.string().nullable(),
  size: z.number().nullable(),
  description: z.string().nullable(),
});
export type FileRef = z.infer<typeof FileRefSchema>;

export const ProcessingStepSchema = z.object({
  official: z.string(),
  title: z.string().nullable(),
  department: z.string().nullable(),
  at: z.number(),
  content: z.string(),
  status: z.string(),
  startedAt: z.number().nullable(),
  dueAt: z.number().nullable(),
});
export type ProcessingStep = z.infer<typeof ProcessingStepSchema>;

export const SupplementRequestSchema = z.object({
  requestedAt: z.number(),
  receivedAt: z.number().nullable(),
  reason: z.string(),
  oldDueAt: z.number().nullable(),
  newDueAt: z.number().nullable(),
});
export type SupplementRequest = z.infer<typeof SupplementRequestSchema>;

export const FeeSchema = z.object({
  name: z.string(),
  amount: z.number(),
  paid: z.boolean(),
});

export const DossierDetailSchema = z.object({
  source: z.literal('procedure'),
  code: z.string(),
  procedureCode: z.string(),
  procedureName: z.string(),
  fieldCode: z.string().nullable(),
  fieldName: z.string().nullable(),
  /** KenhThucHien 1 counter, 2 online, 3 post. */
  channel: z.number().int(),
  applicant: z.string(),
  applicantIdNumber: z.string().nullable(),
  /** LoaiDoiTuong 1 citizen, 2 business, 3 state agency, 4 other. */
  applicantType: z.number().int(),
  phone: z.string().nullable(),
  email: z.string().nullable(),
  address: z.string().nullable(),
  summary: z.string(),
  submittedAt: z.number().nullable(),
  receivedAt: z.number().nullable(),
  appointmentAt: z.number().nullable(),
  /** NgayHenTraBanDau: the due before an apology letter moved it (issue #5: still counted late against it). */
  originalAppointmentAt: z.number().nullable().optional(),
  returnedAt: z.number().nullable(),
  finishedAt: z.number().nullable(),
  refusedAt: z.number().nullable(),
  handlingUnit: z.string().nullable(),
  /** HinhThuc 0 at the counter, 1 by post. */
  returnMethod: z.number().int().nullable(),
  identities: z.array(z.object({ type: z.number().int(), number: z.string() })),
  files: z.array(FileRefSchema),
  fees: z.array(FeeSchema),
  supplements: z.array(SupplementRequestSchema),
  results: z.array(FileRefSchema),
  steps: z.array(ProcessingStepSchema),
});
export type DossierDetail = z.infer<typeof DossierDetailSchema>;

export const OrganSchema = z.object({
  id: z.string(),
  name: z.string(),
});

export const DocumentDetailSchema = z.object({
  source: z.literal('document'),
  documentId: z.string(),
  from: OrganSchema,
  to: z.array(OrganSchema),
  codeNumber: z.string(),
  codeNotation: z.string(),
  promulgationPlace: z.string().nullable(),
  promulgationDate: z.number().nullable(),
  documentTypeCode: z.string().nullable(),
  documentTypeName: z.string().nullable(),
  subject: z.string(),
  content: z.string().nullable(),
  signer: z.object({
    competence: z.string().nullable(),
    position: z.string().nullable(),
    fullName: z.string(),
  }),
  dueDate: z.number().nullable(),
  priority: UrgencySchema,
  steeringType: z.number().int(),
  pageCount: z.number().int().nullable(),
  responseFor: z.string().nullable(),
  attachments: z.array(FileRefSchema),
  /** Registration in the incoming book, when done. */
  incomingNumber: z.string().nullable(),
  incomingDate: z.number().nullable(),
});
export type DocumentDetail = z.infer<typeof DocumentDetailSchema>;

export const MailAddressSchema = z.object({ name: z.string().nullable(), address: z.string() });
export type MailAddress = z.infer<typeof MailAddressSchema>;

/** An official email (IMAP). Bodies are fetched on demand; the cache keeps headers and a text preview. */
export const MailDetailSchema = z.object({
  source: z.literal('mail'),
  /** Message-ID header (without <>), or null when the message has none. */
  messageId: z.string().nullable(),
  folder: z.string(),
  uid: z.number().int(),
  uidValidity: z.string(),
  from: MailAddressSchema.nullable(),
  to: z.array(MailAddressSchema),
  cc: z.array(MailAddressSchema),
  subject: z.string(),
  date: z.number().nullable(),
  seen: z.boolean(),
  flagged: z.boolean(),
  size: z.number().int().nullable(),
  attachments: z.array(FileRefSchema),
  /** Plain-text preview (never HTML). */
  preview: z.string().nullable(),
  /**
   * Came in by the history backfill (older than the account's first-sync window, `initialDays`):
   * kept for links and search; the default mail rules do not make it work unless it is flagged.
   */
  history: z.boolean().optional(),
});
export type MailDetail = z.infer<typeof MailDetailSchema>;

export const ItemDetailSchema = z.discriminatedUnion('source', [DossierDetailSchema, DocumentDetailSchema, MailDetailSchema]);
export type ItemDetail = z.infer<typeof ItemDetailSchema>;
