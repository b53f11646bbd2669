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

/** The renderer window's web preferences: the Electron security checklist, in one place. */
export function hardenedWebPreferences(preloadPath: string) {
  return {
    preload: preloadPath,
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
  } as const;
}
