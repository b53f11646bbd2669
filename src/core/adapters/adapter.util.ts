/**
 * Small helpers shared by the adapters: quarantine formatting, bounded concurrency, abort handling.
 */
import { z } from 'zod';
import { DOCUMENT_ACTION_KINDS, DOSSIER_ACTION_KINDS, ItemActionSchema, type DocumentAction, type DossierAction } from '../../shared/actions';
import { AdapterError, type PerformContext, type QuarantinedRecord } from './adapter';

/**
 * Config fields every HTTP adapter has. TLS verification cannot be turned off: `ca` adds custom
 * certificate authorities (PEM text, or buffers) instead.
 */
/**
 * An HTTP(S) proxy for the HTTP adapters: HTTPS targets through a CONNECT tunnel (TLS end to end,
 * verified against the system CAs plus `ca`), HTTP targets as absolute-URI requests. Credentials go
 * in `username` / `password` (the password is a secret: moved to the keyring like the others),
 * never in the URL. `noProxy`: host names (a leading dot or a bare domain also matches its
 * subdomains), IP addresses, or `*` for none through the proxy.
 */
export const ProxyConfigSchema = z.strictObject({
  url: z
    .url({ protocol: /^https?$/, error: 'expected an http(s) URL of the proxy, e.g. http://proxy.xa.gov.vn:3128' })
    .refine((u) => new URL(u).username === '' && new URL(u).password === '', 'put the proxy user in "username" and its password in "password", not in the URL'),
  username: z.string().min(1).max(200).optional(),
  password: z.string().min(1).max(1000).optional(),
  noProxy: z.array(z.string().trim().toLowerCase().min(1).max(253)).max(200).default([]),
});
export type ProxyConfig = z.output<typeof ProxyConfigSchema>;

/** Whether `host` (a URL's hostname) bypasses the proxy under `noProxy`. */
export function bypassesProxy(host: string, noProxy: readonly string[]): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  return noProxy.some((entry) => {
    const e = entry.replace(/^\[|\]$/g, '').replace(/\.$/, '');
    if (e === '*') return true;
    const domain = e.startsWith('.') ? e.slice(1) : e;
    return h === domain || h.endsWith(`.${domain}`);
  });
}

export const commonAdapterConfigFields = {
  id: z.string().trim().min(1).max(100),
  label: z.string().trim().min(1).max(200),
  baseUrl: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }),
  timeoutMs: z.number().int().min(50).max(300_000).default(15_000),
  retries: z.number().int().min(0).max(10).default(3),
  ca: z.union([z.string().min(1), z.array(z.instanceof(Buffer)).min(1)]).optional(),
  proxy: ProxyConfigSchema.optional(),
};

/** Raw payloads kept for IT staff are cut to this many UTF-8 bytes. */
export const QUARANTINE_RAW_MAX_BYTES = 4096;

/** Truncate a string to at most `maxBytes` UTF-8 bytes without splitting a character. */
export function truncateUtf8(text: string, maxBytes = QUARANTINE_RAW_MAX_BYTES): string {
  const buf = Buffer.from(text, 'utf8');
  if (buf.length <= maxBytes) return text;
  const marker = '…[truncated]';
  const budget = Math.max(0, maxBytes - Buffer.byteLength(marker));
  // Drop a trailing partial character (decoded as U+FFFD).
  return buf.subarray(0, budget).toString('utf8').replace(/\uFFFD+$/, '') + marker;
}

/** JSON of a raw record, truncated for the quarantine table. */
export function rawForQuarantine(raw: unknown): string {
  let text: string;
  try {
    text = typeof raw === 'string' ? raw : (JSON.stringify(raw) ?? String(raw));
  } catch {
    text = String(raw);
  }
  return truncateUtf8(text);
}

/** One line per zod issue (capped), e.g. `NgayCapNhat: expected yyyyMMddHHmmss, got "abc"`. */
export function summariseZodError(error: z.ZodError, maxIssues = 5): string {
  const lines = error.issues.slice(0, maxIssues).map((issue) => {
    const path = issue.path.map(String).join('.');
    const message = /received undefined$/.test(issue.message) ? 'missing required field' : issue.message;
    return `${path || '(root)'}: ${message}`;
  });
  const more = error.issues.length - maxIssues;
  return lines.join('; ') + (more > 0 ? `; and ${more} more issue(s)` : '');
}

/** Best-effort external id of a raw (possibly invalid) record. */
export function pickExternalId(raw: unknown, key: string): string | null {
  if (raw && typeof raw === 'object' && key in raw) {
    const value = (raw as Record<string, unknown>)[key];
    if (typeof value === 'string' && value.length > 0) return value.slice(0, 200);
    if (typeof value === 'number') return String(value);
  }
  return null;
}

export function quarantine(raw: unknown, externalIdKey: string, error: string): QuarantinedRecord {
  return { externalId: pickExternalId(raw, externalIdKey), error, raw: rawForQuarantine(raw) };
}

