import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiCallError, type CoreEvent } from '../../../src/shared/api';
import { TransportError } from '../../../src/renderer/api/envelope';
import { eventsUrl, HttpTransport, type FetchLike, type SocketLike } from '../../../src/renderer/api/http.transport';
import { IpcTransport } from '../../../src/renderer/api/ipc.transport';

const session = {
  user: { username: 'ntlan', fullName: 'Nguyễn Thị Lan', role: 'official' },
  officeName: 'UBND phường Hoàn Kiếm',
  officials: [{ username: 'canbo.mai', fullName: 'Lê Thị Mai', title: null }],
  training: true,
  mailAccounts: [],
  now: 1_760_000_000_000,
};

interface Recorded {
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

function fakeFetch(answer: () => Promise<{ ok: boolean; status: number; json(): Promise<unknown> }>): { fetch: FetchLike; calls: Recorded[] } {
  const calls: Recorded[] = [];
  const fetch: FetchLike = async (url, init) => {
    calls.push({ url, headers: init.headers, body: JSON.parse(init.body) });
    return answer();
  };
  return { fetch, calls };
}

const json = (body: unknown, status = 200) => async () => ({ ok: status < 400, status, json: async () => body });

describe('HttpTransport calls', () => {
  it('posts the input to /api/<method> with the bearer token and returns validated data', async () => {
    const { fetch, calls } = fakeFetch(json({ ok: true, data: session }));
    const api = new HttpTransport({ origin: 'http://127.0.0.1:5190', token: 'tok', fetch });
    await expect(api.call('session.get', {})).resolves.toEqual(session);
    expect(calls).toEqual([
      { url: 'http://127.0.0.1:5190/api/session.get', headers: { 'Content-Type': 'application/json', Authorization: 'Bearer tok' }, body: {} },
    ]);
    expect(api.linkState).toBe('open');
  });

  it('throws ApiCallError with the code of an error envelope', async () => {
    const { fetch } = fakeFetch(json({ ok: false, error: { code: 'unauthorized', message: 'bad token' } }, 401));
    const api = new HttpTransport({ origin: 'http://h', token: 'x', fetch });
    const err = await api.call('session.get', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiCallError);
    expect((err as ApiCallError).error.code).toBe('unauthorized');
  });

  it('rejects data that does not match the contract', async () => {
    const { fetch } = fakeFetch(json({ ok: true, data: { ...session, training: 'yes' } }));
    const api = new HttpTransport({ origin: 'http://h', token: 'x', fetch });
    const err = await api.call('session.get', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiCallError);
    expect((err as ApiCallError).error.code).toBe('internal');
    expect((err as ApiCallError).error.details?.join()).toContain('training');
  });

  it('rejects a malformed envelope', async () => {
    const { fetch } = fakeFetch(json({ result: 'ok' }));
    const api = new HttpTransport({ origin: 'http://h', token: 'x', fetch });
    await expect(api.call('backends.list', {})).rejects.toBeInstanceOf(ApiCallError);
  });

  it('validates list answers item by item', async () => {
    const { fetch } = fakeFetch(json({ ok: true, data: { items: [{ id: 'x' }], hasMore: false, now: 1 } }));
    const api = new HttpTransport({ origin: 'http://h', token: 'x', fetch });
    await expect(api.call('queue.list', { filter: { scope: 'all' }, offset: 0, limit: 100 })).rejects.toBeInstanceOf(ApiCallError);
  });

  it('reports an unreachable host as TransportError and link down', async () => {
    const fetch: FetchLike = async () => {
      throw new TypeError('Failed to fetch');
    };
    const api = new HttpTransport({ origin: 'http://h', token: 'x', fetch });
    const states: string[] = [];
    api.onLinkState((s) => states.push(s));
    const err = await api.call('session.get', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).reason).toBe('unreachable');
    expect(states).toEqual(['down']);
  });

  it('reports a non-JSON answer as a bad response', async () => {
    const { fetch } = fakeFetch(async () => ({ ok: false, status: 502, json: async () => JSON.parse('<html>') as unknown }));
    const api = new HttpTransport({ origin: 'http://h', token: 'x', fetch });
    const err = await api.call('session.get', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).reason).toBe('bad_response');
  });

