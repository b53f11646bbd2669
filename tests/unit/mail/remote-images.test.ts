/**
 * The remote image proxy (src/core/mail/remote-images.ts) against tiny local HTTP(S) servers. They
 * listen on loopback, which the default guard refuses: the positive cases inject a guard that admits
 * 127.0.0.1 only (the test-only `isAllowedAddress`).
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPublicAddress, normalizeImageUrl, RemoteImageFetcher, remoteImageUrlsIn } from '../../../src/core/mail/remote-images';
import { TEST_SERVER_CERT_PEM, TEST_SERVER_KEY_PEM } from '../adapters/tls-fixtures';

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001', 'hex');
const SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>';

let http: Server;
let https: Server;
let base = '';
let tlsBase = '';
const requests: string[] = [];

function route(req: IncomingMessage, res: ServerResponse): void {
  const url = req.url ?? '/';
  requests.push(url);
  const n = /^\/hop\/(\d+)$/.exec(url);
  if (n) {
    const left = Number(n[1]);
    res.writeHead(302, { Location: left > 0 ? `/hop/${left - 1}` : '/logo.png' }).end();
    return;
  }
  switch (url) {
    case '/logo.png':
    case '/a.png':
    case '/b.png':
      res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': PNG.length }).end(PNG);
      return;
    case '/icon.svg':
      res.writeHead(200, { 'Content-Type': 'image/svg+xml; charset=utf-8' }).end(SVG);
      return;
    case '/page.html':
      res.writeHead(200, { 'Content-Type': 'text/html' }).end('<script>alert(1)</script>');
      return;
    case '/big.png':
      res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': 4096 }).end(Buffer.alloc(4096));
      return;
    case '/big-chunked.png':
      res.writeHead(200, { 'Content-Type': 'image/png' });
      res.write(Buffer.alloc(3000));
      res.end(Buffer.alloc(3000));
      return;
    case '/slow.png':
      // Never answers: the 10 s (here 300 ms) budget ends it.
      return;
    case '/to-ipv6-loopback':
      res.writeHead(302, { Location: `http://[::1]:${(http.address() as AddressInfo).port}/logo.png` }).end();
      return;
    case '/to-file':
      res.writeHead(302, { Location: 'file:///etc/passwd' }).end();
      return;
    default:
      if (/^\/many\/\d+\.png$/.test(url)) {
        res.writeHead(200, { 'Content-Type': 'image/png' }).end(PNG);
        return;
      }
      res.writeHead(404).end();
  }
}

beforeAll(async () => {
  http = createHttpServer(route);
  https = createHttpsServer({ cert: TEST_SERVER_CERT_PEM, key: TEST_SERVER_KEY_PEM }, route);
  await Promise.all([
    new Promise<void>((r) => http.listen(0, '127.0.0.1', r)),
    new Promise<void>((r) => https.listen(0, '127.0.0.1', r)),
  ]);
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  tlsBase = `https://127.0.0.1:${(https.address() as AddressInfo).port}`;
});

afterAll(async () => {
  http.closeAllConnections();
  https.closeAllConnections();
  await Promise.all([new Promise((r) => http.close(r)), new Promise((r) => https.close(r))]);
});

const loopbackOnly = (address: string): boolean => address === '127.0.0.1';

describe('isPublicAddress', () => {
  it('refuses loopback, private, link-local, CGNAT, multicast, reserved and mapped forms', () => {
    for (const a of ['127.0.0.1', '127.8.9.10', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1',
      '0.0.0.0', '224.0.0.1', '255.255.255.255', '::1', '::', 'fe80::1', 'fc00::1', 'fd12:3456::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1',
      'ff02::1', '2001:db8::1', 'not-an-ip']) {
      expect(isPublicAddress(a), a).toBe(false);
    }
    for (const a of ['8.8.8.8', '203.113.131.1', '172.32.0.1', '2001:4860:4860::8888', '::ffff:8.8.8.8']) {
      expect(isPublicAddress(a), a).toBe(true);
    }
  });
});

describe('image URLs of a mail', () => {
  it('finds <img src> (any quoting, entities decoded) and CSS url(), not cid: or relative', () => {
    const html = `<p><IMG alt="x" SRC="https://cdn.example.vn/a.png?x=1&amp;y=2"><img src='//cdn.example.vn/b.png'>
      <img src=http://img.example.vn/c.gif><img src="cid:logo@x"><img src="/relative.png">
      <div style="background:url(&quot;https://bg.example.vn/d.jpg&quot;)"></div>
      <td style="background-image: url('https://bg.example.vn/e.jpg')"></td></p>`;
    expect([...remoteImageUrlsIn(html)].sort()).toEqual([
      'http://img.example.vn/c.gif',
      'https://bg.example.vn/d.jpg',
      'https://bg.example.vn/e.jpg',
      'https://cdn.example.vn/a.png?x=1&y=2',
      'https://cdn.example.vn/b.png',
    ]);
    expect(normalizeImageUrl(' https://cdn.example.vn/a.png#frag ')).toBe('https://cdn.example.vn/a.png');
    expect(normalizeImageUrl('javascript:alert(1)')).toBeNull();
    expect(normalizeImageUrl('ftp://x/y.png')).toBeNull();
  });
});

describe('RemoteImageFetcher', () => {
  it('fetches an image of the mail as a data: URI (positive case: loopback admitted for this test)', async () => {
    const fetcher = new RemoteImageFetcher({ isAllowedAddress: loopbackOnly });
    const url = `${base}/logo.png`;
    const svg = `${base}/icon.svg`;
    const html = `<img src="${url}"><div style="background:url(${svg})"></div>`;
    const result = await fetcher.fetchAll(html, [url, svg]);
    expect(result[url]).toBe(`data:image/png;base64,${PNG.toString('base64')}`);
    expect(result[svg]).toBe(`data:image/svg+xml;base64,${Buffer.from(SVG).toString('base64')}`);
  });

  it('refuses URLs that are not in the mail, without any request', async () => {
    const fetcher = new RemoteImageFetcher({ isAllowedAddress: loopbackOnly });
    const before = requests.length;
    const result = await fetcher.fetchAll(`<img src="${base}/a.png">`, [`${base}/b.png`, 'https://evil.example/x.png', 'not a url']);
    expect(result).toEqual({ [`${base}/b.png`]: null, 'https://evil.example/x.png': null, 'not a url': null });
    expect(requests.length).toBe(before);
    expect(await fetcher.fetchAll(null, [`${base}/a.png`])).toEqual({ [`${base}/a.png`]: null });
  });

  it('with the default guard, loopback targets are refused (literal IPs and names resolving to them) without any request', async () => {
    const fetcher = new RemoteImageFetcher();
    const port = (http.address() as AddressInfo).port;
    const urls = [`${base}/logo.png`, `http://localhost:${port}/logo.png`, `http://[::1]:${port}/logo.png`, `http://0x7f000001:${port}/logo.png`];
    const before = requests.length;
    const result = await fetcher.fetchAll(urls.map((u) => `<img src="${u}">`).join(''), urls);
    expect(Object.values(result)).toEqual([null, null, null, null]);
    expect(requests.length).toBe(before);
  });

  it('re-checks every redirect, allows at most 3', async () => {
    const fetcher = new RemoteImageFetcher({ isAllowedAddress: loopbackOnly });
    const ok3 = `${base}/hop/2`; // 3 redirects in all
    const tooMany = `${base}/hop/3`; // 4
    const toV6 = `${base}/to-ipv6-loopback`;
    const toFile = `${base}/to-file`;
    const html = [ok3, tooMany, toV6, toFile].map((u) => `<img src="${u}">`).join('');
    const result = await fetcher.fetchAll(html, [ok3, tooMany, toV6, toFile]);
    expect(result[ok3]).toMatch(/^data:image\/png;base64,/);
    expect(result[tooMany]).toBeNull();
    expect(result[toV6]).toBeNull();
    expect(result[toFile]).toBeNull();
  });

  it('refuses non-images, oversized answers (declared or streamed) and slow servers', async () => {
    const fetcher = new RemoteImageFetcher({ isAllowedAddress: loopbackOnly, maxBytes: 5000, timeoutMs: 300 });
    const urls = ['/page.html', '/big-chunked.png', '/slow.png', '/missing.png'].map((p) => `${base}${p}`);
    const started = Date.now();
    const result = await fetcher.fetchAll(urls.map((u) => `<img src="${u}">`).join(''), urls);
    expect(Object.values(result)).toEqual([null, null, null, null]);
    expect(Date.now() - started).toBeLessThan(3000);
    const small = new RemoteImageFetcher({ isAllowedAddress: loopbackOnly, maxBytes: 1000 });
    const big = `${base}/big.png`;
    expect(await small.fetchAll(`<img src="${big}">`, [big])).toEqual({ [big]: null });
  });

  it('verifies TLS certificates (a self-signed server is refused)', async () => {
    const fetcher = new RemoteImageFetcher({ isAllowedAddress: loopbackOnly });
    const url = `${tlsBase}/logo.png`;
    expect(await fetcher.fetchAll(`<img src="${url}">`, [url])).toEqual({ [url]: null });
  });

  it('fetches at most 20 images per call', async () => {
    const fetcher = new RemoteImageFetcher({ isAllowedAddress: loopbackOnly });
    const urls = Array.from({ length: 24 }, (_, i) => `${base}/many/${i}.png`);
    const before = requests.filter((r) => r.startsWith('/many/')).length;
    const result = await fetcher.fetchAll(urls.map((u) => `<img src="${u}">`).join(''), urls);
    expect(Object.values(result).filter((v) => v !== null)).toHaveLength(20);
    expect(urls.slice(20).map((u) => result[u])).toEqual([null, null, null, null]);
    expect(requests.filter((r) => r.startsWith('/many/')).length - before).toBe(20);
  });
});
