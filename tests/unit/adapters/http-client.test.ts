import type net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AdapterError } from '../../../src/core/adapters/adapter';
import { HttpClient, exponentialBackoff, type RetryInfo } from '../../../src/core/adapters/http-client';
import { sendJson, startServer, type TestServer } from './fixtures';
import { freePort as closedPort } from '../../support/ports';

let server: TestServer | null = null;
let client: HttpClient | null = null;
afterEach(async () => {
  client?.close();
  client = null;
  await server?.close();
  server = null;
});

function makeClient(url: string, options: { retries?: number; timeoutMs?: number; retriesSeen?: RetryInfo[] } = {}): HttpClient {
  const retriesSeen = options.retriesSeen;
  client = new HttpClient({
    baseUrl: url,
    timeoutMs: options.timeoutMs ?? 2000,
    retries: options.retries ?? 3,
    backoff: () => 1,
    ...(retriesSeen ? { onRetry: (info: RetryInfo) => retriesSeen.push(info) } : {}),
  });
  return client;
}

async function failure(promise: Promise<unknown>): Promise<AdapterError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AdapterError) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

/** A port nothing listens on. */

describe('HttpClient over real HTTP', () => {
  it('retries 5xx with backoff and then succeeds', async () => {
    let calls = 0;
    server = await startServer((_req, res) => {
      calls++;
      if (calls <= 2) sendJson(res, 503, { error: 'busy' });
      else sendJson(res, 200, { ok: true });
    });
    const seen: RetryInfo[] = [];
    const res = await makeClient(server.url, { retriesSeen: seen }).request({ method: 'GET', path: '/x' });
    expect(res.data).toEqual({ ok: true });
    expect(calls).toBe(3);
    expect(seen.map((s) => [s.attempt, s.error.code])).toEqual([
      [1, 'server_error'],
      [2, 'server_error'],
    ]);
  });

  it('gives up after the capped number of attempts with server_error', async () => {
    server = await startServer((_req, res) => sendJson(res, 500, { error: 'boom' }));
    const error = await failure(makeClient(server.url, { retries: 2 }).request({ method: 'GET', path: '/x' }));
    expect(error.code).toBe('server_error');
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(/HTTP 500: boom/);
    expect(server.requests).toHaveLength(3);
  });

  it('retries 429 honouring Retry-After', async () => {
    let calls = 0;
    server = await startServer((_req, res) => {
      calls++;
      if (calls === 1) {
        res.writeHead(429, { 'Retry-After': '0' });
        res.end();
      } else sendJson(res, 200, { ok: 1 });
    });
    const seen: RetryInfo[] = [];
    await makeClient(server.url, { retriesSeen: seen }).request({ method: 'GET', path: '/' });
    expect(seen[0]?.delayMs).toBe(0);
    expect(seen[0]?.error.code).toBe('server_error');
  });

  it('classifies a server that never answers as timeout after retries', async () => {
    server = await startServer(() => {
      /* never answer */
    });
    const started = Date.now();
    const error = await failure(makeClient(server.url, { retries: 2, timeoutMs: 100 }).request({ method: 'GET', path: '/slow' }));
    expect(error.code).toBe('timeout');
    expect(server.requests).toHaveLength(3);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('classifies a refused connection as unreachable', async () => {
    const port = await closedPort();
    const seen: RetryInfo[] = [];
    const error = await failure(makeClient(`http://127.0.0.1:${port}`, { retries: 1, retriesSeen: seen }).request({ method: 'GET', path: '/' }));
    expect(error.code).toBe('unreachable');
    expect(error.message).toMatch(/ECONNREFUSED/);
    expect(seen).toHaveLength(1);
  });

  it('classifies a reset connection as unreachable', async () => {
    server = await startServer((req, res) => {
      res.socket?.destroy();
    });
    const error = await failure(makeClient(server.url, { retries: 0 }).request({ method: 'GET', path: '/' }));
    expect(error.code).toBe('unreachable');
  });

  it('does not retry 401 and classifies it as auth_failed', async () => {
    server = await startServer((_req, res) => sendJson(res, 401, { error: 'invalid_client' }));
    const error = await failure(makeClient(server.url).request({ method: 'POST', path: '/oauth/token', body: {} }));
    expect(error.code).toBe('auth_failed');
    expect(error.retryable).toBe(false);
    expect(server.requests).toHaveLength(1);
  });

  it('hands passed statuses back to the caller', async () => {
    server = await startServer((_req, res) => sendJson(res, 401, { error: 'invalid_token' }));
    const res = await makeClient(server.url).request({ method: 'GET', path: '/', passStatus: [401] });
    expect(res.status).toBe(401);
    expect(res.data).toEqual({ error: 'invalid_token' });
  });

  it('classifies a non-JSON body as malformed without retrying', async () => {
    server = await startServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"error_code": "0", "result": [');
    });
    const error = await failure(makeClient(server.url).request({ method: 'POST', path: '/api/x', body: {} }));
    expect(error.code).toBe('malformed');
    expect(server.requests).toHaveLength(1);
  });

  it('does not resend a non-idempotent POST after it was sent (5xx), without an Idempotency-Key', async () => {
    server = await startServer((_req, res) => sendJson(res, 500, { error: 'boom' }));
    const error = await failure(makeClient(server.url).request({ method: 'POST', path: '/act', body: {}, idempotent: false }));
    expect(error.code).toBe('server_error');
    expect(server.requests).toHaveLength(1);
  });

  it('resends a non-idempotent POST carrying an Idempotency-Key, with the same key on every attempt', async () => {
    let calls = 0;
    server = await startServer((req, res) => {
      calls++;
      if (calls === 1) return sendJson(res, 500, { error: 'boom' });
      if (calls === 2) return void req; // never answer: a timeout
      sendJson(res, 200, { ok: true });
    });
    const seen: RetryInfo[] = [];
    const res = await makeClient(server.url, { timeoutMs: 150, retriesSeen: seen }).request({
      method: 'POST',
      path: '/act',
      body: { a: 1 },
      idempotent: false,
      headers: { 'Idempotency-Key': 'abc-123' },
    });
    expect(res.data).toEqual({ ok: true });
    expect(seen.map((s) => s.error.code)).toEqual(['server_error', 'timeout']);
    expect(server.requests.map((r) => r.headers['idempotency-key'])).toEqual(['abc-123', 'abc-123', 'abc-123']);
  });

  it('an empty Idempotency-Key does not make a POST resendable', async () => {
    server = await startServer((_req, res) => sendJson(res, 503, {}));
    await failure(makeClient(server.url).request({ method: 'POST', path: '/act', body: {}, idempotent: false, headers: { 'idempotency-key': ' ' } }));
    expect(server.requests).toHaveLength(1);
  });

  it('stops at once when the caller aborts, without retrying', async () => {
    server = await startServer(() => {
      /* hang */
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const c = makeClient(server.url, { timeoutMs: 5000 });
    await expect(c.request({ method: 'GET', path: '/', signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(server.requests).toHaveLength(1);
  });

  it('reuses connections (keep-alive)', async () => {
    server = await startServer((_req, res) => sendJson(res, 200, {}));
    const c = makeClient(server.url);
    for (let i = 0; i < 20; i++) await c.request({ method: 'GET', path: '/' });
    await Promise.all(Array.from({ length: 20 }, () => c.request({ method: 'GET', path: '/' })));
    expect(server.requests).toHaveLength(40);
    expect(server.connections()).toBeLessThanOrEqual(16);
  });

  it('computes exponential backoff with jitter inside its bounds', () => {
    const low = exponentialBackoff({ baseMs: 100, maxMs: 1000, random: () => 0 });
    const high = exponentialBackoff({ baseMs: 100, maxMs: 1000, random: () => 1 });
    const dummy = new AdapterError('timeout', 'x', true);
    expect([1, 2, 3, 4, 5, 6].map((n) => low(n, dummy))).toEqual([50, 100, 200, 400, 500, 500]);
    expect([1, 2, 3, 4, 5, 6].map((n) => high(n, dummy))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('refuses non-http schemes', () => {
    expect(() => new HttpClient({ baseUrl: 'ftp://example.vn', timeoutMs: 100, retries: 0 })).toThrow(AdapterError);
  });
});

describe('HttpClient TLS', () => {
  it('verifies certificates: a private CA is refused unless trusted through `ca`', async () => {
    const https = await import('node:https');
    const { TEST_CA_PEM, TEST_SERVER_CERT_PEM, TEST_SERVER_KEY_PEM } = await import('./tls-fixtures');
    const tlsServer = https.createServer({ cert: TEST_SERVER_CERT_PEM, key: TEST_SERVER_KEY_PEM }, (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"ok":true}');
    });
    await new Promise<void>((r) => tlsServer.listen(0, '127.0.0.1', r));
    const url = `https://127.0.0.1:${(tlsServer.address() as net.AddressInfo).port}`;
    const untrusted = new HttpClient({ baseUrl: url, timeoutMs: 2000, retries: 3, backoff: () => 0 });
    const trusted = new HttpClient({ baseUrl: url, timeoutMs: 2000, retries: 0, ca: TEST_CA_PEM });
    try {
      const error = await failure(untrusted.request({ method: 'GET', path: '/' }));
      expect(error.code).toBe('unreachable');
      expect(error.retryable).toBe(false);
      expect(error.message).toMatch(/TLS certificate verification failed/);
      await expect(trusted.request({ method: 'GET', path: '/' })).resolves.toMatchObject({ data: { ok: true } });
    } finally {
      untrusted.close();
      trusted.close();
      tlsServer.closeAllConnections();
      await new Promise<void>((r) => tlsServer.close(() => r()));
    }
  });
});
