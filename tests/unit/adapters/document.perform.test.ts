/**
 * DocumentAdapter.perform over real HTTP (a tiny local gateway): status feedback and reply bodies of
 * every document action, the Idempotency-Key on every attempt, outcome classification and the record
 * rebuilt from the answer's entry plus a fresh edXML fetch.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DOCUMENT_ACTION_KINDS, type ItemAction } from '../../../src/shared/actions';
import { type PerformContext } from '../../../src/core/adapters/adapter';
import { DocumentAdapter } from '../../../src/core/adapters/document.adapter';
import { DocumentDetailSchema } from '../../../src/shared/work-item';
import { edxml, fastRetry, sendJson, startServer, type Handler, type TestServer } from './fixtures';
import { adapterError } from '../../support/adapter-error';

const DOC = 'VBD-20261120-0007';
const at = (iso: string): number => Date.parse(iso);

let server: TestServer | null = null;
let adapter: DocumentAdapter | null = null;
afterEach(async () => {
  await adapter?.close();
  adapter = null;
  await server?.close();
  server = null;
});

function entry(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    DocId: DOC,
    Status: '01',
    UpdatedAt: '20261120100000',
    ReceivedAt: '20261120091500',
    Handler: null,
    IncomingNumber: null,
    IncomingDate: null,
    InternalDueDate: null,
    ...overrides,
  };
}

type ActionHandler = (req: Parameters<Handler>[0], res: Parameters<Handler>[1]) => void;

/** Token endpoint, the edXML of DOC, and `action` for the POSTs (after a bearer check). */
function gateway(action: ActionHandler, options: { tokens?: string[]; xml?: string | null } = {}): Handler {
  const tokens = options.tokens ?? ['t1'];
  let issued = 0;
  return (req, res) => {
    if (req.url === '/oauth/token') {
      const token = tokens[Math.min(issued++, tokens.length - 1)];
      return sendJson(res, 200, { access_token: token, token_type: 'Bearer', expires_in: 3600 });
    }
    if (req.headers.authorization !== `Bearer ${tokens[tokens.length - 1]}`) return sendJson(res, 401, { error: 'invalid_token' });
    if (req.method === 'GET' && req.url === `/edoc/received/${DOC}`) {
      if (options.xml === null) return sendJson(res, 404, { error: 'not_found', message: 'Không tìm thấy' });
      res.writeHead(200, { 'Content-Type': 'application/xml; charset=utf-8' });
      res.end(options.xml ?? edxml({ docNumber: '7816' }));
      return;
    }
    if (req.method === 'POST') return action(req, res);
    sendJson(res, 404, { error: 'not_found', message: `no route ${req.method} ${req.url}` });
  };
}

async function setup(action: ActionHandler, options: { tokens?: string[]; xml?: string | null; retries?: number; timeoutMs?: number } = {}): Promise<DocumentAdapter> {
  server = await startServer(gateway(action, options));
  adapter = new DocumentAdapter(
    {
      id: 'qlvb',
      label: 'Văn bản đến',
      baseUrl: server.url,
      clientId: 'workstation',
      clientSecret: 'secret',
      timeoutMs: options.timeoutMs ?? 1000,
      retries: options.retries ?? 2,
    },
    fastRetry,
  );
  return adapter;
}

function ctx(overrides: Partial<PerformContext> = {}): PerformContext {
  return {
    idempotencyKey: 'key-d-0001',
    baseUpdatedAt: at('2026-11-20T10:00:00+07:00'),
    actor: { username: 'canbo.lan', fullName: 'Nguyễn Thị Lan' },
    ...overrides,
  };
}

const posts = (): { url: string; headers: Record<string, unknown>; body: Record<string, unknown> }[] =>
  (server?.requests ?? [])
    .filter((r) => r.method === 'POST' && r.url !== '/oauth/token')
    .map((r) => ({ url: r.url, headers: r.headers, body: JSON.parse(r.body) as Record<string, unknown> }));

const okStatus = (e: Record<string, unknown> = {}): ActionHandler => (req, res) => {
  const body = req.json() as { StatusCode?: string };
  if (req.url === '/edoc/replies') return sendJson(res, 200, { ok: true, draftId: 'DRAFT-1', entry: entry({ Status: '05', ...e }) });
  sendJson(res, 200, { ok: true, status: body.StatusCode, entry: entry({ Status: body.StatusCode, ...e }) });
};

