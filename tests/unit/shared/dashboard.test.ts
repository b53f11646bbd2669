/** Issue #5: the contract's rules shared by core and renderer — the authority check and input validation. */
import { describe, expect, it } from 'vitest';
import {
  allowedMap,
  AuthoritySetInputSchema,
  DashboardFilterSchema,
  isOutsideAuthority,
  ReassignInputSchema,
} from '../../../src/shared/dashboard';

describe('isOutsideAuthority', () => {
  const allowed = allowedMap([
    { source: 'procedure', kind: 'Đăng ký khai sinh', username: 'canbo.lan' },
    { source: 'procedure', kind: 'Đăng ký khai sinh', username: 'canbo.mai' },
  ]);

  it('flags a handler outside the subject’s officials, never an unrestricted subject or an unassigned item', () => {
    expect(isOutsideAuthority(allowed, 'procedure', 'Đăng ký khai sinh', 'canbo.hung')).toBe(true);
    expect(isOutsideAuthority(allowed, 'procedure', 'Đăng ký khai sinh', 'canbo.mai')).toBe(false);
    expect(isOutsideAuthority(allowed, 'procedure', 'Đăng ký kết hôn', 'canbo.hung')).toBe(false);
    expect(isOutsideAuthority(allowed, 'procedure', 'Đăng ký khai sinh', null)).toBe(false);
    // Same name, other system: a document type is a different subject.
    expect(isOutsideAuthority(allowed, 'document', 'Đăng ký khai sinh', 'canbo.hung')).toBe(false);
  });
});

describe('input validation', () => {
  it('defaults the period and refuses unknown ones and extra fields', () => {
    expect(DashboardFilterSchema.parse({})).toEqual({ period: 'month' });
    expect(DashboardFilterSchema.safeParse({ period: 'decade' }).success).toBe(false);
    expect(DashboardFilterSchema.safeParse({ period: 'week', sql: '1=1' }).success).toBe(false);
  });

  it('reassign: at least one item, each once, a target official', () => {
    expect(ReassignInputSchema.safeParse({ items: [], toUser: 'canbo.mai' }).success).toBe(false);
    const twice = ReassignInputSchema.safeParse({ items: [{ id: 'a', baseUpdatedAt: 1 }, { id: 'a', baseUpdatedAt: 1 }], toUser: 'canbo.mai' });
    expect(twice.success).toBe(false);
    expect(twice.error?.issues[0]?.message).toBe('mỗi hồ sơ chỉ được chọn một lần');
    expect(ReassignInputSchema.safeParse({ items: [{ id: 'a', baseUpdatedAt: 1 }], toUser: ' ' }).success).toBe(false);
    expect(ReassignInputSchema.parse({ items: [{ id: 'a', baseUpdatedAt: 1 }], toUser: ' canbo.mai ' }).toUser).toBe('canbo.mai');
  });

  it('authority rules: known systems, non-empty names', () => {
    expect(AuthoritySetInputSchema.safeParse({ rules: [{ source: 'mail', kind: 'x', username: 'y' }] }).success).toBe(false);
    expect(AuthoritySetInputSchema.safeParse({ rules: [{ source: 'procedure', kind: '', username: 'y' }] }).success).toBe(false);
    expect(AuthoritySetInputSchema.safeParse({ rules: [] }).success).toBe(true);
  });
});
