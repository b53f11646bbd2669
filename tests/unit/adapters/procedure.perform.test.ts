/**
 * ProcedureAdapter.perform over real HTTP (a tiny local procedure server): the CapNhatTienDoHoSoMC
 * body of every dossier action, the Idempotency-Key on every attempt, and the outcome classification.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ItemAction } from '../../../src/shared/actions';
import { AdapterError, type PerformContext, type PerformResult } from '../../../src/core/adapters/adapter';
import { ProcedureAdapter } from '../../../src/core/adapters/procedure.adapter';
import { DossierDetailSchema } from '../../../src/shared/work-item';
import { dossier, fastRetry, sendJson, startServer, type Handler, type TestServer } from './fixtures';
import { adapterError } from '../../support/adapter-error';

const CODE = '000.26.13.H26-251003-0012';
const ACTION_PATH = '/api/CapNhatTienDoHoSoMC';
const at = (iso: string): number => Date.parse(iso);

let server: TestServer | null = null;
let adapter: ProcedureAdapter | null = null;
afterEach(async () => {
  await adapter?.close();
  adapter = null;
  await server?.close();
  server = null;
});

/** Answers login; everything else goes to `action` (after a session check). */
function procedureServer(action: Handler, options: { sessions?: string[] } = {}): Handler {
  const sessions = options.sessions ?? ['s1'];
  let logins = 0;
  return (req, res) => {
    if (req.url === '/api/DangNhap') {
      const session = sessions[Math.min(logins++, sessions.length - 1)];
      return sendJson(res, 200, { error_code: '0', message: 'OK', session, HetHan: '20991231235959' });
    }
    if (req.headers.session !== sessions[sessions.length - 1]) {
      return sendJson(res, 200, { error_code: '2', message: 'Phiên làm việc đã hết hạn, vui lòng đăng nhập lại' });
    }
    return action(req, res);
  };
}

async function setup(action: Handler, options: { sessions?: string[]; retries?: number; timeoutMs?: number } = {}): Promise<ProcedureAdapter> {
  server = await startServer(procedureServer(action, options));
  adapter = new ProcedureAdapter(
    {
      id: 'dvc',
      label: 'Một cửa điện tử',
      baseUrl: server.url,
      username: 'canbo.lan',
      password: 's3cret',
      timeoutMs: options.timeoutMs ?? 1000,
      retries: options.retries ?? 2,
    },
    fastRetry,
  );
  return adapter;
}

function ctx(overrides: Partial<PerformContext> = {}): PerformContext {
  return {
    idempotencyKey: 'key-0001',
    baseUpdatedAt: at('2025-10-03T09:00:00+07:00'),
    actor: { username: 'canbo.lan', fullName: 'Nguyễn Thị Lan' },
    ...overrides,
  };
}

const actionRequests = (): { headers: Record<string, unknown>; body: Record<string, unknown> }[] =>
  (server?.requests ?? [])
    .filter((r) => r.url === ACTION_PATH)
    .map((r) => ({ headers: r.headers, body: JSON.parse(r.body) as Record<string, unknown> }));

const okAnswer = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  error_code: '0',
  message: 'Cập nhật thành công',
  result: dossier(overrides),
});