describe('document adapter: action mapping', () => {
  const statusPath = `/edoc/received/${DOC}/status`;
  const common = { Handler: 'canbo.lan', ExpectedUpdatedAt: '20261120100000' };
  const cases: [ItemAction, string, Record<string, unknown>][] = [
    [
      // 08:00 in Hà Nội = 01:00 UTC.
      { kind: 'document.register', incomingNumber: '1024', incomingDate: at('2026-11-20T01:00:00Z') },
      statusPath,
      { ...common, StatusCode: '03', Description: 'Vào sổ văn bản đến, số đến 1024', IncomingNumber: '1024', IncomingDate: '20261120080000' },
    ],
    [
      { kind: 'document.refuse', reason: 'Gửi nhầm đơn vị' },
      statusPath,
      { ...common, StatusCode: '02', Description: 'Từ chối tiếp nhận văn bản: Gửi nhầm đơn vị', Reason: 'Gửi nhầm đơn vị' },
    ],
    [
      {
        kind: 'document.assign',
        lead: 'canbo.tuan',
        cooperating: ['canbo.mai'],
        forInfo: ['lanhdao.thang'],
        internalDueAt: at('2026-11-27T10:00:00Z'),
        instruction: 'Chủ trì tham mưu báo cáo',
      },
      statusPath,
      {
        ...common,
        StatusCode: '04',
        Description: 'Chủ trì tham mưu báo cáo',
        Assignment: {
          Lead: 'canbo.tuan',
          Cooperating: ['canbo.mai'],
          ForInfo: ['lanhdao.thang'],
          InternalDueDate: '20261127170000',
          Instruction: 'Chủ trì tham mưu báo cáo',
        },
      },
    ],
    [
      { kind: 'document.assign', lead: 'canbo.tuan' } as ItemAction,
      statusPath,
      { ...common, StatusCode: '04', Description: 'Phân công xử lý văn bản', Assignment: { Lead: 'canbo.tuan', Cooperating: [], ForInfo: [] } },
    ],
    [{ kind: 'document.inProgress', note: 'Đang lấy số liệu' }, statusPath, { ...common, StatusCode: '05', Description: 'Đang lấy số liệu' }],
    [{ kind: 'document.inProgress' }, statusPath, { ...common, StatusCode: '05', Description: 'Đang xử lý văn bản' }],
    [{ kind: 'document.done', note: 'Đã gửi báo cáo' }, statusPath, { ...common, StatusCode: '06', Description: 'Đã gửi báo cáo' }],
    [{ kind: 'document.done' }, statusPath, { ...common, StatusCode: '06', Description: 'Hoàn thành xử lý văn bản' }],
    [
      { kind: 'document.reply', subject: 'V/v báo cáo kết quả cải cách TTHC', note: 'Dự thảo lần 1' },
      '/edoc/replies',
      { ResponseFor: DOC, Subject: 'V/v báo cáo kết quả cải cách TTHC', Note: 'Dự thảo lần 1', ExpectedUpdatedAt: '20261120100000' },
    ],
    [{ kind: 'document.reply', subject: 'V/v báo cáo' }, '/edoc/replies', { ResponseFor: DOC, Subject: 'V/v báo cáo', ExpectedUpdatedAt: '20261120100000' }],
  ];

  it.each(cases)('%o', async (action, path, body) => {
    const a = await setup(okStatus());
    const result = await a.perform(DOC, action, ctx());
    expect(result.outcome).toBe('applied');
    const [sent, ...more] = posts();
    expect(more).toEqual([]);
    expect(sent?.url).toBe(path);
    expect(sent?.body).toEqual(body);
    expect(sent?.headers['idempotency-key']).toBe('key-d-0001');
    expect(sent?.headers.authorization).toBe('Bearer t1');
  });

  it('covers every document action kind', () => {
    expect(new Set(cases.map(([a]) => a.kind))).toEqual(new Set(DOCUMENT_ACTION_KINDS));
  });

  it('omits ExpectedUpdatedAt when there is no base version', async () => {
    const a = await setup(okStatus());
    await a.perform(DOC, { kind: 'document.done' }, ctx({ baseUpdatedAt: null }));
    expect(posts()[0]?.body).toEqual({ StatusCode: '06', Description: 'Hoàn thành xử lý văn bản', Handler: 'canbo.lan' });
  });
});

