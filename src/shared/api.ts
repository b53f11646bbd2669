/**
 * The one UI↔core contract. Both transports (Electron IPC and the browser host's HTTP/WebSocket)
 * carry exactly these methods and events; the core validates every input with these schemas.
 */
import { z } from 'zod';
import { SlaStateSchema, SourceSchema, SLA_STATES, SOURCES } from './domain';
import { DossierRegisterActionSchema, ItemActionSchema, MailSendActionSchema, StagedAttachmentSchema, MAIL_MAX_ATTACHMENT_BYTES } from './actions';
import { ItemDetailSchema, WorkItemSchema } from './work-item';
import { settingsContract } from './settings';
import { CoreRestartEventSchema, DiagnosticsBundleOutputSchema } from './shell';
import { dashboardContract } from './dashboard';
import { citizenContract } from './citizen';
import { desktopContract, NotifyOpenEventSchema, NotifyRaisedEventSchema, TrayCountsEventSchema } from './desktop';

// ---------- envelope ----------

export const ERROR_CODES = ['invalid_input', 'not_found', 'unauthorized', 'unavailable', 'internal'] as const;
export const ApiErrorSchema = z.object({
  code: z.enum(ERROR_CODES),
  message: z.string(),
  details: z.array(z.string()).optional(),
});
export type ApiError = z.infer<typeof ApiErrorSchema>;

export type Envelope<T> = { ok: true; data: T } | { ok: false; error: ApiError };

export const EnvelopeSchema = z.union([
  z.object({ ok: z.literal(true), data: z.unknown() }),
  z.object({ ok: z.literal(false), error: ApiErrorSchema }),
]);

// ---------- shared pieces ----------

export const ROLES = ['official', 'supervisor', 'it'] as const;
export type Role = (typeof ROLES)[number];
export const SessionSchema = z.object({
  user: z.object({ username: z.string(), fullName: z.string(), role: z.enum(ROLES) }),
  officeName: z.string(),
  /** Officials of the office (forward/assign targets). */
  officials: z.array(z.object({ username: z.string(), fullName: z.string(), title: z.string().nullable() })).default([]),
  /** True when the backends are the built-in training sandbox. */
  training: z.boolean(),
  /** Server clock, so the UI counts down against the same time as the core. */
  now: z.number(),
  /** Mail backends the official can send from (the "From" of a new mail). */
  mailAccounts: z.array(z.object({ backendId: z.string(), address: z.string(), displayName: z.string().nullable() })).default([]),
});
export type Session = z.infer<typeof SessionSchema>;

/** Backend failure classes; the UI turns them into plain Vietnamese. */
export const BACKEND_ERROR_CODES = [
  'unreachable',
  'timeout',
  'server_error',
  'auth_failed',
  'malformed',
  'config_invalid',
  'unknown',
] as const;
export const BackendErrorCodeSchema = z.enum(BACKEND_ERROR_CODES);
export type BackendErrorCode = z.infer<typeof BackendErrorCodeSchema>;

export const BACKEND_STATES = ['connecting', 'online', 'syncing', 'offline', 'error'] as const;
export const BackendStatusSchema = z.object({
  id: z.string(),
  kind: SourceSchema,
  label: z.string(),
  training: z.boolean(),
  state: z.enum(BACKEND_STATES),
  lastSyncAt: z.number().nullable(),
  lastAttemptAt: z.number().nullable(),
  lastError: z.object({ code: BackendErrorCodeSchema, message: z.string(), at: z.number() }).nullable(),
  /** Present while a sync runs; total is null when the backend does not say. */
  progress: z.object({ done: z.number(), total: z.number().nullable() }).nullable(),
  itemCount: z.number(),
  quarantined: z.number(),
});
export type BackendStatus = z.infer<typeof BackendStatusSchema>;