describe('procedure adapter: action mapping (CapNhatTienDoHoSoMC)', () => {
  const common = { MaHoSo: CODE, PhienBan: '20251003090000', NguoiXuLy: 'canbo.lan' };
  const cases: [ItemAction, Record<string, unknown>][] = [
    [{ kind: 'dossier.receive', note: 'Đủ giấy tờ' }, { HanhDong: 'receive', NoiDung: 'Đủ giấy tờ' }],
    [{ kind: 'dossier.receive' }, { HanhDong: 'receive' }],
    [{ kind: 'dossier.refuse', reason: 'Không thuộc thẩm quyền' }, { HanhDong: 'refuse', LyDo: 'Không thuộc thẩm quyền' }],
    [
      { kind: 'dossier.forward', toUser: 'canbo.mai', note: 'Nhờ chị xử lý' },
      { HanhDong: 'forward', NguoiNhan: 'canbo.mai', NoiDung: 'Nhờ chị xử lý' },
    ],
    [{ kind: 'dossier.sendBack', reason: 'Thiếu chữ ký' }, { HanhDong: 'sendBack', LyDo: 'Thiếu chữ ký' }],
    [
      { kind: 'dossier.requestSupplement', missing: 'Bản sao CCCD của người đi khai sinh', note: 'Gọi điện báo' },
      { HanhDong: 'requestSupplement', ThieuGiayTo: 'Bản sao CCCD của người đi khai sinh', NoiDung: 'Gọi điện báo' },
    ],
    [{ kind: 'dossier.supplementReceived', note: 'Đã nhận' }, { HanhDong: 'supplementReceived', NoiDung: 'Đã nhận' }],
    [
      {
        kind: 'dossier.requestFees',
        fees: [
          { name: 'Lệ phí cấp giấy phép xây dựng', amount: 75000 },
          { name: 'Phí thẩm định', amount: 0 },
        ],
      },
      {
        HanhDong: 'requestFees',
        LePhi: [
          { TenPhiLePhi: 'Lệ phí cấp giấy phép xây dựng', MucPhi: 75000 },
          { TenPhiLePhi: 'Phí thẩm định', MucPhi: 0 },
        ],
      },
    ],
    [
      { kind: 'dossier.recordResult', resultName: 'Giấy khai sinh', note: 'Đã ký' },
      { HanhDong: 'recordResult', TenKetQua: 'Giấy khai sinh', NoiDung: 'Đã ký' },
    ],
    [{ kind: 'dossier.returnResult', method: 1 }, { HanhDong: 'returnResult', HinhThucTra: 1 }],
    [{ kind: 'dossier.returnResult', method: 0 }, { HanhDong: 'returnResult', HinhThucTra: 0 }],
    [{ kind: 'dossier.stop', reason: 'Công dân rút hồ sơ' }, { HanhDong: 'stop', LyDo: 'Công dân rút hồ sơ' }],
    [
      // 16:30 in Hà Nội is 09:30 UTC: the wire time is Vietnamese wall-clock time.
      { kind: 'dossier.apology', reason: 'Chậm do chờ xác minh', newAppointmentAt: at('2025-10-08T09:30:00Z') },
      { HanhDong: 'apology', LyDo: 'Chậm do chờ xác minh', NgayHenTraMoi: '20251008163000' },
    ],
  ];

  it.each(cases)('%o', async (action, fields) => {
    const a = await setup((_req, res) => sendJson(res, 200, okAnswer()));
    const result = await a.perform(CODE, action, ctx());
    expect(result.outcome).toBe('applied');
    const [sent, ...more] = actionRequests();
    expect(more).toEqual([]);
    expect(sent?.body).toEqual({ ...common, ...fields });
    expect(sent?.headers['idempotency-key']).toBe('key-0001');
    expect(sent?.headers.session).toBe('s1');
  });

  it('covers every dossier action kind', async () => {
    const { DOSSIER_ACTION_KINDS } = await import('../../../src/shared/actions');
    expect(new Set(cases.map(([a]) => a.kind))).toEqual(new Set(DOSSIER_ACTION_KINDS));
  });

  it('omits PhienBan when there is no base version', async () => {
    const a = await setup((_req, res) => sendJson(res, 200, okAnswer()));
    await a.perform(CODE, { kind: 'dossier.receive' }, ctx({ baseUpdatedAt: null }));
    expect(actionRequests()[0]?.body).toEqual({ MaHoSo: CODE, HanhDong: 'receive', NguoiXuLy: 'canbo.lan' });
  });
});

