import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { CoreEvent, Envelope } from '../../../src/shared/api';
import { startHost, type HostedCore, type RunningHost } from '../../../src/host/host.server';

/** A stand-in core: this test is about the transport (token, Host, Origin, static files). */
class EchoCore implements HostedCore {
  listeners = new Set<(e: CoreEvent) => void>();
  calls: Array<{ method: string; input: unknown }> = [];
  async handle(method: string, input: unknown): Promise<Envelope<unknown>> {
    this.calls.push({ method, input });
    return { ok: true, data: { method, input } };
  }
  subscribe(listener: (e: CoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  emit(e: CoreEvent): void {
    for (const l of this.listeners) l(e);
  }
}

function raw(port: number, path: string, headers: Record<string, string>, method = 'GET', body?: string) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((ok, fail) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', fail);
    if (body) req.write(body);
    req.end();
  });
}

describe('browser host transport', () => {
  const core = new EchoCore();
  let host: RunningHost;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cw-host-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>t</title>');
    writeFileSync(join(dir, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(dir, '..', 'secret-outside.txt'), 'secret');
    host = await startHost({ core, rendererDir: dir, token: 'test-token-123' });
  });
  afterAll(async () => {
    await host.close();
  });

  it('serves the renderer with a strict CSP', async () => {
    const res = await fetch(host.url);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const js = await fetch(`${host.url}assets/app.js`);
    expect(js.headers.get('content-type')).toContain('text/javascript');
  });

  it('refuses path traversal out of the renderer folder', async () => {
    const res = await raw(host.port, '/../secret-outside.txt', { host: `127.0.0.1:${host.port}` });
    expect(res.status).not.toBe(200);
    expect(res.body).not.toContain('secret');
    const enc = await raw(host.port, '/%2e%2e/secret-outside.txt', { host: `127.0.0.1:${host.port}` });
    expect(enc.status).not.toBe(200);
    expect(enc.body).not.toContain('secret');
  });

  it('refuses API calls without the token or with a wrong one', async () => {
    const none = await fetch(`${host.url}api/queue.list`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(none.status).toBe(401);
    const wrong = await fetch(`${host.url}api/queue.list`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer test-token-12X' },
      body: '{}',
    });
    expect(wrong.status).toBe(401);
    expect(core.calls).toHaveLength(0);
  });

  it('passes authorised calls to the core and answers its envelope', async () => {
    const res = await fetch(`${host.url}api/queue.list`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${host.token}` },
      body: JSON.stringify({ limit: 5 }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, data: { method: 'queue.list', input: { limit: 5 } } });
  });

  it('answers malformed JSON with invalid_input, not a crash', async () => {
    const res = await fetch(`${host.url}api/queue.list`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${host.token}` },
      body: '{"limit":',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_input');
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    const res = await raw(host.port, '/api/queue.list', {
      host: 'evil.example:80',
      authorization: `Bearer ${host.token}`,
      'content-type': 'application/json',
    }, 'POST', '{}');
    expect(res.status).toBe(421);
  });

  it('streams events only to sockets with the token and our origin', async () => {
    const bad = new WebSocket(`ws://127.0.0.1:${host.port}/events?token=nope`);
    const badResult = await new Promise<string>((ok) => {
      bad.on('open', () => ok('open'));
      bad.on('error', () => ok('refused'));
    });
    expect(badResult).toBe('refused');

    const foreign = new WebSocket(`ws://127.0.0.1:${host.port}/events?token=${host.token}`, { origin: 'http://evil.example' });
    const foreignResult = await new Promise<string>((ok) => {
      foreign.on('open', () => ok('open'));
      foreign.on('error', () => ok('refused'));
    });
    expect(foreignResult).toBe('refused');

    const good = new WebSocket(`ws://127.0.0.1:${host.port}/events?token=${host.token}`, { origin: `http://127.0.0.1:${host.port}` });
    await new Promise<void>((ok, fail) => {
      good.on('open', () => ok());
      good.on('error', fail);
    });
    const got = new Promise<unknown>((ok) => good.once('message', (m) => ok(JSON.parse(String(m)))));
    core.emit({ type: 'items.changed', ids: ['a:1'], more: false });
    expect(await got).toEqual({ type: 'items.changed', ids: ['a:1'], more: false });
    good.close();
  });
});
