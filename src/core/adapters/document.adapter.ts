/**
 * Adapter for the document exchange gateway (LGSP/edXML style), docs/backend-protocols.md §2 and §5.
 * Lists received documents with an opaque cursor, fetches each edXML envelope with bounded
 * concurrency over a keep-alive pool, and performs officials' actions (status feedback 02–06,
 * reply drafts) exactly once under an Idempotency-Key.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { DocumentAction, ItemAction } from '../../shared/actions';
import { DOCUMENT_STATUS_CODES } from '../../shared/domain';
import {
  AdapterError,
  type AdapterCapabilities,
  type AdapterDeps,
  type BackendAdapter,
  type NormalizedRecord,
  type PerformContext,
  type PerformResult,
  type PullPage,
  type QuarantinedRecord,
} from './adapter';
import {
  checkAction,
  commonAdapterConfigFields,
  joinSearchText,
  mapWithConcurrency,
  performFailure,
  quarantine,
  raceAbort,
  rawForQuarantine,
  requireIdempotencyKey,
  summariseZodError,
  throwIfAborted,
} from './adapter.util';
import {
  VnDateTimeSchema,
  dateKeyToInstant,
  deadlineToInstant,
  defaultDueDateToInstant,
  formatVnDateTime,
  parseCalendarDate,
  type DueDateToInstant,
} from './backend-date.util';
import { parseEdxml } from './edxml.parser';
import { HttpClient, IDEMPOTENCY_KEY_HEADER, type HttpResponse } from './http-client';


export const DocumentAdapterConfigSchema = z.strictObject({
  ...commonAdapterConfigFields,
  clientId: z.string().min(1).max(200),
  clientSecret: z.string().min(1).max(500),
  /** Documents per page (`limit`), each page landed in one transaction; 500 for the reason of the procedure adapter's. */
  pageSize: z.number().int().min(1).max(1000).default(500),
  concurrency: z.number().int().min(1).max(64).default(8),
});
export type DocumentAdapterConfig = z.input<typeof DocumentAdapterConfigSchema>;

export const DOCUMENT_CAPABILITIES: AdapterCapabilities = Object.freeze({
  cursor: true,
  incremental: true,
  paging: true,
  sessionRenewal: true,
  push: false,
  actions: true,
});

// ---------- payload schemas ----------

const TokenAnswerSchema = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.number().min(0).optional(),
});

const ListAnswerSchema = z.looseObject({
  items: z.array(z.unknown()),
  nextCursor: z.string().nullish(),
  hasMore: z.boolean(),
  total: z.number().int().min(0).nullish(),
});

const OptDateText = z
  .string()
  .nullish()
  .transform((v) => (v === null || v === undefined || v.trim() === '' ? null : v.trim()));

