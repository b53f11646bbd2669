/**
 * Actions on the training sandbox over real HTTP (docs/backend-protocols.md §4–5): every dossier
 * action on its legal path (with the supplement pause across a weekend and a holiday), illegal
 * transitions, version conflicts, idempotency keys under lost, failed and garbled answers, and the
 * document gateway's register/refuse/assign/in-progress/done/reply.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCalendar } from '../../../src/core/deadline';
import { ACTION_TRANSITIONS } from '../../../src/shared/actions';
import { TrainingSandbox } from '../../../src/sandbox/sandbox';
import { formatVnTimestamp, parseVnTimestamp } from '../../../src/sandbox/vn-time';

const cal = defaultCalendar();
/** Friday 24 April 2026, 10:00 in Hà Nội. Monday 27 April is a day off (Hùng Kings, compensating). */
const START = Date.parse('2026-04-24T10:00:00+07:00');
let now = START;
const clock = (): number => now;
let sb: TrainingSandbox;
let session = '';
let bearer = '';

interface Step {
  NguoiXuLy: string;
  ChucDanh: string;
  PhongBanXuLy: string;
  NoiDungXuLy: string;
  TrangThai: string;
  ThoiDiemXuLy: string;
  NgayBatDau: string;
  NgayKetThucTheoQuyDinh: string;
}
interface Dossier {
  MaHoSo: string;
  TrangThaiHoSo: string;
  NgayCapNhat: string;
  NgayTiepNhan: string;
  NgayHenTra: string;
  NgayHenTraBanDau?: string;
  NgayTra: string;
  NgayTuChoi: string;
  NgayKetThucXuLy: string;
  HinhThuc: number;
  NguoiXuLyHienTai: { TenDangNhap: string; HoTen: string } | null;
  DanhSachHoSoBoSung: { NgayYeuCauBoSung: string; NgayTiepNhanBoSung: string; NoiDungYeuCauBoSung: string; NgayHenTraCu: string; NgayHenTraMoi: string }[];
  DanhSachLePhi: { TenPhiLePhi: string; MucPhi: number; DaThanhToan: boolean }[];
  DanhSachGiayToKetQua: { TenGiayTo: string; MaGiayToKetQua: string }[];
  QuaTrinhXuLy: Step[];
}
interface ActionAnswer {
  error_code: string;
  message: string;
  result?: Dossier;
}
interface Entry {
  DocId: string;
  Status: string;
  UpdatedAt: string;
  Handler: { Username: string; FullName: string } | null;
  IncomingNumber: string | null;
  IncomingDate: string | null;
  InternalDueDate: string | null;
}

async function login(): Promise<string> {
  const res = await fetch(`${sb.procedureUrl}/api/DangNhap`, {
    method: 'POST',
    body: JSON.stringify({ TenDangNhap: 'canbo.lan', MatKhau: 'training' }),
  });
  return ((await res.json()) as { session: string }).session;
}

async function token(): Promise<string> {
  const res = await fetch(`${sb.documentUrl}/oauth/token`, { method: 'POST', body: JSON.stringify({ client_id: 'workstation', client_secret: 'training' }) });
  return ((await res.json()) as { access_token: string }).access_token;
}

async function act(body: Record<string, unknown>, key: string | null = randomUUID(), signal?: AbortSignal): Promise<{ status: number; data: ActionAnswer; text: string }> {
  const res = await fetch(`${sb.procedureUrl}/api/CapNhatTienDoHoSoMC`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', session, ...(key !== null ? { 'idempotency-key': key } : {}) },
    body: JSON.stringify(body),
    signal,
  });
  const text = await res.text();
  let data: ActionAnswer;
  try {
    data = JSON.parse(text) as ActionAnswer;
  } catch {
    data = { error_code: 'garbled', message: text };
  }
  return { status: res.status, data, text };
}

/** Apply an action that must succeed; checks the keyset rule and the new step. */
async function ok(body: Record<string, unknown>): Promise<Dossier> {
  const before = lookup(String(body.MaHoSo));
  const { status, data } = await act(body);
  expect(status).toBe(200);
  expect(data.message, data.message).not.toMatch(/không/i);
  expect(data.error_code).toBe('0');
  const d = data.result as Dossier;
  expect(d.QuaTrinhXuLy).toHaveLength(before.QuaTrinhXuLy.length + 1);
  expect(d.NgayCapNhat > before.NgayCapNhat).toBe(true);
  // Stamped after the newest item: last in listing order, so an incremental sync sees it.
  const listing = sb.dossiers();
  expect(listing[listing.length - 1]?.MaHoSo).toBe(d.MaHoSo);
  expect(d).toEqual(lookup(d.MaHoSo));
  return d;
}

