/**
 * Issue #6 "declare once", the schema parts: a new dossier's papers and fees, the supplement's papers
 * and corrected applicant (src/shared/actions.ts), their wire bodies (the procedure adapter) checked
 * against the sandbox's request schemas (the same contract both sides), and the catalogue's component
 * papers and fees read by the adapter.
 */
import { describe, expect, it } from 'vitest';
import { dossierActionBody, dossierRegisterBody } from '../../../src/core/adapters/procedure.adapter';
import { ProcedurePayloadSchema } from '../../../src/core/adapters/procedure.schema';
import { DossierActionBodySchema } from '../../../src/sandbox/dossier-actions';
import { RegisterBodySchema } from '../../../src/sandbox/procedure.server';
import {
  ApplicantSchema,
  DossierActionSchema,
  DossierRegisterActionSchema,
  ItemActionSchema,
  SupplementFormPapersSchema,
  type DossierRegisterAction,
} from '../../../src/shared/actions';

const ctx = { baseUpdatedAt: null, actor: { username: 'canbo.lan', fullName: 'Nguyễn Thị Lan' } };
const REGISTER: DossierRegisterAction = {
  kind: 'dossier.register',
  procedureCode: '2.000884.000.00.00.H26',
  applicantName: 'Đặng Thị Hồng Nhung',
  idNumber: '001190765432',
  birthDate: '1990-03-14',
  sex: 'female',
  address: 'Số 7 ngõ 12 phố Ngọc Hà, Hà Nội',
  phone: '0983456789',
  summary: 'Chứng thực chữ ký trong giấy ủy quyền',
  papers: ['Giấy tờ, văn bản cần chứng thực chữ ký', 'Căn cước công dân'],
  fees: [{ name: 'Phí chứng thực chữ ký', amount: 10_000, paid: true }],
};
const APPLICANT = { fullName: 'Trần Văn Bình', idNumber: '001085123457', birthDate: '1985-07-02', sex: 'male' as const, address: 'Số 1 phố Đội Cấn', phone: '0912 345 678' };

function messages(result: { success: boolean; error?: { issues: readonly { message: string }[] } }): string {
  return (result.error?.issues ?? []).map((i) => i.message).join('; ');
}

describe('dossier.register: papers and fees', () => {
  it('accepts papers and fees, and a dossier without them (older outbox rows)', () => {
    expect(DossierRegisterActionSchema.parse(REGISTER)).toMatchObject({ papers: REGISTER.papers, fees: REGISTER.fees });
    const { papers: _p, fees: _f, ...bare } = REGISTER;
    const parsed = DossierRegisterActionSchema.parse(bare);
    expect(parsed.papers).toBeUndefined();
    expect(parsed.fees).toBeUndefined();
  });

  it('refuses bad papers and fees with Vietnamese messages', () => {
    const cases: Array<[Partial<DossierRegisterAction>, RegExp]> = [
      [{ papers: [' x '] }, /Tên giấy tờ quá ngắn/],
      [{ papers: ['a'.repeat(301)] }, /Tên giấy tờ quá dài/],
      [{ papers: Array.from({ length: 31 }, (_, i) => `Giấy tờ ${i}`) }, /Tối đa 30 giấy tờ/],
      [{ fees: [{ name: 'L', amount: 1, paid: false }] }, /Tên khoản phí, lệ phí quá ngắn/],
      [{ fees: [{ name: 'Lệ phí', amount: Number.NaN, paid: false }] }, /Mức phí/],
      [{ fees: [{ name: 'Lệ phí', amount: 2_000_000_000, paid: false }] }, /Mức phí quá lớn/],
      [{ fees: Array.from({ length: 21 }, () => ({ name: 'Lệ phí', amount: 1, paid: false })) }, /Tối đa 20 khoản phí/],
    ];
    for (const [patch, message] of cases) {
      const r = DossierRegisterActionSchema.safeParse({ ...REGISTER, ...patch });
      expect(r.success, JSON.stringify(patch).slice(0, 80)).toBe(false);
      expect(messages(r)).toMatch(message);
    }
  });

  it('sends TaiLieuNop and DanhSachLePhi in DongBoHoSoMC, accepted by the sandbox; omitted when absent', () => {
    const body = dossierRegisterBody(DossierRegisterActionSchema.parse(REGISTER), ctx);
    expect(body['HoSo']).toMatchObject({
      TaiLieuNop: [{ TenTepDinhKem: 'Giấy tờ, văn bản cần chứng thực chữ ký' }, { TenTepDinhKem: 'Căn cước công dân' }],
      DanhSachLePhi: [{ TenPhiLePhi: 'Phí chứng thực chữ ký', MucPhi: 10_000, DaThanhToan: true }],
      GioiTinh: 2,
      NgaySinhChuHoSo: '19900314',
    });
    expect(RegisterBodySchema.safeParse(body).success).toBe(true);
    const { papers: _p, fees: _f, ...bare } = REGISTER;
    const plain = dossierRegisterBody(DossierRegisterActionSchema.parse(bare), ctx)['HoSo'] as Record<string, unknown>;
    expect(plain).not.toHaveProperty('TaiLieuNop');
    expect(plain).not.toHaveProperty('DanhSachLePhi');
    // No fees at all is said explicitly (not "the catalogue fee").
    expect(dossierRegisterBody(DossierRegisterActionSchema.parse({ ...bare, fees: [] }), ctx)['HoSo']).toMatchObject({ DanhSachLePhi: [] });
  });
});

