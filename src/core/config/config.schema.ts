/**
 * The workstation configuration (config.json written by IT staff, or built for training mode).
 * A trust boundary: validated here; each backend's `adapter` object is validated by the adapter
 * registry (createAdapter) when the core starts.
 *
 * Secrets: adapter configs carry backend passwords/client secrets. They stay in memory, go only to
 * the adapters, and are never written to the cache database or logged.
 */
import { z } from 'zod';
import { ROLES, type Role } from '../../shared/api';
import { MailRulesFileSchema } from '../mail/mail-rules';
import { NotifySettingsSchema } from '../../shared/desktop';

export const BackendEntrySchema = z.strictObject({
  /** The adapter's own config (kind, id, label, URL, credentials…), checked by createAdapter. */
  adapter: z.record(z.string(), z.unknown()),
  /** Wait between successful sync cycles. */
  pollIntervalMs: z.number().int().min(100).max(24 * 60 * 60 * 1000).default(30_000),
  /** The backend is the built-in training sandbox (fictitious data). */
  training: z.boolean().default(false),
});

export const CalendarSourceSchema = z
  .strictObject({
    /** Path of a calendar JSON file; relative paths are resolved against the data directory. */
    path: z.string().min(1).max(1000).optional(),
    /** Inline calendar data (same shape as the file). */
    data: z.unknown().optional(),
  })
  .refine((c) => (c.path === undefined) !== (c.data === undefined), {
    message: 'give either "path" or "data", not both',
  });

export const OfficialSchema = z.strictObject({
  username: z.string().trim().min(1).max(100),
  fullName: z.string().trim().min(1).max(200),
  title: z.string().trim().min(1).max(200).nullable().default(null),
});

/** How the outbox resends actions after transient failures. */
export const OutboxConfigSchema = z.strictObject({
  /** First retry delay, doubling per attempt (with jitter). */
  retryBaseMs: z.number().int().min(10).max(60_000).default(1000),
  /** Largest retry delay. */
  retryMaxMs: z.number().int().min(10).max(60 * 60_000).default(60_000),
  /** Failures (other than unreachable/time-out) before an action needs the official's attention. */
  maxAttempts: z.number().int().min(1).max(100).default(8),
});

export const WorkstationConfigSchema = z.strictObject({
  office: z.strictObject({
    name: z.string().trim().min(1).max(200),
    unitCode: z.string().trim().min(1).max(50),
    /** Officials of the office (forward/assign targets in the UI). */
    officials: z.array(OfficialSchema).max(500).optional(),
  }),
  user: z.strictObject({
    username: z.string().trim().min(1).max(100),
    fullName: z.string().trim().min(1).max(200),
    role: z.enum(ROLES),
  }),
  /** Office calendar; the shipped Vietnamese public-sector calendar when absent. */
  calendar: CalendarSourceSchema.optional(),
  backends: z.array(BackendEntrySchema).max(20),
  outbox: OutboxConfigSchema.optional(),
  /**
   * Which mail is work and by when (the ordered rules of src/core/mail/mail-rules.ts); the shipped
   * DEFAULT_MAIL_RULES when absent. Mail backends are entries of `backends` with adapter kind 'mail'.
   */
  mailRules: MailRulesFileSchema.optional(),
  /** Issue #7: notifications, quiet hours, start with the OS (src/shared/desktop.ts; defaults when absent). */
  notifications: NotifySettingsSchema.optional(),
});

export type WorkstationConfig = z.output<typeof WorkstationConfigSchema>;
export type WorkstationConfigInput = z.input<typeof WorkstationConfigSchema>;
export type BackendEntry = z.output<typeof BackendEntrySchema>;
export type BackendEntryInput = z.input<typeof BackendEntrySchema>;
export type Official = z.output<typeof OfficialSchema>;