function lookup(code: string): Dossier {
  const d = sb.dossiers().find((x) => x.MaHoSo === code);
  if (!d) throw new Error(`no dossier ${code}`);
  return d as unknown as Dossier;
}

function lastStep(d: Dossier): Step {
  const s = d.QuaTrinhXuLy[d.QuaTrinhXuLy.length - 1];
  if (!s) throw new Error('no steps');
  return s;
}

/** A new dossier in status 1 (online, not yet received) or 2 (received at the counter). */
function fresh(status: '1' | '2'): string {
  for (let i = 0; i < 50; i++) {
    const [code] = sb.emit('procedure', 1);
    if (code && lookup(code).TrangThaiHoSo === status) return code;
  }
  throw new Error(`no fresh dossier in status ${status}`);
}

function ms(ts: string): number {
  const v = parseVnTimestamp(ts);
  if (v === null) throw new Error(`bad timestamp ${ts}`);
  return v;
}

function logged(key: string): number {
  return sb.actionLog().filter((e) => e.key === key).length;
}

beforeAll(async () => {
  sb = await TrainingSandbox.start({ seed: 21, now: START, clock, days: 3, dossiersPerDay: 30, documentsPerDay: 10, streamIntervalMs: 0, sessionTtlMs: 90 * 86_400_000 });
  session = await login();
  bearer = await token();
});

afterAll(async () => {
  await sb.stop();
});