export const QueueFilterSchema = z
  .object({
    sources: z.array(SourceSchema).max(SOURCES.length).optional(),
    statuses: z.array(z.string().max(16)).max(20).optional(),
    sla: z.array(SlaStateSchema).max(SLA_STATES.length).optional(),
    scope: z.enum(['mine', 'all']).default('all'),
    /** Closed items (returned, refused, done…) are hidden unless asked for. */
    includeClosed: z.boolean().default(false),
    /** Free text; diacritics ignored, đ folded to d. Never interpreted as FTS syntax. */
    q: z.string().max(200).optional(),
  })
  .strict();
export type QueueFilter = z.input<typeof QueueFilterSchema>;

// ---------- links between items (issue #4) ----------

export const LINK_KINDS = ['dossier', 'document', 'citizen'] as const;
export const LinkKindSchema = z.enum(LINK_KINDS);

/** A link as the UI shows it, from the point of view of the item asked for. */
export const ItemLinkViewSchema = z.object({
  /** The citing item (a mail). */
  fromId: z.string(),
  /** The cited item; null while the cache does not know it (resolved when it lands). */
  toId: z.string().nullable(),
  kind: LinkKindSchema,
  /** As cited: dossier code, số/ký hiệu, ID number. */
  value: z.string(),
  origin: z.enum(['auto', 'manual']),
  createdAt: z.number(),
  /** The item on the other side (toId for outgoing links, fromId for incoming), when cached. */
  other: z
    .object({ id: z.string(), source: SourceSchema, ref: z.string(), title: z.string(), status: z.string() })
    .nullable(),
});
export type ItemLinkView = z.infer<typeof ItemLinkViewSchema>;

export const ItemLinksViewSchema = z.object({
  /** What this item cites (mail → dossier/document/citizen). */
  outgoing: z.array(ItemLinkViewSchema),
  /** Who cites this item (dossier/document ← mail); resolved links only. */
  incoming: z.array(ItemLinkViewSchema),
});
export type ItemLinksView = z.infer<typeof ItemLinksViewSchema>;

// ---------- mail bodies (issue #4) ----------

export const MailBodyAttachmentSchema = z.object({
  /** Position among the message's attachments: the handle for saving it. */
  index: z.number().int().min(0),
  filename: z.string().nullable(),
  contentType: z.string(),
  /** Decoded size in bytes, when known. */
  size: z.number().int().nullable(),
  inline: z.boolean(),
  contentId: z.string().nullable(),
});
export type MailBodyAttachment = z.infer<typeof MailBodyAttachmentSchema>;

export const MailBodyViewSchema = z.object({
  text: z.string().nullable(),
  /**
   * The HTML part exactly as sent: UNTRUSTED. The renderer sanitises it (DOMPurify,
   * src/shared/mail-html.ts) and shows it only in a sandboxed frame.
   */
  html: z.string().nullable(),
  attachments: z.array(MailBodyAttachmentSchema),
  /** Content-ID (without <>) → data: URI of small inline images, for `cid:` references. */
  inlineImages: z.record(z.string(), z.string()),
  /** Served from the local cache (the server was not asked). */
  fromCache: z.boolean(),
});
export type MailBodyView = z.infer<typeof MailBodyViewSchema>;

// ---------- outbox and audit ----------

export const OUTBOX_STATES = ['pending', 'sending', 'done', 'needs_attention', 'conflict', 'discarded'] as const;
export const OutboxStateSchema = z.enum(OUTBOX_STATES);
export type OutboxState = z.infer<typeof OutboxStateSchema>;

/** Why an outbox entry stopped: a backend failure class, or the backend's own refusal. */
export const OutboxErrorSchema = z.object({
  code: z.union([BackendErrorCodeSchema, z.enum(['rejected', 'conflict', 'not_found'])]),
  /** The backend's own message when it gave one (often Vietnamese), else a technical one. */
  message: z.string(),
  at: z.number(),
});

export const OutboxEntrySchema = z.object({
  /** Also the idempotency key sent to the backend. */
  id: z.string(),
  itemId: z.string(),
  backendId: z.string(),
  itemRef: z.string(),
  itemTitle: z.string(),
  action: ItemActionSchema,
  state: OutboxStateSchema,
  attempts: z.number().int(),
  createdAt: z.number(),
  updatedAt: z.number(),
  nextAttemptAt: z.number().nullable(),
  lastError: OutboxErrorSchema.nullable(),
  /** Conflict only: the item as the official saw it when acting, and as the backend has it now. */
  conflict: z.object({ base: WorkItemSchema, current: WorkItemSchema }).nullable(),
});
export type OutboxEntry = z.infer<typeof OutboxEntrySchema>;

