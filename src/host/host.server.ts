/**
 * The browser host: serves the renderer build and the core's API over HTTP/WebSocket on 127.0.0.1.
 *
 * - Every API request and the event socket need the per-run token (Authorization: Bearer, or
 *   ?token= for the WebSocket, which browsers cannot give headers); without it: 401.
 * - Requests whose Host header is not this loopback address are refused (DNS rebinding).
 * - The WebSocket also checks Origin, so another page in the same browser cannot subscribe.
 * - Static files get a strict CSP and the usual hardening headers.
 * - GET /api/mail/attachment?itemId=…&index=… streams a mail attachment (same token check as the
 *   API, `Authorization: Bearer`): `Content-Type: application/octet-stream` (never rendered),
 *   `Content-Disposition: attachment` with the file name as RFC 5987 `filename*=UTF-8''…` (Vietnamese
 *   names) and an ASCII fallback, nosniff, no-store. Memory stays flat: the core streams the file
 *   from its disk cache. The renderer fetches it with the header and hands the blob to the browser's
 *   download (an `<a download>` link cannot carry the token).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { WebSocketServer, type WebSocket } from 'ws';
import { z } from 'zod';
import { MAIL_MAX_ATTACHMENT_BYTES } from '../shared/actions';
import type { CoreEvent, Envelope } from '../shared/api';

/** A mail attachment ready to stream (structurally the core's OpenedAttachment). */
export interface HostedAttachment {
  filename: string | null;
  contentType: string;
  size: number;
  stream: Readable;
}

/** What the host needs from the core (structurally the core's `Core`). */
export interface HostedCore {
  handle(method: string, input: unknown): Promise<Envelope<unknown>>;
  subscribe(listener: (event: CoreEvent) => void): () => void;
  /**
   * A mail attachment (GET /api/mail/attachment); rejects with an error carrying a contract error
   * `code` (not_found, invalid_input, unavailable) and a message for the official.
   */
  openAttachment?(itemId: string, index: number): Promise<HostedAttachment>;
}

export interface HostOptions {
  core: HostedCore;
  /** Folder with the renderer build (index.html + assets). */
  rendererDir: string;
  /** 0 = any free port. */
  port?: number;
  /** Fixed token for tests; a random 32-byte token otherwise. */
  token?: string;
  log?: (msg: string) => void;
}

export interface RunningHost {
  url: string;
  /** URL including the token, to open in a browser. */
  openUrl: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1_000_000;
/** `mail.stageAttachment` carries one file as base64 (up to the 25 MB a mail may attach). */
const MAX_STAGE_BODY_BYTES = Math.ceil(MAIL_MAX_ATTACHMENT_BYTES / 3) * 4 + 64 * 1024;

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
};

function contentSecurityPolicy(port: number): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

function sameToken(given: string | null | undefined, expected: Buffer): boolean {
  if (!given) return false;
  const buf = Buffer.from(given);
  return buf.length === expected.length && timingSafeEqual(buf, expected);
}

