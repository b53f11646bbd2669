/**
 * Simulated document exchange gateway (LGSP/edXML style, docs/backend-protocols.md §2):
 * client-credentials token, cursor listing of received documents, the edXML envelope of each
 * document, and status feedback (01–06) that bumps the document's UpdatedAt.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ACTION_TRANSITIONS, type ItemActionKind } from '../shared/actions';
import { DOCUMENT_STATUS_CODES } from '../shared/domain';
import { officialByUsername, toDocumentEntry, type DocumentRecord } from './data-generator';
import { EDXML_CORRUPTIONS, renderEdxml } from './edxml-render';
import { BadBodyError, SandboxHttpServer, json, parseJsonBody, type FaultInjector, type Reply, type RequestContext } from './http-kit';
import { IDEMPOTENCY_KEY_PATTERN, IdempotencyStore, idempotencyKeyOf } from './idempotency';
import type { SandboxWorld } from './sandbox-world';
import { formatVnTimestamp, parseVnTimestamp } from './vn-time';

export interface DocumentServerOptions {
  world: SandboxWorld;
  clock: () => number;
  seed: number;
  credentials: { clientId: string; clientSecret: string };
  tokenTtlMs: number;
  emit: (count: number) => string[];
}

const TokenSchema = z.object({ client_id: z.string().min(1).max(200), client_secret: z.string().max(200) });
const ListQuerySchema = z.object({
  cursor: z.string().max(400).default(''),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
const Timestamp = z.string().regex(/^\d{14}$/, 'must be yyyyMMddHHmmss');
const Username = z.string().trim().min(1).max(100);
const AssignmentSchema = z.object({
  Lead: Username,
  Cooperating: z.array(Username).max(20).default([]),
  ForInfo: z.array(Username).max(20).default([]),
  InternalDueDate: Timestamp.optional(),
  Instruction: z.string().max(2000).optional(),
});
const StatusSchema = z
  .object({
    StatusCode: z.enum(DOCUMENT_STATUS_CODES),
    Description: z.string().max(4000),
    Handler: z.string().min(1).max(200).optional(),
    IncomingNumber: z.string().trim().min(1).max(50).optional(),
    IncomingDate: Timestamp.optional(),
    Reason: z.string().max(4000).optional(),
    Assignment: AssignmentSchema.optional(),
    ExpectedUpdatedAt: Timestamp.optional(),
  })
  .superRefine((b, ctx) => {
    if (b.StatusCode === '02' && (b.Reason ?? '').trim() === '') {
      ctx.addIssue({ code: 'custom', path: ['Reason'], message: 'Reason is required when refusing (StatusCode 02)' });
    }
    if (b.StatusCode === '03' && (b.IncomingNumber === undefined || b.IncomingDate === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['IncomingNumber'], message: 'IncomingNumber and IncomingDate are required when registering (StatusCode 03)' });
    }
    if (b.StatusCode === '04' && b.Assignment === undefined && b.Handler === undefined) {
      ctx.addIssue({ code: 'custom', path: ['Assignment'], message: 'Assignment (Lead, Cooperating, ForInfo) is required when assigning (StatusCode 04)' });
    }
    const people = [...(b.Assignment ? [b.Assignment.Lead, ...b.Assignment.Cooperating, ...b.Assignment.ForInfo] : [])];
    for (const u of people) {
      if (!officialByUsername(u)) ctx.addIssue({ code: 'custom', path: ['Assignment'], message: `unknown official "${u}"` });
    }
    if (b.IncomingDate !== undefined && parseVnTimestamp(b.IncomingDate) === null) {
      ctx.addIssue({ code: 'custom', path: ['IncomingDate'], message: 'not a real time' });
    }
    if (b.Assignment?.InternalDueDate !== undefined && parseVnTimestamp(b.Assignment.InternalDueDate) === null) {
      ctx.addIssue({ code: 'custom', path: ['Assignment', 'InternalDueDate'], message: 'not a real time' });
    }
  });
const ReplySchema = z.object({
  ResponseFor: z.string().trim().min(1).max(200),
  Subject: z.string().trim().min(3).max(1000),
  Note: z.string().trim().max(2000).optional(),
  ExpectedUpdatedAt: Timestamp.optional(),
});

/** Edxml status codes in words (messages). */
export const DOCUMENT_STATUS_WORDS: Readonly<Record<string, string>> = {
  '01': 'Đã đến',
  '02': 'Từ chối tiếp nhận',
  '03': 'Đã vào sổ',
  '04': 'Đã phân công',
  '05': 'Đang xử lý',
  '06': 'Hoàn thành',
};