export const AUDIT_KINDS = ['action', 'sign_in', 'config', 'outbox'] as const;
export const AuditEntrySchema = z.object({
  seq: z.number().int(),
  at: z.number(),
  actor: z.string(),
  kind: z.enum(AUDIT_KINDS),
  summary: z.string(),
  data: z.record(z.string(), z.unknown()),
  prevHash: z.string(),
  hash: z.string(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

export const AuditVerifySchema = z.object({
  ok: z.boolean(),
  checked: z.number().int(),
  /** First entry whose hash or link does not match, null when the chain is intact. */
  firstBadSeq: z.number().int().nullable(),
  reason: z.string().nullable(),
});
export type AuditVerify = z.infer<typeof AuditVerifySchema>;

// ---------- methods ----------

export const apiContract = {
  'session.get': {
    input: z.object({}).strict(),
    output: SessionSchema,
  },
  /**
   * Training mode only: sign in as the counter official, the supervisor or the IT officer of the
   * sandbox (stored in <data dir>/training-role.json). The core is rebuilt right after the answer;
   * the window then loads again as that user. Refused outside training mode.
   */
  'training.setRole': {
    input: z.object({ role: z.enum(ROLES) }).strict(),
    output: z.object({ role: z.enum(ROLES), username: z.string(), fullName: z.string() }),
  },
  'queue.list': {
    input: z
      .object({
        filter: QueueFilterSchema.default({ scope: 'all', includeClosed: false }),
        offset: z.number().int().min(0).max(1_000_000).default(0),
        limit: z.number().int().min(1).max(500).default(100),
      })
      .strict(),
    output: z.object({ items: z.array(WorkItemSchema), hasMore: z.boolean(), now: z.number() }),
  },
  'queue.counts': {
    input: z.object({ filter: QueueFilterSchema.default({ scope: 'all', includeClosed: false }) }).strict(),
    output: z.object({
      total: z.number(),
      bySla: z.record(SlaStateSchema, z.number()),
      bySource: z.record(SourceSchema, z.number()),
    }),
  },
  'item.get': {
    input: z.object({ id: z.string().min(1).max(300) }).strict(),
    output: z.object({ item: WorkItemSchema, detail: ItemDetailSchema, links: ItemLinksViewSchema }),
  },
  /** Link an item (a mail) by hand to a dossier code, số/ký hiệu or ID number; re-adding a removed link restores it. */
  'links.add': {
    input: z.object({ fromId: z.string().min(1).max(300), kind: LinkKindSchema, value: z.string().trim().min(1).max(100) }).strict(),
    output: ItemLinkViewSchema,
  },
  /** Remove a link (automatic ones stay removed when the mail is synced again). */
  'links.remove': {
    input: z.object({ fromId: z.string().min(1).max(300), kind: LinkKindSchema, value: z.string().trim().min(1).max(100) }).strict(),
    output: z.object({ removed: z.boolean() }),
  },
  /** A mail's body, fetched from the server on first use and cached. */
  'mail.body': {
    input: z.object({ itemId: z.string().min(1).max(300) }).strict(),
    output: MailBodyViewSchema,
  },
  /**
   * Remote images of a mail, fetched by the core (never by the renderer) and returned as data: URIs;
   * only URLs that occur in the mail's HTML are fetched. null = could not be fetched.
   */
  'mail.remoteImages': {
    input: z.object({ itemId: z.string().min(1).max(300), urls: z.array(z.string().min(1).max(2000)).min(1).max(50) }).strict(),
    output: z.object({ images: z.record(z.string(), z.string().nullable()) }),
  },
  /** Store a file the official picked for an outgoing mail; the returned id goes into mail.send. */
  'mail.stageAttachment': {
    input: z
      .object({
        filename: z.string().trim().min(1).max(255),
        contentType: z.string().trim().min(1).max(200),
        dataBase64: z.string().max(Math.ceil(MAIL_MAX_ATTACHMENT_BYTES / 3) * 4 + 4),
      })
      .strict(),
    output: StagedAttachmentSchema,
  },
  /** Send a new mail (mode 'new') from a mail backend, through the outbox. */
  'mail.compose': {
    input: z.object({ backendId: z.string().min(1).max(100), action: MailSendActionSchema }).strict(),
    output: OutboxEntrySchema,
  },
  // ---- Issue #6 declare once (feature `citizen`): register a new dossier through the outbox; the procedure catalogue ----
  /** A new dossier received at the counter (procedure backend, DongBoHoSoMC), through the outbox; officials and supervisors. */
  'dossier.register': {
    input: z.object({ backendId: z.string().min(1).max(100), action: DossierRegisterActionSchema }).strict(),
    output: OutboxEntrySchema,
  },
  /** The procedure catalogue (LayDanhSachTTHC) of the procedure backends that accept new dossiers. */
  'procedures.list': {
    input: z.object({}).strict(),
    output: z.object({
      procedures: z.array(
        z.object({
          backendId: z.string(),
          code: z.string(),
          name: z.string(),
          fieldName: z.string().nullable(),
          /** Issue #6: the component papers (ThanhPhanHoSo) and fees (LePhi) of the catalogue, for the form's checklist. */
          papers: z.array(z.string()),
          fees: z.array(z.object({ name: z.string(), amount: z.number() })),
        }),
      ),
      /**
       * Backends that could not be read now: their procedures above come from the catalogue last read
       * (`fetchedAt`), or are missing when none was ever read (`fetchedAt` null).
       */
      stale: z.array(z.object({ backendId: z.string(), label: z.string(), fetchedAt: z.number().nullable(), reason: z.string() })),
    }),
  },
  /**
   * Save an attachment to a file the official chooses in a save dialog. Electron only (the shell shows
   * the dialog); the browser host serves GET /api/mail/attachment instead and the browser asks where to save.
   */
  'mail.saveAttachment': {
    input: z.object({ itemId: z.string().min(1).max(300), index: z.number().int().min(0).max(1000) }).strict(),
    output: z.object({ saved: z.boolean(), path: z.string().nullable() }),
  },
  'backends.list': {
    input: z.object({}).strict(),
    output: z.array(BackendStatusSchema),
  },
  'sync.now': {
    input: z.object({ backendId: z.string().max(100).optional() }).strict(),
    output: z.object({ started: z.array(z.string()) }),
  },
  /** Queue an action: stored durably in the outbox, applied to the cache at once (pending). */
  'action.submit': {
    input: z
      .object({
        itemId: z.string().min(1).max(300),
        action: ItemActionSchema,
        /** item.updatedAt as the official saw it: the backend refuses if the item changed since. */
        baseUpdatedAt: z.number(),
      })
      .strict(),
    output: OutboxEntrySchema,
  },
  'outbox.list': {
    input: z
      .object({
        states: z.array(OutboxStateSchema).max(OUTBOX_STATES.length).optional(),
        itemId: z.string().max(300).optional(),
        limit: z.number().int().min(1).max(1000).default(200),
      })
      .strict(),
    output: z.object({ entries: z.array(OutboxEntrySchema), counts: z.record(OutboxStateSchema, z.number()) }),
  },
  'outbox.retry': { input: z.object({ id: z.string().min(1).max(100) }).strict(), output: OutboxEntrySchema },
  'outbox.discard': { input: z.object({ id: z.string().min(1).max(100) }).strict(), output: OutboxEntrySchema },
  /** A conflict: send anyway against the backend's current version, or drop the action. */
  'outbox.resolveConflict': {
    input: z.object({ id: z.string().min(1).max(100), resolution: z.enum(['apply_anyway', 'discard']) }).strict(),
    output: OutboxEntrySchema,
  },
  'audit.list': {
    input: z.object({ offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(500).default(100) }).strict(),
    output: z.object({ entries: z.array(AuditEntrySchema), total: z.number().int() }),
  },
  'audit.verify': { input: z.object({}).strict(), output: AuditVerifySchema },
  /** The whole log as JSON Lines, for saving to a file. */
  'audit.export': { input: z.object({}).strict(), output: z.object({ filename: z.string(), content: z.string() }) },
  // ---- Issue #5 IT-staff settings (feature `settings`, role 'it'): config, test connection, calendar, profiles, health, logs; src/shared/settings.ts ----
  ...settingsContract,
  // ---- Issue #7 shell (feature `shell`): the diagnostics bundle for IT staff (role 'it'), src/shared/shell.ts ----
  'diagnostics.bundle': { input: z.object({}).strict(), output: DiagnosticsBundleOutputSchema },
  // ---- Issue #5 supervisor (feature `dashboard`): dashboard.get/export/reassign, authority.get/set; src/shared/dashboard.ts ----
  ...dashboardContract,
  // ---- Issue #6 citizens (feature `citizen`): citizen.find/view, search.query; src/shared/citizen.ts ----
  ...citizenContract,
  // ---- Issue #7 notifications and tray (feature `desktop`): notify.list, notify.markRead; src/shared/desktop.ts ----
  ...desktopContract,
} as const;

export type ApiContract = typeof apiContract;
export type ApiMethod = keyof ApiContract;
export type ApiInput<M extends ApiMethod> = z.input<ApiContract[M]['input']>;
export type ApiOutput<M extends ApiMethod> = z.infer<ApiContract[M]['output']>;
export const API_METHODS = Object.keys(apiContract) as ApiMethod[];

export function isApiMethod(name: unknown): name is ApiMethod {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(apiContract, name);
}

// ---------- change events ----------

/** Progress of the mail search backfill (issue #4); reported at most every ~250 ms while it runs. */
export const MailSearchIndexEventSchema = z.object({
  type: z.literal('mail.searchIndex'),
  pending: z.number().int().min(0),
  indexed: z.number().int().min(0),
});
export type MailSearchIndexEvent = z.infer<typeof MailSearchIndexEventSchema>;

export const CoreEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('items.changed'),
    /** Changed item ids; capped, `more` says the list was cut (refresh everything). */
    ids: z.array(z.string()),
    more: z.boolean(),
  }),
  z.object({ type: z.literal('backend.status'), backend: BackendStatusSchema }),
  z.object({ type: z.literal('outbox.changed'), entry: OutboxEntrySchema }),
  // Issue #7 shell: sent by the Electron shell (not the core) after it restarted a crashed core.
  CoreRestartEventSchema,
  // Issue #7 notifications and tray (feature `desktop`, src/shared/desktop.ts).
  NotifyRaisedEventSchema,
  TrayCountsEventSchema,
  NotifyOpenEventSchema,
  // Settings saved by IT staff were applied: the core was rebuilt from config.json (src/core/reloadable-core.ts).
  z.object({ type: z.literal('config.applied'), ok: z.boolean(), reason: z.string().optional(), at: z.number() }),
  // Issue #4: the search index of a large first mail sync is being written (src/core/mail/mail-search-backfill.ts);
  // `pending` mails are not yet findable by search (0: all are). No query: the initial state is "nothing pending".
  MailSearchIndexEventSchema,
]);
export type CoreEvent = z.infer<typeof CoreEventSchema>;

/** What the renderer sees, whatever the transport. */
export interface WorkstationApi {
  call<M extends ApiMethod>(method: M, input: ApiInput<M>): Promise<ApiOutput<M>>;
  subscribe(listener: (event: CoreEvent) => void): () => void;
}

/** Thrown on the renderer side when the core answers with an error envelope. */
export class ApiCallError extends Error {
  constructor(readonly error: ApiError) {
    super(error.message);
    this.name = 'ApiCallError';
  }
}

/** The preload object's shape (window.workstation). */
export interface PreloadBridge {
  invoke(method: string, input: unknown): Promise<unknown>;
  onEvent(listener: (event: unknown) => void): () => void;
}

export { PRELOAD_GLOBAL, IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL } from './channels';