describe('dossier actions (CapNhatTienDoHoSoMC)', () => {
  it('walks the whole legal path, with the supplement pause across a weekend and a holiday', async () => {
    const code = fresh('1');
    let d = await ok({ MaHoSo: code, HanhDong: 'receive', NguoiXuLy: 'canbo.huong', NoiDung: 'Hồ sơ đầy đủ' });
    expect(d.TrangThaiHoSo).toBe('2');
    expect(d.NgayTiepNhan).toMatch(/^20260424/);
    expect(d.NgayHenTra).not.toBe('');
    expect(lastStep(d)).toMatchObject({
      NguoiXuLy: 'Hoàng Thu Hương', ChucDanh: 'Viên chức tiếp nhận và trả kết quả',
      PhongBanXuLy: 'Trung tâm Phục vụ hành chính công phường', TrangThai: '2', NgayKetThucTheoQuyDinh: d.NgayHenTra,
    });
    expect(lastStep(d).NoiDungXuLy).toContain('Tiếp nhận hồ sơ');
    expect(d.NguoiXuLyHienTai).toEqual({ TenDangNhap: 'canbo.huong', HoTen: 'Hoàng Thu Hương' });

    now += 5 * 60_000;
    d = await ok({ MaHoSo: code, HanhDong: 'forward', NguoiXuLy: 'canbo.huong', NguoiNhan: 'canbo.lan' });
    expect(d.TrangThaiHoSo).toBe('4');
    expect(d.NguoiXuLyHienTai?.TenDangNhap).toBe('canbo.lan');
    expect(lastStep(d).NoiDungXuLy).toBe('Chuyển hồ sơ đến Nguyễn Thị Lan (Văn phòng HĐND và UBND phường) xử lý');

    d = await ok({ MaHoSo: code, HanhDong: 'forward', NguoiXuLy: 'canbo.lan', NguoiNhan: 'canbo.mai', NoiDung: 'Nhờ chị thẩm định' });
    expect(d.NguoiXuLyHienTai?.TenDangNhap).toBe('canbo.mai');
    d = await ok({ MaHoSo: code, HanhDong: 'sendBack', NguoiXuLy: 'canbo.mai', LyDo: 'Thiếu chữ ký người yêu cầu' });
    expect(d.TrangThaiHoSo).toBe('4');
    expect(d.NguoiXuLyHienTai?.TenDangNhap).toBe('canbo.lan');
    expect(lastStep(d)).toMatchObject({ NguoiXuLy: 'Lê Thị Mai', NoiDungXuLy: expect.stringContaining('Thiếu chữ ký') as unknown });

    // Friday 14:00: supplement requested; the citizen comes back on Tuesday 10:00 (Sat, Sun, Mon 27/4 off).
    now = Date.parse('2026-04-24T14:00:00+07:00');
    const dueBefore = d.NgayHenTra;
    d = await ok({ MaHoSo: code, HanhDong: 'requestSupplement', NguoiXuLy: 'canbo.lan', ThieuGiayTo: 'Bản sao Giấy khai sinh của người con' });
    expect(d.TrangThaiHoSo).toBe('5');
    expect(d.NgayHenTra).toBe(dueBefore);
    const sup = d.DanhSachHoSoBoSung[d.DanhSachHoSoBoSung.length - 1];
    expect(sup).toMatchObject({ NoiDungYeuCauBoSung: 'Bản sao Giấy khai sinh của người con', NgayHenTraCu: dueBefore, NgayTiepNhanBoSung: '', NgayHenTraMoi: '' });
    expect(sup?.NgayYeuCauBoSung).toBe(lastStep(d).ThoiDiemXuLy);

    const illegalWhilePaused = await act({ MaHoSo: code, HanhDong: 'recordResult', NguoiXuLy: 'canbo.lan', TenKetQua: 'Giấy khai sinh' });
    expect(illegalWhilePaused.data).toMatchObject({ error_code: '422', message: 'Hồ sơ đang ở trạng thái "Chờ bổ sung giấy tờ"; không thể cập nhật kết quả.' });

    now = Date.parse('2026-04-28T10:00:00+07:00');
    d = await ok({ MaHoSo: code, HanhDong: 'supplementReceived', NguoiXuLy: 'canbo.huong' });
    expect(d.TrangThaiHoSo).toBe('4');
    expect(d.NguoiXuLyHienTai?.TenDangNhap).toBe('canbo.lan');
    const closed = d.DanhSachHoSoBoSung[d.DanhSachHoSoBoSung.length - 1];
    if (!closed) throw new Error('no supplement');
    expect(closed.NgayTiepNhanBoSung).toMatch(/^20260428100/);
    const paused = cal.workingMinutesBetween(ms(closed.NgayYeuCauBoSung), ms(closed.NgayTiepNhanBoSung));
    // Fri 14:00–17:00 (3 h) + Tue 08:00–10:00 (2 h): 300 working minutes, give or take the write seconds.
    expect(paused).toBeCloseTo(300, 0);
    expect(closed.NgayHenTraMoi).toBe(d.NgayHenTra);
    expect(closed.NgayHenTraCu).toBe(dueBefore);
    expect(ms(d.NgayHenTra)).toBe(Math.floor(cal.addWorkingMinutes(ms(dueBefore), paused) / 1000) * 1000);
    expect(cal.workingMinutesBetween(ms(dueBefore), ms(d.NgayHenTra))).toBeCloseTo(paused, 1);
    expect(lastStep(d).NgayKetThucTheoQuyDinh).toBe(d.NgayHenTra);

    now += 60 * 60_000;
    d = await ok({ MaHoSo: code, HanhDong: 'requestFees', NguoiXuLy: 'canbo.lan', LePhi: [{ TenPhiLePhi: 'Lệ phí cấp bản sao trích lục', MucPhi: 8000 }] });
    expect(d.TrangThaiHoSo).toBe('6');
    expect(d.DanhSachLePhi).toContainEqual({ TenPhiLePhi: 'Lệ phí cấp bản sao trích lục', MucPhi: 8000, DaThanhToan: false });
    expect(lastStep(d).NoiDungXuLy).toContain('8.000 đồng');

    now += 60 * 60_000;
    d = await ok({ MaHoSo: code, HanhDong: 'recordResult', NguoiXuLy: 'canbo.lan', TenKetQua: 'Trích lục khai sinh (bản sao)' });
    expect(d.TrangThaiHoSo).toBe('9');
    expect(d.NgayKetThucXuLy).toBe(lastStep(d).ThoiDiemXuLy);
    expect(d.DanhSachGiayToKetQua).toEqual([{ TenGiayTo: 'Trích lục khai sinh (bản sao)', MaGiayToKetQua: `${code}-KQ1` }]);
    expect(d.DanhSachLePhi.every((f) => f.DaThanhToan)).toBe(true);

    now += 30 * 60_000;
    d = await ok({ MaHoSo: code, HanhDong: 'returnResult', NguoiXuLy: 'canbo.huong', HinhThucTra: 1 });
    expect(d).toMatchObject({ TrangThaiHoSo: '10', HinhThuc: 1, NguoiXuLyHienTai: null });
    expect(d.NgayTra).toBe(lastStep(d).ThoiDiemXuLy);
    expect(lastStep(d).NoiDungXuLy).toBe('Trả kết quả qua dịch vụ bưu chính công ích');

    const late = await act({ MaHoSo: code, HanhDong: 'requestSupplement', NguoiXuLy: 'canbo.lan', ThieuGiayTo: 'Giấy tờ khác' });
    expect(late.status).toBe(200);
    expect(late.data).toEqual({ error_code: '422', message: 'Hồ sơ đang ở trạng thái "Đã trả kết quả"; không thể yêu cầu bổ sung.' });
    expect(lookup(code).QuaTrinhXuLy).toHaveLength(d.QuaTrinhXuLy.length);
  });

  it('refuses at reception and stops processing', async () => {
    const a = fresh('1');
    const noReason = await act({ MaHoSo: a, HanhDong: 'refuse', NguoiXuLy: 'canbo.huong' });
    expect(noReason.data.error_code).toBe('3');
    expect(noReason.data.message).toContain('LyDo');
    const refused = await ok({ MaHoSo: a, HanhDong: 'refuse', NguoiXuLy: 'canbo.huong', LyDo: 'Hồ sơ không thuộc thẩm quyền giải quyết của phường' });
    expect(refused).toMatchObject({ TrangThaiHoSo: '3', NguoiXuLyHienTai: null });
    expect(refused.NgayTuChoi).toBe(lastStep(refused).ThoiDiemXuLy);

    const b = fresh('2');
    const stopped = await ok({ MaHoSo: b, HanhDong: 'stop', NguoiXuLy: 'canbo.lan', LyDo: 'Người yêu cầu không đủ điều kiện theo quy định' });
    expect(stopped.TrangThaiHoSo).toBe('8');
    expect(lastStep(stopped).NoiDungXuLy).toBe('Dừng xử lý hồ sơ: Người yêu cầu không đủ điều kiện theo quy định');
  });

  it('answers 422 for every illegal transition, 404, 3 and 2 where due', async () => {
    const received = fresh('2');
    const status = lookup(received).TrangThaiHoSo;
    for (const hanhDong of ['receive', 'sendBack', 'supplementReceived', 'requestFees', 'recordResult', 'returnResult'] as const) {
      expect(ACTION_TRANSITIONS[`dossier.${hanhDong}`].from).not.toContain(status);
      const r = await act({ MaHoSo: received, HanhDong: hanhDong, NguoiXuLy: 'canbo.lan', LyDo: 'Lý do thử', TenKetQua: 'KQ', HinhThucTra: 0, LePhi: [{ TenPhiLePhi: 'Phí', MucPhi: 1 }] });
      expect(r.data.error_code, hanhDong).toBe('422');
      expect(r.data.message).toMatch(/^Hồ sơ đang ở trạng thái "Đã tiếp nhận"; không thể .+\.$/);
    }
    expect((await act({ MaHoSo: received, HanhDong: 'receive', NguoiXuLy: 'canbo.lan' })).data.message).toBe('Hồ sơ đang ở trạng thái "Đã tiếp nhận"; không thể tiếp nhận.');
    expect((await act({ MaHoSo: '000.26.13.H26-000000-0000', HanhDong: 'receive', NguoiXuLy: 'canbo.lan' })).data.error_code).toBe('404');
    expect((await act({ MaHoSo: received, HanhDong: 'forward', NguoiXuLy: 'canbo.lan', NguoiNhan: 'ai.do' })).data.error_code).toBe('3');
    expect((await act({ MaHoSo: received, HanhDong: 'fly', NguoiXuLy: 'canbo.lan' })).data.error_code).toBe('3');
    const noKey = await act({ MaHoSo: received, HanhDong: 'stop', NguoiXuLy: 'canbo.lan', LyDo: 'Thử không có khóa' }, null);
    expect(noKey.data.error_code).toBe('3');
    expect(noKey.data.message).toContain('Idempotency-Key');
    const res = await fetch(`${sb.procedureUrl}/api/CapNhatTienDoHoSoMC`, { method: 'POST', headers: { 'idempotency-key': randomUUID() }, body: '{}' });
    expect(((await res.json()) as ActionAnswer).error_code).toBe('2');
    expect(lookup(received).TrangThaiHoSo).toBe('2');
  });

  it('sends an apology only when the dossier is late, and keeps the original due', async () => {
    const code = fresh('2');
    const d0 = lookup(code);
    const newDue = formatVnTimestamp(ms(d0.NgayHenTra) + 3 * 86_400_000);
    const early = await act({ MaHoSo: code, HanhDong: 'apology', NguoiXuLy: 'canbo.lan', LyDo: 'Chờ xác minh', NgayHenTraMoi: newDue });
    expect(early.data.error_code).toBe('422');
    expect(early.data.message).toContain('chưa quá hạn');

    now = ms(d0.NgayHenTra) + 2 * 3_600_000;
    const past = await act({ MaHoSo: code, HanhDong: 'apology', NguoiXuLy: 'canbo.lan', LyDo: 'Chờ xác minh', NgayHenTraMoi: formatVnTimestamp(now - 60_000) });
    expect(past.data.error_code).toBe('3');
    const d = await ok({ MaHoSo: code, HanhDong: 'apology', NguoiXuLy: 'canbo.lan', LyDo: 'Phải xác minh thông tin tại nơi cư trú trước', NgayHenTraMoi: newDue });
    expect(d.TrangThaiHoSo).toBe('2');
    expect(d.NgayHenTra).toBe(newDue);
    expect(d.NgayHenTraBanDau).toBe(d0.NgayHenTra);
    expect(lastStep(d).NoiDungXuLy).toContain('Gửi phiếu xin lỗi và hẹn lại ngày trả kết quả');
    // A second apology keeps the very first due as the original.
    now += 4 * 86_400_000;
    const again = await ok({ MaHoSo: code, HanhDong: 'apology', NguoiXuLy: 'canbo.lan', LyDo: 'Vẫn chờ kết quả xác minh', NgayHenTraMoi: formatVnTimestamp(now + 86_400_000) });
    expect(again.NgayHenTraBanDau).toBe(d0.NgayHenTra);
  });

  it('answers 409 on a stale PhienBan; a retry with the same key after a successful apply gets the same answer', async () => {
    const code = fresh('2');
    const seen = lookup(code).NgayCapNhat;
    const touched = sb.touchDossier(code);
    expect(touched?.NgayCapNhat).not.toBe(seen);
    expect(lastStep(touched as unknown as Dossier).NguoiXuLy).toBe('Đỗ Quang Thắng');

    const k1 = randomUUID();
    const body = { MaHoSo: code, HanhDong: 'forward', NguoiXuLy: 'canbo.huong', NguoiNhan: 'canbo.lan', PhienBan: seen };
    const conflict = await act(body, k1);
    expect(conflict.data.error_code).toBe('409');
    expect(conflict.data.message).toContain('Đỗ Quang Thắng');
    expect(conflict.data.result).toEqual(lookup(code));
    expect(conflict.data.result?.NgayCapNhat).toBe(touched?.NgayCapNhat);
    // The 409 is that key's final answer.
    expect((await act({ ...body, PhienBan: touched?.NgayCapNhat }, k1)).text).toBe(conflict.text);
    expect(logged(k1)).toBe(0);

    const k2 = randomUUID();
    const fresh2 = { ...body, PhienBan: touched?.NgayCapNhat };
    const applied = await act(fresh2, k2);
    expect(applied.data.error_code).toBe('0');
    const steps = lookup(code).QuaTrinhXuLy.length;
    // Same key, same (now stale) PhienBan: the stored answer, not a 409, and no second step.
    const retry = await act(fresh2, k2);
    expect(retry.text).toBe(applied.text);
    expect(lookup(code).QuaTrinhXuLy).toHaveLength(steps);
    expect(logged(k2)).toBe(1);
    expect(sb.deliveries(k2)).toBe(2);
    expect(sb.actionLog().find((e) => e.key === k2)).toMatchObject({ system: 'procedure', id: code, action: 'dossier.forward' });
  });
});

