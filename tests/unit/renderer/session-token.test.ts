import { describe, expect, it } from 'vitest';
import { extractToken, resolveToken, TOKEN_STORAGE_KEY } from '../../../src/renderer/api/session-token';

function memoryStorage(): { getItem(k: string): string | null; setItem(k: string, v: string): void; data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
}

describe('extractToken', () => {
  it('takes the token out of the URL and keeps the rest', () => {
    expect(extractToken('http://127.0.0.1:5190/?token=abc123')).toEqual({ token: 'abc123', cleanUrl: '/' });
    expect(extractToken('http://127.0.0.1:5190/index.html?a=1&token=t%2Bx&b=2#q')).toEqual({
      token: 't+x',
      cleanUrl: '/index.html?a=1&b=2#q',
    });
  });
  it('leaves a URL without a token alone', () => {
    expect(extractToken('http://h/x?a=1')).toEqual({ token: null, cleanUrl: 'http://h/x?a=1' });
  });
  it('treats an empty token as none but still cleans the URL', () => {
    expect(extractToken('http://h/?token=')).toEqual({ token: null, cleanUrl: '/' });
  });
});

describe('resolveToken', () => {
  it('stores the token and removes it from the address bar', () => {
    const storage = memoryStorage();
    const replaced: string[] = [];
    const history = { replaceState: (_d: unknown, _u: string, url?: string | null) => void replaced.push(String(url)) };
    expect(resolveToken('http://h/?token=s3cret', storage, history)).toBe('s3cret');
    expect(storage.data.get(TOKEN_STORAGE_KEY)).toBe('s3cret');
    expect(replaced).toEqual(['/']);
  });
  it('falls back to the stored token after a reload', () => {
    const storage = memoryStorage();
    storage.setItem(TOKEN_STORAGE_KEY, 'kept');
    const history = { replaceState: () => undefined };
    expect(resolveToken('http://h/', storage, history)).toBe('kept');
  });
  it('returns null without a token anywhere', () => {
    expect(resolveToken('http://h/', memoryStorage(), null)).toBeNull();
  });
});