  it('sends no Authorization header without a token', async () => {
    const { fetch, calls } = fakeFetch(json({ ok: true, data: [] }));
    const api = new HttpTransport({ origin: 'http://h', token: null, fetch });
    await api.call('backends.list', {});
    expect(calls[0]?.headers.Authorization).toBeUndefined();
  });
});

class FakeSocket implements SocketLike {
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: (() => void) | null = null;
  onerror: (() => void) | null = null;
  closed = false;
  constructor(readonly url: string) {}
  close(): void {
    this.closed = true;
  }
}

describe('HttpTransport events', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('builds the events URL on the same host', () => {
    expect(eventsUrl('http://127.0.0.1:5190', 'a b')).toBe('ws://127.0.0.1:5190/events?token=a+b');
    expect(eventsUrl('https://example.test', 't')).toBe('wss://example.test/events?token=t');
  });

  it('delivers valid events and drops invalid ones', () => {
    const sockets: FakeSocket[] = [];
    const { fetch } = fakeFetch(json({ ok: true, data: [] }));
    const api = new HttpTransport({ origin: 'http://h', token: 't', fetch, createSocket: (url) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s;
    } });
    const seen: CoreEvent[] = [];
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const off = api.subscribe((e) => seen.push(e));
    expect(sockets).toHaveLength(1);
    expect(sockets[0]?.url).toBe('ws://h/events?token=t');
    sockets[0]?.onopen?.();
    expect(api.linkState).toBe('open');
    sockets[0]?.onmessage?.({ data: JSON.stringify({ type: 'items.changed', ids: ['mc:1'], more: false }) });
    sockets[0]?.onmessage?.({ data: JSON.stringify({ type: 'items.changed', ids: 'mc:1' }) });
    sockets[0]?.onmessage?.({ data: 'not json' });
    sockets[0]?.onmessage?.({ data: JSON.stringify({ type: 'unknown.event' }) });
    expect(seen).toEqual([{ type: 'items.changed', ids: ['mc:1'], more: false }]);
    off();
    expect(sockets[0]?.closed).toBe(true);
    warn.mockRestore();
  });

  it('reconnects with growing backoff when the socket drops', () => {
    vi.useFakeTimers();
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const sockets: FakeSocket[] = [];
    const { fetch } = fakeFetch(json({ ok: true, data: [] }));
    const api = new HttpTransport({
      origin: 'http://h',
      token: 't',
      fetch,
      backoffMs: [100, 1000],
      createSocket: (url) => {
        const s = new FakeSocket(url);
        sockets.push(s);
        return s;
      },
    });
    api.subscribe(() => undefined);
    sockets[0]?.onclose?.();
    expect(api.linkState).toBe('down');
    vi.advanceTimersByTime(99);
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(2);
    sockets[1]?.onclose?.();
    vi.advanceTimersByTime(999);
    expect(sockets).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(3);
    sockets[2]?.onopen?.();
    expect(api.linkState).toBe('open');
    vi.restoreAllMocks();
  });
});

describe('IpcTransport', () => {
  it('unwraps envelopes from the preload bridge and validates events', async () => {
    let emit: (e: unknown) => void = () => undefined;
    const bridge = {
      invoke: async (method: string) => (method === 'session.get' ? { ok: true, data: session } : { ok: false, error: { code: 'not_found', message: 'nope' } }),
      onEvent: (l: (e: unknown) => void) => {
        emit = l;
        return () => undefined;
      },
    };
    const api = new IpcTransport(bridge);
    await expect(api.call('session.get', {})).resolves.toEqual(session);
    await expect(api.call('item.get', { id: 'x' })).rejects.toBeInstanceOf(ApiCallError);
    const seen: CoreEvent[] = [];
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    api.subscribe((e) => seen.push(e));
    emit({ type: 'items.changed', ids: [], more: true });
    emit({ type: 'backend.status', backend: { id: 'x' } });
    expect(seen).toEqual([{ type: 'items.changed', ids: [], more: true }]);
    warn.mockRestore();
  });

  it('turns a failing bridge into TransportError', async () => {
    const api = new IpcTransport({
      invoke: async () => {
        throw new Error('channel closed');
      },
      onEvent: () => () => undefined,
    });
    await expect(api.call('session.get', {})).rejects.toBeInstanceOf(TransportError);
    expect(api.linkState).toBe('down');
  });
});
