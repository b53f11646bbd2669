import { describe, expect, it } from 'vitest';
import { hardenedWebPreferences, isSafeExternalUrl, isTrustedRendererUrl } from '../../../src/main/security';

describe('Electron shell security checks', () => {
  it('trusts only our renderer page', () => {
    const ours = 'file:///opt/app/out/renderer/index.html';
    expect(isTrustedRendererUrl('file:///opt/app/out/renderer/index.html', ours)).toBe(true);
    expect(isTrustedRendererUrl('file:///tmp/evil.html', ours)).toBe(false);
    expect(isTrustedRendererUrl('https://example.com/', ours)).toBe(false);
    expect(isTrustedRendererUrl('http://localhost:5173/x', 'http://localhost:5173/')).toBe(true);
    expect(isTrustedRendererUrl('http://localhost:5174/', 'http://localhost:5173/')).toBe(false);
    expect(isTrustedRendererUrl('not a url', ours)).toBe(false);
  });
  it('lets only http(s) and mailto links out (the renderer asked the official first)', () => {
    expect(isSafeExternalUrl('https://dichvucong.gov.vn/p/home')).toBe(true);
    expect(isSafeExternalUrl('mailto:vanthu@hanoi.gov.vn')).toBe(true);
    expect(isSafeExternalUrl('http://dichvucong.gov.vn')).toBe(true);
    expect(isSafeExternalUrl('mailto:a@b.vn,c@d.vn')).toBe(false);
    expect(isSafeExternalUrl('data:text/html,<b>x</b>')).toBe(false);
    expect(isSafeExternalUrl('file:///etc/passwd')).toBe(false);
    expect(isSafeExternalUrl('javascript:alert(1)')).toBe(false);
    expect(isSafeExternalUrl('https://user:pw@gov.vn/')).toBe(false);
    expect(isSafeExternalUrl('https://10.0.0.1/')).toBe(false);
  });
  it('locks the renderer down', () => {
    const p = hardenedWebPreferences('/x/preload.js');
    expect(p).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false, webSecurity: true, webviewTag: false });
  });
});
