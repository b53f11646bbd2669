import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  REQUIRED_WEB_PREFERENCES,
  RENDERER_CSP,
  hardenedWebPreferences,
  hardeningGaps,
  isSafeExternalUrl,
  isTrustedRendererUrl,
  navigationAllowed,
  permissionAllowed,
  withRendererCsp,
} from '../../../src/main/security';

const ROOT = join(import.meta.dirname, '../../..');

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

  // ---- Issue #7: the checklist, audited ----
  it('the window in src/main/index.ts is created with exactly the required preferences, written literally', () => {
    const source = readFileSync(join(ROOT, 'src/main/index.ts'), 'utf8');
    const block = /new BrowserWindow\(\{[\s\S]*?webPreferences: \{([\s\S]*?)\n\s*\},/.exec(source)?.[1];
    expect(block, 'webPreferences literal in new BrowserWindow({...})').toBeDefined();
    const written: Record<string, unknown> = {};
    for (const m of (block ?? '').matchAll(/^\s*(\w+): (true|false|'[^']*'),?$/gm)) {
      written[m[1] as string] = m[2] === 'true' ? true : m[2] === 'false' ? false : (m[2] as string).slice(1, -1);
    }
    expect(written).toEqual(REQUIRED_WEB_PREFERENCES);
    expect(hardeningGaps(written)).toEqual([]);
    // The other checklist items in the shell's code.
    expect(source).toContain('app.requestSingleInstanceLock()');
    expect(source).toContain('app.enableSandbox()');
    expect(source).toMatch(/setPermissionRequestHandler\(/);
    expect(source).toMatch(/setPermissionCheckHandler\(/);
    expect(source).toMatch(/'will-attach-webview', \(event\) => event\.preventDefault\(\)/);
    expect(source).toMatch(/setWindowOpenHandler\([\s\S]*?action: 'deny'/);
    expect(source).toMatch(/'will-navigate'/);
    expect(source).toMatch(/'will-redirect'/);
    expect(source).toMatch(/onHeadersReceived\(/);
    expect(source).toMatch(/!event\.senderFrame \|\| event\.senderFrame\.parent !== null/);
    expect(source).not.toMatch(/allowRunningInsecureContent: true|webSecurity: false|nodeIntegration: true|contextIsolation: false|sandbox: false/);
  });

  it('names every gap in a weakened window', () => {
    expect(hardeningGaps({ ...REQUIRED_WEB_PREFERENCES })).toEqual([]);
    expect(hardeningGaps({ ...REQUIRED_WEB_PREFERENCES, sandbox: false, nodeIntegration: true, disableBlinkFeatures: '' })).toEqual([
      'sandbox must be true (is false)',
      'nodeIntegration must be false (is true)',
      'disableBlinkFeatures must include Auxclick',
    ]);
    // Electron's defaults count when a value is absent.
    expect(hardeningGaps({ disableBlinkFeatures: 'Auxclick' })).toEqual([]);
    expect(hardeningGaps(null)).toEqual(['disableBlinkFeatures must include Auxclick']);
    expect(hardenedWebPreferences('/p.js')).toMatchObject({ preload: '/p.js', ...REQUIRED_WEB_PREFERENCES });
  });

  it('sends the renderer CSP as a header too, replacing any other; the same policy as the page meta', () => {
    const ours = 'file:///opt/app/out/renderer/index.html';
    expect(withRendererCsp(ours, ours, { 'content-security-policy': ["default-src *"], 'X-A': ['1'] })).toEqual({ 'X-A': ['1'], 'Content-Security-Policy': [RENDERER_CSP] });
    expect(withRendererCsp('http://localhost:5173/assets/x.js', 'http://localhost:5173/', {})).toEqual({ 'Content-Security-Policy': [RENDERER_CSP] });
    const foreign = { 'X-B': ['2'] };
    expect(withRendererCsp('https://example.com/', ours, foreign)).toBe(foreign);
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(readFileSync(join(ROOT, 'src/renderer/index.html'), 'utf8'))?.[1];
    // frame-ancestors is ignored in a meta tag, so only the header carries it.
    expect(`${meta}; frame-ancestors 'none'`).toBe(RENDERER_CSP);
  });

  it('denies every permission and every navigation away from our page', () => {
    for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen']) expect(permissionAllowed(p)).toBe(false);
    const ours = 'file:///opt/app/out/renderer/index.html';
    expect(navigationAllowed(ours, ours)).toBe(true);
    expect(navigationAllowed('https://phishing.example/', ours)).toBe(false);
    expect(navigationAllowed('file:///etc/passwd', ours)).toBe(false);
    expect(navigationAllowed('javascript:alert(1)', ours)).toBe(false);
  });
});
