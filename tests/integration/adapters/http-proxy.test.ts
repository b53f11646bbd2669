/**
 * The HTTP adapters through a real forward proxy on loopback: plain HTTP as absolute-URI requests,
 * HTTPS through a CONNECT tunnel with the certificate still verified end to end (a private CA given
 * as `ca`), proxy sign-in (407 without it, clear error), and `noProxy`.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { connect as netConnect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdapterError } from '../../../src/core/adapters/adapter';
import { bypassesProxy, ProxyConfigSchema } from '../../../src/core/adapters/adapter.util';
import { DocumentAdapter } from '../../../src/core/adapters/document.adapter';
import { ProcedureAdapter } from '../../../src/core/adapters/procedure.adapter';
import { TRAINING_CREDENTIALS } from '../../../src/core/config/config.schema';
import { connectionTarget, runConnectionTest } from '../../../src/core/settings/connection-test.service';
import { TrainingSandbox } from '../../../src/sandbox/sandbox';
import { makeTlsFixtures, startHttpsServer, type TlsFixtures } from '../settings/tls-fixtures';

interface ForwardProxy {
  url: string;
  /** What went through: `GET http://…` for plain requests, `CONNECT host:port` for tunnels. */
  seen: string[];
  /** When set, requests without this Basic credential get 407. */
  requireAuth: { user: string; pass: string } | null;
  server: Server;
}

