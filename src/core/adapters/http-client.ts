/**
 * The axios wrapper every HTTP adapter uses.
 *
 * - one keep-alive agent per client (connection reuse matters: a full sync is thousands of calls);
 * - a hard per-attempt deadline (`timeoutMs`) covering connect, headers and body;
 * - retry with exponential backoff and jitter for retryable failures (network errors, timeouts,
 *   HTTP 5xx and 429), capped at `MAX_RETRIES`; delays are injectable so tests run fast; a request
 *   marked non-idempotent is resent only when it never left, or when it carries an `Idempotency-Key`
 *   header (every attempt sends the same headers, hence the same key);
 * - caller cancellation through an AbortSignal (rethrown as the signal's reason, never retried);
 * - TLS verification always on; extra CA certificates can be trusted (provincial systems often use
 *   a private CA) — certificate checking is never switched off;
 * - every failure becomes an AdapterError with a BackendErrorCode and an English technical message.
 */
import http from 'node:http';
import https from 'node:https';
import axios, { AxiosError, type AxiosInstance } from 'axios';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { AdapterError } from './adapter';
import { abortReason, bypassesProxy, throwIfAborted, truncateUtf8, type ProxyConfig } from './adapter.util';

/** Hard cap on retries whatever the configuration says. */
export const MAX_RETRIES = 10;
/** Largest response body accepted (edXML with inline attachments included). */
export const DEFAULT_MAX_RESPONSE_BYTES = 20 * 1024 * 1024;

/** Delay before retry number `attempt` (1 = first retry). */
export type BackoffFn = (attempt: number, error: AdapterError) => number;
export type SleepFn = (ms: number, signal?: AbortSignal) => Promise<void>;

export interface RetryInfo {
  /** The attempt that failed (1-based). */
  attempt: number;
  delayMs: number;
  error: AdapterError;
  method: string;
  path: string;
}

/** Exponential backoff with "equal jitter": half fixed, half random, capped at maxMs. */
export function exponentialBackoff(
  options: { baseMs?: number; maxMs?: number; random?: () => number } = {},
): BackoffFn {
  const { baseMs = 250, maxMs = 8000, random = Math.random } = options;
  return (attempt) => {
    const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
    return Math.round(exp / 2 + random() * (exp / 2));
  };
}

/** Resolves after `ms`; rejects early with the abort reason. */
export const abortableSleep: SleepFn = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      if (signal) reject(abortReason(signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });

export interface HttpClientOptions {
  baseUrl: string;
  /** Deadline of one attempt, connect to last body byte. */
  timeoutMs: number;
  /** Retries after the first attempt for retryable failures (capped at MAX_RETRIES). */
  retries: number;
  /** Extra trusted CA certificates (PEM string or DER/PEM buffers). Verification stays on. */
  ca?: string | Buffer[];
  /** Send through this HTTP(S) proxy (unless the host is in its `noProxy`). */
  proxy?: ProxyConfig;
  /** Sockets per origin kept by the keep-alive agent. */
  maxSockets?: number;
  maxResponseBytes?: number;
  backoff?: BackoffFn;
  sleep?: SleepFn;
  onRetry?: (info: RetryInfo) => void;
  /** Headers sent on every request. */
  headers?: Record<string, string>;
}

export interface HttpRequest {
  method: 'GET' | 'POST';
  /** Path relative to baseUrl, e.g. `/api/DangNhap`. */
  path: string;
  query?: Record<string, string | number>;
  headers?: Record<string, string>;
  /** JSON body. */
  body?: unknown;
  /** `json` (default) parses the body and fails as `malformed` when it is not JSON. */
  responseType?: 'json' | 'text';
  signal?: AbortSignal;
  /**
   * Safe to send twice (default true). Otherwise only failures before sending are retried, unless
   * the request carries an `Idempotency-Key` header (the backend then deduplicates resends).
   */
  idempotent?: boolean;
  /** Statuses handed back to the caller instead of being classified (e.g. 401 for token renewal). */
  passStatus?: readonly number[];
  /** Override the client's retry count for this call. */
  retries?: number;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON (`unknown`, validate it) or the text body. */
  data: unknown;
  text: string;
}

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ECONNRESET',
  'ENETUNREACH',
  'EAI_AGAIN',
  'EPIPE',
  'ENETDOWN',
  'EHOSTDOWN',
]);
/** Failures that happen before the request reaches the server: safe to retry any request. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
const TIMEOUT_CODES = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT']);
const TLS_CODE = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)/;

/** Header that makes a non-idempotent request safe to resend: the backend answers a seen key from its store. */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

/** True when `headers` carry a non-empty Idempotency-Key (any letter case). */
export function hasIdempotencyKey(headers: Record<string, string> | undefined): boolean {
  if (!headers) return false;
  const wanted = IDEMPOTENCY_KEY_HEADER.toLowerCase();
  return Object.entries(headers).some(([name, value]) => name.toLowerCase() === wanted && value.trim() !== '');
}

class AttemptTimeout extends Error {
  constructor(readonly ms: number) {
    super(`no complete answer within ${ms} ms`);
  }
}

