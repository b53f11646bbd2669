/**
 * Browser-host transport: `POST /api/<method>` with a bearer token, events over a WebSocket at
 * `/events?token=…` that reconnects with backoff. Platform objects (fetch, WebSocket) are injected,
 * so this file type-checks without DOM types and runs in unit tests with fakes.
 */
import { ApiCallError, EnvelopeSchema, type ApiInput, type ApiMethod, type ApiOutput, type CoreEvent } from '../../shared/api';
import { parseCoreEvent, TransportError, unwrapEnvelope, type LinkState, type RendererTransport, type SaveAttachmentResult } from './envelope';
import { LinkStateCell } from './link-state';

/** The part of a fetch Response the transport reads. */
export interface FetchResponseLike {
  readonly ok: boolean;
  readonly status: number;
  json(): Promise<unknown>;
}
export type FetchLike = (
  url: string,
  init: { method: 'POST'; headers: Record<string, string>; body: string },
) => Promise<FetchResponseLike>;

/** The part of a WebSocket the transport uses. */
export interface SocketLike {
  onopen: (() => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: (() => void) | null;
  onerror: (() => void) | null;
  close(): void;
}
export type SocketFactory = (url: string) => SocketLike;

/** What a file download answered: saved, or the HTTP status and the body (an error envelope) when not. */
export type DownloadOutcome = { ok: true } | { ok: false; status: number; body: unknown };
/**
 * GET `url` with these headers and hand the bytes to the browser as a download named `filename`
 * (the page's `fetch` → Blob → `<a download>`). Rejects when the host cannot be reached.
 */
export type FileDownloader = (url: string, headers: Record<string, string>, filename: string) => Promise<DownloadOutcome>;

export interface HttpTransportOptions {
  /** Page origin, e.g. `http://127.0.0.1:5190`. */
  origin: string;
  token: string | null;
  fetch: FetchLike;
  /** Omit to run without live events (tests). */
  createSocket?: SocketFactory;
  /** Reconnect delays grow from the first to the last, then stay there. */
  backoffMs?: readonly number[];
  /** Attachment downloads (browser only); without it saving attachments is refused. */
  download?: FileDownloader;
}

/** `GET /api/mail/attachment?itemId=…&index=…` on the host. */
export function attachmentUrl(origin: string, itemId: string, index: number): string {
  const url = new URL('/api/mail/attachment', origin);
  url.searchParams.set('itemId', itemId);
  url.searchParams.set('index', String(index));
  return url.toString();
}

const DEFAULT_BACKOFF = [500, 1000, 2000, 4000, 8000, 15000] as const;

/** `http://h:1/` → `ws://h:1/events?token=…`, `https:` → `wss:`. */
export function eventsUrl(origin: string, token: string | null): string {
  const url = new URL('/events', origin);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  if (token) url.searchParams.set('token', token);
  return url.toString();
}

export class HttpTransport implements RendererTransport {
  private readonly link = new LinkStateCell();
  private readonly listeners = new Set<(event: CoreEvent) => void>();
  private socket: SocketLike | null = null;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private attempt = 0;
  private socketOpen = false;

  constructor(private readonly options: HttpTransportOptions) {}

  get linkState(): LinkState {
    return this.link.value;
  }

  onLinkState(listener: (state: LinkState) => void): () => void {
    return this.link.listen(listener);
  }

  async call<M extends ApiMethod>(method: M, input: ApiInput<M>): Promise<ApiOutput<M>> {
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (this.options.token) headers.Authorization = `Bearer ${this.options.token}`;
    let response: FetchResponseLike;
    try {
      response = await this.options.fetch(new URL(`/api/${method}`, this.options.origin).toString(), {
        method: 'POST',
        headers,
        body: JSON.stringify(input ?? {}),
      });
    } catch (cause) {
      this.link.set('down');
      throw new TransportError(`Host unreachable: ${cause instanceof Error ? cause.message : String(cause)}`, 'unreachable');
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      // Not JSON at all (proxy error page, host restarting…).
      if (response.status >= 500 || response.status === 0) this.link.set('down');
      throw new TransportError(`Answer for ${method} is not JSON (HTTP ${response.status})`, 'bad_response');
    }
    // The host answered: the link works even if the answer is an error envelope.
    if (!this.options.createSocket || this.socketOpen) this.link.set('open');
    return unwrapEnvelope(method, body);
  }

  /** The browser saves the file where its settings say (or asks): the page never learns the path. */
  async saveAttachment(request: { itemId: string; index: number; filename: string }): Promise<SaveAttachmentResult> {
    const download = this.options.download;
    if (!download) throw new TransportError('Attachment downloads are not available in this window', 'bad_response');
    const headers: Record<string, string> = {};
    if (this.options.token) headers.Authorization = `Bearer ${this.options.token}`;
    let outcome: DownloadOutcome;
    try {
      outcome = await download(attachmentUrl(this.options.origin, request.itemId, request.index), headers, request.filename);
    } catch (cause) {
      this.link.set('down');
      throw new TransportError(`Host unreachable: ${cause instanceof Error ? cause.message : String(cause)}`, 'unreachable');
    }
    if (outcome.ok) return { saved: true, path: null };
    const envelope = EnvelopeSchema.safeParse(outcome.body);
    if (envelope.success && !envelope.data.ok) throw new ApiCallError(envelope.data.error);
    if (outcome.status === 401) throw new ApiCallError({ code: 'unauthorized', message: 'missing or wrong token' });
    if (outcome.status === 404) throw new ApiCallError({ code: 'not_found', message: 'attachment not found' });
    throw new TransportError(`Attachment download failed (HTTP ${outcome.status})`, 'bad_response');
  }

  subscribe(listener: (event: CoreEvent) => void): () => void {
    this.listeners.add(listener);
    if (this.listeners.size === 1) this.connect();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.disconnect();
    };
  }

  private connect(): void {
    const factory = this.options.createSocket;
    if (!factory || this.socket) return;
    let socket: SocketLike;
    try {
      socket = factory(eventsUrl(this.options.origin, this.options.token));
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      this.attempt = 0;
      this.socketOpen = true;
      this.link.set('open');
    };
    socket.onmessage = (message) => {
      if (typeof message.data !== 'string') return;
      let raw: unknown;
      try {
        raw = JSON.parse(message.data);
      } catch {
        console.warn('Ignoring a non-JSON event message');
        return;
      }
      const event = parseCoreEvent(raw);
      if (event) for (const l of [...this.listeners]) l(event);
    };
    socket.onerror = () => {
      // onclose follows; nothing to do here.
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.socketOpen = false;
      this.link.set('down');
      this.scheduleReconnect();
    };
  }

  private scheduleReconnect(): void {
    if (this.listeners.size === 0 || this.reconnectTimer) return;
    const steps = this.options.backoffMs ?? DEFAULT_BACKOFF;
    const base = steps[Math.min(this.attempt, steps.length - 1)] ?? 1000;
    this.attempt += 1;
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect();
    }, delay);
  }

  private disconnect(): void {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    const socket = this.socket;
    this.socket = null;
    this.socketOpen = false;
    if (socket) {
      socket.onclose = null;
      socket.close();
    }
  }
}
