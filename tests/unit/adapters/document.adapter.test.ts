import { afterEach, describe, expect, it } from 'vitest';
import { DocumentAdapter } from '../../../src/core/adapters/document.adapter';
import { DocumentDetailSchema } from '../../../src/shared/work-item';
import { edxml, fastRetry, sendJson, startServer, type Handler, type TestServer } from './fixtures';

let server: TestServer | null = null;
let adapter: DocumentAdapter | null = null;
afterEach(async () => {
  await adapter?.close();
  adapter = null;
  await server?.close();
  server = null;
});

function entry(docId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    DocId: docId,
    Status: '03',
    UpdatedAt: '20261120100000',
    ReceivedAt: '20261120091500',
    Handler: { Username: 'vanthu.hoa', FullName: 'Phạm Thị Hòa' },
    IncomingNumber: '1024',
    IncomingDate: '20261120',
    InternalDueDate: null,
    ...overrides,
  };
}

interface GatewayOptions {
  entries: Record<string, unknown>[];
  bodies: Record<string, string>;
  tokens?: string[];
  secret?: string;
}

function gateway(o: GatewayOptions): Handler {
  const tokens = o.tokens ?? ['t1'];
  let issued = 0;
  return (req, res) => {
    if (req.url === '/oauth/token') {
      const body = req.json() as { client_id: string; client_secret: string };
      if (body.client_secret !== (o.secret ?? 'secret')) return sendJson(res, 401, { error: 'invalid_client' });
      const token = tokens[Math.min(issued++, tokens.length - 1)];
      return sendJson(res, 200, { access_token: token, token_type: 'Bearer', expires_in: 3600 });
    }
    if (req.headers.authorization !== `Bearer ${tokens[tokens.length - 1]}`) return sendJson(res, 401, { error: 'invalid_token' });
    const url = new URL(req.url, 'http://x');
    if (url.pathname === '/edoc/received') {
      return sendJson(res, 200, { items: o.entries, nextCursor: 'c-1', hasMore: false, total: o.entries.length });
    }
    const status = /^\/edoc\/received\/([^/]+)\/status$/.exec(url.pathname);
    if (status && req.method === 'POST') {
      const body = req.json() as { StatusCode: string };
      return sendJson(res, 200, { ok: true, status: body.StatusCode });
    }
    const doc = /^\/edoc\/received\/([^/]+)$/.exec(url.pathname);
    const xml = doc ? o.bodies[decodeURIComponent(doc[1] ?? '')] : undefined;
    if (xml === undefined) return sendJson(res, 404, { error: 'not_found' });
    res.writeHead(200, { 'Content-Type': 'application/xml; charset=utf-8' });
    res.end(xml);
  };
}

async function setup(o: GatewayOptions, deps = {}): Promise<DocumentAdapter> {
  server = await startServer(gateway(o));
  adapter = new DocumentAdapter(
    { id: 'qlvb', label: 'Văn bản đến', baseUrl: server.url, clientId: 'ubnd', clientSecret: 'secret', pageSize: 50, timeoutMs: 1000, retries: 1, concurrency: 4 },
    { ...fastRetry, ...deps },
  );
  return adapter;
}

describe('document adapter over HTTP (canned gateway)', () => {
  it('normalises documents and quarantines the malformed edXML while the rest lands', async () => {
    const a = await setup({
      entries: [entry('D1'), entry('D2'), entry('D3', { InternalDueDate: '20261125' }), entry('D4', { Status: 'XX' })],
      bodies: {
        D1: edxml({ docNumber: '0101' }),
        D2: edxml({ docNumber: '0102' }).replace('</edXML:Subject>', ''),
        D3: edxml({ docNumber: '0103', priority: '3' }),
      },
    });
    const page = await a.pull(null);
    expect(page.records.map((r) => r.externalId)).toEqual(['D1', 'D3']);
    expect(page.quarantined.map((q) => q.externalId).sort()).toEqual(['D2', 'D4']);
    expect(page.quarantined.find((q) => q.externalId === 'D2')?.error).toMatch(/not well-formed/);
    expect(page.quarantined.find((q) => q.externalId === 'D4')?.error).toMatch(/Status/);
    expect(page.cursor).toBe('c-1');
    expect(page.hasMore).toBe(false);
    expect(page.remaining).toBe(4);

    const [d1, d3] = page.records;
    expect(d1).toMatchObject({
      source: 'document',
      ref: '0101/VPCP-TTĐT',
      title: 'V/v triển khai "Cải cách thủ tục hành chính" & chuyển đổi số năm 2026',
      party: 'Văn phòng Chính phủ',
      kind: 'Công văn',
      status: '03',
      receivedAt: Date.parse('2026-11-20T09:15:00+07:00'),
      updatedAt: Date.parse('2026-11-20T10:00:00+07:00'),
      dueAt: Date.parse('2026-11-30T17:00:00+07:00'),
      urgency: 2,
      assignee: 'vanthu.hoa',
      assigneeName: 'Phạm Thị Hòa',
    });
    expect(d1?.searchText).toContain('Nguyễn Sỹ Hiệp');
    const detail = DocumentDetailSchema.parse(d1?.detail);
    expect(detail.incomingNumber).toBe('1024');
    expect(detail.incomingDate).toBe(Date.parse('2026-11-20T00:00:00+07:00'));
    // The leader's internal deadline wins over the sender's DueDate.
    expect(d3?.dueAt).toBe(Date.parse('2026-11-25T17:00:00+07:00'));
    expect(d3?.urgency).toBe(3);
  });

  it('uses the injected calendar for due dates', async () => {
    const a = await setup(
      { entries: [entry('D1')], bodies: { D1: edxml() } },
      { dueDateToInstant: (key: string) => Date.parse(`${key}T16:30:00+07:00`) },
    );
    const page = await a.pull(null);
    expect(page.records[0]?.dueAt).toBe(Date.parse('2026-11-30T16:30:00+07:00'));
  });

  it('renews the token on 401 invalid_token', async () => {
    const a = await setup({ entries: [entry('D1')], bodies: { D1: edxml() }, tokens: ['old', 'new'] });
    const page = await a.pull(null);
    expect(page.records).toHaveLength(1);
    expect(server?.requests.filter((r) => r.url === '/oauth/token')).toHaveLength(2);
  });

  it('fails with auth_failed on wrong client credentials', async () => {
    const a = await setup({ entries: [], bodies: {}, secret: 'other' });
    await expect(a.pull(null)).rejects.toMatchObject({ code: 'auth_failed', retryable: false });
  });

  it('posts status feedback and validates it first', async () => {
    const a = await setup({ entries: [], bodies: {} });
    await expect(a.sendStatus('D1', { statusCode: '03', description: 'Đã vào sổ', incomingNumber: '1024' })).resolves.toEqual({ status: '03' });
    const post = server?.requests.find((r) => r.url === '/edoc/received/D1/status');
    expect(JSON.parse(post?.body ?? '{}')).toEqual({ StatusCode: '03', Description: 'Đã vào sổ', IncomingNumber: '1024' });
    expect(post?.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    await expect(a.sendStatus('D1', { statusCode: '02', description: 'Sai nơi nhận' })).rejects.toThrow(/reason/);
  });

  it('quarantines a document whose edXML is gone (404)', async () => {
    const a = await setup({ entries: [entry('D1'), entry('GONE')], bodies: { D1: edxml() } });
    const page = await a.pull(null);
    expect(page.records).toHaveLength(1);
    expect(page.quarantined[0]).toMatchObject({ externalId: 'GONE' });
  });
});
