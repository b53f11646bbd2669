/**
 * The one UI↔core contract. Both transports (Electron IPC and the browser host's HTTP/WebSocket)
 * carry exactly these methods and events; the core validates every input with these schemas.
 */
import { z } from 'zod';
import { SlaStateSchema, SourceSchema, SLA_STATES, SOURCES } from './domain';
import { ItemDetailSchema, WorkItemSchema } from './work-item';

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
export const SessionSchema = z.object({
  user: z.object({ username: z.string(), fullName: z.string(), role: z.enum(ROLES) }),
  officeName: z.string(),
  /** True when the backends are the built-in training sandbox. */
  training: z.boolean(),
  /** Server clock, so the UI counts down against the same time as the core. */
  now: z.number(),
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
    statuses: z.array(z.string().max(4)).max(20).optional(),
    sla: z.array(SlaStateSchema).max(SLA_STATES.length).optional(),
    scope: z.enum(['mine', 'all']).default('all'),
    /** Closed items (returned, refused, done…) are hidden unless asked for. */
    includeClosed: z.boolean().default(false),
    /** Free text; diacritics ignored, đ folded to d. Never interpreted as FTS syntax. */
    q: z.string().max(200).optional(),
  })
  .strict();
export type QueueFilter = z.input<typeof QueueFilterSchema>;

// ---------- methods ----------

export const apiContract = {
  'session.get': {
    input: z.object({}).strict(),
    output: SessionSchema,
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
    output: z.object({ item: WorkItemSchema, detail: ItemDetailSchema }),
  },
  'backends.list': {
    input: z.object({}).strict(),
    output: z.array(BackendStatusSchema),
  },
  'sync.now': {
    input: z.object({ backendId: z.string().max(100).optional() }).strict(),
    output: z.object({ started: z.array(z.string()) }),
  },
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

export const CoreEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('items.changed'),
    /** Changed item ids; capped, `more` says the list was cut (refresh everything). */
    ids: z.array(z.string()),
    more: z.boolean(),
  }),
  z.object({ type: z.literal('backend.status'), backend: BackendStatusSchema }),
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