const DOCUMENT_ACTION_WORDS: Readonly<Record<string, string>> = {
  'document.register': 'vào sổ văn bản đến',
  'document.refuse': 'từ chối tiếp nhận',
  'document.assign': 'phân công xử lý',
  'document.inProgress': 'chuyển sang đang xử lý',
  'document.done': 'hoàn thành xử lý',
  'document.reply': 'dự thảo văn bản trả lời',
};

/** The action a status feedback code stands for (01 stands for none: nothing leads back to "arrived"). */
const ACTION_OF_CODE: Readonly<Record<string, ItemActionKind | null>> = {
  '01': null,
  '02': 'document.refuse',
  '03': 'document.register',
  '04': 'document.assign',
  '05': 'document.inProgress',
  '06': 'document.done',
};

const REPLIES_PATH = '/edoc/replies';
const DOC_PATH = /^\/edoc\/received\/([^/]+)$/;
const STATUS_PATH = /^\/edoc\/received\/([^/]+)\/status$/;

function invalidRequest(message: string): Reply {
  return json(400, { error: 'invalid_request', message });
}

function zodMessage(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
}

/** Parse the sandbox's opaque cursor `<updatedAt ms>|<DocId>`; '' = from the beginning. */
export function parseDocumentCursor(cursor: string): { time: number; id: string } | null | 'invalid' {
  if (cursor === '') return null;
  const m = /^(\d{1,16})\|(.+)$/.exec(cursor);
  if (!m) return 'invalid';
  return { time: Number(m[1]), id: m[2] ?? '' };
}

export class DocumentServer {
  readonly http: SandboxHttpServer;
  private readonly tokens = new Map<string, number>();
  /** Idempotency-Key → final answer of the action endpoints (status feedback, replies). */
  readonly idempotency: IdempotencyStore;

  constructor(private readonly opts: DocumentServerOptions) {
    this.idempotency = new IdempotencyStore(opts.clock);
    this.http = new SandboxHttpServer('document', opts.seed ^ 0xd0c, {
      handle: (ctx) => this.handle(ctx),
      errorBody: () => ({ error: 'server_error', message: 'Lỗi hệ thống trục liên thông (mô phỏng)' }),
      state: () => {
        const c = opts.world.counts();
        return { total: c.documents, byStatus: c.documentsByStatus, tokens: this.tokens.size, feedback: opts.world.feedback.length, replies: opts.world.replies.length, idempotencyKeys: this.idempotency.size, now: formatVnTimestamp(opts.clock()) };
      },
      emit: (count) => opts.emit(count),
      isAction: (ctx) => ctx.method === 'POST' && (STATUS_PATH.test(ctx.url.pathname) || ctx.url.pathname === REPLIES_PATH),
      onActionDelivery: (ctx) => {
        const key = idempotencyKeyOf(ctx.headers);
        if (key !== '') this.idempotency.countDelivery(key);
      },
    });
  }

  get faults(): FaultInjector {
    return this.http.faults;
  }

  /** Forget every token (clients must fetch a new one). */
  dropTokens(): void {
    this.tokens.clear();
  }

  private handle(ctx: RequestContext): Reply {
    const path = ctx.url.pathname;
    try {
      if (path === '/oauth/token' && ctx.method === 'POST') return this.token(ctx);
      if (path === '/edoc/received' && ctx.method === 'GET') return this.authed(ctx, () => this.list(ctx));
      const status = STATUS_PATH.exec(path);
      if (status && ctx.method === 'POST') return this.authed(ctx, () => this.idempotent(ctx, (key) => this.postStatus(ctx, decodeURIComponent(status[1] ?? ''), key)));
      if (path === REPLIES_PATH && ctx.method === 'POST') return this.authed(ctx, () => this.idempotent(ctx, (key) => this.postReply(ctx, key)));
      const doc = DOC_PATH.exec(path);
      if (doc && ctx.method === 'GET') return this.authed(ctx, () => this.envelope(decodeURIComponent(doc[1] ?? '')));
    } catch (err) {
      if (err instanceof BadBodyError || err instanceof URIError) return invalidRequest(err.message);
      throw err;
    }
    return json(404, { error: 'not_found', message: `no route ${ctx.method} ${path}` });
  }

