import type { Envelope } from '../../src/shared/api';

/** The data of an ok envelope; fails the test with the error when the core answered with one. */
export function ok<T>(envelope: Envelope<unknown>): T {
  if (!envelope.ok) throw new Error(`expected ok, got ${JSON.stringify(envelope.error)}`);
  return envelope.data as T;
}