function errorCodeOf(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'ERR_BAD_RESPONSE' && code !== 'ERR_BAD_REQUEST') return code;
    current = (current as { cause?: unknown }).cause;
  }
  if (error && typeof error === 'object') {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/** A short human-readable reason from an error body (`{error, message}` JSON or text). */
function bodyHint(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) return '';
  try {
    const parsed: unknown = JSON.parse(trimmed);
    if (parsed && typeof parsed === 'object') {
      const rec = parsed as Record<string, unknown>;
      const parts = [rec['error'], rec['message'], rec['error_description']].filter(
        (v): v is string => typeof v === 'string' && v.length > 0,
      );
      if (parts.length > 0) return `: ${truncateUtf8(parts.join(' - '), 200)}`;
    }
  } catch {
    // not JSON: fall through to the text
  }
  return `: ${truncateUtf8(trimmed.replace(/\s+/g, ' '), 200)}`;
}

function parseRetryAfter(value: string | undefined): number | null {
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

/**
 * HttpsProxyAgent applies its TLS options to the proxy connection only; the TLS session with the
 * target inside the tunnel takes the request's options. This adds ours (`ca`, verification on) there.
 */
class VerifiedTunnelAgent extends HttpsProxyAgent<string> {
  constructor(
    proxy: URL,
    options: ConstructorParameters<typeof HttpsProxyAgent<string>>[1],
    private readonly targetTls: { rejectUnauthorized: true; ca?: string | Buffer[] },
  ) {
    super(proxy, options);
  }

  override connect(req: http.ClientRequest, opts: Parameters<HttpsProxyAgent<string>['connect']>[1]): ReturnType<HttpsProxyAgent<string>['connect']> {
    return super.connect(req, { ...opts, ...this.targetTls });
  }
}

export class HttpClient {
  private readonly axios: AxiosInstance;
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  private readonly backoff: BackoffFn;
  private readonly sleep: SleepFn;
  private readonly retries: number;
  private readonly origin: string;

  constructor(private readonly options: HttpClientOptions) {
    const url = new URL(options.baseUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new AdapterError('config_invalid', `Unsupported URL scheme ${url.protocol} in ${options.baseUrl}`, false);
    }
    this.origin = url.origin;
    const maxSockets = options.maxSockets ?? 16;
    const pool = { keepAlive: true, keepAliveMsecs: 1000, maxSockets, maxFreeSockets: maxSockets };
    // Certificate verification is always on; `ca` only adds trust anchors (also through a proxy tunnel).
    const tlsOptions = { rejectUnauthorized: true as const, ...(options.ca !== undefined ? { ca: options.ca } : {}) };
    const proxy = options.proxy && !bypassesProxy(url.hostname, options.proxy.noProxy) ? options.proxy : null;
    if (proxy) {
      const proxyUrl = new URL(proxy.url);
      if (proxy.username !== undefined) {
        proxyUrl.username = encodeURIComponent(proxy.username);
        proxyUrl.password = encodeURIComponent(proxy.password ?? '');
      }
      this.httpAgent = new HttpProxyAgent(proxyUrl, pool);
      this.httpsAgent = new VerifiedTunnelAgent(proxyUrl, { ...pool, ...tlsOptions }, tlsOptions);
    } else {
      this.httpAgent = new http.Agent(pool);
      this.httpsAgent = new https.Agent({ ...pool, ...tlsOptions });
    }
    this.backoff = options.backoff ?? exponentialBackoff();
    this.sleep = options.sleep ?? abortableSleep;
    this.retries = clampRetries(options.retries);
    const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.axios = axios.create({
      baseURL: options.baseUrl.replace(/\/+$/, ''),
      adapter: 'http',
      httpAgent: this.httpAgent,
      httpsAgent: this.httpsAgent,
      proxy: false,
      maxRedirects: 0,
      maxContentLength: maxBytes,
      maxBodyLength: maxBytes,
      responseType: 'text',
      // Raw text in, we parse and classify ourselves.
      transformResponse: [(data: unknown) => data],
      validateStatus: () => true,
      headers: { Accept: 'application/json, application/xml;q=0.9, */*;q=0.8', ...options.headers },
    });
  }

  /** Send a request, retrying retryable failures with backoff. */
  async request(req: HttpRequest): Promise<HttpResponse> {
    const retries = req.retries === undefined ? this.retries : clampRetries(req.retries);
    for (let attempt = 1; ; attempt++) {
      throwIfAborted(req.signal);
      try {
        return await this.attempt(req);
      } catch (error) {
        if (!(error instanceof AdapterError)) throw error;
        const sendable =
          req.idempotent !== false || (error as RetryableAdapterError).notSent === true || hasIdempotencyKey(req.headers);
        if (!error.retryable || !sendable || attempt > retries) throw error;
        const retryAfter = (error as RetryableAdapterError).retryAfterMs;
        const delayMs = Math.max(0, retryAfter ?? this.backoff(attempt, error));
        this.options.onRetry?.({ attempt, delayMs, error, method: req.method, path: req.path });
        await this.sleep(delayMs, req.signal);
      }
    }
  }

  /** Drop pooled connections. */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  private async attempt(req: HttpRequest): Promise<HttpResponse> {
    const controller = new AbortController();
    const timeoutMs = this.options.timeoutMs;
    const timer = setTimeout(() => controller.abort(new AttemptTimeout(timeoutMs)), timeoutMs);
    const onCallerAbort = (): void => controller.abort(req.signal ? abortReason(req.signal) : undefined);
    req.signal?.addEventListener('abort', onCallerAbort, { once: true });
    const where = `${req.method} ${this.origin}${req.path}`;
    try {
      const res = await this.axios.request<string>({
        method: req.method,
        url: req.path,
        params: req.query,
        data: req.body === undefined ? undefined : JSON.stringify(req.body),
        headers: {
          ...(req.body === undefined ? {} : { 'Content-Type': 'application/json; charset=utf-8' }),
          ...req.headers,
        },
        signal: controller.signal,
      });
      const text = typeof res.data === 'string' ? res.data : '';
      const headers: Record<string, string> = {};
      for (const [key, value] of Object.entries(res.headers as Record<string, unknown>)) {
        if (typeof value === 'string') headers[key.toLowerCase()] = value;
      }
      const status = res.status;
      const passed = req.passStatus?.includes(status) === true;
      if (!passed && (status < 200 || status >= 300)) throw classifyStatus(status, text, headers, where);
      let data: unknown = text;
      if ((req.responseType ?? 'json') === 'json' && status >= 200 && status < 300) {
        try {
          data = JSON.parse(text);
        } catch (error) {
          throw new AdapterError('malformed', `${where}: response is not valid JSON (${text.length} chars)`, false, {
            cause: error,
          });
        }
      } else if ((req.responseType ?? 'json') === 'json') {
        try {
          data = JSON.parse(text);
        } catch {
          data = text;
        }
      }
      return { status, headers, data, text };
    } catch (error) {
      if (error instanceof AdapterError) throw error;
      if (req.signal?.aborted) throw abortReason(req.signal);
      if (controller.signal.reason instanceof AttemptTimeout) {
        throw new AdapterError('timeout', `${where}: timed out after ${timeoutMs} ms`, true, { cause: error });
      }
      throw classifyError(error, where, timeoutMs);
    } finally {
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onCallerAbort);
    }
  }
}

