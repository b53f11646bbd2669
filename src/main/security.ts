/** Pure checks used by the Electron shell; no electron import so they are tested under plain Node. */
import { isOpenableExternalUrl } from '../shared/mail-html';

/** Only our own renderer page may call the core over IPC. */
export function isTrustedRendererUrl(senderUrl: string, rendererUrl: string): boolean {
  try {
    const sender = new URL(senderUrl);
    const ours = new URL(rendererUrl);
    if (sender.protocol !== ours.protocol) return false;
    if (ours.protocol === 'file:') return sender.pathname === ours.pathname;
    return sender.origin === ours.origin;
  } catch {
    return false;
  }
}

/**
 * Links may leave the app only as http(s) to a named host without credentials, or mailto: with one
 * address — never file:, javascript:, data: … The renderer opens a link from a mail only after the
 * official confirms it; this is the shell's own check before `shell.openExternal` (same rule,
 * src/shared/mail-html.ts).
 */
export function isSafeExternalUrl(raw: string): boolean {
  return isOpenableExternalUrl(raw);
}

/**
 * The renderer window's web preferences: the Electron security checklist, in one place.
 * src/main/index.ts writes the same literal inline in `new BrowserWindow({...})` (Electronegativity
 * reads only literals there) and checks the window's effective preferences with `hardeningGaps`.
 */
export function hardenedWebPreferences(preloadPath: string) {
  return {
    preload: preloadPath,
    ...REQUIRED_WEB_PREFERENCES,
  } as const;
}

/** Every value the window must run with (checklist items 2–4, 6, 8–10, 12, 13, 16 and Auxclick). */
export const REQUIRED_WEB_PREFERENCES = {
  sandbox: true,
  contextIsolation: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  webviewTag: false,
  navigateOnDragDrop: false,
  spellcheck: false,
  // Middle-click would otherwise open links in a new window (Electronegativity AUXCLICK_JS_CHECK).
  disableBlinkFeatures: 'Auxclick',
} as const;

/**
 * Differences between a window's effective preferences (`webContents.getLastWebPreferences()`) and
 * REQUIRED_WEB_PREFERENCES; empty when the window is locked down. A missing boolean counts as its
 * Electron default (sandbox, contextIsolation, webSecurity default on; the others off).
 */
export function hardeningGaps(actual: Record<string, unknown> | null | undefined): string[] {
  const defaults: Record<string, unknown> = {
    sandbox: true,
    contextIsolation: true,
    webSecurity: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
  };
  const gaps: string[] = [];
  for (const [key, want] of Object.entries(REQUIRED_WEB_PREFERENCES)) {
    const value = actual?.[key] ?? defaults[key];
    if (key === 'disableBlinkFeatures') {
      const features = typeof value === 'string' ? value.split(',').map((f) => f.trim()) : [];
      if (!features.includes(String(want))) gaps.push(`${key} must include ${String(want)}`);
    } else if (key === 'spellcheck') {
      continue; // a preference, not a security control
    } else if (value !== want) gaps.push(`${key} must be ${String(want)} (is ${String(value)})`);
  }
  return gaps;
}

/** The renderer's Content-Security-Policy, also sent as a response header (src/renderer/index.html has the same). */
export const RENDERER_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; object-src 'none'; frame-ancestors 'none'";

/**
 * Response headers with our CSP added to responses for the renderer page (dev server or file://);
 * an existing CSP header from elsewhere is replaced, never merged. Other URLs are left alone.
 */
export function withRendererCsp(
  url: string,
  rendererUrl: string,
  headers: Record<string, string[] | string> | undefined,
): Record<string, string[] | string> {
  const out: Record<string, string[] | string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (k.toLowerCase() !== 'content-security-policy') out[k] = v;
  }
  if (isTrustedRendererUrl(url, rendererUrl) || sameOrigin(url, rendererUrl)) out['Content-Security-Policy'] = [RENDERER_CSP];
  else if (headers) return headers;
  return out;
}

function sameOrigin(a: string, b: string): boolean {
  try {
    const x = new URL(a);
    const y = new URL(b);
    return x.protocol !== 'file:' && x.origin === y.origin;
  } catch {
    return false;
  }
}

/** Every permission request (camera, notifications, geolocation, clipboard…) is denied. */
export function permissionAllowed(_permission: string): false {
  return false;
}

/**
 * Navigation inside the window is allowed only to our own renderer page (a reload); everything
 * else (links, redirects, form posts, drag-and-drop) is stopped. Same rule for `will-redirect`.
 */
export function navigationAllowed(target: string, rendererUrl: string): boolean {
  return isTrustedRendererUrl(target, rendererUrl);
}
