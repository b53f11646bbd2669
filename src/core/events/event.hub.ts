/**
 * The core's change feed: services emit, transports (IPC, WebSocket) subscribe.
 * A failing listener is logged and never breaks the emitter or the other listeners.
 */
import type { CoreEvent } from '../../shared/api';
import type { CoreLog } from '../core.log';

export type CoreEventListener = (event: CoreEvent) => void;

export class CoreEventHub {
  private readonly listeners = new Set<CoreEventListener>();

  constructor(private readonly log: CoreLog) {}

  subscribe(listener: CoreEventListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  emit(event: CoreEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.log('warn', 'event listener failed', { type: event.type, error: errorMessage(error) });
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