describe('faults on dossier actions', () => {
  it('an injected 500 applies nothing; the retry with the same key applies once', async () => {
    const code = fresh('2');
    const key = randomUUID();
    const body = { MaHoSo: code, HanhDong: 'forward', NguoiXuLy: 'canbo.huong', NguoiNhan: 'canbo.mai' };
    sb.setFaults({ errorRate: 1 }, 'procedure');
    try {
      expect((await act(body, key)).status).toBe(500);
      expect(logged(key)).toBe(0);
    } finally {
      sb.setFaults({ errorRate: 0 }, 'procedure');
    }
    expect((await act(body, key)).data.error_code).toBe('0');
    expect(logged(key)).toBe(1);
    expect(sb.deliveries(key)).toBe(2);
  });

  it('lost response: a held request applied the action; the retry with the same key gets the stored answer', async () => {
    const code = fresh('2');
    const before = lookup(code).QuaTrinhXuLy.length;
    const key = randomUUID();
    const body = { MaHoSo: code, HanhDong: 'forward', NguoiXuLy: 'canbo.huong', NguoiNhan: 'canbo.tuan' };
    sb.setFaults({ timeoutRate: 1 }, 'procedure');
    let attempts = 0;
    try {
      while (logged(key) === 0 && attempts < 12) {
        attempts++;
        await expect(act(body, key, AbortSignal.timeout(80))).rejects.toThrow();
      }
    } finally {
      sb.setFaults({ timeoutRate: 0 }, 'procedure');
    }
    expect(logged(key)).toBe(1);
    expect(lookup(code).QuaTrinhXuLy).toHaveLength(before + 1);
    const retry = await act(body, key);
    expect(retry.data.error_code).toBe('0');
    expect(retry.data.result).toEqual(lookup(code));
    expect(lookup(code).QuaTrinhXuLy).toHaveLength(before + 1);
    expect(logged(key)).toBe(1);
    expect(sb.deliveries(key)).toBe(attempts + 1);
  });

  it('garbled answer after applying: the retry with the same key gets the proper stored answer', async () => {
    const code = fresh('2');
    const key = randomUUID();
    const body = { MaHoSo: code, HanhDong: 'requestSupplement', NguoiXuLy: 'canbo.lan', ThieuGiayTo: 'Bản chính CCCD để đối chiếu' };
    sb.setFaults({ malformedRate: 1 }, 'procedure');
    let garbled;
    try {
      garbled = await act(body, key);
    } finally {
      sb.setFaults({ malformedRate: 0 }, 'procedure');
    }
    expect(garbled.data.error_code).toBe('garbled');
    expect(logged(key)).toBe(1);
    const retry = await act(body, key);
    expect(retry.data.error_code).toBe('0');
    expect(retry.data.result?.TrangThaiHoSo).toBe('5');
    expect(garbled.text.length).toBeLessThan(retry.text.length);
    expect(retry.text.startsWith(garbled.text)).toBe(true);
    expect(logged(key)).toBe(1);
  });
});