  private token(ctx: RequestContext): Reply {
    const type = String(ctx.headers['content-type'] ?? '');
    const isForm = type.includes('application/x-www-form-urlencoded') && !ctx.rawBody.trimStart().startsWith('{');
    const body: unknown = isForm ? Object.fromEntries(new URLSearchParams(ctx.rawBody)) : parseJsonBody(ctx);
    const parsed = TokenSchema.safeParse(body);
    if (!parsed.success) return invalidRequest(zodMessage(parsed.error));
    const { clientId, clientSecret } = this.opts.credentials;
    if (parsed.data.client_id !== clientId || parsed.data.client_secret !== clientSecret) {
      return json(401, { error: 'invalid_client', message: 'Sai client_id hoặc client_secret' });
    }
    const token = randomBytes(24).toString('hex');
    this.tokens.set(token, this.opts.clock() + this.opts.tokenTtlMs);
    return json(200, { access_token: token, token_type: 'Bearer', expires_in: Math.floor(this.opts.tokenTtlMs / 1000) });
  }

  private authed(ctx: RequestContext, run: () => Reply): Reply {
    const m = /^Bearer\s+(\S+)$/i.exec(String(ctx.headers.authorization ?? ''));
    const token = m?.[1];
    const expiresAt = token ? this.tokens.get(token) : undefined;
    if (!token || expiresAt === undefined || this.opts.clock() >= expiresAt) {
      if (token && expiresAt !== undefined) this.tokens.delete(token);
      return json(401, { error: 'invalid_token', message: 'Token không hợp lệ hoặc đã hết hạn' }, { 'www-authenticate': 'Bearer error="invalid_token"' });
    }
    return run();
  }

  private list(ctx: RequestContext): Reply {
    const parsed = ListQuerySchema.safeParse({
      cursor: ctx.url.searchParams.get('cursor') ?? undefined,
      limit: ctx.url.searchParams.get('limit') ?? undefined,
    });
    if (!parsed.success) return invalidRequest(zodMessage(parsed.error));
    const cursor = parseDocumentCursor(parsed.data.cursor);
    if (cursor === 'invalid') return invalidRequest(`cursor "${parsed.data.cursor}" is not valid`);
    const index = this.opts.world.documentIndex;
    const total = index.length;
    const start = index.firstAfter(cursor);
    const page = index.slice(start, start + parsed.data.limit);
    const last = page[page.length - 1];
    return json(200, {
      items: page.map(toDocumentEntry),
      nextCursor: last ? `${last.updatedAt}|${last.docId}` : parsed.data.cursor,
      hasMore: start + page.length < total,
      total: total - start,
    });
  }

  private envelope(docId: string): Reply {
    const doc = this.opts.world.documentById.get(docId);
    if (!doc) return json(404, { error: 'not_found', message: `document ${docId} not found` });
    const faults = this.http.faults;
    const corruption = faults.malformed() ? faults.pick(EDXML_CORRUPTIONS) : undefined;
    return { status: 200, body: renderEdxml(doc, corruption), contentType: 'application/xml; charset=utf-8' };
  }

  /**
   * Action endpoints: the Idempotency-Key is required; a known key gets its stored answer and changes
   * nothing (checked before the version check); every answer produced here is final and stored.
   */
  private idempotent(ctx: RequestContext, run: (key: string) => Reply): Reply {
    const key = idempotencyKeyOf(ctx.headers);
    if (key === '') return json(400, { error: 'invalid_request', message: 'Thiếu header Idempotency-Key (bắt buộc với mọi thao tác ghi)' });
    if (!IDEMPOTENCY_KEY_PATTERN.test(key)) return json(400, { error: 'invalid_request', message: 'Idempotency-Key không hợp lệ (1–200 ký tự ASCII in được)' });
    const stored = this.idempotency.get(key);
    if (stored) return stored;
    let reply: Reply;
    try {
      reply = run(key);
    } catch (err) {
      if (!(err instanceof BadBodyError)) throw err;
      reply = invalidRequest(err.message);
    }
    return this.idempotency.put(key, reply);
  }