export class ConfigError extends Error {
  constructor(readonly issues: readonly string[]) {
    super(`Invalid workstation configuration:\n${issues.map((i) => `- ${i}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Validate a parsed config.json. @throws ConfigError listing each problem (path: message). */
export function parseConfig(json: unknown): WorkstationConfig {
  const parsed = WorkstationConfigSchema.safeParse(json);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`),
    );
  }
  return parsed.data;
}

// ---------- training mode ----------

export const TRAINING_PROCEDURE_BACKEND_ID = 'training-procedure';
export const TRAINING_DOCUMENT_BACKEND_ID = 'training-document';
export const TRAINING_MAIL_BACKEND_ID = 'training-mail';

/** The training mail account (IMAP/SMTP login, the official's address and name). */
export interface TrainingMailCredentials {
  user: string;
  password: string;
  address: string;
  displayName: string;
}

export interface TrainingCredentials {
  procedure: { username: string; password: string };
  document: { clientId: string; clientSecret: string };
  /** TRAINING_CREDENTIALS.mail when absent. */
  mail?: TrainingMailCredentials;
}

/**
 * The training sandbox's default accounts. Public constants of the sandbox (fictitious backends),
 * not secrets; they still never go to the database or the logs.
 */
export const TRAINING_CREDENTIALS: Readonly<Required<TrainingCredentials>> = Object.freeze({
  procedure: { username: 'canbo.lan', password: 'training' },
  document: { clientId: 'workstation', clientSecret: 'training' },
  mail: { user: 'canbo.lan', password: 'training', address: 'canbo.lan@ngocha.hanoi.gov.vn', displayName: 'Nguyễn Thị Lan' },
});

export interface TrainingConfigOptions {
  procedureUrl: string;
  documentUrl: string;
  /**
   * The sandbox's mail servers on 127.0.0.1 (TrainingSandbox.imapPort / smtpPort): adds the third
   * backend, the training mailbox. Without it the training configuration has the two HTTP backends.
   */
  mail?: { imapPort: number; smtpPort: number };
  /** The sandbox's accounts (TrainingSandbox.credentials); TRAINING_CREDENTIALS by default. */
  credentials?: TrainingCredentials;
  pollIntervalMs?: number;
  /** Who is signed in (training-role.ts: chosen in the window); the counter official by default. */
  role?: Role;
}

/** The sandbox's officials (src/sandbox/commune-data.ts), for forward/assign targets in training. */
export const TRAINING_OFFICIALS: readonly Official[] = Object.freeze([
  { username: 'canbo.lan', fullName: 'Nguyễn Thị Lan', title: 'Công chức Tư pháp - Hộ tịch' },
  { username: 'canbo.mai', fullName: 'Lê Thị Mai', title: 'Công chức Tư pháp - Hộ tịch' },
  { username: 'canbo.hung', fullName: 'Trần Văn Hùng', title: 'Chuyên viên' },
  { username: 'canbo.tuan', fullName: 'Phạm Minh Tuấn', title: 'Chuyên viên' },
  { username: 'canbo.huong', fullName: 'Hoàng Thu Hương', title: 'Viên chức tiếp nhận và trả kết quả' },
  { username: 'lanhdao.thang', fullName: 'Đỗ Quang Thắng', title: 'Phó Chủ tịch UBND phường' },
]);

/**
 * Who is signed in to training mode for each role: the sandbox's counter official, its vice-chairman
 * (the supervisor, who reviews and reassigns), and an IT officer (not one of the office's officials:
 * IT staff configure, they do not handle dossiers). Trainees switch between them in the window.
 */
export const TRAINING_USERS: Readonly<Record<Role, { username: string; fullName: string; role: Role }>> = Object.freeze({
  official: { username: 'canbo.lan', fullName: 'Nguyễn Thị Lan', role: 'official' },
  supervisor: { username: 'lanhdao.thang', fullName: 'Đỗ Quang Thắng', role: 'supervisor' },
  it: { username: 'cntt.khoa', fullName: 'Trần Minh Khoa', role: 'it' },
});

/**
 * The default configuration of training mode: the sandbox's procedure system and document gateway,
 * its mailbox over IMAP/SMTP when `mail` is given, a counter official.
 */
export function trainingConfig(options: TrainingConfigOptions): WorkstationConfig {
  const pollIntervalMs = options.pollIntervalMs ?? 10_000;
  const credentials = options.credentials ?? TRAINING_CREDENTIALS;
  const mailAccount = credentials.mail ?? TRAINING_CREDENTIALS.mail;
  const mailBackends = options.mail
    ? [
        {
          adapter: {
            kind: 'mail',
            id: TRAINING_MAIL_BACKEND_ID,
            label: 'Thư công vụ (đào tạo)',
            host: '127.0.0.1',
            port: options.mail.imapPort,
            // Loopback only (the adapter refuses tls 'none' for any other host).
            tls: 'none',
            user: mailAccount.user,
            password: mailAccount.password,
            folders: ['INBOX', 'Sent'],
            address: mailAccount.address,
            displayName: mailAccount.displayName,
            smtp: { host: '127.0.0.1', port: options.mail.smtpPort, tls: 'none' },
          },
          pollIntervalMs,
          training: true,
        },
      ]
    : [];
  return parseConfig({
    office: {
      name: 'UBND phường Ngọc Hà',
      unitCode: '000.26.13.H26',
      officials: TRAINING_OFFICIALS.map((o) => ({ ...o })),
    },
    user: { ...TRAINING_USERS[options.role ?? 'official'] },
    backends: [
      {
        adapter: {
          kind: 'procedure',
          id: TRAINING_PROCEDURE_BACKEND_ID,
          label: 'Một cửa điện tử (đào tạo)',
          baseUrl: options.procedureUrl,
          username: credentials.procedure.username,
          password: credentials.procedure.password,
        },
        pollIntervalMs,
        training: true,
      },
      {
        adapter: {
          kind: 'document',
          id: TRAINING_DOCUMENT_BACKEND_ID,
          label: 'Quản lý văn bản (đào tạo)',
          baseUrl: options.documentUrl,
          clientId: credentials.document.clientId,
          clientSecret: credentials.document.clientSecret,
        },
        pollIntervalMs,
        training: true,
      },
      ...mailBackends,
    ],
  });
}