async function startForwardProxy(): Promise<ForwardProxy> {
  const proxy: ForwardProxy = { url: '', seen: [], requireAuth: null, server: createServer() };
  const authorised = (req: IncomingMessage): boolean => {
    if (!proxy.requireAuth) return true;
    const expected = `Basic ${Buffer.from(`${proxy.requireAuth.user}:${proxy.requireAuth.pass}`).toString('base64')}`;
    return req.headers['proxy-authorization'] === expected;
  };
  proxy.server.on('request', (req, res) => {
    proxy.seen.push(`${req.method} ${req.url}`);
    if (!authorised(req)) {
      res.writeHead(407, { 'Proxy-Authenticate': 'Basic realm="UBND"' });
      res.end();
      return;
    }
    const target = new URL(req.url ?? '');
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    const up = httpRequest(target, { method: req.method, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    up.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(up);
  });
  proxy.server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    proxy.seen.push(`CONNECT ${req.url}`);
    if (!authorised(req)) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="UBND"\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const [host, port] = (req.url ?? '').split(':');
    const upstream = netConnect(Number(port), host ?? '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((ok) => proxy.server.listen(0, '127.0.0.1', ok));
  const address = proxy.server.address();
  proxy.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return proxy;
}

let sandbox: TrainingSandbox;
let proxy: ForwardProxy;
let tls: TlsFixtures;
let httpsFront: { url: string; server: HttpsServer };

beforeAll(async () => {
  sandbox = await TrainingSandbox.start({ seed: 7, days: 2, dossiersPerDay: 20, documentsPerDay: 6, streamIntervalMs: 0 });
  proxy = await startForwardProxy();
  tls = makeTlsFixtures();
  httpsFront = await startHttpsServer(tls.leaf, sandbox.procedureUrl);
});

afterAll(async () => {
  proxy.server.closeAllConnections();
  await new Promise((ok) => proxy.server.close(ok));
  httpsFront.server.closeAllConnections();
  await new Promise((ok) => httpsFront.server.close(ok));
  tls.cleanup();
  await sandbox.stop();
});

const creds = TRAINING_CREDENTIALS.procedure;

async function firstPage(adapter: ProcedureAdapter | DocumentAdapter): Promise<number> {
  try {
    const page = await adapter.pull(null);
    return page.records.length;
  } finally {
    await adapter.close();
  }
}

describe('HTTP adapters through a proxy', () => {
  it('plain HTTP: every request goes to the proxy as an absolute URI and the page lands', async () => {
    proxy.seen.length = 0;
    proxy.requireAuth = null;
    const n = await firstPage(new ProcedureAdapter({ id: 'p', label: 'p', baseUrl: sandbox.procedureUrl, ...creds, retries: 0, proxy: { url: proxy.url } }));
    expect(n).toBeGreaterThan(0);
    expect(proxy.seen.length).toBeGreaterThan(0);
    for (const line of proxy.seen) expect(line).toMatch(new RegExp(`^(GET|POST) ${sandbox.procedureUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    const c = TRAINING_CREDENTIALS.document;
    const docs = await firstPage(new DocumentAdapter({ id: 'd', label: 'd', baseUrl: sandbox.documentUrl, clientId: c.clientId, clientSecret: c.clientSecret, retries: 0, proxy: { url: proxy.url } }));
    expect(docs).toBeGreaterThan(0);
  });

  it('HTTPS: a CONNECT tunnel, the certificate verified end to end (private CA accepted, refused without it)', async () => {
    proxy.seen.length = 0;
    proxy.requireAuth = null;
    const config = { id: 'p', label: 'p', baseUrl: httpsFront.url, ...creds, retries: 0, proxy: { url: proxy.url } };
    const n = await firstPage(new ProcedureAdapter({ ...config, ca: tls.caPem }));
    expect(n).toBeGreaterThan(0);
    expect(proxy.seen.every((line) => line === `CONNECT ${new URL(httpsFront.url).host}`)).toBe(true);
    expect(proxy.seen.length).toBeGreaterThan(0);

    const refused = await firstPage(new ProcedureAdapter(config)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AdapterError);
    expect((refused as AdapterError).message).toMatch(/TLS certificate verification failed/);
  });

  it('proxy sign-in: 407 without it is a clear configuration error, the right user and password pass', async () => {
    proxy.requireAuth = { user: 'ubnd.ngocha', pass: 'Mật khẩu proxy: 1@2' };
    try {
      const without = await firstPage(new ProcedureAdapter({ id: 'p', label: 'p', baseUrl: sandbox.procedureUrl, ...creds, retries: 0, proxy: { url: proxy.url } })).catch((e: unknown) => e);
      expect(without).toBeInstanceOf(AdapterError);
      expect((without as AdapterError).code).toBe('config_invalid');
      expect((without as AdapterError).message).toMatch(/407/);

      const tunnelWithout = await firstPage(
        new ProcedureAdapter({ id: 'p', label: 'p', baseUrl: httpsFront.url, ...creds, retries: 0, ca: tls.caPem, proxy: { url: proxy.url } }),
      ).catch((e: unknown) => e);
      expect(tunnelWithout).toBeInstanceOf(AdapterError);
      expect((tunnelWithout as AdapterError).message).toMatch(/407/);

      const signedIn = { url: proxy.url, username: proxy.requireAuth.user, password: proxy.requireAuth.pass };
      expect(await firstPage(new ProcedureAdapter({ id: 'p', label: 'p', baseUrl: sandbox.procedureUrl, ...creds, retries: 0, proxy: signedIn }))).toBeGreaterThan(0);
      expect(await firstPage(new ProcedureAdapter({ id: 'p', label: 'p', baseUrl: httpsFront.url, ...creds, retries: 0, ca: tls.caPem, proxy: signedIn }))).toBeGreaterThan(0);
    } finally {
      proxy.requireAuth = null;
    }
  });

  it('noProxy: listed hosts go direct', async () => {
    proxy.seen.length = 0;
    const n = await firstPage(
      new ProcedureAdapter({ id: 'p', label: 'p', baseUrl: sandbox.procedureUrl, ...creds, retries: 0, proxy: { url: proxy.url, noProxy: ['127.0.0.1'] } }),
    );
    expect(n).toBeGreaterThan(0);
    expect(proxy.seen).toEqual([]);
  });

  it('a proxy that is down: unreachable, retryable', async () => {
    const dead = createServer();
    await new Promise<void>((ok) => dead.listen(0, '127.0.0.1', ok));
    const address = dead.address();
    await new Promise((ok) => dead.close(ok));
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const error = await firstPage(new ProcedureAdapter({ id: 'p', label: 'p', baseUrl: sandbox.procedureUrl, ...creds, retries: 0, proxy: { url } })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdapterError);
    expect((error as AdapterError).code).toBe('unreachable');
    expect((error as AdapterError).retryable).toBe(true);
  });
});

describe('test connection through a proxy', () => {
  const walk = (proxyConfig: Record<string, unknown>, ca?: string) =>
    runConnectionTest(
      connectionTarget({ kind: 'procedure', id: 'p', label: 'p', baseUrl: httpsFront.url, ...creds, ...(ca ? { ca } : {}), proxy: proxyConfig }, 5000),
      5000,
    );

  it('checks the proxy for DNS and TCP, then TLS to the server inside the tunnel, then the API', async () => {
    proxy.seen.length = 0;
    const result = await walk({ url: proxy.url }, tls.caPem);
    expect(result.failedStep).toBeNull();
    expect(result.steps.map((s) => s.status)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ok']);
    expect(result.steps[0]!.message).toMatch(/proxy/);
    expect(result.steps[2]!.chain?.[0]?.subject).toMatch(/127\.0\.0\.1/);
    expect(proxy.seen.filter((l) => l.startsWith('CONNECT')).length).toBeGreaterThanOrEqual(2);
  });

  it('says which step failed behind the proxy: sign-in to the proxy, the certificate', async () => {
    proxy.requireAuth = { user: 'it', pass: 'proxy-pass' };
    try {
      const noAuth = await walk({ url: proxy.url }, tls.caPem);
      expect(noAuth.failedStep).toBe('tls');
      expect(noAuth.steps[2]!.message).toMatch(/proxy .* đòi đăng nhập/);
      const withAuth = await walk({ url: proxy.url, username: 'it', password: 'proxy-pass' }, tls.caPem);
      expect(withAuth.failedStep).toBeNull();
      expect(JSON.stringify(withAuth)).not.toContain('proxy-pass');
    } finally {
      proxy.requireAuth = null;
    }
    const noCa = await walk({ url: proxy.url });
    expect(noCa.failedStep).toBe('tls');
    expect(noCa.steps[2]!.message).toMatch(/CA/);
  });
});

describe('proxy settings', () => {
  it('matches noProxy entries by host, domain suffix, leading dot and *', () => {
    expect(bypassesProxy('dvc.hanoi.gov.vn', ['hanoi.gov.vn'])).toBe(true);
    expect(bypassesProxy('dvc.hanoi.gov.vn', ['.hanoi.gov.vn'])).toBe(true);
    expect(bypassesProxy('hanoi.gov.vn', ['.hanoi.gov.vn'])).toBe(true);
    expect(bypassesProxy('xhanoi.gov.vn', ['hanoi.gov.vn'])).toBe(false);
    expect(bypassesProxy('10.0.0.5', ['10.0.0.5'])).toBe(true);
    expect(bypassesProxy('[::1]', ['::1'])).toBe(true);
    expect(bypassesProxy('anything.vn', ['*'])).toBe(true);
    expect(bypassesProxy('anything.vn', [])).toBe(false);
  });

  it('refuses credentials inside the proxy URL and URLs that are not http(s)', () => {
    expect(ProxyConfigSchema.safeParse({ url: 'http://user:pw@proxy.local:3128' }).success).toBe(false);
    expect(ProxyConfigSchema.safeParse({ url: 'socks5://proxy.local:1080' }).success).toBe(false);
    const ok = ProxyConfigSchema.parse({ url: 'http://proxy.local:3128', noProxy: [' Hanoi.GOV.vn '] });
    expect(ok.noProxy).toEqual(['hanoi.gov.vn']);
  });
});
