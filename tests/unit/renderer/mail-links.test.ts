import { describe, expect, it } from 'vitest';
import { canonicalHost, checkLink, domainNamedBy, findTextLinks, hostMatches } from '../../../src/renderer/mail/link-check';
import { checkLinkValue } from '../../../src/renderer/mail/link-values';
import { FIXTURE_NOW } from './work-item-fixture';

const kinds = (r: ReturnType<typeof checkLink>) => r.warnings.map((w) => w.kind);

describe('links in a mail', () => {
  it('an honest https link has no warning and may be opened', () => {
    const r = checkLink(1, 'https://dichvucong.gov.vn/p/home', 'Cổng Dịch vụ công quốc gia');
    expect(r).toMatchObject({ scheme: 'https:', host: 'dichvucong.gov.vn', openable: true, dangerous: false, warnings: [] });
    expect(kinds(checkLink(2, 'https://www.hanoi.gov.vn/', 'hanoi.gov.vn'))).toEqual([]);
    expect(kinds(checkLink(3, 'https://dvc.hanoi.gov.vn/x', 'https://hanoi.gov.vn'))).toEqual([]);
  });
  it('warns when the shown text names another domain than the destination (phishing)', () => {
    const r = checkLink(1, 'https://dichvucong-gov.vn.login.example/auth', 'https://dichvucong.gov.vn');
    expect(r.warnings).toContainEqual({ kind: 'textMismatch', shown: 'dichvucong.gov.vn' });
    expect(r.dangerous).toBe(true);
    expect(r.openable).toBe(true);
    expect(kinds(checkLink(2, 'https://evil.example/', 'Đăng nhập tại www.dichvucong.gov.vn ngay'))).toContain('textMismatch');
    expect(kinds(checkLink(3, 'mailto:thu@evil.example', 'vanthu@hanoi.gov.vn'))).toContain('textMismatch');
    // A file name in the text is not a domain.
    expect(kinds(checkLink(4, 'https://files.hanoi.gov.vn/a', 'baocao.pdf'))).toEqual([]);
  });
  it('flags http, IP addresses, punycode, credentials; never opens other schemes', () => {
    expect(kinds(checkLink(1, 'http://hanoi.gov.vn', 'x'))).toEqual(['notHttps']);
    expect(checkLink(1, 'http://hanoi.gov.vn', 'x').dangerous).toBe(false);
    const ip = checkLink(2, 'https://203.0.113.7/login', 'Đăng nhập');
    expect(kinds(ip)).toEqual(['ipHost']);
    expect(ip.openable).toBe(false);
    const puny = checkLink(3, 'https://xn--dchvcng-6ya6l.vn/', 'Dịch vụ công');
    expect(puny.host).toBe('xn--dchvcng-6ya6l.vn');
    expect(kinds(puny)).toEqual(['punycode']);
    // An internationalised name is shown in its punycode form, never as look-alike letters.
    expect(checkLink(4, 'https://dịchvụcông.vn/', '').host).toMatch(/^xn--/);
    const cred = checkLink(5, 'https://dichvucong.gov.vn@evil.example/', 'https://dichvucong.gov.vn');
    expect(cred.host).toBe('evil.example');
    expect(kinds(cred)).toEqual(expect.arrayContaining(['credentials', 'textMismatch']));
    expect(cred.openable).toBe(false);
    const js = checkLink(6, 'javascript:alert(1)', 'Bấm vào đây');
    expect(js).toMatchObject({ openable: false, dangerous: true, warnings: [{ kind: 'blocked', scheme: 'javascript:' }] });
    expect(checkLink(7, 'not a url', 'x')).toMatchObject({ openable: false, warnings: [{ kind: 'invalid' }] });
    expect(checkLink(8, 'mailto:vanthu@hanoi.gov.vn', 'Văn thư')).toMatchObject({ host: 'vanthu@hanoi.gov.vn', openable: true, warnings: [] });
  });
  it('reads the domain a text claims', () => {
    expect(domainNamedBy('Xem tại https://DichVuCong.gov.vn/abc')).toBe('dichvucong.gov.vn');
    expect(domainNamedBy('www.hanoi.gov.vn')).toBe('www.hanoi.gov.vn');
    expect(domainNamedBy('Bấm vào đây')).toBeNull();
    expect(domainNamedBy('Tải tệp quyetdinh.docx')).toBeNull();
    expect(canonicalHost('bộcôngan.vn')).toMatch(/^xn--/);
    expect(hostMatches('www.hanoi.gov.vn', 'hanoi.gov.vn')).toBe(true);
    expect(hostMatches('hanoi.gov.vn.evil.example', 'hanoi.gov.vn')).toBe(false);
  });
  it('finds links in plain text without trailing punctuation', () => {
    const text = 'Xem https://dichvucong.gov.vn/p/home. Hoặc (www.hanoi.gov.vn), mailto:vanthu@hanoi.gov.vn; hết';
    const links = findTextLinks(text);
    expect(links.map((l) => l.href)).toEqual(['https://dichvucong.gov.vn/p/home', 'http://www.hanoi.gov.vn', 'mailto:vanthu@hanoi.gov.vn']);
    for (const l of links) expect(text.slice(l.start, l.end)).toBe(l.text);
    expect(findTextLinks('https://vi.wikipedia.org/wiki/Hà_Nội_(định_hướng)')[0]?.text).toBe('https://vi.wikipedia.org/wiki/Hà_Nội_(định_hướng)');
  });
});