export const DocumentEntrySchema = z.looseObject({
  DocId: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .regex(/^[^/?#\s]+$/, 'DocId must be a single URL path segment'),
  Status: z.enum(DOCUMENT_STATUS_CODES),
  UpdatedAt: VnDateTimeSchema,
  ReceivedAt: VnDateTimeSchema,
  Handler: z
    .looseObject({ Username: z.string().min(1), FullName: z.string().nullish() })
    .nullish()
    .transform((v) => v ?? null),
  IncomingNumber: z
    .union([z.string(), z.number()])
    .nullish()
    .transform((v) => (v === null || v === undefined || String(v).trim() === '' ? null : String(v))),
  IncomingDate: OptDateText.refine((v) => v === null || parseCalendarDate(v) !== null, 'expected a date'),
  InternalDueDate: OptDateText.refine((v) => v === null || parseCalendarDate(v) !== null, 'expected a date'),
});
export type DocumentEntry = z.output<typeof DocumentEntrySchema>;

export const DocumentStatusInputSchema = z
  .strictObject({
    statusCode: z.enum(DOCUMENT_STATUS_CODES),
    description: z.string().trim().min(1).max(2000),
    handler: z.string().trim().min(1).max(200).optional(),
    incomingNumber: z.string().trim().min(1).max(50).optional(),
    reason: z.string().trim().min(1).max(2000).optional(),
  })
  .refine((s) => s.statusCode !== '02' || s.reason !== undefined, {
    message: 'a refusal (02) needs a reason',
    path: ['reason'],
  });
export type DocumentStatusInput = z.input<typeof DocumentStatusInputSchema>;

const StatusAnswerSchema = z.looseObject({ ok: z.literal(true), status: z.string() });

/** Answer of an action call (status feedback with `entry`, or a reply draft). */
const ActionAnswerSchema = z.looseObject({ ok: z.literal(true), entry: z.unknown() });
/** Error body of the gateway (`{ error, message }`), possibly with the current entry (409). */
const ActionErrorSchema = z.looseObject({ error: z.unknown().optional(), message: z.unknown().optional(), entry: z.unknown().optional() });

/** StatusCode sent for each document action (reply goes to `/edoc/replies` instead). */
export const DOCUMENT_ACTION_STATUS: Readonly<Record<Exclude<DocumentAction['kind'], 'document.reply'>, string>> = {
  'document.register': '03',
  'document.refuse': '02',
  'document.assign': '04',
  'document.inProgress': '05',
  'document.done': '06',
};

/** Default `Description` when the official wrote no note. */
const DEFAULT_DESCRIPTION: Readonly<Record<keyof typeof DOCUMENT_ACTION_STATUS, string>> = {
  'document.register': 'Vào sổ văn bản đến',
  'document.refuse': 'Từ chối tiếp nhận văn bản',
  'document.assign': 'Phân công xử lý văn bản',
  'document.inProgress': 'Đang xử lý văn bản',
  'document.done': 'Hoàn thành xử lý văn bản',
};

/** The gateway call of a (validated) document action: path and JSON body (docs/backend-protocols.md §5). */
export function documentActionRequest(
  docId: string,
  action: DocumentAction,
  ctx: Pick<PerformContext, 'baseUpdatedAt' | 'actor'>,
): { path: string; body: Record<string, unknown> } {
  const expected = ctx.baseUpdatedAt !== null ? { ExpectedUpdatedAt: formatVnDateTime(ctx.baseUpdatedAt) } : {};
  if (action.kind === 'document.reply') {
    return {
      path: '/edoc/replies',
      body: { ResponseFor: docId, Subject: action.subject, ...(action.note ? { Note: action.note } : {}), ...expected },
    };
  }
  const body: Record<string, unknown> = {
    StatusCode: DOCUMENT_ACTION_STATUS[action.kind],
    Description: DEFAULT_DESCRIPTION[action.kind],
    Handler: ctx.actor.username,
  };
  switch (action.kind) {
    case 'document.register':
      body['Description'] = `${DEFAULT_DESCRIPTION[action.kind]}, số đến ${action.incomingNumber}`;
      body['IncomingNumber'] = action.incomingNumber;
      body['IncomingDate'] = formatVnDateTime(action.incomingDate);
      break;
    case 'document.refuse':
      body['Description'] = `${DEFAULT_DESCRIPTION[action.kind]}: ${action.reason}`;
      body['Reason'] = action.reason;
      break;
    case 'document.assign':
      if (action.instruction) body['Description'] = action.instruction;
      body['Assignment'] = {
        Lead: action.lead,
        Cooperating: action.cooperating,
        ForInfo: action.forInfo,
        ...(action.internalDueAt !== undefined ? { InternalDueDate: formatVnDateTime(action.internalDueAt) } : {}),
        ...(action.instruction ? { Instruction: action.instruction } : {}),
      };
      break;
    case 'document.inProgress':
    case 'document.done':
      if (action.note) body['Description'] = action.note;
      break;
  }
  return { path: `/edoc/received/${encodeURIComponent(docId)}/status`, body: { ...body, ...expected } };
}

/** `IncomingDate`: a date (start of day) or a timestamp. */
function incomingDateOf(value: string | null): number | null {
  if (value === null) return null;
  const parsed = parseCalendarDate(value);
  if (!parsed) return null;
  return parsed.instant ?? dateKeyToInstant(parsed.dateKey);
}

export class DocumentAdapter implements BackendAdapter {
  readonly kind = 'document' as const;
  readonly capabilities = DOCUMENT_CAPABILITIES;
  readonly id: string;
  readonly label: string;
  private readonly config: z.output<typeof DocumentAdapterConfigSchema>;
  private readonly http: HttpClient;
  private readonly dueDateToInstant: DueDateToInstant;
  private token: { value: string; renewAt: number } | null = null;
  private tokenRequest: Promise<string> | null = null;

  constructor(config: DocumentAdapterConfig, deps: AdapterDeps = {}) {
    const parsed = DocumentAdapterConfigSchema.safeParse(config);
    if (!parsed.success) {
      throw new AdapterError('config_invalid', `Invalid document adapter config: ${summariseZodError(parsed.error, 20)}`, false);
    }
    this.config = parsed.data;
    this.id = parsed.data.id;
    this.label = parsed.data.label;
    this.dueDateToInstant = deps.dueDateToInstant ?? defaultDueDateToInstant;
    this.http = new HttpClient({
      baseUrl: parsed.data.baseUrl,
      timeoutMs: parsed.data.timeoutMs,
      retries: parsed.data.retries,
      maxSockets: parsed.data.concurrency + 2,
      ...(parsed.data.ca !== undefined ? { ca: parsed.data.ca } : {}),
      ...(parsed.data.proxy !== undefined ? { proxy: parsed.data.proxy } : {}),
      ...(deps.backoff ? { backoff: deps.backoff } : {}),
      ...(deps.sleep ? { sleep: deps.sleep } : {}),
      ...(deps.onRetry ? { onRetry: deps.onRetry } : {}),
    });
  }

  async pull(cursor: string | null, signal?: AbortSignal): Promise<PullPage> {
    const res = await this.authed(
      { method: 'GET', path: '/edoc/received', query: { cursor: cursor ?? '', limit: this.config.pageSize } },
      signal,
    );
    const list = ListAnswerSchema.safeParse(res.data);
    if (!list.success) {
      throw new AdapterError('malformed', `/edoc/received: unexpected answer (${summariseZodError(list.error)})`, false);
    }
    const quarantined: QuarantinedRecord[] = [];
    const entries: DocumentEntry[] = [];
    for (const raw of list.data.items) {
      const entry = DocumentEntrySchema.safeParse(raw);
      if (entry.success) entries.push(entry.data);
      else quarantined.push(quarantine(raw, 'DocId', `listing entry: ${summariseZodError(entry.error)}`));
    }
    const outcomes = await mapWithConcurrency(
      entries,
      this.config.concurrency,
      (entry, inner) => this.fetchRecord(entry, inner),
      signal,
    );
    const records: NormalizedRecord[] = [];
    for (const outcome of outcomes) {
      if ('record' in outcome) records.push(outcome.record);
      else quarantined.push(outcome.quarantined);
    }
    const next = list.data.nextCursor ? list.data.nextCursor : cursor;
    if (list.data.hasMore && list.data.items.length > 0 && next === cursor) {
      throw new AdapterError('malformed', '/edoc/received: hasMore without a new nextCursor, the listing cannot advance', false);
    }
    return {
      records,
      quarantined,
      cursor: next && next !== '' ? next : null,
      hasMore: list.data.hasMore && list.data.items.length > 0,
      remaining: list.data.total ?? null,
    };
  }

  /**
   * Post raw status feedback (01 arrived … 06 done) for a received document. Officials' actions go
   * through perform(); this is the low-level call. Sent with an Idempotency-Key (a fresh one unless
   * given), kept across retries.
   */
  async sendStatus(
    docId: string,
    status: DocumentStatusInput,
    signal?: AbortSignal,
    idempotencyKey: string = randomUUID(),
  ): Promise<{ status: string }> {
    const input = DocumentStatusInputSchema.safeParse(status);
    if (!input.success) {
      throw new AdapterError('unknown', `Invalid status feedback for ${docId}: ${summariseZodError(input.error)}`, false);
    }
    const s = input.data;
    const res = await this.authed(
      {
        method: 'POST',
        path: `/edoc/received/${encodeURIComponent(docId)}/status`,
        body: {
          StatusCode: s.statusCode,
          Description: s.description,
          ...(s.handler !== undefined ? { Handler: s.handler } : {}),
          ...(s.incomingNumber !== undefined ? { IncomingNumber: s.incomingNumber } : {}),
          ...(s.reason !== undefined ? { Reason: s.reason } : {}),
        },
        headers: { [IDEMPOTENCY_KEY_HEADER]: idempotencyKey },
        idempotent: false,
      },
      signal,
    );
    const answer = StatusAnswerSchema.safeParse(res.data);
    if (!answer.success) {
      throw new AdapterError('malformed', `status feedback ${docId}: unexpected answer (${summariseZodError(answer.error)})`, false);
    }
    return { status: answer.data.status };
  }

  /**
   * Perform a document action exactly once (docs/backend-protocols.md §5): status feedback 02–06 or
   * a reply draft. 2xx → applied, 409 → conflict, 422 and 400 → rejected, 404 → not_found; the record
   * is rebuilt from the answer's entry plus a fresh edXML fetch.
   */
  async perform(externalId: string, action: ItemAction, ctx: PerformContext, signal?: AbortSignal): Promise<PerformResult> {
    throwIfAborted(signal);
    requireIdempotencyKey(ctx);
    const checked = checkAction(action, 'document');
    if ('refusal' in checked) return { outcome: 'rejected', message: checked.refusal };
    const { path, body } = documentActionRequest(externalId, checked.action, ctx);
    try {
      const res = await this.authed(
        { method: 'POST', path, body, headers: { [IDEMPOTENCY_KEY_HEADER]: ctx.idempotencyKey }, idempotent: false },
        signal,
        [400, 404, 409, 422],
      );
      const where = `POST ${path}`;
      if (res.status >= 200 && res.status < 300) {
        const answer = ActionAnswerSchema.safeParse(res.data);
        if (!answer.success) {
          throw new AdapterError('malformed', `${where}: unexpected answer (${summariseZodError(answer.error)})`, true);
        }
        const entry = this.actionEntry(where, answer.data.entry, externalId);
        return { outcome: 'applied', record: await this.recordOf(where, entry, signal) };
      }
      const failure = ActionErrorSchema.safeParse(res.data);
      const message = failure.success && typeof failure.data.message === 'string' ? failure.data.message.trim() : '';
      switch (res.status) {
        case 409: {
          const raw = failure.success ? failure.data.entry : undefined;
          const entry = DocumentEntrySchema.safeParse(raw);
          let current: NormalizedRecord | null = null;
          if (entry.success && entry.data.DocId === externalId) {
            const outcome = await this.fetchRecord(entry.data, signal);
            if ('record' in outcome) current = outcome.record;
          }
          return { outcome: 'conflict', current, message: message || 'Văn bản đã được cập nhật bởi người khác kể từ khi bạn mở.' };
        }
        case 404:
          return { outcome: 'not_found', message: message || `Không tìm thấy văn bản ${externalId}` };
        default:
          return { outcome: 'rejected', message: message || `Hệ thống từ chối thao tác (HTTP ${res.status}).` };
      }
    } catch (error) {
      throw performFailure(error);
    }
  }

  async close(): Promise<void> {
    this.token = null;
    this.http.close();
  }

  // ---------- internals ----------

  /** The entry of a successful action answer, which must be the acted-on document. */
  private actionEntry(where: string, raw: unknown, docId: string): DocumentEntry {
    const entry = DocumentEntrySchema.safeParse(raw);
    if (!entry.success) {
      throw new AdapterError('malformed', `${where}: invalid entry in the answer (${summariseZodError(entry.error)})`, true);
    }
    if (entry.data.DocId !== docId) {
      throw new AdapterError('malformed', `${where}: the answer's entry is ${entry.data.DocId}, expected ${docId}`, true);
    }
    return entry.data;
  }

  /** A full record for an entry (fresh edXML fetch); an unusable edXML is an unreadable answer. */
  private async recordOf(where: string, entry: DocumentEntry, signal: AbortSignal | undefined): Promise<NormalizedRecord> {
    const outcome = await this.fetchRecord(entry, signal);
    if ('record' in outcome) return outcome.record;
    throw new AdapterError('malformed', `${where}: applied, but the document cannot be read back (${outcome.quarantined.error})`, true);
  }

  private async fetchRecord(
    entry: DocumentEntry,
    signal: AbortSignal | undefined,
  ): Promise<{ record: NormalizedRecord } | { quarantined: QuarantinedRecord }> {
    let res: HttpResponse;
    try {
      res = await this.authed(
        { method: 'GET', path: `/edoc/received/${encodeURIComponent(entry.DocId)}`, responseType: 'text' },
        signal,
        [404, 410],
      );
    } catch (error) {
      // A body too large to accept will never fit: quarantine it instead of blocking the sync.
      if (error instanceof AdapterError && error.code === 'malformed') {
        return { quarantined: { externalId: entry.DocId, error: error.message, raw: rawForQuarantine(entry) } };
      }
      throw error;
    }
    if (res.status === 404 || res.status === 410) {
      return {
        quarantined: { externalId: entry.DocId, error: `edXML not available (HTTP ${res.status})`, raw: rawForQuarantine(entry) },
      };
    }
    try {
      const detail = parseEdxml(res.text, { dueDateToInstant: this.dueDateToInstant });
      detail.incomingNumber = entry.IncomingNumber;
      detail.incomingDate = incomingDateOf(entry.IncomingDate);
      const internalDue = entry.InternalDueDate !== null ? deadlineToInstant(entry.InternalDueDate, this.dueDateToInstant) : null;
      const record: NormalizedRecord = {
        source: 'document',
        externalId: entry.DocId,
        ref: `${detail.codeNumber}/${detail.codeNotation}`,
        title: detail.subject,
        party: detail.from.name,
        kind: detail.documentTypeName,
        status: entry.Status,
        receivedAt: entry.ReceivedAt,
        dueAt: internalDue ?? detail.dueDate,
        urgency: detail.priority,
        assignee: entry.Handler?.Username ?? null,
        assigneeName: entry.Handler?.FullName ?? null,
        updatedAt: entry.UpdatedAt,
        searchText: joinSearchText([
          detail.documentId,
          entry.IncomingNumber,
          detail.signer.fullName,
          detail.signer.position,
          detail.promulgationPlace,
          detail.from.id,
          detail.content,
          ...detail.attachments.map((a) => a.name),
          entry.Handler?.FullName,
        ]),
        detail,
      };
      return { record };
    } catch (error) {
      if (error instanceof AdapterError && error.code === 'malformed') {
        return { quarantined: { externalId: entry.DocId, error: error.message, raw: rawForQuarantine(res.text) } };
      }
      throw error;
    }
  }

  /** A bearer-authenticated request; fetches a token first and renews it once on 401 invalid_token. */
  private async authed(
    req: {
      method: 'GET' | 'POST';
      path: string;
      query?: Record<string, string | number>;
      body?: unknown;
      responseType?: 'json' | 'text';
      headers?: Record<string, string>;
      idempotent?: boolean;
    },
    signal: AbortSignal | undefined,
    passStatus: readonly number[] = [],
  ): Promise<HttpResponse> {
    for (let renewed = false; ; renewed = true) {
      const token = await this.ensureToken(signal);
      const res = await this.http.request({
        ...req,
        headers: { ...req.headers, Authorization: `Bearer ${token}` },
        passStatus: [401, ...passStatus],
        signal,
      });
      if (res.status !== 401) return res;
      if (this.token?.value === token) this.token = null;
      if (!renewed) continue;
      throw new AdapterError('auth_failed', `${req.method} ${req.path}: access token rejected right after renewal`, false);
    }
  }

  private ensureToken(signal?: AbortSignal): Promise<string> {
    throwIfAborted(signal);
    if (this.token && Date.now() < this.token.renewAt) return Promise.resolve(this.token.value);
    if (!this.tokenRequest) {
      const pending = this.fetchToken().finally(() => {
        if (this.tokenRequest === pending) this.tokenRequest = null;
      });
      this.tokenRequest = pending;
    }
    return raceAbort(this.tokenRequest, signal);
  }

  private async fetchToken(): Promise<string> {
    const requestedAt = Date.now();
    const res = await this.http.request({
      method: 'POST',
      path: '/oauth/token',
      body: { client_id: this.config.clientId, client_secret: this.config.clientSecret },
      passStatus: [400, 401],
    });
    if (res.status === 400 || res.status === 401) {
      throw new AdapterError('auth_failed', `POST /oauth/token: client credentials rejected (HTTP ${res.status})`, false);
    }
    const parsed = TokenAnswerSchema.safeParse(res.data);
    if (!parsed.success) {
      throw new AdapterError('malformed', `POST /oauth/token: unexpected answer (${summariseZodError(parsed.error)})`, false);
    }
    // Renew a little early (10% of the lifetime, at most 30 s) so calls do not hit the edge.
    // Without a usable lifetime (absent, or rounded down to 0) rely on 401 invalid_token alone.
    const expiresIn = parsed.data.expires_in;
    const ttlMs = expiresIn !== undefined && expiresIn >= 1 ? expiresIn * 1000 : null;
    const renewAt = ttlMs === null ? Number.POSITIVE_INFINITY : requestedAt + ttlMs - Math.min(30_000, ttlMs * 0.1);
    this.token = { value: parsed.data.access_token, renewAt };
    return parsed.data.access_token;
  }
}
