import { afterEach, describe, expect, it } from 'vitest';
import { AdapterError } from '../../../src/core/adapters/adapter';
import { ProcedureAdapter, parseProcedureCursor, validateDossier } from '../../../src/core/adapters/procedure.adapter';
import { DossierDetailSchema } from '../../../src/shared/work-item';
import { dossier, fastRetry, sendJson, startServer, type Handler, type TestServer } from './fixtures';

let server: TestServer | null = null;
let adapter: ProcedureAdapter | null = null;
afterEach(async () => {
  await adapter?.close();
  adapter = null;
  await server?.close();
  server = null;
});

async function setup(handler: Handler, pageSize = 50): Promise<ProcedureAdapter> {
  server = await startServer(handler);
  adapter = new ProcedureAdapter(
    { id: 'dvc', label: 'Một cửa điện tử', baseUrl: server.url, username: 'mc.lan', password: 's3cret', pageSize, timeoutMs: 1000, retries: 2 },
    fastRetry,
  );
  return adapter;
}

/** A canned procedure server: login, and a fixed page answer. */
function cannedServer(page: unknown[], options: { sessions?: string[]; total?: number } = {}): Handler {
  let logins = 0;
  const sessions = options.sessions ?? ['tok-1'];
  return (req, res) => {
    if (req.url === '/api/DangNhap') {
      const body = req.json() as { TenDangNhap: string; MatKhau: string };
      if (body.MatKhau !== 's3cret') return sendJson(res, 200, { error_code: '1', message: 'Sai mật khẩu' });
      const session = sessions[Math.min(logins++, sessions.length - 1)];
      return sendJson(res, 200, { error_code: '0', message: 'OK', session, HetHan: '20991231235959' });
    }
    if (req.headers.session !== sessions[sessions.length - 1]) {
      return sendJson(res, 200, { error_code: '2', message: 'Phiên làm việc hết hạn' });
    }
    if (req.url === '/api/LayDanhSachHoSo') {
      return sendJson(res, 200, { error_code: '0', message: 'OK', result: page, CoTiep: true, TongSo: options.total ?? page.length });
    }
    if (req.url === '/api/TraCuuHoSo') {
      const { MaHoSo } = req.json() as { MaHoSo: string };
      const hit = page.find((d) => (d as { MaHoSo?: string }).MaHoSo === MaHoSo);
      return sendJson(res, 200, hit ? { error_code: '0', result: hit } : { error_code: '404', message: 'Không tìm thấy' });
    }
    if (req.url === '/api/LayDanhSachTTHC') {
      return sendJson(res, 200, {
        error_code: '00',
        result: [
          { MaTTHC: '1.001193', TenTTHC: 'Đăng ký khai sinh', MaLinhVuc: 'HT', TenLinhVuc: 'Hộ tịch', ThoiGianGiaiQuyet: 0, DonViTinh: 'trong ngày' },
          { MaTTHC: '1.004873', TenTTHC: 'Xác nhận tình trạng hôn nhân', MaLinhVuc: 'HT', TenLinhVuc: 'Hộ tịch', ThoiGianGiaiQuyet: '24', DonViTinh: 'ngày làm việc' },
          { MaTTHC: '1.009999', TenTTHC: 'Cấp giấy phép xây dựng', MaLinhVuc: 'XD', TenLinhVuc: 'Xây dựng', ThoiGianGiaiQuyet: 360, DonViTinh: 'ngày' },
        ],
      });
    }
    sendJson(res, 404, { error: 'no route' });
  };
}