/** Error thrown when the caller aborts: the signal's reason, or a standard AbortError. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted', 'AbortError');
}

export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw abortReason(signal);
}

/** Resolve/reject with `promise`, or reject as soon as `signal` aborts (the promise keeps running). */
export function raceAbort<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/**
 * Map with at most `limit` calls in flight, keeping input order. The first rejection aborts the
 * signal handed to the other calls and is rethrown once the calls in flight have settled.
 */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, signal: AbortSignal) => Promise<R>,
  signal?: AbortSignal,
): Promise<R[]> {
  const controller = new AbortController();
  const forward = (): void => controller.abort(signal ? abortReason(signal) : undefined);
  signal?.addEventListener('abort', forward, { once: true });
  if (signal?.aborted) forward();
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | null = null;
  const worker = async (): Promise<void> => {
    while (failure === null && !controller.signal.aborted && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index] as T, controller.signal);
      } catch (error) {
        if (failure === null) failure = { error };
        controller.abort(error);
      }
    }
  };
  try {
    const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, () => worker());
    await Promise.all(workers);
  } finally {
    signal?.removeEventListener('abort', forward);
  }
  if (failure !== null) throw (failure as { error: unknown }).error;
  throwIfAborted(signal);
  return results;
}

const MIME_BY_EXTENSION: Record<string, string> = {
  pdf: 'application/pdf',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  odt: 'application/vnd.oasis.opendocument.text',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  zip: 'application/zip',
  rar: 'application/vnd.rar',
  xml: 'application/xml',
  txt: 'text/plain',
};

/** MIME type guessed from a file name's extension, or null. */
export function mimeTypeFromName(name: string): string | null {
  const m = /\.([A-Za-z0-9]{1,8})$/.exec(name.trim());
  return m ? (MIME_BY_EXTENSION[m[1]!.toLowerCase()] ?? null) : null;
}

/** Join non-empty search fragments, without duplicates. */
export function joinSearchText(parts: readonly (string | null | undefined)[]): string {
  const seen = new Set<string>();
  for (const part of parts) {
    const value = part?.trim();
    if (value) seen.add(value);
  }
  return [...seen].join(' ');
}

// ---------- actions ----------

const DOSSIER_KINDS: ReadonlySet<string> = new Set(DOSSIER_ACTION_KINDS);
const DOCUMENT_KINDS: ReadonlySet<string> = new Set(DOCUMENT_ACTION_KINDS);

/**
 * Check an action before it is sent: valid against ItemActionSchema (defaults applied) and meant for
 * this backend. A refusal is a message for the official (Vietnamese), returned as a `rejected` outcome.
 */
export function checkAction(action: unknown, target: 'procedure'): { action: DossierAction } | { refusal: string };
export function checkAction(action: unknown, target: 'document'): { action: DocumentAction } | { refusal: string };
export function checkAction(
  action: unknown,
  target: 'procedure' | 'document',
): { action: DossierAction | DocumentAction } | { refusal: string } {
  const parsed = ItemActionSchema.safeParse(action);
  if (!parsed.success) return { refusal: `Thao tác không hợp lệ, chưa gửi đến hệ thống: ${summariseZodError(parsed.error, 3)}` };
  const kind = parsed.data.kind;
  if (target === 'procedure' && !DOSSIER_KINDS.has(kind)) {
    return { refusal: `Thao tác "${kind}" dành cho văn bản, không áp dụng cho hồ sơ thủ tục hành chính.` };
  }
  if (target === 'document' && !DOCUMENT_KINDS.has(kind)) {
    return { refusal: `Thao tác "${kind}" dành cho hồ sơ thủ tục hành chính, không áp dụng cho văn bản.` };
  }
  if (parsed.data.kind.startsWith('mail.')) return { refusal: `Thao tác "${kind}" dành cho thư điện tử.` };
  return { action: parsed.data as DossierAction | DocumentAction };
}

/** Idempotency keys: 1–200 printable ASCII characters without spaces (a UUID in practice). */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;

/** perform() without a usable key could act twice on a retry: refuse to send. */
export function requireIdempotencyKey(ctx: PerformContext): void {
  const key: unknown = ctx.idempotencyKey;
  if (typeof key !== 'string' || !IDEMPOTENCY_KEY_PATTERN.test(key)) {
    throw new AdapterError('unknown', 'perform: an idempotency key of 1-200 printable ASCII characters is required', false);
  }
}

/**
 * An error of an action call, as perform() throws it. An unreadable answer (`malformed`) is marked
 * retryable: the action may have landed, and a resend with the same key reads the backend's stored
 * answer again without acting twice.
 */
export function performFailure(error: unknown): unknown {
  if (error instanceof AdapterError && error.code === 'malformed' && !error.retryable) {
    return new AdapterError('malformed', error.message, true, { cause: error });
  }
  return error;
}
