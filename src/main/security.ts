/** Pure checks used by the Electron shell; no electron import so they are tested under plain Node. */

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

/** Links may leave the app only as https (or mailto) to a real host, never file:, javascript:, data: … */
export function isSafeExternalUrl(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.protocol === 'mailto:') return /^[^@\s]+@[^@\s]+$/.test(decodeURIComponent(url.pathname));
  if (url.protocol !== 'https:') return false;
  if (url.username || url.password) return false;
  return url.hostname.includes('.') && !/^[\d.]+$/.test(url.hostname);
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
