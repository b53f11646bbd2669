/**
 * What both sandbox servers share: a loopback node:http server with keep-alive that can be
 * stopped promptly (every socket closed) and restarted on the same port, fault injection
 * (latency, HTTP 500s, answers that never come, malformed records) driven by a seeded PRNG,
 * JSON body reading and the `/__sandbox/*` control endpoints.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { z } from 'zod';
import { Rng, mixSeed } from './prng';

export interface FaultSettings {
  /** Added before every API answer. */
  latencyMs: number;
  /** Share of API answers that are HTTP 500 with a body. */
  errorRate: number;
  /** Share of API requests never answered (socket held open until the client gives up). */
  timeoutRate: number;
  /** Share of records (procedure) or edXML bodies (documents) that are malformed. */
  malformedRate: number;
}

export const NO_FAULTS: Readonly<FaultSettings> = { latencyMs: 0, errorRate: 0, timeoutRate: 0, malformedRate: 0 };

const Rate = z.number().min(0).max(1);
export const FaultPatchSchema = z.strictObject({
  latencyMs: z.number().int().min(0).max(600_000).optional(),
  errorRate: Rate.optional(),
  timeoutRate: Rate.optional(),
  malformedRate: Rate.optional(),
});
export type FaultPatch = z.infer<typeof FaultPatchSchema>;

export const EmitBodySchema = z.strictObject({ count: z.number().int().min(1).max(10_000).optional() });

/** Fault switches with their own reproducible random stream (reseeded on every change). */
export class FaultInjector {
  private settings: FaultSettings = { ...NO_FAULTS };
  private rng: Rng;
  private version = 0;

  constructor(private readonly seed: number) {
    this.rng = new Rng(mixSeed(seed, 0xfa, 0));
  }

  get current(): FaultSettings {
    return { ...this.settings };
  }

  set(patch: FaultPatch): FaultSettings {
    this.settings = {
      latencyMs: patch.latencyMs ?? this.settings.latencyMs,
      errorRate: patch.errorRate ?? this.settings.errorRate,
      timeoutRate: patch.timeoutRate ?? this.settings.timeoutRate,
      malformedRate: patch.malformedRate ?? this.settings.malformedRate,
    };
    this.version += 1;
    this.rng = new Rng(mixSeed(this.seed, 0xfa, this.version));
    return this.current;
  }

  /** Decide the fate of one API request. */
  decide(): 'timeout' | 'error' | 'ok' {
    const { timeoutRate, errorRate } = this.settings;
    if (timeoutRate > 0 && this.rng.chance(timeoutRate)) return 'timeout';
    if (errorRate > 0 && this.rng.chance(errorRate)) return 'error';
    return 'ok';
  }

  /**
   * For a held (timeout) action request: apply it before holding the socket? Half of them, from the
   * seeded stream — the "applied but the answer was lost" case that idempotency keys must survive.
   */
  applyBeforeHold(): boolean {
    return this.rng.chance(0.5);
  }

  /** A garbled copy of a JSON body: cut somewhere between 30 % and 70 % (never valid JSON). */
  garble(body: string): string {
    if (body.length < 2) return '{';
    const cut = Math.max(1, Math.min(body.length - 1, Math.floor(body.length * (0.3 + this.rng.float() * 0.4))));
    return body.slice(0, cut);
  }

  /** Should this record/body be malformed? */
  malformed(): boolean {
    return this.settings.malformedRate > 0 && this.rng.chance(this.settings.malformedRate);
  }

  pick<T>(items: readonly T[]): T {
    return this.rng.pick(items);
  }
}

export interface Reply {
  status: number;
  body: string | Buffer;
  contentType?: string;
  headers?: Record<string, string>;
}

export function json(status: number, value: unknown, headers?: Record<string, string>): Reply {
  return { status, body: JSON.stringify(value), contentType: 'application/json; charset=utf-8', headers };
}

export class BadBodyError extends Error {}

export interface RequestContext {
  method: string;
  url: URL;
  headers: IncomingMessage['headers'];
  /** Raw body text ('' when none). */
  rawBody: string;
}

/** Parse a JSON body; '' counts as `{}`. Throws BadBodyError for invalid JSON. */
export function parseJsonBody(ctx: RequestContext): unknown {
  if (ctx.rawBody.trim() === '') return {};
  try {
    return JSON.parse(ctx.rawBody) as unknown;
  } catch {
    throw new BadBodyError('body is not valid JSON');
  }
}

export interface SandboxServerHooks {
  /** Answer an API request (faults already applied). */
  handle(ctx: RequestContext): Reply | Promise<Reply>;
  /** Body of a simulated HTTP 500. */
  errorBody(): unknown;
  /** State for GET /__sandbox/state. */
  state(): Record<string, unknown>;
  /** POST /__sandbox/emit: create `count` items, return their ids. */
  emit(count: number): string[];
  /**
   * Is this request an action (a write with an Idempotency-Key)? Actions get action faults: a held
   * request is applied first for half of the time-outs, and a malformed answer is a garbled body sent
   * after the action was applied (the proper answer is what the idempotency store keeps).
   */
  isAction?(ctx: RequestContext): boolean;
  /** An action request reached the server (before any fault): counts deliveries per key. */
  onActionDelivery?(ctx: RequestContext): void;
}