describe('document adapter: action outcomes', () => {
  it('applied: the record comes from the answer entry plus a fresh edXML fetch', async () => {
    const a = await setup(
      okStatus({ UpdatedAt: '20261120103000', IncomingNumber: '1024', IncomingDate: '20261120080000', Handler: { Username: 'canbo.lan', FullName: 'Nguyễn Thị Lan' } }),
    );
    const result = await a.perform(DOC, { kind: 'document.register', incomingNumber: '1024', incomingDate: at('2026-11-20T01:00:00Z') }, ctx());
    if (result.outcome !== 'applied') throw new Error(result.outcome);
    expect(result.record).toMatchObject({
      source: 'document',
      externalId: DOC,
      ref: '7816/VPCP-TTĐT',
      status: '03',
      updatedAt: at('2026-11-20T10:30:00+07:00'),
      assignee: 'canbo.lan',
    });
    const detail = DocumentDetailSchema.parse(result.record.detail);
    expect(detail.incomingNumber).toBe('1024');
    expect(detail.incomingDate).toBe(at('2026-11-20T08:00:00+07:00'));
    const order = server?.requests.map((r) => `${r.method} ${r.url}`);
    expect(order?.slice(-2)).toEqual([`POST /edoc/received/${DOC}/status`, `GET /edoc/received/${DOC}`]);
  });

  it('applied reply: the original entry, moved to 05', async () => {
    const a = await setup(okStatus());
    const result = await a.perform(DOC, { kind: 'document.reply', subject: 'V/v trả lời' }, ctx());
    expect(result).toMatchObject({ outcome: 'applied', record: { externalId: DOC, status: '05' } });
  });

  it('409 → conflict with the current entry normalised (edXML fetched again)', async () => {
    const a = await setup((_req, res) =>
      sendJson(res, 409, {
        error: 'conflict',
        message: 'Văn bản đã được cập nhật lúc 10:45 20/11/2026',
        entry: entry({ Status: '03', UpdatedAt: '20261120104500', IncomingNumber: '1030', IncomingDate: '20261120' }),
      }),
    );
    const result = await a.perform(DOC, { kind: 'document.refuse', reason: 'Gửi nhầm đơn vị' }, ctx());
    if (result.outcome !== 'conflict') throw new Error(result.outcome);
    expect(result.message).toBe('Văn bản đã được cập nhật lúc 10:45 20/11/2026');
    expect(result.current).toMatchObject({ externalId: DOC, status: '03', updatedAt: at('2026-11-20T10:45:00+07:00'), title: expect.stringContaining('Cải cách') as unknown });
    expect(DocumentDetailSchema.parse(result.current?.detail).incomingNumber).toBe('1030');
    expect(server?.requests.at(-1)?.url).toBe(`/edoc/received/${DOC}`);
  });

  it('409 without a readable entry → conflict with current null', async () => {
    const a = await setup((_req, res) => sendJson(res, 409, { error: 'conflict', message: 'Đã thay đổi' }));
    expect(await a.perform(DOC, { kind: 'document.done' }, ctx())).toEqual({ outcome: 'conflict', current: null, message: 'Đã thay đổi' });
  });

  it('422 → rejected with the backend message verbatim', async () => {
    const message = 'Không thể chuyển văn bản từ trạng thái 01 (Đã đến) sang 06 (Hoàn thành)';
    const a = await setup((_req, res) => sendJson(res, 422, { error: 'illegal_transition', message }));
    expect(await a.perform(DOC, { kind: 'document.done' }, ctx())).toEqual({ outcome: 'rejected', message });
    expect(posts()).toHaveLength(1);
  });

  it('400 → rejected with the backend message', async () => {
    const a = await setup((_req, res) => sendJson(res, 400, { error: 'invalid_request', message: 'Lead: bắt buộc' }));
    expect(await a.perform(DOC, { kind: 'document.done' }, ctx())).toEqual({ outcome: 'rejected', message: 'Lead: bắt buộc' });
  });

  it('404 → not_found', async () => {
    const a = await setup((_req, res) => sendJson(res, 404, { error: 'not_found', message: `Không tìm thấy văn bản ${DOC}` }));
    expect(await a.perform(DOC, { kind: 'document.done' }, ctx())).toEqual({ outcome: 'not_found', message: `Không tìm thấy văn bản ${DOC}` });
  });

  it('applied but the edXML cannot be fetched → AdapterError malformed, retryable', async () => {
    const a = await setup(okStatus(), { xml: null });
    const error = await adapterError(a.perform(DOC, { kind: 'document.done' }, ctx()));
    expect(error).toMatchObject({ code: 'malformed', retryable: true });
  });

  it('an answer without entry → AdapterError malformed', async () => {
    const a = await setup((_req, res) => sendJson(res, 200, { ok: true, status: '06' }));
    expect((await adapterError(a.perform(DOC, { kind: 'document.done' }, ctx()))).code).toBe('malformed');
  });

  it('a dossier action → rejected without calling the gateway', async () => {
    const a = await setup(okStatus());
    const result = await a.perform(DOC, { kind: 'dossier.receive' }, ctx());
    expect(result.outcome).toBe('rejected');
    expect((result as { message: string }).message).toMatch(/dossier\.receive.*văn bản/);
    expect(server?.requests).toEqual([]);
  });
});