  private conflict(doc: DocumentRecord, expected: string | undefined): Reply | null {
    if (expected === undefined) return null;
    const current = formatVnTimestamp(doc.updatedAt);
    if (expected === current) return null;
    return json(409, {
      error: 'conflict',
      message: `Văn bản ${doc.docId} đã được cập nhật lúc ${displayTime(doc.updatedAt)} (sau phiên bản ${expected}); vui lòng tải lại trước khi thao tác.`,
      entry: toDocumentEntry(doc),
    });
  }

  private illegal(doc: DocumentRecord, kind: ItemActionKind | null, statusCode: string): Reply | null {
    const words = DOCUMENT_STATUS_WORDS[doc.status] ?? doc.status;
    if (kind === null) {
      return json(422, { error: 'illegal_transition', message: `Văn bản đang ở trạng thái "${words}"; không thể chuyển về trạng thái "${DOCUMENT_STATUS_WORDS[statusCode] ?? statusCode}".` });
    }
    if (ACTION_TRANSITIONS[kind].from.includes(doc.status)) return null;
    return json(422, { error: 'illegal_transition', message: `Văn bản đang ở trạng thái "${words}"; không thể ${DOCUMENT_ACTION_WORDS[kind] ?? kind}.` });
  }

  private postStatus(ctx: RequestContext, docId: string, key: string): Reply {
    const parsed = StatusSchema.safeParse(parseJsonBody(ctx));
    if (!parsed.success) return invalidRequest(zodMessage(parsed.error));
    const doc = this.opts.world.documentById.get(docId);
    if (!doc) return json(404, { error: 'not_found', message: `Không tìm thấy văn bản ${docId}` });
    const body = parsed.data;
    const conflict = this.conflict(doc, body.ExpectedUpdatedAt);
    if (conflict) return conflict;
    const kind = ACTION_OF_CODE[body.StatusCode] ?? null;
    const illegal = this.illegal(doc, kind, body.StatusCode);
    if (illegal || kind === null) return illegal ?? invalidRequest('no action');
    const assignment = body.Assignment ?? (body.StatusCode === '04' && body.Handler ? { Lead: body.Handler, Cooperating: [], ForInfo: [] } : undefined);
    const record = this.opts.world.applyFeedback(doc, { ...body, Assignment: assignment }, this.opts.clock());
    this.opts.world.logAction({ key, system: 'document', id: doc.docId, action: kind, at: record.at });
    return json(200, { ok: true, status: record.StatusCode, entry: toDocumentEntry(doc) });
  }

  private postReply(ctx: RequestContext, key: string): Reply {
    const parsed = ReplySchema.safeParse(parseJsonBody(ctx));
    if (!parsed.success) return invalidRequest(zodMessage(parsed.error));
    const body = parsed.data;
    const doc = this.opts.world.documentById.get(body.ResponseFor);
    if (!doc) return json(404, { error: 'not_found', message: `Không tìm thấy văn bản ${body.ResponseFor}` });
    const conflict = this.conflict(doc, body.ExpectedUpdatedAt);
    if (conflict) return conflict;
    const illegal = this.illegal(doc, 'document.reply', '05');
    if (illegal) return illegal;
    const now = this.opts.clock();
    const previousStatus = doc.status;
    let at = Math.floor(now / 1000) * 1000;
    if (doc.status === '03' || doc.status === '04') {
      at = this.opts.world.applyFeedback(doc, { StatusCode: '05', Description: `Đang dự thảo văn bản trả lời: ${body.Subject}` }, now).at;
    }
    const draft = this.opts.world.addReply({ responseFor: doc.docId, subject: body.Subject, note: body.Note ?? null, createdAt: at, previousStatus, status: doc.status });
    this.opts.world.logAction({ key, system: 'document', id: doc.docId, action: 'document.reply', at });
    return json(200, { ok: true, draftId: draft.draftId, entry: toDocumentEntry(doc) });
  }
}

function displayTime(ms: number): string {
  const t = formatVnTimestamp(ms);
  return `${t.slice(8, 10)}:${t.slice(10, 12)}:${t.slice(12, 14)} ${t.slice(6, 8)}/${t.slice(4, 6)}/${t.slice(0, 4)}`;
}
