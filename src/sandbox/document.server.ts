/**
 * Simulated document exchange gateway (LGSP/edXML style, docs/backend-protocols.md §2):
 * client-credentials token, cursor listing of received documents, the edXML envelope of each
 * document, and status feedback (01–06) that bumps the document's UpdatedAt.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { DOCUMENT_STATUS_CODES } from '../shared/domain';
import { toDocumentEntry } from './data-generator';
import { EDXML_CORRUPTIONS, renderEdxml } from './edxml-render';
import { BadBodyError, SandboxHttpServer, json, parseJsonBody, type FaultInjector, type Reply, type RequestContext } from './http-kit';
import type { SandboxWorld } from './sandbox-world';
import { formatVnTimestamp } from './vn-time';

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
const StatusSchema = z
  .object({
    StatusCode: z.enum(DOCUMENT_STATUS_CODES),
    Description: z.string().max(4000),
    Handler: z.string().min(1).max(200).optional(),
    IncomingNumber: z.string().min(1).max(50).optional(),
    Reason: z.string().max(4000).optional(),
  })
  .refine((b) => b.StatusCode !== '02' || (b.Reason ?? '').trim() !== '', {
    message: 'Reason is required when refusing (StatusCode 02)',
    path: ['Reason'],
  });

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

  constructor(private readonly opts: DocumentServerOptions) {
    this.http = new SandboxHttpServer('document', opts.seed ^ 0xd0c, {
      handle: (ctx) => this.handle(ctx),
      errorBody: () => ({ error: 'server_error', message: 'Lỗi hệ thống trục liên thông (mô phỏng)' }),
      state: () => {
        const c = opts.world.counts();
        return { total: c.documents, byStatus: c.documentsByStatus, tokens: this.tokens.size, feedback: opts.world.feedback.length, now: formatVnTimestamp(opts.clock()) };
      },
      emit: (count) => opts.emit(count),
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
      if (status && ctx.method === 'POST') return this.authed(ctx, () => this.postStatus(ctx, decodeURIComponent(status[1] ?? '')));
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

  private postStatus(ctx: RequestContext, docId: string): Reply {
    const doc = this.opts.world.documentById.get(docId);
    if (!doc) return json(404, { error: 'not_found', message: `document ${docId} not found` });
    const parsed = StatusSchema.safeParse(parseJsonBody(ctx));
    if (!parsed.success) return invalidRequest(zodMessage(parsed.error));
    const record = this.opts.world.applyFeedback(doc, parsed.data, this.opts.clock());
    return json(200, { ok: true, status: record.StatusCode });
  }
}