describe('document adapter: the idempotency key on every attempt', () => {
  it('HTTP 5xx is retried with the same key, then applied', async () => {
    let calls = 0;
    const ok = okStatus();
    const a = await setup((req, res) => {
      if (++calls <= 2) return sendJson(res, 502, { error: 'bad_gateway' });
      ok(req, res);
    });
    expect((await a.perform(DOC, { kind: 'document.inProgress' }, ctx({ idempotencyKey: 'k-5xx' }))).outcome).toBe('applied');
    expect(posts().map((p) => p.headers['idempotency-key'])).toEqual(['k-5xx', 'k-5xx', 'k-5xx']);
  });

  it('a gateway that never answers → AdapterError timeout, every attempt keyed', async () => {
    const a = await setup(
      () => {
        /* never answer */
      },
      { retries: 2, timeoutMs: 120 },
    );
    const error = await adapterError(a.perform(DOC, { kind: 'document.inProgress' }, ctx({ idempotencyKey: 'k-slow' })));
    expect(error).toMatchObject({ code: 'timeout', retryable: true });
    expect(posts().map((p) => p.headers['idempotency-key'])).toEqual(['k-slow', 'k-slow', 'k-slow']);
  });

  it('an expired token: fetches a new one and resends with the same key', async () => {
    const a = await setup(okStatus(), { tokens: ['old', 'new'] });
    expect((await a.perform(DOC, { kind: 'document.inProgress' }, ctx({ idempotencyKey: 'k-token' }))).outcome).toBe('applied');
    expect(posts().map((p) => [p.headers.authorization, p.headers['idempotency-key']])).toEqual([
      ['Bearer old', 'k-token'],
      ['Bearer new', 'k-token'],
    ]);
  });

  it('an answer lost after the action landed: the keyed resend gets the stored answer, one change only', async () => {
    const stored = new Map<string, Record<string, unknown>>();
    let changes = 0;
    let dropped = false;
    const a = await setup((req, res) => {
      const key = String(req.headers['idempotency-key']);
      let answer = stored.get(key);
      if (!answer) {
        changes++;
        answer = { ok: true, status: '05', entry: entry({ Status: '05', UpdatedAt: '20261120110000' }) };
        stored.set(key, answer);
      }
      if (!dropped) {
        dropped = true;
        res.socket?.destroy();
        return;
      }
      sendJson(res, 200, answer);
    });
    const result = await a.perform(DOC, { kind: 'document.inProgress' }, ctx({ idempotencyKey: 'k-lost' }));
    expect(result).toMatchObject({ outcome: 'applied', record: { status: '05' } });
    expect(changes).toBe(1);
    expect(posts().map((p) => p.headers['idempotency-key'])).toEqual(['k-lost', 'k-lost']);
  });
});
