/** Chooses the transport at start: the Electron preload bridge if present, else HTTP to the host. */
import { PRELOAD_GLOBAL } from '../../shared/api';
import type { RendererTransport } from './envelope';
import { HttpTransport, type SocketLike } from './http.transport';
import { IpcTransport, isPreloadBridge } from './ipc.transport';
import { resolveToken } from './session-token';

export function createTransport(win: Window): RendererTransport {
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
  });
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
