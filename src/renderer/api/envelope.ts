/**
 * Turning raw answers and events from the core into trusted values. The renderer trusts nothing:
 * every answer is checked against the contract's output schema, every event against CoreEventSchema.
 * Pure: no DOM, no Node, shared by both transports and the unit tests.
 */
import {
  ApiCallError,
  apiContract,
  CoreEventSchema,
  EnvelopeSchema,
  type ApiMethod,
  type ApiOutput,
  type CoreEvent,
  type WorkstationApi,
} from '../../shared/api';

/** The transport could not reach the core at all (network down, host stopped, bridge gone). */
export class TransportError extends Error {
  constructor(
    message: string,
    readonly reason: 'unreachable' | 'bad_response',
  ) {
    super(message);
    this.name = 'TransportError';
  }
}

function issuesOf(error: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }> }): string[] {
  return error.issues.slice(0, 10).map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
}

/** Check an envelope and the data inside it; throws ApiCallError for error envelopes and bad data. */
export function unwrapEnvelope<M extends ApiMethod>(method: M, raw: unknown): ApiOutput<M> {
  const envelope = EnvelopeSchema.safeParse(raw);
  if (!envelope.success) {
    throw new ApiCallError({
      code: 'internal',
      message: `Malformed answer envelope for ${method}`,
      details: issuesOf(envelope.error),
    });
  }
  if (!envelope.data.ok) throw new ApiCallError(envelope.data.error);
  const schema = apiContract[method].output;
  const parsed = schema.safeParse(envelope.data.data);
  if (!parsed.success) {
    throw new ApiCallError({
      code: 'internal',
      message: `Answer for ${method} does not match the contract`,
      details: issuesOf(parsed.error),
    });
  }
  return parsed.data as ApiOutput<M>;
}

/** A validated event, or null (logged) when the payload does not match the contract. */
export function parseCoreEvent(raw: unknown): CoreEvent | null {
  const parsed = CoreEventSchema.safeParse(raw);
  if (!parsed.success) {
    console.warn('Ignoring an event that does not match the contract', issuesOf(parsed.error));
    return null;
  }
  return parsed.data;
}

/** Link to the core as the UI shows it: 'down' means calls or the event stream are failing. */
export type LinkState = 'connecting' | 'open' | 'down';

/** What saving an attachment did: the shell's save dialog may be cancelled; a browser download has no path. */
export interface SaveAttachmentResult {
  saved: boolean;
  path: string | null;
}

/** Both transports: the contract plus the link state, so the UI can say when the host is gone. */
export interface RendererTransport extends WorkstationApi {
  onLinkState(listener: (state: LinkState) => void): () => void;
  readonly linkState: LinkState;
  /**
   * Save attachment `index` of a mail where the official chooses, whatever the transport: Electron
   * asks the shell (save dialog, the core writes the file), the browser host downloads it.
   * `filename` is the suggested name (already made safe by the caller).
   */
  saveAttachment(request: { itemId: string; index: number; filename: string }): Promise<SaveAttachmentResult>;
}