function bearer(req: IncomingMessage): string | null {
  const h = req.headers.authorization;
  if (!h || !h.startsWith('Bearer ')) return null;
  return h.slice('Bearer '.length).trim();
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

function errorEnvelope(code: 'invalid_input' | 'unauthorized' | 'not_found' | 'unavailable' | 'internal', message: string): Envelope<never> {
  return { ok: false, error: { code, message } };
}

export const ATTACHMENT_ROUTE = '/api/mail/attachment';

const AttachmentQuerySchema = z.object({
  itemId: z.string().min(1).max(300),
  index: z
    .string()
    .regex(/^\d{1,4}$/)
    .transform(Number)
    .pipe(z.number().int().min(0).max(1000)),
});

/**
 * `Content-Disposition: attachment` for a file name from a mail: RFC 5987 `filename*` in UTF-8 and a
 * plain ASCII `filename` fallback (diacritics dropped, đ → d). Path separators and control characters
 * never reach the browser.
 */
export function attachmentDisposition(name: string | null): string {
  const clean = (name ?? '').normalize('NFC').replace(/[\u0000-\u001f\u007f/\\]/g, '_').trim() || 'tep-dinh-kem';
  const ascii =
    clean
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/đ/g, 'd')
      .replace(/Đ/g, 'D')
      .replace(/[^\x20-\x7e]/g, '_')
      .replace(/["%;\\]/g, '_') || 'tep-dinh-kem';
  const encoded = encodeURIComponent(clean).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

const ERROR_STATUS: Record<string, number> = { not_found: 404, invalid_input: 400, unavailable: 503, unauthorized: 401 };

async function readBody(req: IncomingMessage, maxBytes = MAX_BODY_BYTES): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > maxBytes) throw new Error('body too large');
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function startHost(options: HostOptions): Promise<RunningHost> {
  const token = options.token ?? randomBytes(32).toString('base64url');
  const tokenBuf = Buffer.from(token);
  const rendererDir = resolve(options.rendererDir);
  const log = options.log ?? (() => undefined);
  let port = options.port ?? 0;

  const allowedHosts = (): Set<string> => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);

  async function serveStatic(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    const rel = pathname === '/' ? 'index.html' : decodeURIComponent(pathname).replace(/^\/+/, '');
    const file = normalize(join(rendererDir, rel));
    if (file !== rendererDir && !file.startsWith(rendererDir + sep)) {
      sendJson(res, 403, errorEnvelope('unauthorized', 'path outside the renderer folder'));
      return;
    }
    let info;
    try {
      info = await stat(file);
    } catch {
      info = null;
    }
    if (!info || !info.isFile()) {
      sendJson(res, 404, errorEnvelope('not_found', 'not found'));
      return;
    }
    const ext = extname(file);
    const headers: Record<string, string | number> = {
      'Content-Type': MIME[ext] ?? 'application/octet-stream',
      'Content-Length': info.size,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Resource-Policy': 'same-origin',
      // Hashed assets can be cached; index.html must not be.
      'Cache-Control': ext === '.html' ? 'no-store' : 'public, max-age=31536000, immutable',
    };
    if (ext === '.html') {
      headers['Content-Security-Policy'] = contentSecurityPolicy(port);
      headers['X-Frame-Options'] = 'DENY';
    }
    res.writeHead(200, headers);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(file).pipe(res);
  }

  async function serveAttachment(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (req.method !== 'GET') {
      sendJson(res, 405, errorEnvelope('invalid_input', 'use GET'));
      return;
    }
    if (!sameToken(bearer(req), tokenBuf)) {
      sendJson(res, 401, errorEnvelope('unauthorized', 'missing or wrong token'));
      return;
    }
    const query = AttachmentQuerySchema.safeParse({ itemId: url.searchParams.get('itemId'), index: url.searchParams.get('index') });
    if (!query.success) {
      sendJson(res, 400, errorEnvelope('invalid_input', 'Thiếu hoặc sai tham số itemId / index của tệp đính kèm.'));
      return;
    }
    const open = options.core.openAttachment?.bind(options.core);
    if (!open) {
      sendJson(res, 404, errorEnvelope('not_found', 'Máy chủ này không phục vụ tệp đính kèm thư.'));
      return;
    }
    let file: HostedAttachment;
    try {
      file = await open(query.data.itemId, query.data.index);
    } catch (error) {
      const e = error as { code?: unknown; message?: unknown };
      const code = typeof e.code === 'string' && e.code in ERROR_STATUS ? e.code : 'internal';
      if (code === 'internal') log(`host: attachment failed: ${error instanceof Error ? error.message : String(error)}`);
      const message = code === 'internal' ? 'internal error' : String(e.message);
      sendJson(res, ERROR_STATUS[code] ?? 500, errorEnvelope(code as 'not_found' | 'invalid_input' | 'unavailable' | 'internal', message));
      return;
    }
    res.writeHead(200, {
      'Content-Type': 'application/octet-stream',
      'Content-Length': file.size,
      'Content-Disposition': attachmentDisposition(file.filename),
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
      'Content-Security-Policy': "default-src 'none'; sandbox",
      'Referrer-Policy': 'no-referrer',
      'Cross-Origin-Resource-Policy': 'same-origin',
    });
    try {
      await pipeline(file.stream, res);
    } catch (error) {
      // The browser went away mid-download, or the file could not be read: nothing more to send.
      file.stream.destroy();
      log(`host: attachment stream ended early: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  async function serveApi(req: IncomingMessage, res: ServerResponse, method: string): Promise<void> {
    if (req.method !== 'POST') {
      sendJson(res, 405, errorEnvelope('invalid_input', 'use POST'));
      return;
    }
    if (!sameToken(bearer(req), tokenBuf)) {
      sendJson(res, 401, errorEnvelope('unauthorized', 'missing or wrong token'));
      return;
    }
    const type = req.headers['content-type'] ?? '';
    if (!type.startsWith('application/json')) {
      sendJson(res, 415, errorEnvelope('invalid_input', 'expected application/json'));
      return;
    }
    let input: unknown;
    try {
      const text = await readBody(req, method === 'mail.stageAttachment' ? MAX_STAGE_BODY_BYTES : MAX_BODY_BYTES);
      input = text.length === 0 ? {} : (JSON.parse(text) as unknown);
    } catch (err) {
      sendJson(res, 400, errorEnvelope('invalid_input', err instanceof Error ? err.message : 'bad body'));
      return;
    }
    const envelope = await options.core.handle(method, input);
    sendJson(res, 200, envelope);
  }

  const server: Server = createServer((req, res) => {
    const hostHeader = req.headers.host ?? '';
    if (!allowedHosts().has(hostHeader)) {
      sendJson(res, 421, errorEnvelope('unauthorized', 'unexpected Host header'));
      return;
    }
    const url = new URL(req.url ?? '/', `http://${hostHeader}`);
    const task = url.pathname === ATTACHMENT_ROUTE
      ? serveAttachment(req, res, url)
      : url.pathname.startsWith('/api/')
      ? serveApi(req, res, url.pathname.slice('/api/'.length))
      : req.method === 'GET' || req.method === 'HEAD'
        ? serveStatic(req, res, url.pathname)
        : Promise.resolve(sendJson(res, 405, errorEnvelope('invalid_input', 'method not allowed')));
    task.catch((err: unknown) => {
      log(`host: request failed: ${err instanceof Error ? err.message : String(err)}`);
      if (!res.headersSent) sendJson(res, 500, errorEnvelope('internal', 'internal error'));
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;

  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const clients = new Set<WebSocket>();
  const unsubscribe = options.core.subscribe((event) => {
    const text = JSON.stringify(event);
    for (const ws of clients) if (ws.readyState === ws.OPEN) ws.send(text);
  });

  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const hostHeader = req.headers.host ?? '';
    const url = new URL(req.url ?? '/', `http://${hostHeader || 'invalid'}`);
    const origin = req.headers.origin;
    const originOk = origin === undefined || origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`;
    if (
      url.pathname !== '/events' ||
      !allowedHosts().has(hostHeader) ||
      !originOk ||
      !sameToken(url.searchParams.get('token'), tokenBuf)
    ) {
      socket.write('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      clients.add(ws);
      ws.on('close', () => clients.delete(ws));
      ws.on('error', () => clients.delete(ws));
      // The renderer never sends on this socket; anything it does send is ignored.
    });
  });

  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', fail);
      ok();
    });
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}/`;

  return {
    url,
    openUrl: `${url}?token=${encodeURIComponent(token)}`,
    token,
    port,
    async close() {
      unsubscribe();
      for (const ws of clients) ws.terminate();
      wss.close();
      for (const s of sockets) s.destroy();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}
