import { afterEach, describe, expect, it } from 'vitest';
import {
  OptionalVnDateTimeSchema,
  VnDateTimeSchema,
  deadlineToInstant,
  defaultDueDateToInstant,
  formatVnDateTime,
  parseCalendarDate,
  parseVnDateTime,
  vnDateKey,
} from '../../../src/core/adapters/backend-date.util';

const originalTz = process.env.TZ;
afterEach(() => {
  process.env.TZ = originalTz;
});

describe('backend dates (Asia/Ho_Chi_Minh, fixed UTC+7)', () => {
  it('parses yyyyMMddHHmmss as +07:00 wall-clock time', () => {
    expect(parseVnDateTime('20251003083000')).toBe(Date.parse('2025-10-03T08:30:00+07:00'));
    expect(parseVnDateTime('20260101000000')).toBe(Date.parse('2025-12-31T17:00:00Z'));
  });

  it('does not depend on the machine time zone', () => {
    const results = ['UTC', 'America/New_York', 'Europe/Paris', 'Asia/Tokyo', 'Asia/Ho_Chi_Minh'].map((tz) => {
      process.env.TZ = tz;
      return [
        parseVnDateTime('20260329023000'), // DST change night in Europe
        parseVnDateTime('20261101013000'), // DST change night in the US
        formatVnDateTime(Date.parse('2026-03-29T01:30:00Z')),
        vnDateKey(Date.parse('2026-03-28T17:30:00Z')),
        defaultDueDateToInstant('2026-11-30'),
      ];
    });
    for (const r of results) expect(r).toEqual(results[0]);
    expect(results[0]?.[2]).toBe('20260329083000');
    expect(results[0]?.[3]).toBe('2026-03-29');
    expect(results[0]?.[4]).toBe(Date.parse('2026-11-30T17:00:00+07:00'));
  });

  it('rejects impossible dates and wrong shapes', () => {
    for (const bad of ['20250230080000', '20251303080000', '20251003246000', '2025100308300', '2025-10-03', 'abc', '']) {
      expect(parseVnDateTime(bad)).toBeNull();
    }
    expect(parseVnDateTime('20240229120000')).toBe(Date.parse('2024-02-29T12:00:00+07:00'));
  });

  it('round-trips through formatVnDateTime', () => {
    const ms = Date.parse('2026-11-20T02:15:09Z');
    expect(parseVnDateTime(formatVnDateTime(ms))).toBe(ms);
  });

  it('zod helpers map empty dates to null and report bad ones', () => {
    expect(OptionalVnDateTimeSchema.parse('')).toBeNull();
    expect(OptionalVnDateTimeSchema.parse(undefined)).toBeNull();
    expect(OptionalVnDateTimeSchema.parse(null)).toBeNull();
    expect(OptionalVnDateTimeSchema.safeParse('2025-10-03').success).toBe(false);
    expect(VnDateTimeSchema.safeParse('').success).toBe(false);
    const bad = VnDateTimeSchema.safeParse('99999999999999');
    expect(bad.success).toBe(false);
    if (!bad.success) expect(bad.error.issues[0]?.message).toMatch(/yyyyMMddHHmmss/);
  });

  it('parses edXML dates with and without time', () => {
    expect(parseCalendarDate('2026/11/20')).toEqual({ dateKey: '2026-11-20', instant: null });
    expect(parseCalendarDate('2026/11/20 09:15:00')).toEqual({
      dateKey: '2026-11-20',
      instant: Date.parse('2026-11-20T09:15:00+07:00'),
    });
    expect(parseCalendarDate('2026/11/20 09:15')?.instant).toBe(Date.parse('2026-11-20T09:15:00+07:00'));
    expect(parseCalendarDate('2026/02/30')).toBeNull();
    expect(parseCalendarDate('20/11/2026')).toBeNull();
  });

  it('turns a due date into the end of that day through the injected calendar', () => {
    const endOfDay = (key: string): number => Date.parse(`${key}T16:30:00+07:00`);
    expect(deadlineToInstant('2026/11/30', endOfDay)).toBe(Date.parse('2026-11-30T16:30:00+07:00'));
    expect(deadlineToInstant('20261130000000', endOfDay)).toBe(Date.parse('2026-11-30T16:30:00+07:00'));
    expect(deadlineToInstant('20261130100000', endOfDay)).toBe(Date.parse('2026-11-30T10:00:00+07:00'));
    expect(deadlineToInstant('2026/11/30 11:00', endOfDay)).toBe(Date.parse('2026-11-30T11:00:00+07:00'));
    expect(deadlineToInstant('nonsense', endOfDay)).toBeNull();
  });
});