describe('procedure adapter: normalisation', () => {
  it('maps a dossier to a NormalizedRecord with a DossierDetail', () => {
    const outcome = validateDossier(dossier());
    if (!('record' in outcome)) throw new Error(outcome.quarantined.error);
    const r = outcome.record;
    expect(r).toMatchObject({
      source: 'procedure',
      externalId: '000.26.13.H26-251003-0012',
      ref: '000.26.13.H26-251003-0012',
      title: 'Đăng ký khai sinh cho cháu Nguyễn Minh An',
      party: 'Nguyễn Văn Đức',
      kind: 'Đăng ký khai sinh',
      status: '4',
      receivedAt: Date.parse('2025-10-03T08:30:00+07:00'),
      dueAt: Date.parse('2025-10-03T17:00:00+07:00'),
      urgency: 0,
      assignee: 'tuphap.lan',
      assigneeName: 'Trần Thị Lan',
      updatedAt: Date.parse('2025-10-03T09:00:00+07:00'),
    });
    for (const part of ['001084000999', '0912345678', 'Đăng ký khai sinh', 'Trần Phú']) expect(r.searchText).toContain(part);
    const detail = DossierDetailSchema.parse(r.detail);
    expect(detail).toMatchObject({
      channel: 1,
      applicantType: 1,
      applicantIdNumber: '001084000999',
      submittedAt: Date.parse('2025-10-03T08:15:00+07:00'),
      returnedAt: null,
      returnMethod: 0,
      identities: [{ type: 1, number: '001084000999' }],
      files: [{ name: 'to-khai-khai-sinh.pdf', mimeType: 'application/pdf', size: 120345, description: null }],
      fees: [{ name: 'Lệ phí đăng ký khai sinh', amount: 0, paid: true }],
      results: [{ name: 'Giấy khai sinh', mimeType: null, size: null, description: 'KQ-0012' }],
      steps: [{ official: 'Lê Văn Hùng', at: Date.parse('2025-10-03T08:30:00+07:00'), status: '2', dueAt: null }],
    });
  });

  it('falls back to NgayNopHoSo, treats empty NgayHenTra as no deadline, accepts lenient types', () => {
    const outcome = validateDossier(
      dossier({
        NgayTiepNhan: '',
        NgayHenTra: '',
        TrangThaiHoSo: 1,
        KenhThucHien: '2',
        NguoiXuLyHienTai: null,
        DanhSachLePhi: [{ TenPhiLePhi: 'Phí', MucPhi: '50000', DaThanhToan: '0' }],
        DanhSachHoSoBoSung: [
          { NgayYeuCauBoSung: '20251004090000', NgayTiepNhanBoSung: '', NoiDungYeuCauBoSung: 'Thiếu bản sao CCCD', NgayHenTraCu: '20251006170000', NgayHenTraMoi: '' },
        ],
      }),
    );
    if (!('record' in outcome)) throw new Error(outcome.quarantined.error);
    expect(outcome.record.receivedAt).toBe(Date.parse('2025-10-03T08:15:00+07:00'));
    expect(outcome.record.dueAt).toBeNull();
    expect(outcome.record.status).toBe('1');
    expect(outcome.record.assignee).toBeNull();
    const detail = DossierDetailSchema.parse(outcome.record.detail);
    expect(detail.fees).toEqual([{ name: 'Phí', amount: 50000, paid: false }]);
    expect(detail.supplements[0]).toMatchObject({ reason: 'Thiếu bản sao CCCD', receivedAt: null, newDueAt: null });
  });

  it('quarantines an invalid dossier with a readable reason and truncated raw JSON', () => {
    const outcome = validateDossier(dossier({ NgayCapNhat: '2025-10-03', TrangThaiHoSo: '11', TrichYeuHoSo: 'x'.repeat(10_000) }));
    if (!('quarantined' in outcome)) throw new Error('expected quarantine');
    expect(outcome.quarantined.externalId).toBe('000.26.13.H26-251003-0012');
    expect(outcome.quarantined.error).toMatch(/TrangThaiHoSo/);
    expect(outcome.quarantined.error).toMatch(/NgayCapNhat: expected yyyyMMddHHmmss/);
    expect(Buffer.byteLength(outcome.quarantined.raw)).toBeLessThanOrEqual(4096);
  });

  it('parses and rejects cursors', () => {
    expect(parseProcedureCursor(null)).toEqual({ since: '', after: '' });
    expect(parseProcedureCursor('20251003090000|000.26.13.H26-251003-0012')).toEqual({ since: '20251003090000', after: '000.26.13.H26-251003-0012' });
    expect(() => parseProcedureCursor('garbage')).toThrow(AdapterError);
  });
});

