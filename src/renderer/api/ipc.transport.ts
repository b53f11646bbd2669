/**
 * Electron transport: the preload bridge (`window.workstation`) resolves each call to an envelope
 * and forwards core events. Both are validated here like any other input.
 */
import type { ApiInput, ApiMethod, ApiOutput, CoreEvent, PreloadBridge } from '../../shared/api';
import { parseCoreEvent, TransportError, unwrapEnvelope, type LinkState, type RendererTransport, type SaveAttachmentResult } from './envelope';
import { LinkStateCell } from './link-state';

export class IpcTransport implements RendererTransport {
  private readonly link = new LinkStateCell();

  constructor(private readonly bridge: PreloadBridge) {
    this.link.set('open');
  }

  get linkState(): LinkState {
    return this.link.value;
  }

  onLinkState(listener: (state: LinkState) => void): () => void {
    return this.link.listen(listener);
  }

  async call<M extends ApiMethod>(method: M, input: ApiInput<M>): Promise<ApiOutput<M>> {
    let raw: unknown;
    try {
      raw = await this.bridge.invoke(method, input ?? {});
    } catch (cause) {
      this.link.set('down');
      throw new TransportError(`Core unreachable: ${cause instanceof Error ? cause.message : String(cause)}`, 'unreachable');
    }
    this.link.set('open');
    return unwrapEnvelope(method, raw);
  }

  /** The shell shows the save dialog and has the core write the file (`mail.saveAttachment`). */
  saveAttachment(request: { itemId: string; index: number; filename: string }): Promise<SaveAttachmentResult> {
    return this.call('mail.saveAttachment', { itemId: request.itemId, index: request.index });
  }

  subscribe(listener: (event: CoreEvent) => void): () => void {
    return this.bridge.onEvent((raw) => {
      const event = parseCoreEvent(raw);
      if (event) listener(event);
    });
  }
}

/** Is this value shaped like the preload bridge? */
export function isPreloadBridge(value: unknown): value is PreloadBridge {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { invoke?: unknown; onEvent?: unknown };
  return typeof v.invoke === 'function' && typeof v.onEvent === 'function';
}
