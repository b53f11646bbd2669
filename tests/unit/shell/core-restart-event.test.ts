import { describe, expect, it } from 'vitest';
import { CoreEventSchema } from '../../../src/shared/api';

describe('the core.restart event the shell sends to the window', () => {
  it('is part of the event contract the renderer validates', () => {
    expect(CoreEventSchema.safeParse({ type: 'core.restart', state: 'restarted', restartsLastMinute: 1, at: 1_764_000_000_000 }).success).toBe(true);
    expect(CoreEventSchema.safeParse({ type: 'core.restart', state: 'gave_up', restartsLastMinute: 5, at: 1 }).success).toBe(true);
  });
  it('refuses a malformed one (the renderer drops it instead of showing nonsense)', () => {
    expect(CoreEventSchema.safeParse({ type: 'core.restart', state: 'exploded', restartsLastMinute: 1, at: 1 }).success).toBe(false);
    expect(CoreEventSchema.safeParse({ type: 'core.restart', state: 'restarted', restartsLastMinute: -1, at: 1 }).success).toBe(false);
    expect(CoreEventSchema.safeParse({ type: 'core.restart', state: 'restarted' }).success).toBe(false);
  });
});