describe('document actions (gateway)', () => {
  async function status(docId: string, body: Record<string, unknown>, key: string | null = randomUUID()): Promise<{ status: number; data: Record<string, unknown>; text: string }> {
    const res = await fetch(`${sb.documentUrl}/edoc/received/${encodeURIComponent(docId)}/status`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json', ...(key !== null ? { 'idempotency-key': key } : {}) },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, data: JSON.parse(text) as Record<string, unknown>, text };
  }
  async function reply(body: Record<string, unknown>, key: string = randomUUID()): Promise<{ status: number; data: Record<string, unknown>; text: string }> {
    const res = await fetch(`${sb.documentUrl}/edoc/replies`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, data: JSON.parse(text) as Record<string, unknown>, text };
  }
  const entryOf = (docId: string): Entry => sb.documents().find((d) => d.DocId === docId) as unknown as Entry;

  it('registers, assigns, works on and completes a document; refuses another', async () => {
    const [docId, other] = sb.emit('document', 2) as [string, string];
    const noDate = await status(docId, { StatusCode: '03', Description: 'Vào sổ', IncomingNumber: '412' });
    expect(noDate.status).toBe(400);
    const incomingDate = formatVnTimestamp(now);
    // Handler names the clerk sending the feedback; registering does not make her the handler.
    const reg = await status(docId, { StatusCode: '03', Description: 'Vào sổ văn bản đến', Handler: 'canbo.huong', IncomingNumber: '412', IncomingDate: incomingDate });
    expect(reg.status).toBe(200);
    expect(reg.data).toMatchObject({ ok: true, status: '03', entry: { DocId: docId, Status: '03', IncomingNumber: '412', IncomingDate: incomingDate, Handler: null } });
    expect(entryOf(docId)).toMatchObject(reg.data.entry as Record<string, unknown>);
    const listing = sb.documents();
    expect(listing[listing.length - 1]?.DocId).toBe(docId);

    const internalDue = formatVnTimestamp(Date.parse('2026-05-08T17:00:00+07:00'));
    const assign = await status(docId, {
      StatusCode: '04', Description: 'Phân công xử lý',
      Assignment: { Lead: 'canbo.lan', Cooperating: ['canbo.mai'], ForInfo: ['lanhdao.thang'], InternalDueDate: internalDue, Instruction: 'Tham mưu báo cáo trước hạn' },
    });
    expect(assign.data).toMatchObject({ ok: true, status: '04', entry: { Status: '04', Handler: { Username: 'canbo.lan', FullName: 'Nguyễn Thị Lan' }, InternalDueDate: internalDue } });
    expect(sb.documentRecords().find((d) => d.docId === docId)?.assignment).toEqual({ lead: 'canbo.lan', cooperating: ['canbo.mai'], forInfo: ['lanhdao.thang'], instruction: 'Tham mưu báo cáo trước hạn' });
    const unknownLead = await status(docId, { StatusCode: '04', Description: 'x', Assignment: { Lead: 'ai.do' } });
    expect(unknownLead.status).toBe(400);

    expect((await status(docId, { StatusCode: '05', Description: 'Đang xử lý' })).data).toMatchObject({ ok: true, status: '05' });
    const done = await status(docId, { StatusCode: '06', Description: 'Đã hoàn thành' });
    expect(done.data).toMatchObject({ ok: true, status: '06', entry: { Status: '06' } });

    const again = await status(docId, { StatusCode: '04', Description: 'x', Assignment: { Lead: 'canbo.lan' } });
    expect(again.status).toBe(422);
    expect(again.data).toEqual({ error: 'illegal_transition', message: 'Văn bản đang ở trạng thái "Hoàn thành"; không thể phân công xử lý.' });
    const back = await status(docId, { StatusCode: '01', Description: 'x' });
    expect(back.status).toBe(422);

    expect((await status(other, { StatusCode: '05', Description: 'x' })).status).toBe(422);
    const refuse = await status(other, { StatusCode: '02', Description: 'Từ chối', Reason: 'Gửi nhầm đơn vị nhận' });
    expect(refuse.data).toMatchObject({ ok: true, status: '02' });
    expect(sb.documentRecords().find((d) => d.docId === other)?.refusalReason).toBe('Gửi nhầm đơn vị nhận');
    const kinds = sb.actionLog().filter((e) => e.system === 'document' && (e.id === docId || e.id === other)).map((e) => e.action);
    expect(kinds).toEqual(['document.register', 'document.assign', 'document.inProgress', 'document.done', 'document.refuse']);
  });

  it('starts a reply draft: the original moves to 05; illegal on a refused document', async () => {
    const [docId] = sb.emit('document', 1) as [string];
    const early = await reply({ ResponseFor: docId, Subject: 'V/v báo cáo kết quả' });
    expect(early.status).toBe(422);
    expect(early.data.message).toBe('Văn bản đang ở trạng thái "Đã đến"; không thể dự thảo văn bản trả lời.');
    await status(docId, { StatusCode: '03', Description: 'Vào sổ', IncomingNumber: '413', IncomingDate: formatVnTimestamp(now) });
    const key = randomUUID();
    const r = await reply({ ResponseFor: docId, Subject: 'V/v báo cáo kết quả triển khai', Note: 'Dự thảo lần 1' }, key);
    expect(r.status).toBe(200);
    expect(r.data).toMatchObject({ ok: true, draftId: expect.stringMatching(/^DT-\d{8}-\d{4}$/) as unknown, entry: { DocId: docId, Status: '05' } });
    const again = await reply({ ResponseFor: docId, Subject: 'V/v báo cáo kết quả triển khai', Note: 'Dự thảo lần 1' }, key);
    expect(again.text).toBe(r.text);
    const drafts = sb.replies().filter((d) => d.responseFor === docId);
    expect(drafts).toEqual([expect.objectContaining({ draftId: r.data.draftId, subject: 'V/v báo cáo kết quả triển khai', note: 'Dự thảo lần 1', previousStatus: '03', status: '05' })]);
    expect(sb.statusFeedback().at(-1)).toMatchObject({ DocId: docId, StatusCode: '05' });
    expect((await reply({ ResponseFor: 'VBD-00000000-0000', Subject: 'Không có' })).status).toBe(404);
  });

  it('is idempotent per key, requires the key and answers 409 on a stale ExpectedUpdatedAt', async () => {
    const [docId] = sb.emit('document', 1) as [string];
    const noKey = await status(docId, { StatusCode: '03', Description: 'x', IncomingNumber: '1', IncomingDate: formatVnTimestamp(now) }, null);
    expect(noKey.status).toBe(400);
    expect(noKey.data.message).toContain('Idempotency-Key');

    const seen = entryOf(docId).UpdatedAt;
    const key = randomUUID();
    const body = { StatusCode: '03', Description: 'Vào sổ', IncomingNumber: '414', IncomingDate: formatVnTimestamp(now), ExpectedUpdatedAt: seen };
    const first = await status(docId, body, key);
    expect(first.status).toBe(200);
    const feedback = sb.statusFeedback().length;
    const second = await status(docId, body, key);
    expect(second.status).toBe(200);
    expect(second.text).toBe(first.text);
    expect(sb.statusFeedback()).toHaveLength(feedback);
    expect(logged(key)).toBe(1);
    expect(sb.deliveries(key)).toBe(2);

    const current = (first.data.entry as Entry).UpdatedAt;
    const touched = sb.touchDocument(docId);
    expect(touched?.UpdatedAt).not.toBe(current);
    const stale = await status(docId, { StatusCode: '04', Description: 'Phân công', Assignment: { Lead: 'canbo.hung' }, ExpectedUpdatedAt: current });
    expect(stale.status).toBe(409);
    expect(stale.data).toMatchObject({ error: 'conflict', entry: touched as unknown as Record<string, unknown> });
    expect(String(stale.data.message)).toMatch(/đã được cập nhật/);
    expect(entryOf(docId).Status).toBe('03');
  });

  it('survives a lost answer on the gateway as well', async () => {
    const [docId] = sb.emit('document', 1) as [string];
    const key = randomUUID();
    const body = { StatusCode: '02', Description: 'Từ chối', Reason: 'Không đúng thẩm quyền' };
    sb.setFaults({ timeoutRate: 1 }, 'document');
    let attempts = 0;
    try {
      while (logged(key) === 0 && attempts < 12) {
        attempts++;
        await expect(
          fetch(`${sb.documentUrl}/edoc/received/${docId}/status`, {
            method: 'POST',
            headers: { authorization: `Bearer ${bearer}`, 'idempotency-key': key },
            body: JSON.stringify(body),
            signal: AbortSignal.timeout(80),
          }),
        ).rejects.toThrow();
      }
    } finally {
      sb.setFaults({ timeoutRate: 0 }, 'document');
    }
    expect(logged(key)).toBe(1);
    const retry = await status(docId, body, key);
    expect(retry.data).toMatchObject({ ok: true, status: '02', entry: { Status: '02' } });
    expect(sb.deliveries(key)).toBe(attempts + 1);
  });
});

describe('held action requests and stop()', () => {
  it('closes held action sockets at once on stop(); the applied action is kept across restart()', async () => {
    const code = fresh('2');
    const key = randomUUID();
    sb.setFaults({ timeoutRate: 1 }, 'procedure');
    const held = [0, 1, 2, 3].map(() => act({ MaHoSo: code, HanhDong: 'forward', NguoiXuLy: 'canbo.huong', NguoiNhan: 'canbo.lan' }, key).catch((e: unknown) => e));
    await new Promise((r) => setTimeout(r, 50));
    const state = (await (await fetch(`${sb.procedureUrl}/__sandbox/state`)).json()) as { heldRequests: number; idempotencyKeys: number };
    expect(state.heldRequests).toBe(4);
    const t0 = Date.now();
    await sb.stop();
    expect(Date.now() - t0).toBeLessThan(1000);
    for (const h of await Promise.all(held)) expect(h).toBeInstanceOf(Error);
    sb.setFaults({ timeoutRate: 0 }, 'procedure');
    await sb.restart();
    expect(logged(key)).toBeLessThanOrEqual(1);
    const retry = await act({ MaHoSo: code, HanhDong: 'forward', NguoiXuLy: 'canbo.huong', NguoiNhan: 'canbo.lan' }, key);
    expect(retry.data.error_code).toBe('0');
    expect(logged(key)).toBe(1);
    expect(sb.deliveries(key)).toBe(5);
  });
});