describe('links added by hand', () => {
  it('accepts dossier codes with a real date, normalised', () => {
    expect(checkLinkValue('dossier', ' 000.26.13.h26 - 251003 - 0012 ')).toEqual({ ok: true, value: '000.26.13.H26-251003-0012' });
    expect(checkLinkValue('dossier', '000.26.13.H26-250230-0012')).toEqual({ ok: false, error: 'links.errors.dossierDate' });
    expect(checkLinkValue('dossier', '26.13.H26-251003-12')).toEqual({ ok: false, error: 'links.errors.dossier' });
    expect(checkLinkValue('dossier', '')).toEqual({ ok: false, error: 'links.errors.required' });
  });
  it('accepts số/ký hiệu with or without a year', () => {
    expect(checkLinkValue('document', '7816/VPCP-TTĐT')).toEqual({ ok: true, value: '7816/VPCP-TTĐT' });
    expect(checkLinkValue('document', '25 / 2026 / QĐ-UBND')).toEqual({ ok: true, value: '25/2026/QĐ-UBND' });
    expect(checkLinkValue('document', '45/KH - UBND')).toEqual({ ok: true, value: '45/KH-UBND' });
    expect(checkLinkValue('document', '12/ABC')).toEqual({ ok: false, error: 'links.errors.document' });
    expect(checkLinkValue('document', 'VPCP-TTĐT')).toEqual({ ok: false, error: 'links.errors.document' });
  });
  it('accepts 12-digit CCCD and 9-digit CMND numbers', () => {
    expect(checkLinkValue('citizen', '001 084 000 999', FIXTURE_NOW)).toEqual({ ok: true, value: '001084000999' });
    expect(checkLinkValue('citizen', '012345678', FIXTURE_NOW)).toEqual({ ok: true, value: '012345678' });
    expect(checkLinkValue('citizen', '001984000999', FIXTURE_NOW)).toEqual({ ok: false, error: 'links.errors.citizen' });
    expect(checkLinkValue('citizen', '001399000999', FIXTURE_NOW)).toEqual({ ok: false, error: 'links.errors.citizen' });
    expect(checkLinkValue('citizen', '12345', FIXTURE_NOW)).toEqual({ ok: false, error: 'links.errors.citizen' });
  });
});
