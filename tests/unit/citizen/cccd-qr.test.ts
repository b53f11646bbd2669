/** The CCCD QR parser and validator (issue #6): valid scans, and every kind of invalid or partial one. */
import { describe, expect, it } from 'vitest';
import { cccdFacts, looksLikeCccdQr, maskName, maskNumber, normalizePhone, parseCccdQr, parseDdMmYyyy } from '../../../src/shared/citizen';
import { cccdQrText, makeCitizen } from '../../../src/sandbox/data-generator';
import { Rng } from '../../../src/sandbox/prng';

// 2026-11-25 12:00 in Hà Nội.
const NOW = Date.UTC(2026, 10, 25, 5, 0, 0);
const VALID = '001084000999|012345678|Nguyễn Văn Đức|15031984|Nam|Số 12 Đội Cấn, phường Ngọc Hà, Hà Nội|10052021';

describe('parseCccdQr', () => {
  it('reads a valid scan field by field', () => {
    const r = parseCccdQr(VALID, NOW);
    expect(r).toEqual({
      ok: true,
      card: {
        idNumber: '001084000999',
        oldIdNumber: '012345678',
        fullName: 'Nguyễn Văn Đức',
        birthDate: '1984-03-15',
        sex: 'male',
        address: 'Số 12 Đội Cấn, phường Ngọc Hà, Hà Nội',
        issueDate: '2021-05-10',
      },
    });
  });

  it('accepts an empty old ID, a trailing Enter, decomposed diacritics and extra trailing fields', () => {
    const decomposed = '079301000123||Trần Thị Mai|01012001|Nữ|Quận 1, TP. Hồ Chí Minh|02022022|extra'.normalize('NFD');
    const r = parseCccdQr(`${decomposed}\r\n`, NOW);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.card.oldIdNumber).toBeNull();
      expect(r.card.sex).toBe('female');
      expect(r.card.fullName).toBe('Trần Thị Mai'.normalize('NFC'));
      expect(r.card.birthDate).toBe('2001-01-01');
    }
  });

  it('accepts every card the sandbox generator makes (valid CCCD structure)', () => {
    const rng = new Rng(42);
    let checked = 0;
    for (let n = 0; n < 500; n++) {
      const c = makeCitizen(rng, 1940 + (n % 66)); // born ≤ 2005: the generator's issue dates stay in the past
      if (c.idType !== 1) continue;
      const r = parseCccdQr(cccdQrText(c), NOW);
      expect(r, cccdQrText(c)).toMatchObject({ ok: true, card: { idNumber: c.idNumber, fullName: c.fullName, sex: c.sex } });
      checked += 1;
    }
    expect(checked).toBeGreaterThan(400);
  });

  const invalid: [string, string, string][] = [
    ['not a QR at all', 'xin chào', 'not_cccd'],
    ['partial: cut after the name', '001084000999|012345678|Nguyễn Văn Đức', 'partial'],
    ['partial: six fields', '001084000999||Nguyễn Văn Đức|15031984|Nam|Hà Nội', 'partial'],
    ['11-digit ID', '00108400099|012345678|Nguyễn Văn Đức|15031984|Nam|Hà Nội|10052021', 'id_format'],
    ['unknown province 003', '003084000999||Nguyễn Văn Đức|15031984|Nam|Hà Nội|10052021', 'province'],
    ['century digit 7', '001784000999||Nguyễn Văn Đức|15031984|Nam|Hà Nội|10052021', 'century_sex'],
    ['female digit for a man', '001184000999||Nguyễn Văn Đức|15031984|Nam|Hà Nội|10052021', 'century_sex'],
    ['2000s digit for a 1984 birth', '001284000999||Nguyễn Văn Đức|15031984|Nam|Hà Nội|10052021', 'century_sex'],
    ['year digits 85 for 1984', '001085000999||Nguyễn Văn Đức|15031984|Nam|Hà Nội|10052021', 'birth_year'],
    ['old ID of 8 digits', '001084000999|01234567|Nguyễn Văn Đức|15031984|Nam|Hà Nội|10052021', 'old_id'],
    ['empty name', '001084000999|||15031984|Nam|Hà Nội|10052021', 'name'],
    ['digits in the name', '001084000999||Nguyen 123|15031984|Nam|Hà Nội|10052021', 'name'],
    ['31 February', '001084000999||Nguyễn Văn Đức|31021984|Nam|Hà Nội|10052021', 'birth_date'],
    ['birth date in ISO form', '001084000999||Nguyễn Văn Đức|1984-03-15|Nam|Hà Nội|10052021', 'birth_date'],
    ['born in the future', '001326000999||Nguyễn Văn Đức|15122026|Nam|Hà Nội|10052021', 'birth_date'],
    ['unknown sex', '001084000999||Nguyễn Văn Đức|15031984|Khác|Hà Nội|10052021', 'sex'],
    ['issue date before birth', '001084000999||Nguyễn Văn Đức|15031984|Nam|Hà Nội|10051980', 'issue_date'],
    ['issue date in the future', '001084000999||Nguyễn Văn Đức|15031984|Nam|Hà Nội|10052030', 'issue_date'],
    ['issue date 30 February', '001084000999||Nguyễn Văn Đức|15031984|Nam|Hà Nội|30022021', 'issue_date'],
  ];
  for (const [label, text, code] of invalid) {
    it(`refuses ${label} with a Vietnamese message (${code})`, () => {
      const r = parseCccdQr(text, NOW);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.code).toBe(code);
        expect(r.message.length).toBeGreaterThan(10);
      }
    });
  }
});

describe('CCCD helpers', () => {
  it('reads province, sex and birth year from the number (DOMAIN.md example)', () => {
    expect(cccdFacts('001084000999')).toEqual({ province: '001', provinceName: 'Hà Nội', sex: 'male', birthYear: 1984 });
    expect(cccdFacts('079305000001')).toEqual({ province: '079', provinceName: 'TP. Hồ Chí Minh', sex: 'female', birthYear: 2005 });
    expect(cccdFacts('001484000999')?.birthYear).toBe(2184);
    expect(cccdFacts('000084000999')).toBeNull();
    expect(cccdFacts('012345678')).toBeNull();
  });

  it('recognises the start of a scan but not ordinary typing', () => {
    expect(looksLikeCccdQr('001084000999|')).toBe(true);
    expect(looksLikeCccdQr('001084000999')).toBe(false);
    expect(looksLikeCccdQr('nguyen|van')).toBe(false);
  });

  it('checks calendar dates', () => {
    expect(parseDdMmYyyy('29022024')).toBe('2024-02-29');
    expect(parseDdMmYyyy('29022023')).toBeNull();
    expect(parseDdMmYyyy('00012020')).toBeNull();
    expect(parseDdMmYyyy('0101202')).toBeNull();
  });

  it('masks names to initials and numbers to their last 3 digits', () => {
    expect(maskName('Nguyễn Văn Đức')).toBe('N. V. Đ.');
    expect(maskNumber('001084000999')).toBe('•••••••••999');
    expect(maskNumber('0912345678')).toBe('•••••••678');
    expect(maskNumber('12')).toBe('•••');
  });

  it('normalises phone numbers', () => {
    expect(normalizePhone('+84 912 345 678')).toBe('0912345678');
    expect(normalizePhone('0912.345.678')).toBe('0912345678');
    expect(normalizePhone('84912345678')).toBe('0912345678');
  });
});
