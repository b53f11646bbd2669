/**
 * The only thing the sandboxed renderer gets from Electron: one narrow object on window.workstation
 * with invoke(method, input) for contract methods and onEvent(listener). Never ipcRenderer itself.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import {
  IPC_EVENT_CHANNEL,
  IPC_INVOKE_CHANNEL,
  PRELOAD_GLOBAL,
  isKnownMethodName,
} from '../shared/channels';

const bridge = {
  invoke(method: string, input: unknown): Promise<unknown> {
    if (!isKnownMethodName(method)) return Promise.reject(new Error(`unknown method ${String(method)}`));
    return ipcRenderer.invoke(IPC_INVOKE_CHANNEL, method, input) as Promise<unknown>;
  },
  onEvent(listener: (event: unknown) => void): () => void {
    const handler = (_e: IpcRendererEvent, payload: unknown): void => listener(payload);
    ipcRenderer.on(IPC_EVENT_CHANNEL, handler);
    return () => {
      ipcRenderer.removeListener(IPC_EVENT_CHANNEL, handler);
    };
  },
};

contextBridge.exposeInMainWorld(PRELOAD_GLOBAL, bridge);