/** Request bodies: a new dossier may carry 10 MB of scanned papers as base64 (~13.4 MB). */
const MAX_BODY = 16 * 1024 * 1024;

/** A loopback HTTP server with fault injection, prompt stop and restart on the same port. */
export class SandboxHttpServer {
  readonly faults: FaultInjector;
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly held = new Set<ServerResponse>();
  private boundPort = 0;

  constructor(
    private readonly name: string,
    seed: number,
    private readonly hooks: SandboxServerHooks,
  ) {
    this.faults = new FaultInjector(seed);
  }

  get port(): number {
    return this.boundPort;
  }

  get url(): string {
    return `http://127.0.0.1:${this.boundPort}`;
  }

  get listening(): boolean {
    return this.server?.listening ?? false;
  }

  /** Requests currently held open by the timeout fault. */
  get heldCount(): number {
    return this.held.size;
  }

  async listen(port: number): Promise<void> {
    if (this.server) return;
    const server = createServer({ keepAlive: true }, (req, res) => this.onRequest(req, res));
    server.keepAliveTimeout = 30_000;
    server.headersTimeout = 35_000;
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      server.once('error', onError);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', onError);
        resolve();
      });
    });
    this.server = server;
    this.boundPort = (server.address() as AddressInfo).port;
  }

  /** Close the server and every connection (idle, active and held) right away. */
  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.held.clear();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await closed;
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('error', () => undefined);
    req.on('end', () => {
      if (tooLarge) {
        this.send(res, json(413, { error: 'payload_too_large', message: `body over ${MAX_BODY} bytes` }));
        return;
      }
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const ctx: RequestContext = { method: req.method ?? 'GET', url, headers: req.headers, rawBody: Buffer.concat(chunks).toString('utf8') };
      this.dispatch(ctx, res).catch((err: unknown) => {
        this.send(res, json(500, { error: 'internal', message: err instanceof Error ? err.message : String(err) }));
      });
    });
  }

  private async dispatch(ctx: RequestContext, res: ServerResponse): Promise<void> {
    if (ctx.url.pathname.startsWith('/__sandbox/')) {
      this.send(res, this.control(ctx));
      return;
    }
    const action = this.hooks.isAction?.(ctx) ?? false;
    if (action) this.hooks.onActionDelivery?.(ctx);
    const fate = this.faults.decide();
    if (fate === 'timeout') {
      // Never answer; forget the response when the client gives up or the server stops.
      this.held.add(res);
      res.on('close', () => this.held.delete(res));
      // Lost response: the action happens (its answer is stored under the key), the client never hears.
      if (action && this.faults.applyBeforeHold()) await this.hooks.handle(ctx);
      return;
    }
    const latency = this.faults.current.latencyMs;
    if (latency > 0) await this.sleep(latency);
    if (res.destroyed || !this.server) return;
    if (fate === 'error') {
      // Injected transport fault: nothing applied, nothing stored (a retry may apply).
      this.send(res, json(500, this.hooks.errorBody()));
      return;
    }
    const reply = await this.hooks.handle(ctx);
    if (action && typeof reply.body === 'string' && this.faults.malformed()) {
      // Applied and stored properly; the client gets a broken body and must retry with the same key.
      this.send(res, { ...reply, body: this.faults.garble(reply.body) });
      return;
    }
    this.send(res, reply);
  }

  private control(ctx: RequestContext): Reply {
    const path = ctx.url.pathname;
    try {
      if (path === '/__sandbox/state' && ctx.method === 'GET') {
        return json(200, { server: this.name, faults: this.faults.current, heldRequests: this.held.size, ...this.hooks.state() });
      }
      if (path === '/__sandbox/faults' && ctx.method === 'POST') {
        const parsed = FaultPatchSchema.safeParse(parseJsonBody(ctx));
        if (!parsed.success) return json(400, { error: 'invalid_request', message: parsed.error.message });
        return json(200, { ok: true, faults: this.faults.set(parsed.data) });
      }
      if (path === '/__sandbox/emit' && ctx.method === 'POST') {
        const parsed = EmitBodySchema.safeParse(parseJsonBody(ctx));
        if (!parsed.success) return json(400, { error: 'invalid_request', message: parsed.error.message });
        const ids = this.hooks.emit(parsed.data.count ?? 1);
        return json(200, { ok: true, created: ids });
      }
    } catch (err) {
      if (err instanceof BadBodyError) return json(400, { error: 'invalid_request', message: err.message });
      throw err;
    }
    return json(404, { error: 'not_found', message: `no control endpoint ${ctx.method} ${path}` });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }

  private send(res: ServerResponse, reply: Reply): void {
    if (res.destroyed || res.headersSent) return;
    const body = typeof reply.body === 'string' ? Buffer.from(reply.body, 'utf8') : reply.body;
    res.writeHead(reply.status, {
      'content-type': reply.contentType ?? 'application/json; charset=utf-8',
      'content-length': String(body.length),
      'cache-control': 'no-store',
      ...reply.headers,
    });
    res.end(body);
  }
}
