/** Chooses the transport at start: the Electron preload bridge if present, else HTTP to the host. */
import { PRELOAD_GLOBAL } from '../../shared/api';
import type { RendererTransport } from './envelope';
import { HttpTransport, type DownloadOutcome, type SocketLike } from './http.transport';
import { IpcTransport, isPreloadBridge } from './ipc.transport';
import { resolveToken } from './session-token';

export function createTransport(win: Window & typeof globalThis): RendererTransport {
  const bridge: unknown = (win as unknown as Record<string, unknown>)[PRELOAD_GLOBAL];
  if (isPreloadBridge(bridge)) return new IpcTransport(bridge);

  let storage: Storage | null = null;
  try {
    storage = win.sessionStorage;
  } catch {
    storage = null;
  }
  const token = resolveToken(win.location.href, storage, win.history);
  return new HttpTransport({
    origin: win.location.origin,
    token,
    fetch: (url, init) => win.fetch(url, { ...init, cache: 'no-store', credentials: 'omit' }),
    createSocket: openSocket,
    download: (url, headers, filename) => downloadFile(win, url, headers, filename),
  });
}

/** Fetch with the bearer token (a plain link could not carry it), then let the browser save the Blob. */
async function downloadFile(win: Window & typeof globalThis, url: string, headers: Record<string, string>, filename: string): Promise<DownloadOutcome> {
  const response = await win.fetch(url, { method: 'GET', headers, cache: 'no-store', credentials: 'omit' });
  if (!response.ok) {
    let body: unknown = null;
    try {
      body = await response.json();
    } catch {
      body = null;
    }
    return { ok: false, status: response.status, body };
  }
  const blob = await response.blob();
  const href = win.URL.createObjectURL(blob);
  const a = win.document.createElement('a');
  a.href = href;
  a.download = filename;
  a.rel = 'noopener';
  a.hidden = true;
  win.document.body.appendChild(a);
  a.click();
  a.remove();
  // Give the browser time to start reading the Blob before it goes.
  win.setTimeout(() => win.URL.revokeObjectURL(href), 60_000);
  return { ok: true };
}

/** A browser WebSocket behind the transport's small SocketLike surface. */
function openSocket(url: string): SocketLike {
  const ws = new WebSocket(url);
  const socket: SocketLike = {
    onopen: null,
    onmessage: null,
    onclose: null,
    onerror: null,
    close: () => ws.close(),
  };
  ws.onopen = () => socket.onopen?.();
  ws.onmessage = (e: MessageEvent) => socket.onmessage?.({ data: e.data });
  ws.onclose = () => socket.onclose?.();
  ws.onerror = () => socket.onerror?.();
  return socket;
}
