/**
 * The browser host's per-run token arrives once in the page URL (`?token=…`). We keep it in
 * sessionStorage (this tab only) and take it out of the address bar. Pure helpers + a small
 * function that takes the storage/history objects it needs.
 */

export const TOKEN_STORAGE_KEY = 'cw.token';

/** Token from a URL, and the same URL without it (other parameters and the hash kept). */
export function extractToken(href: string): { token: string | null; cleanUrl: string } {
  const url = new URL(href);
  const raw = url.searchParams.get('token');
  const token = raw && raw.trim() !== '' ? raw.trim() : null;
  if (!url.searchParams.has('token')) return { token: null, cleanUrl: href };
  url.searchParams.delete('token');
  const search = url.searchParams.toString();
  return { token, cleanUrl: `${url.pathname}${search ? `?${search}` : ''}${url.hash}` };
}

export interface TokenStorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}
export interface HistoryLike {
  replaceState(data: unknown, unused: string, url?: string | null): void;
}

/** Take the token from the URL (storing it and cleaning the address bar) or from storage. */
export function resolveToken(href: string, storage: TokenStorageLike | null, history: HistoryLike | null): string | null {
  const { token, cleanUrl } = extractToken(href);
  if (token !== null || cleanUrl !== href) {
    if (token !== null) {
      try {
        storage?.setItem(TOKEN_STORAGE_KEY, token);
      } catch {
        // Storage may be disabled; the token still works for this page load.
      }
    }
    history?.replaceState(null, '', cleanUrl);
  }
  if (token !== null) return token;
  try {
    return storage?.getItem(TOKEN_STORAGE_KEY) ?? null;
  } catch {
    return null;
  }
}