describe('procedure adapter: action outcomes', () => {
  it('applied: the returned dossier, normalised through the usual validation', async () => {
    const steps = (dossier().QuaTrinhXuLy as unknown[]).concat({
      MaHoSo: CODE,
      NguoiXuLy: 'Nguyễn Thị Lan',
      ChucDanh: 'Công chức Tư pháp - Hộ tịch',
      ThoiDiemXuLy: '20251003100000',
      PhongBanXuLy: 'Tư pháp - Hộ tịch',
      NoiDungXuLy: 'Yêu cầu bổ sung: Bản sao CCCD',
      TrangThai: '5',
      NgayBatDau: '20251003100000',
      NgayKetThucTheoQuyDinh: '',
    });
    const a = await setup((_req, res) =>
      sendJson(res, 200, okAnswer({ TrangThaiHoSo: '5', NgayCapNhat: '20251003100000', QuaTrinhXuLy: steps })),
    );
    const result = await a.perform(CODE, { kind: 'dossier.requestSupplement', missing: 'Bản sao CCCD' }, ctx());
    if (result.outcome !== 'applied') throw new Error(result.outcome);
    expect(result.record).toMatchObject({ source: 'procedure', externalId: CODE, status: '5', updatedAt: at('2025-10-03T10:00:00+07:00') });
    const detail = DossierDetailSchema.parse(result.record.detail);
    expect(detail.steps).toHaveLength(2);
    expect(detail.steps[1]).toMatchObject({ status: '5', content: 'Yêu cầu bổ sung: Bản sao CCCD' });
  });

  it('"00" is success too', async () => {
    const a = await setup((_req, res) => sendJson(res, 200, { ...okAnswer(), error_code: '00' }));
    expect((await a.perform(CODE, { kind: 'dossier.receive' }, ctx())).outcome).toBe('applied');
  });

  it('409 → conflict with the current dossier normalised', async () => {
    const a = await setup((_req, res) =>
      sendJson(res, 200, {
        error_code: '409',
        message: 'Hồ sơ đã được cập nhật lúc 10:05 03/10/2025, vui lòng tải lại',
        result: dossier({ TrangThaiHoSo: '5', NgayCapNhat: '20251003100500' }),
      }),
    );
    const result = await a.perform(CODE, { kind: 'dossier.receive' }, ctx());
    expect(result).toMatchObject({
      outcome: 'conflict',
      message: 'Hồ sơ đã được cập nhật lúc 10:05 03/10/2025, vui lòng tải lại',
      current: { externalId: CODE, status: '5', updatedAt: at('2025-10-03T10:05:00+07:00') },
    });
  });

  it('409 with an unreadable current dossier → conflict with current null', async () => {
    const a = await setup((_req, res) => sendJson(res, 200, { error_code: '409', message: 'Hồ sơ đã thay đổi', result: { MaHoSo: CODE } }));
    expect(await a.perform(CODE, { kind: 'dossier.receive' }, ctx())).toEqual({ outcome: 'conflict', current: null, message: 'Hồ sơ đã thay đổi' });
  });

  it('422 → rejected with the backend message verbatim', async () => {
    const message = 'Không thể trả kết quả: hồ sơ đang ở trạng thái "Đang xử lý", chưa có kết quả';
    const a = await setup((_req, res) => sendJson(res, 200, { error_code: '422', message }));
    expect(await a.perform(CODE, { kind: 'dossier.returnResult', method: 0 }, ctx())).toEqual({ outcome: 'rejected', message });
  });

  it('error_code 3 (invalid parameters) → rejected with the message', async () => {
    const message = 'Tham số không hợp lệ: NguoiNhan: không có cán bộ này';
    const a = await setup((_req, res) => sendJson(res, 200, { error_code: '3', message }));
    expect(await a.perform(CODE, { kind: 'dossier.forward', toUser: 'ai.do' }, ctx())).toEqual({ outcome: 'rejected', message });
  });

  it('404 → not_found', async () => {
    const a = await setup((_req, res) => sendJson(res, 200, { error_code: '404', message: `Không tìm thấy hồ sơ ${CODE}` }));
    expect(await a.perform(CODE, { kind: 'dossier.receive' }, ctx())).toEqual({ outcome: 'not_found', message: `Không tìm thấy hồ sơ ${CODE}` });
  });

  it('an invalid returned dossier → AdapterError malformed (retryable: the same key rereads the stored answer)', async () => {
    const a = await setup((_req, res) => sendJson(res, 200, okAnswer({ TrangThaiHoSo: '42' })));
    const error = await adapterError(a.perform(CODE, { kind: 'dossier.receive' }, ctx()));
    expect(error.code).toBe('malformed');
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(/TrangThaiHoSo/);
  });

  it('a non-JSON answer → AdapterError malformed', async () => {
    const a = await setup((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"error_code":"0","result":');
    });
    const error = await adapterError(a.perform(CODE, { kind: 'dossier.receive' }, ctx()));
    expect(error.code).toBe('malformed');
    expect(actionRequests()).toHaveLength(1);
  });

  it('an unknown error_code → AdapterError (not a definite outcome)', async () => {
    const a = await setup((_req, res) => sendJson(res, 200, { error_code: '99', message: 'Lỗi không xác định' }));
    const error = await adapterError(a.perform(CODE, { kind: 'dossier.receive' }, ctx()));
    expect(error.code).toBe('unknown');
  });

  it('a document action → rejected without calling the backend', async () => {
    const a = await setup((_req, res) => sendJson(res, 200, okAnswer()));
    const result = await a.perform(CODE, { kind: 'document.inProgress' }, ctx());
    expect(result.outcome).toBe('rejected');
    expect((result as { message: string }).message).toMatch(/document\.inProgress.*hồ sơ thủ tục hành chính/);
    expect(server?.requests).toEqual([]);
  });

  it('an invalid action → rejected without calling the backend', async () => {
    const a = await setup((_req, res) => sendJson(res, 200, okAnswer()));
    const result = await a.perform(CODE, { kind: 'dossier.refuse', reason: '' } as ItemAction, ctx());
    expect(result.outcome).toBe('rejected');
    expect(server?.requests).toEqual([]);
  });

  it('refuses to send without an idempotency key', async () => {
    const a = await setup((_req, res) => sendJson(res, 200, okAnswer()));
    await expect(a.perform(CODE, { kind: 'dossier.receive' }, ctx({ idempotencyKey: ' ' }))).rejects.toBeInstanceOf(AdapterError);
    expect(server?.requests).toEqual([]);
  });
});

