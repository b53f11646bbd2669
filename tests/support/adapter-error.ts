import { AdapterError } from '../../src/core/adapters/adapter';

/** The AdapterError a call rejects with; fails the test when it resolves or rejects with anything else. */
export async function adapterError(promise: Promise<unknown>): Promise<AdapterError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AdapterError) return error;
    throw error;
  }
  throw new Error('expected an AdapterError');
}
