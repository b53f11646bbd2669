/** The settings form's pure helpers: typed secrets replace markers, empty CA dropped, seconds ↔ ms, blank backends. */
import { describe, expect, it } from 'vitest';
import { adapterForSave, blankBackend, fieldValue, FIELDS, isSecretMarker, msToSeconds, secondsToMs, withField } from '../../../src/renderer/settings/settings-form';

describe('settings form helpers', () => {
  it('keeps the marker when nothing was typed, replaces it with the typed secret otherwise, drops an empty CA', () => {
    const marker = { $keep: true, set: true, ref: 'dvc.password' };
    const adapter = { kind: 'procedure', id: 'dvc', password: marker, ca: '' };
    expect(adapterForSave(adapter, {})).toEqual({ kind: 'procedure', id: 'dvc', password: marker });
    expect(adapterForSave(adapter, { password: '' })).toEqual({ kind: 'procedure', id: 'dvc', password: marker });
    expect(adapterForSave(adapter, { password: 'mới-123' })).toEqual({ kind: 'procedure', id: 'dvc', password: 'mới-123' });
    expect(isSecretMarker(marker)).toBe(true);
    expect(isSecretMarker({ $secret: 'x' })).toBe(false);
  });

  it('converts the interval between seconds and milliseconds (comma decimals accepted, junk → NaN)', () => {
    expect(secondsToMs('45')).toBe(45_000);
    expect(secondsToMs('1,5')).toBe(1500);
    expect(Number.isNaN(secondsToMs('abc'))).toBe(true);
    expect(msToSeconds(30_000)).toBe('30');
    expect(msToSeconds(undefined)).toBe('');
  });

  it('gives each kind its own fields, a secret field each, and blank backends with unique ids', () => {
    for (const kind of ['procedure', 'document', 'mail'] as const) {
      // The backend's own secret, plus the proxy password for the HTTP backends.
      expect(FIELDS[kind].filter((f) => f.type === 'secret' && !f.key.startsWith('proxy.'))).toHaveLength(1);
      expect(FIELDS[kind].some((f) => f.key === 'proxy.password')).toBe(kind !== 'mail');
      expect(blankBackend(kind, 3).adapter).toMatchObject({ kind, id: `${kind}-4` });
    }
    expect(blankBackend('mail', 0)).toMatchObject({ pollIntervalMs: 60_000, adapter: { port: 993, tls: 'implicit' } });
  });

  it('edits the proxy as nested fields and saves it only with a URL', () => {
    let adapter: Record<string, unknown> = { kind: 'procedure', id: 'p', baseUrl: 'https://dvc.example.vn' };
    adapter = withField(adapter, 'proxy.url', 'http://proxy.xa.gov.vn:3128');
    adapter = withField(adapter, 'proxy.noProxy', '.hanoi.gov.vn, 10.0.0.5 ;intranet');
    expect(fieldValue(adapter, 'proxy.url')).toBe('http://proxy.xa.gov.vn:3128');
    const saved = adapterForSave(adapter, { 'proxy.password': 'bí mật' });
    expect(saved['proxy']).toEqual({ url: 'http://proxy.xa.gov.vn:3128', noProxy: ['.hanoi.gov.vn', '10.0.0.5', 'intranet'] });
    const withUser = adapterForSave(withField(adapter, 'proxy.username', 'ubnd'), { 'proxy.password': 'bí mật' });
    expect(withUser['proxy']).toMatchObject({ username: 'ubnd', password: 'bí mật' });
    expect(adapterForSave(withField(adapter, 'proxy.url', ''), {})['proxy']).toBeUndefined();
  });
});
