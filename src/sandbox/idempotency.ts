/**
 * Idempotency store of one sandbox server: `Idempotency-Key` → the final answer the server produced
 * (status code + body), kept 24 h like the production systems promise. A request whose key is known
 * gets that answer again and changes nothing, so a retry after a lost or garbled answer never applies
 * an action twice. Injected HTTP 500s never reach the store (they are not final: a retry may apply).
 *
 * Also counts deliveries: how many requests with a key reached the server (faults included), so tests
 * can check that the client really retried.
 */
import type { IncomingMessage } from 'node:http';
import type { Reply } from './http-kit';

export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;
/** Keys are opaque client strings (a UUID in practice); anything longer or odder is refused. */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;

export interface StoredAnswer {
  reply: Reply;
  storedAt: number;
}

export class IdempotencyStore {
  private readonly answers = new Map<string, StoredAnswer>();
  private readonly deliveryCounts = new Map<string, number>();

  constructor(
    private readonly clock: () => number,
    private readonly ttlMs = IDEMPOTENCY_TTL_MS,
  ) {}

  /** The stored answer of a key, or undefined (expired answers are forgotten). */
  get(key: string): Reply | undefined {
    const hit = this.answers.get(key);
    if (!hit) return undefined;
    if (this.clock() - hit.storedAt >= this.ttlMs) {
      this.answers.delete(key);
      return undefined;
    }
    return hit.reply;
  }

  /** Keep the final answer of a key (first answer wins). Returns the reply for chaining. */
  put(key: string, reply: Reply): Reply {
    if (!this.answers.has(key)) this.answers.set(key, { reply, storedAt: this.clock() });
    return reply;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  get size(): number {
    return this.answers.size;
  }

  countDelivery(key: string): void {
    this.deliveryCounts.set(key, (this.deliveryCounts.get(key) ?? 0) + 1);
  }

  deliveries(key: string): number {
    return this.deliveryCounts.get(key) ?? 0;
  }
}

/** The `Idempotency-Key` header of a request: the trimmed value, '' when absent. */
export function idempotencyKeyOf(headers: IncomingMessage['headers']): string {
  const raw = headers['idempotency-key'];
  const value = Array.isArray(raw) ? raw[0] : raw;
  return (value ?? '').trim();
}
