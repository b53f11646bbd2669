import { describe, expect, it } from 'vitest';
import { cccdBirthYear, extractLinks, foldNotation, isPlausibleCccd, matchLinks, uniqueLinks, type LinkLookup } from '../../../src/shared/mail-links';

const NOW = Date.UTC(2026, 2, 13, 3);
const found = (text: string) => extractLinks(text, { now: NOW }).map((l) => `${l.kind}:${l.value}`);

describe('dossier codes', () => {
  it('finds codes with a real date and reports their position', () => {
    const text = 'Hỏi hồ sơ 000.26.13.H26-251003-0012, xin cảm ơn';
    expect(extractLinks(text, { now: NOW })).toEqual([{ kind: 'dossier', value: '000.26.13.H26-251003-0012', index: 10 }]);
    expect(found('mã: 000.26.13.h26 - 260227 - 0001.')).toEqual(['dossier:000.26.13.H26-260227-0001']);
  });
  it('rejects impossible dates and codes glued to other text', () => {
    expect(found('000.26.13.H26-251303-0012 000.26.13.H26-260230-0001 000.26.13.H26-250229-0001')).toEqual([]);
    expect(found('1.001193.000.00.00.H26-251003-0012')).toEqual([]);
    expect(found('000.26.13.H26-251003-00123 x000.26.13.H26-251003-0012')).toEqual([]);
    expect(found('000.26.13.H26-240229-0001')).toEqual(['dossier:000.26.13.H26-240229-0001']);
  });
});

describe('document numbers (số/ký hiệu)', () => {
  it('finds the usual forms, Vietnamese letters and spaces around / and -', () => {
    expect(found('Công văn số 7816/VPCP-TTĐT ngày 02/10/2025')).toEqual(['document:7816/VPCP-TTĐT']);
    expect(found('1234/UBND-KT; 25/2026/QĐ-UBND; 123/QĐ-UBND; 45/KH-UBND; 7/TB-STP.')).toEqual([
      'document:1234/UBND-KT', 'document:25/2026/QĐ-UBND', 'document:123/QĐ-UBND', 'document:45/KH-UBND', 'document:7/TB-STP',
    ]);
    expect(found('số 7816 / VPCP- TTĐT và 45 /KH -UBND')).toEqual(['document:7816/VPCP-TTĐT', 'document:45/KH-UBND']);
    expect(found('Luật số 45/2019/QH14, 477/SXD-TTr, 12/VPCP-V.I, 3/CATP-PC06')).toEqual([
      'document:45/2019/QH14', 'document:477/SXD-TTr', 'document:12/VPCP-V.I', 'document:3/CATP-PC06',
    ]);
  });
  it('folds the notation for lookup (đ → d, case-insensitive)', () => {
    expect(foldNotation('7816/VPCP-TTĐT')).toBe('7816/vpcp-ttdt');
    expect(foldNotation('25 / 2026 / QĐ-UBND')).toBe('25/2026/qd-ubnd');
    expect(foldNotation('7816/VPCP-TTÐT')).toBe(foldNotation('7816/vpcp-ttđt'));
  });
  it('does not take dates, phone numbers, money, URLs or prose for a document', () => {
    expect(found('ngày 25/11/2026, lúc 14:30 ngày 3/12, Quốc khánh 2/9, 1/2 ngày')).toEqual([]);
    expect(found('ĐT 024.3845.6789, 0912/345-678, 0987 654 321')).toEqual([]);
    expect(found('phí 8.000 đồng/bản, 1.500.000đ/hồ sơ, 50%/năm')).toEqual([]);
    expect(found('https://vanban.gov.vn/2025/123/ABC-DEF và V/v triển khai')).toEqual([]);
    expect(found('12/ABC thiếu gạch nối')).toEqual([]);
    // ` - ` with spaces on both sides is a dash in prose, not part of the notation.
    expect(found('theo 123/UBND-KT - UBND phường')).toEqual(['document:123/UBND-KT']);
    expect(found('25/2040/QĐ-UBND 25/1900/QĐ-UBND')).toEqual([]);
  });
});

describe('citizen ID numbers', () => {
  it('accepts valid CCCD numbers and checks province, century digit and birth year', () => {
    expect(found('CCCD 001084000999 và 079303012345')).toEqual(['citizen:001084000999', 'citizen:079303012345']);
    expect(cccdBirthYear('001084000999')).toBe(1984);
    expect(cccdBirthYear('001203000999')).toBe(2003);
    expect(isPlausibleCccd('001984000999', NOW)).toBe(false); // century digit 9
    expect(isPlausibleCccd('001230000999', NOW)).toBe(false); // born 2030
    expect(isPlausibleCccd('001427000999', NOW)).toBe(false); // 2100s
    expect(isPlausibleCccd('003084000999', NOW)).toBe(false); // no province 003
  });
  it('never matches inside longer digit runs or grouped numbers', () => {
    expect(found('TK 19036512345678901, mã 001084000999123, 1001084000999, 1.001084000999, 001084000999.5')).toEqual([]);
    expect(found('tài khoản 0011004123456 số dư 12.345.678')).toEqual([]);
    expect(found('ABC001084000999')).toEqual([]);
  });
  it('takes 9-digit CMND numbers only after CMND / CMTND / chứng minh', () => {
    expect(found('CMND số 012345678; CMTND: 013456789; chứng minh nhân dân số 011223344; chung minh 019876543')).toEqual([
      'citizen:012345678', 'citizen:013456789', 'citizen:011223344', 'citizen:019876543',
    ]);
    expect(found('mã 012345678, số 012345678')).toEqual([]);
    expect(found('CMND 0123456789')).toEqual([]);
  });
});

describe('matchLinks', () => {
  const lookup: LinkLookup = {
    findDossier: (code) => (code === '000.26.13.H26-251003-0012' ? 'procedure:000.26.13.H26-251003-0012' : null),
    findDocumentByNotation: (folded) => (folded === '7816/vpcp-ttdt' ? 'document:D1' : null),
    findCitizen: (id) => (id === '001084000999' ? 'citizen:1' : null),
  };
  it('resolves distinct links through the cache and keeps the unknown ones', () => {
    const text = '000.26.13.H26-251003-0012 7816/VPCP-TTĐT 7816 / vpcp-ttđt? 001084000999 45/KH-UBND 000.26.13.H26-251003-0012';
    const links = extractLinks(text, { now: NOW });
    expect(uniqueLinks(links)).toHaveLength(4);
    const m = matchLinks(links, lookup);
    expect(m.dossierIds).toEqual(['procedure:000.26.13.H26-251003-0012']);
    expect(m.documentIds).toEqual(['document:D1']);
    expect(m.citizenIds).toEqual(['citizen:1']);
    expect(m.unmatched.map((l) => l.value)).toEqual(['45/KH-UBND']);
    expect(m.matched.map((l) => l.kind)).toEqual(['dossier', 'document', 'citizen']);
  });
});