describe('procedure adapter over HTTP (canned server)', () => {
  it('lands the valid dossiers of a page and quarantines the malformed one; the cursor advances past it', async () => {
    const page = [
      dossier({ MaHoSo: 'A-0001', NgayCapNhat: '20251003090000' }),
      dossier({ MaHoSo: 'A-0002', NgayCapNhat: '20251003090500', ChuHoSo: 42, NgayTiepNhan: '3 Oct' }),
      dossier({ MaHoSo: 'A-0003', NgayCapNhat: '20251003091000' }),
    ];
    const a = await setup(cannedServer(page, { total: 10 }), 3);
    const result = await a.pull(null);
    expect(result.records.map((r) => r.externalId)).toEqual(['A-0001', 'A-0003']);
    expect(result.quarantined).toHaveLength(1);
    expect(result.quarantined[0]).toMatchObject({ externalId: 'A-0002' });
    expect(result.quarantined[0]?.error).toMatch(/ChuHoSo/);
    expect(result.cursor).toBe('20251003091000|A-0003');
    expect(result.hasMore).toBe(true);
    expect(result.remaining).toBe(10);
    const body = JSON.parse(server?.requests.find((r) => r.url === '/api/LayDanhSachHoSo')?.body ?? '{}') as unknown;
    expect(body).toEqual({ TuThoiDiem: '', SauMaHoSo: '', SoLuong: 3 });
  });

  it('advances even when the last item is the malformed one', async () => {
    const page = [dossier({ MaHoSo: 'B-1', NgayCapNhat: '20251003090000' }), dossier({ MaHoSo: 'B-2', NgayCapNhat: '20251003090100', KenhThucHien: 9 })];
    const a = await setup(cannedServer(page));
    const result = await a.pull('20251001000000|Z');
    expect(result.cursor).toBe('20251003090100|B-2');
    const body = JSON.parse(server?.requests.find((r) => r.url === '/api/LayDanhSachHoSo')?.body ?? '{}') as unknown;
    expect(body).toMatchObject({ TuThoiDiem: '20251001000000', SauMaHoSo: 'Z' });
  });

  it('logs in again once on error_code 2 and retries the call', async () => {
    const a = await setup(cannedServer([dossier()], { sessions: ['stale', 'fresh'] }));
    const result = await a.pull(null);
    expect(result.records).toHaveLength(1);
    expect(server?.requests.filter((r) => r.url === '/api/DangNhap')).toHaveLength(2);
  });

  it('fails with auth_failed (not retryable) on error_code 1', async () => {
    server = await startServer(cannedServer([]));
    adapter = new ProcedureAdapter({ id: 'dvc', label: 'x', baseUrl: server.url, username: 'u', password: 'wrong' }, fastRetry);
    await expect(adapter.pull(null)).rejects.toMatchObject({ code: 'auth_failed', retryable: false });
    expect(server.requests).toHaveLength(1);
  });

  it('looks a dossier up and lists procedures', async () => {
    const a = await setup(cannedServer([dossier()]));
    expect((await a.lookup('000.26.13.H26-251003-0012'))?.externalId).toBe('000.26.13.H26-251003-0012');
    expect(await a.lookup('nope')).toBeNull();
    expect(await a.listProcedures()).toEqual([
      { code: '1.001193', name: 'Đăng ký khai sinh', fieldCode: 'HT', fieldName: 'Hộ tịch', hours: 0, unit: 'same_day', papers: [], fees: [] },
      { code: '1.004873', name: 'Xác nhận tình trạng hôn nhân', fieldCode: 'HT', fieldName: 'Hộ tịch', hours: 24, unit: 'working', papers: [], fees: [] },
      { code: '1.009999', name: 'Cấp giấy phép xây dựng', fieldCode: 'XD', fieldName: 'Xây dựng', hours: 360, unit: 'calendar', papers: [], fees: [] },
    ]);
  });

  it('rejects an invalid config clearly', () => {
    expect(() => new ProcedureAdapter({ id: '', label: 'x', baseUrl: 'not a url', username: 'u', password: 'p', pageSize: 5000 })).toThrow(
      /id: .*baseUrl: .*pageSize/,
    );
  });
});
