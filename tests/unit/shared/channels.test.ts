import { describe, expect, it } from 'vitest';
import { API_METHODS } from '../../../src/shared/api';
import { API_METHOD_NAMES, isKnownMethodName } from '../../../src/shared/channels';

describe('IPC channel names', () => {
  it('lists exactly the contract methods', () => {
    expect([...API_METHOD_NAMES].sort()).toEqual([...API_METHODS].sort());
  });
  it('refuses anything else', () => {
    expect(isKnownMethodName('queue.list')).toBe(true);
    expect(isKnownMethodName('constructor')).toBe(false);
    expect(isKnownMethodName('__proto__')).toBe(false);
    expect(isKnownMethodName(42)).toBe(false);
  });
});
