/**
 * Issue #6 declare once: the `dossier.register` action schema (shared by the form and the core) —
 * valid CCCD/CMND only, sex and birth year checked against the CCCD, real dates, phone spellings
 * normalised, every refusal in Vietnamese; never legal on an existing item.
 */
import { describe, expect, it } from 'vitest';
import { ACTION_TRANSITIONS, DossierRegisterActionSchema, ItemActionSchema, isActionAllowed } from '../../../src/shared/actions';
import { PROCEDURE_STATUS_CODES } from '../../../src/shared/domain';

const GOOD = {
  kind: 'dossier.register',
  procedureCode: '1.004873.000.00.00.H26',
  applicantName: 'Đặng Thị Hồng Nhung',
  idNumber: '001190765432',
  birthDate: '1990-03-14',
  sex: 'female',
  address: 'Số 7 ngõ 12 phố Ngọc Hà, Hà Nội',
  phone: '0983.456.789',
  summary: 'Xác nhận tình trạng hôn nhân',
} as const;

function messages(input: Record<string, unknown>): string[] {
  const r = DossierRegisterActionSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => i.message);
}

describe('dossier.register action', () => {
  it('accepts a CCCD holder and a CMND holder, normalising the phone', () => {
    const r = DossierRegisterActionSchema.parse(GOOD);
    expect(r.phone).toBe('0983456789');
    expect(ItemActionSchema.parse(GOOD)).toEqual(r);
    expect(DossierRegisterActionSchema.safeParse({ ...GOOD, idNumber: '012345678', sex: 'male', phone: '' }).success).toBe(true);
  });

  it('refuses bad input with Vietnamese messages', () => {
    expect(messages({ ...GOOD, idNumber: '0011907654' })).toEqual(['Số định danh phải là CCCD 12 chữ số hợp lệ hoặc CMND 9 chữ số']);
    expect(messages({ ...GOOD, idNumber: '999190765432' })).toEqual(['Số định danh phải là CCCD 12 chữ số hợp lệ hoặc CMND 9 chữ số']);
    expect(messages({ ...GOOD, sex: 'male' })).toEqual(['Giới tính không khớp với số CCCD']);
    expect(messages({ ...GOOD, birthDate: '1991-03-14' })).toEqual(['Năm sinh không khớp với số CCCD']);
    expect(messages({ ...GOOD, birthDate: '1990-02-30' })).toEqual(['Ngày sinh không phải ngày có thật']);
    expect(messages({ ...GOOD, birthDate: '' })).toEqual(['Ngày sinh phải có dạng yyyy-mm-dd']);
    expect(messages({ ...GOOD, sex: '' })).toEqual(['Chưa chọn giới tính']);
    expect(messages({ ...GOOD, procedureCode: ' ' })).toEqual(['Chưa chọn thủ tục']);
    expect(messages({ ...GOOD, phone: '12345' })).toEqual(['Số điện thoại phải gồm 10–11 chữ số, bắt đầu bằng 0']);
    expect(messages({ ...GOOD, summary: 'a' })).toEqual(['Trích yếu quá ngắn']);
  });

  it('is never legal on an existing item', () => {
    expect(ACTION_TRANSITIONS['dossier.register'].from).toEqual([]);
    for (const status of PROCEDURE_STATUS_CODES) expect(isActionAllowed('dossier.register', status)).toBe(false);
  });
});
