/** normalizeLinkValue: what `links.add` accepts, normalised like the extractor's values. */
import { describe, expect, it } from 'vitest';
import { LINK_VALUE_HINTS, normalizeLinkValue } from '../../../src/shared/link-values';
import { extractLinks } from '../../../src/shared/mail-links';

const NOW = Date.UTC(2026, 10, 25, 3, 0, 0);
const ok = (value: string) => ({ ok: true, value });

describe('normalizeLinkValue', () => {
  it('dossier codes: upper case, spaces around dashes dropped, real dates only', () => {
    expect(normalizeLinkValue('dossier', ' 000.26.13.h26-251003-0012 ', NOW)).toEqual(ok('000.26.13.H26-251003-0012'));
    expect(normalizeLinkValue('dossier', '000.26.13.H26 - 251003 - 0012', NOW)).toEqual(ok('000.26.13.H26-251003-0012'));
    for (const bad of ['000.26.13.H26-251332-0012', '000.26.13.H26-251003-12', 'hồ sơ 000.26.13.H26-251003-0012', '000.26.13.H26-251003-0012 và 000.26.13.H26-251003-0013', 'abc']) {
      expect(normalizeLinkValue('dossier', bad, NOW), bad).toEqual({ ok: false, message: LINK_VALUE_HINTS.dossier });
    }
  });

  it('số/ký hiệu: spaces dropped, Ð → Đ, leading zeros dropped, same value as the extractor', () => {
    expect(normalizeLinkValue('document', '7816 / VPCP-TTĐT', NOW)).toEqual(ok('7816/VPCP-TTĐT'));
    expect(normalizeLinkValue('document', '025/2026/QĐ-UBND', NOW)).toEqual(ok('25/2026/QĐ-UBND'));
    expect(normalizeLinkValue('document', '45/KH-UBNÐ', NOW)).toEqual(ok('45/KH-UBNĐ'));
    const extracted = extractLinks('theo Công văn số 7816/VPCP-TTĐT ngày…', { now: NOW })[0]?.value;
    expect(normalizeLinkValue('document', '7816/VPCP-TTĐT', NOW)).toEqual(ok(extracted ?? ''));
    for (const bad of ['12/ABC', '7816', 'Công văn 7816/VPCP-TTĐT', '25/1800/QĐ-UBND', '7816/VPCP-TTĐT thêm']) {
      expect(normalizeLinkValue('document', bad, NOW).ok, bad).toBe(false);
    }
  });

  it('citizen: a plausible 12-digit CCCD (spaces/dots allowed) or a 9-digit CMND', () => {
    expect(normalizeLinkValue('citizen', '001 084 000 999', NOW)).toEqual(ok('001084000999'));
    expect(normalizeLinkValue('citizen', '001.084.000.999', NOW)).toEqual(ok('001084000999'));
    expect(normalizeLinkValue('citizen', '012345678', NOW)).toEqual(ok('012345678'));
    // Unknown province 003, century digit 9, born in the future, wrong length, letters.
    for (const bad of ['003084000999', '001984000999', '001299000999', '00108400099', 'CCCD 001084000999', '']) {
      expect(normalizeLinkValue('citizen', bad, NOW), bad).toEqual({ ok: false, message: LINK_VALUE_HINTS.citizen });
    }
  });

  it('messages are Vietnamese and show an example', () => {
    for (const hint of Object.values(LINK_VALUE_HINTS)) expect(hint).toMatch(/ví dụ/);
  });
});