interface RetryableAdapterError extends AdapterError {
  retryAfterMs?: number;
  notSent?: boolean;
}

function clampRetries(retries: number): number {
  if (!Number.isFinite(retries) || retries < 0) return 0;
  return Math.min(MAX_RETRIES, Math.floor(retries));
}

/** HTTP status outside 2xx → AdapterError. */
export function classifyStatus(
  status: number,
  body: string,
  headers: Record<string, string>,
  where: string,
): AdapterError {
  const hint = bodyHint(body);
  if (status === 401 || status === 403) {
    return new AdapterError('auth_failed', `${where}: HTTP ${status}${hint}`, false);
  }
  if (status === 429 || status >= 500) {
    const error: RetryableAdapterError = new AdapterError('server_error', `${where}: HTTP ${status}${hint}`, true);
    const retryAfter = parseRetryAfter(headers['retry-after']);
    if (retryAfter !== null && retryAfter <= 30_000) error.retryAfterMs = retryAfter;
    return error;
  }
  if (status === 407) {
    return new AdapterError('config_invalid', `${where}: the proxy refused the request: proxy sign-in required or wrong proxy user/password (HTTP 407)`, false);
  }
  if (status === 413) {
    return new AdapterError('malformed', `${where}: HTTP 413 request too large${hint}`, false);
  }
  return new AdapterError('unknown', `${where}: unexpected HTTP ${status}${hint}`, false);
}

/** Transport-level failure (no HTTP status) → AdapterError. */
export function classifyError(error: unknown, where: string, timeoutMs: number): AdapterError {
  const code = errorCodeOf(error);
  const detail = error instanceof Error ? error.message : String(error);
  if (code && UNREACHABLE_CODES.has(code)) {
    const result: RetryableAdapterError = new AdapterError(
      'unreachable',
      `${where}: cannot reach the server (${code})`,
      true,
      { cause: error },
    );
    if (NOT_SENT_CODES.has(code)) result.notSent = true;
    return result;
  }
  if (code && TIMEOUT_CODES.has(code)) {
    return new AdapterError('timeout', `${where}: timed out after ${timeoutMs} ms (${code})`, true, { cause: error });
  }
  if (code && TLS_CODE.test(code)) {
    return new AdapterError('unreachable', `${where}: TLS certificate verification failed (${code}): ${detail}`, false, {
      cause: error,
    });
  }
  if (error instanceof AxiosError && /maxContentLength/i.test(error.message)) {
    return new AdapterError('malformed', `${where}: response larger than allowed (${detail})`, false, { cause: error });
  }
  if (error instanceof AxiosError && error.code === 'ERR_INVALID_URL') {
    return new AdapterError('config_invalid', `${where}: invalid URL`, false, { cause: error });
  }
  return new AdapterError('unknown', `${where}: ${code ? `${code}: ` : ''}${detail}`, false, { cause: error });
}