describe('dossier.supplementReceived: papers and corrected applicant', () => {
  it('stays legal without papers (the queue action bar) and takes papers and an applicant', () => {
    expect(DossierActionSchema.parse({ kind: 'dossier.supplementReceived', note: 'Đủ giấy tờ' })).toEqual({ kind: 'dossier.supplementReceived', note: 'Đủ giấy tờ' });
    const full = ItemActionSchema.parse({ kind: 'dossier.supplementReceived', papers: ['Giấy tờ chứng minh nơi cư trú'], applicant: APPLICANT });
    expect(full).toMatchObject({ papers: ['Giấy tờ chứng minh nơi cư trú'], applicant: { ...APPLICANT, phone: '0912345678' } });
  });

  it('the citizen screen needs at least one paper', () => {
    expect(messages(SupplementFormPapersSchema.safeParse([]))).toMatch(/Chưa ghi giấy tờ nào nhận bổ sung/);
    expect(SupplementFormPapersSchema.parse(['  Đơn đề nghị  '])).toEqual(['Đơn đề nghị']);
  });

  it('checks the corrected applicant like a new dossier, messages surviving the item action union', () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ sex: 'female' }, /Giới tính không khớp với số CCCD/],
      [{ birthDate: '1990-07-02' }, /Năm sinh không khớp với số CCCD/],
      [{ birthDate: '1985-02-30' }, /Ngày sinh không phải ngày có thật/],
      [{ idNumber: '999085123457' }, /CCCD 12 chữ số hợp lệ/],
      [{ phone: '12345' }, /Số điện thoại/],
      [{ fullName: 'B' }, /Họ tên người nộp quá ngắn/],
    ];
    for (const [patch, message] of cases) {
      expect(messages(ApplicantSchema.safeParse({ ...APPLICANT, ...patch }))).toMatch(message);
      expect(messages(ItemActionSchema.safeParse({ kind: 'dossier.supplementReceived', papers: ['Đơn'], applicant: { ...APPLICANT, ...patch } }))).toMatch(message);
    }
    expect(messages(ItemActionSchema.safeParse({ kind: 'dossier.supplementReceived', papers: Array.from({ length: 31 }, (_, i) => `Giấy ${i}`) }))).toMatch(/Tối đa 30 giấy tờ/);
    // Birth date and sex unknown (a dossier does not carry them): accepted, not sent, left unchanged.
    const { birthDate: _b, sex: _s, ...known } = APPLICANT;
    const partial = DossierActionSchema.parse({ kind: 'dossier.supplementReceived', papers: ['Đơn'], applicant: known });
    const body = dossierActionBody('X', partial, ctx);
    expect(body['ThongTinChuHoSo']).not.toHaveProperty('NgaySinhChuHoSo');
    expect(body['ThongTinChuHoSo']).not.toHaveProperty('GioiTinh');
    expect(DossierActionBodySchema.safeParse(body).success).toBe(true);
    // A CMND holder: nothing to check against the number.
    expect(ApplicantSchema.safeParse({ ...APPLICANT, idNumber: '012345678', sex: 'female', birthDate: '1970-01-01' }).success).toBe(true);
  });

  it('sends TaiLieuBoSung and ThongTinChuHoSo in CapNhatTienDoHoSoMC, accepted by the sandbox; omitted when absent', () => {
    const action = DossierActionSchema.parse({ kind: 'dossier.supplementReceived', papers: ['Giấy tờ chứng minh nơi cư trú'], applicant: APPLICANT, note: 'Nộp tại quầy' });
    const body = dossierActionBody('000.26.13.H26-261125-0001', action, ctx);
    expect(body).toMatchObject({
      HanhDong: 'supplementReceived',
      NoiDung: 'Nộp tại quầy',
      TaiLieuBoSung: [{ TenTepDinhKem: 'Giấy tờ chứng minh nơi cư trú' }],
      ThongTinChuHoSo: {
        ChuHoSo: 'Trần Văn Bình',
        SoGiayToChuHoSo: '001085123457',
        DinhDanhCHS: [{ LoaiDinhDanh: 1, SoDinhDanh: '001085123457' }],
        NgaySinhChuHoSo: '19850702',
        GioiTinh: 1,
        DiaChiChuHoSo: 'Số 1 phố Đội Cấn',
        SoDienThoai: '0912345678',
      },
    });
    expect(DossierActionBodySchema.safeParse(body).success).toBe(true);
    const bare = dossierActionBody('X', DossierActionSchema.parse({ kind: 'dossier.supplementReceived' }), ctx);
    expect(bare).not.toHaveProperty('TaiLieuBoSung');
    expect(bare).not.toHaveProperty('ThongTinChuHoSo');
  });

  it('the sandbox refuses supplement fields on other actions and an applicant contradicting the CCCD', () => {
    const other = DossierActionBodySchema.safeParse({ MaHoSo: 'X', HanhDong: 'receive', TaiLieuBoSung: [{ TenTepDinhKem: 'Đơn' }] });
    expect(messages(other)).toMatch(/chỉ dùng với HanhDong supplementReceived/);
    const who = { ChuHoSo: 'Trần Văn Bình', SoGiayToChuHoSo: '001085123457', DinhDanhCHS: [{ LoaiDinhDanh: 2, SoDinhDanh: '001085123457' }], NgaySinhChuHoSo: '19860702', GioiTinh: 2, DiaChiChuHoSo: 'Số 1', SoDienThoai: '' };
    const bad = DossierActionBodySchema.safeParse({ MaHoSo: 'X', HanhDong: 'supplementReceived', ThongTinChuHoSo: who });
    expect(messages(bad)).toMatch(/1 = CCCD 12 chữ số/);
    expect(messages(bad)).toMatch(/năm sinh không khớp/);
    expect(messages(bad)).toMatch(/giới tính không khớp/);
  });
});

describe('the catalogue: component papers and fees (LayDanhSachTTHC)', () => {
  const base = { MaTTHC: '2.000884', TenTTHC: 'Chứng thực chữ ký', MaLinhVuc: 'CT', TenLinhVuc: 'Chứng thực', ThoiGianGiaiQuyet: 8, DonViTinh: 'trong ngày' };
  it('reads ThanhPhanHoSo and LePhi (amounts as numbers or strings)', () => {
    const p = ProcedurePayloadSchema.parse({ ...base, ThanhPhanHoSo: [{ TenGiayTo: 'Giấy tờ cần chứng thực' }], LePhi: [{ TenPhiLePhi: 'Phí chứng thực', MucPhi: '10000' }] });
    expect(p).toMatchObject({ papers: ['Giấy tờ cần chứng thực'], fees: [{ name: 'Phí chứng thực', amount: 10_000 }] });
  });
  it('a catalogue without them gives empty lists', () => {
    expect(ProcedurePayloadSchema.parse(base)).toMatchObject({ papers: [], fees: [] });
    expect(ProcedurePayloadSchema.parse({ ...base, ThanhPhanHoSo: null, LePhi: null })).toMatchObject({ papers: [], fees: [] });
  });
});
