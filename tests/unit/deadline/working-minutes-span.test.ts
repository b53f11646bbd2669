import { describe, expect, it } from 'vitest';
import { defaultCalendar } from '../../../src/core/deadline';
import { vn } from './fixtures/office-time.helper';

const STEP = 15 * 60_000;

/** Reference: test every quarter hour with isWorkingInstant (inputs are quarter-hour aligned). */
function naiveWorkingMinutes(a: number, b: number): number {
  const cal = defaultCalendar();
  let total = 0;
  // The middle of each quarter hour decides, so boundary conventions (17:00 itself) do not matter.
  for (let x = a; x < b; x += STEP) if (cal.isWorkingInstant(x + STEP / 2)) total += Math.min(STEP, b - x);
  return total / 60_000;
}

describe('workingMinutesBetween over long spans (whole days counted without walking them)', () => {
  const cal = defaultCalendar();

  it.each([
    ['2025-01-02 10:00', '2025-02-03 09:30', 'Tết Ất Tỵ'],
    ['2026-02-13 10:00', '2026-02-24 15:00', 'Tết Bính Ngọ'],
    ['2026-01-09 16:00', '2026-01-12 08:30', 'working Saturday 10 Jan'],
    ['2026-04-24 11:00', '2026-05-05 14:15', '27 Apr, 30 Apr, 1 May'],
    ['2026-08-21 09:00', '2026-09-04 16:45', '22 Aug Saturday, 31 Aug–2 Sep'],
    ['2025-06-01 00:00', '2026-11-25 10:00', 'a year and a half'],
    ['2026-11-25 12:15', '2026-11-25 13:45', 'within one day, across lunch'],
  ])('%s → %s (%s) matches a quarter-hour walk', (from, to) => {
    expect(cal.workingMinutesBetween(vn(from), vn(to))).toBe(naiveWorkingMinutes(vn(from), vn(to)));
  });

  it('counts whole weeks outside the listed years as 5 working days', () => {
    expect(cal.workingMinutesBetween(vn('2019-03-04 08:00'), vn('2019-03-11 08:00'))).toBe(5 * 480);
    expect(cal.workingMinutesBetween(vn('2019-03-04 08:00'), vn('2019-04-01 08:00'))).toBe(20 * 480);
  });

  it('is antisymmetric through signedWorkingMinutesBetween', () => {
    const a = vn('2020-05-05 09:00');
    const b = vn('2026-11-25 10:00');
    expect(cal.signedWorkingMinutesBetween(b, a)).toBe(-cal.workingMinutesBetween(a, b));
  });
});