describe('procedure adapter: the idempotency key on every attempt', () => {
  it('HTTP 5xx is retried with the same key, then applied', async () => {
    let calls = 0;
    const a = await setup((_req, res) => {
      if (++calls <= 2) return sendJson(res, 500, { error_code: '500', message: 'Lỗi hệ thống' });
      sendJson(res, 200, okAnswer());
    });
    expect((await a.perform(CODE, { kind: 'dossier.receive' }, ctx({ idempotencyKey: 'k-5xx' }))).outcome).toBe('applied');
    const sent = actionRequests();
    expect(sent).toHaveLength(3);
    expect(sent.map((r) => r.headers['idempotency-key'])).toEqual(['k-5xx', 'k-5xx', 'k-5xx']);
    expect(new Set(sent.map((r) => JSON.stringify(r.body))).size).toBe(1);
  });

  it('5xx on every attempt → AdapterError server_error (retryable), every attempt keyed', async () => {
    const a = await setup((_req, res) => sendJson(res, 503, { error_code: '503', message: 'Bảo trì' }), { retries: 3 });
    const error = await adapterError(a.perform(CODE, { kind: 'dossier.receive' }, ctx({ idempotencyKey: 'k-down' })));
    expect(error).toMatchObject({ code: 'server_error', retryable: true });
    expect(actionRequests().map((r) => r.headers['idempotency-key'])).toEqual(['k-down', 'k-down', 'k-down', 'k-down']);
  });

  it('a server that never answers → AdapterError timeout, every attempt keyed', async () => {
    const a = await setup(
      () => {
        /* never answer */
      },
      { retries: 1, timeoutMs: 120 },
    );
    const error = await adapterError(a.perform(CODE, { kind: 'dossier.receive' }, ctx({ idempotencyKey: 'k-slow' })));
    expect(error).toMatchObject({ code: 'timeout', retryable: true });
    expect(actionRequests().map((r) => r.headers['idempotency-key'])).toEqual(['k-slow', 'k-slow']);
  });

  it('an expired session: logs in again and resends with the same key', async () => {
    const a = await setup((_req, res) => sendJson(res, 200, okAnswer()), { sessions: ['old', 'new'] });
    expect((await a.perform(CODE, { kind: 'dossier.receive' }, ctx({ idempotencyKey: 'k-renew' }))).outcome).toBe('applied');
    const sent = actionRequests();
    expect(sent.map((r) => [r.headers.session, r.headers['idempotency-key']])).toEqual([
      ['old', 'k-renew'],
      ['new', 'k-renew'],
    ]);
    expect(server?.requests.filter((r) => r.url === '/api/DangNhap')).toHaveLength(2);
  });

  it('an answer lost after the action landed: the keyed resend gets the stored answer, one step only', async () => {
    // A backend that stores answers per key, and drops the connection of the first answer.
    const stored = new Map<string, PerformResult | Record<string, unknown>>();
    let steps = 0;
    let dropped = false;
    const a = await setup((req, res) => {
      const key = String(req.headers['idempotency-key']);
      let answer = stored.get(key);
      if (!answer) {
        steps++;
        answer = okAnswer({ TrangThaiHoSo: '2', NgayCapNhat: '20251003100000' });
        stored.set(key, answer);
      }
      if (!dropped) {
        dropped = true;
        res.socket?.destroy();
        return;
      }
      sendJson(res, 200, answer);
    });
    const result = await a.perform(CODE, { kind: 'dossier.receive' }, ctx({ idempotencyKey: 'k-lost' }));
    expect(result).toMatchObject({ outcome: 'applied', record: { status: '2' } });
    expect(steps).toBe(1);
    expect(actionRequests().map((r) => r.headers['idempotency-key'])).toEqual(['k-lost', 'k-lost']);
  });

  it('a caller abort stops at once with the abort reason', async () => {
    const a = await setup(() => {
      /* never answer */
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    await expect(a.perform(CODE, { kind: 'dossier.receive' }, ctx(), controller.signal)).rejects.toMatchObject({ name: 'AbortError' });
  });
});
