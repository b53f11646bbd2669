import { describe, expect, it } from 'vitest';
import shipped from '../../../resources/calendars/vn-public-sector.json';
import { loadCalendar } from '../../../src/core/deadline';
import { cal, iso, vn } from './fixtures/office-time.helper';

describe('WorkCalendar: working days of the 2026 public-sector calendar', () => {
  it.each([
    ['2026-01-01', false, 'Thursday, Tết Dương lịch'],
    ['2026-01-02', false, 'Friday, swapped for Saturday 10 Jan'],
    ['2026-01-05', true, 'ordinary Monday'],
    ['2026-01-09', true, 'ordinary Friday'],
    ['2026-01-10', true, 'working Saturday (làm bù)'],
    ['2026-01-11', false, 'Sunday'],
    ['2026-01-17', false, 'ordinary Saturday'],
    ['2026-02-13', true, 'Friday before Tết'],
    ['2026-02-16', false, 'Tết Monday'],
    ['2026-02-17', false, 'Tết'],
    ['2026-02-18', false, 'Tết'],
    ['2026-02-19', false, 'Tết'],
    ['2026-02-20', false, 'Tết Friday'],
    ['2026-02-23', true, 'first Monday after Tết'],
    ['2026-04-26', false, "Sunday, Hung Kings' day"],
    ['2026-04-27', false, 'Monday, compensating day'],
    ['2026-04-28', true, 'Tuesday'],
    ['2026-04-29', true, 'Wednesday'],
    ['2026-04-30', false, '30 April'],
    ['2026-05-01', false, '1 May'],
    ['2026-05-04', true, 'Monday after the long weekend'],
    ['2026-08-22', true, 'working Saturday (làm bù)'],
    ['2026-08-29', false, 'ordinary Saturday'],
    ['2026-08-31', false, 'Monday, swapped for Saturday 22 Aug'],
    ['2026-09-01', false, 'National Day, adjacent day'],
    ['2026-09-02', false, 'National Day'],
    ['2026-09-03', true, 'Thursday after National Day'],
  ])('%s is a working day: %s (%s)', (date, working) => {
    expect(cal.isWorkingDay(date)).toBe(working);
  });

  it.each([
    ['2025-01-01', false],
    ['2025-01-24', true],
    ['2025-01-27', false],
    ['2025-01-31', false],
    ['2025-02-03', true],
    ['2025-04-07', false],
    ['2025-04-30', false],
    ['2025-05-01', false],
    ['2025-05-02', true],
    ['2025-09-01', false],
    ['2025-09-02', false],
    ['2025-09-03', true],
  ])('2025: %s is a working day: %s', (date, working) => {
    expect(cal.isWorkingDay(date)).toBe(working);
  });

  it('counts 2026 working days: 365 − 104 weekend days − 13 weekday days off + 2 working Saturdays', () => {
    let count = 0;
    for (let ms = vn('2026-01-01 12:00'); ms < vn('2027-01-01 00:00'); ms += 86_400_000) {
      if (cal.isWorkingDay(cal.dateKey(ms))) count += 1;
    }
    expect(count).toBe(365 - 104 - 13 + 2);
  });

  it('names holidays and worked Saturdays, and says which years it covers', () => {
    expect(cal.dayNote('2026-02-17')).toBe('Tết Nguyên đán Bính Ngọ');
    expect(cal.dayNote('2026-01-10')).toMatch(/Làm bù/);
    expect(cal.dayNote('2026-03-10')).toBeNull();
    expect(cal.covers('2025-06-01')).toBe(true);
    expect(cal.covers('2026-12-31')).toBe(true);
    expect(cal.covers('2027-01-01')).toBe(false);
    // Outside the listed years only weekends are days off.
    expect(cal.isWorkingDay('2027-01-01')).toBe(true);
    expect(cal.isWorkingDay('2027-01-02')).toBe(false);
  });

  it('rejects a date key that is not a real date', () => {
    expect(() => cal.isWorkingDay('2026-02-30')).toThrow(RangeError);
    expect(() => cal.isWorkingDay('10/03/2026')).toThrow(/not a valid date/);
  });
});

describe('WorkCalendar: office days in UTC+7 regardless of the machine', () => {
  it('dateKey follows the office day, not the UTC day', () => {
    expect(cal.dateKey(vn('2026-01-01 23:30'))).toBe('2026-01-01'); // 16:30Z
    expect(cal.dateKey(vn('2026-01-02 00:30'))).toBe('2026-01-02'); // 2026-01-01T17:30Z
    expect(cal.dateKey(vn('2026-01-02 06:59:59.999'))).toBe('2026-01-02'); // 23:59:59.999Z the day before
  });

  it('startOfDay and endOfDay are office midnight and the last millisecond before the next', () => {
    expect(iso(cal.startOfDay(vn('2026-03-10 00:00')))).toBe('2026-03-10T00:00:00+07:00');
    expect(iso(cal.startOfDay(vn('2026-03-10 06:30')))).toBe('2026-03-10T00:00:00+07:00');
    expect(iso(cal.startOfDay(vn('2026-03-10 23:59:59.999')))).toBe('2026-03-10T00:00:00+07:00');
    expect(iso(cal.endOfDay(vn('2026-03-10 07:15')))).toBe('2026-03-10T23:59:59.999+07:00');
    expect(cal.endOfDay(vn('2026-03-10 07:15')) + 1).toBe(vn('2026-03-11 00:00'));
  });

  it('endOfWorkingDay: closing of that day, or of the next working day on a day off', () => {
    expect(iso(cal.endOfWorkingDay(vn('2026-03-10 09:00')))).toBe('2026-03-10T17:00:00+07:00');
    expect(iso(cal.endOfWorkingDay(vn('2026-03-10 20:00')))).toBe('2026-03-10T17:00:00+07:00');
    expect(iso(cal.endOfWorkingDay(vn('2026-03-08 10:00')))).toBe('2026-03-09T17:00:00+07:00'); // Sunday
    expect(iso(cal.endOfWorkingDay(vn('2026-02-16 10:00')))).toBe('2026-02-23T17:00:00+07:00'); // Tết
  });

  it('nextWorkingDayEnd: closing of the first working day after that date', () => {
    expect(iso(cal.nextWorkingDayEnd(vn('2026-03-10 09:00')))).toBe('2026-03-11T17:00:00+07:00');
    expect(iso(cal.nextWorkingDayEnd(vn('2026-01-09 09:00')))).toBe('2026-01-10T17:00:00+07:00'); // working Saturday
    expect(iso(cal.nextWorkingDayEnd(vn('2026-02-13 16:00')))).toBe('2026-02-23T17:00:00+07:00'); // Tết week
    expect(iso(cal.nextWorkingDayEnd(vn('2026-04-24 09:00')))).toBe('2026-04-28T17:00:00+07:00'); // 27 Apr off
    expect(iso(cal.nextWorkingDayEnd(vn('2026-08-28 09:00')))).toBe('2026-09-03T17:00:00+07:00'); // 31 Aug–2 Sep
    expect(iso(cal.nextWorkingDayEnd(vn('2026-03-08 10:00')))).toBe('2026-03-09T17:00:00+07:00'); // from Sunday
  });
});

describe('WorkCalendar.normalizeStart', () => {
  it.each([
    ['2026-03-10 08:00', '2026-03-10T08:00:00+07:00', 'at opening'],
    ['2026-03-10 10:17', '2026-03-10T10:17:00+07:00', 'inside the morning'],
    ['2026-03-10 06:45', '2026-03-10T08:00:00+07:00', 'before opening'],
    ['2026-03-10 12:00', '2026-03-10T13:00:00+07:00', 'at the lunch break'],
    ['2026-03-10 12:30', '2026-03-10T13:00:00+07:00', 'during lunch'],
    ['2026-03-10 16:59', '2026-03-10T16:59:00+07:00', 'just before closing'],
    ['2026-03-10 17:00', '2026-03-11T08:00:00+07:00', 'at closing'],
    ['2026-03-10 21:00', '2026-03-11T08:00:00+07:00', 'evening'],
    ['2026-03-13 18:00', '2026-03-16T08:00:00+07:00', 'Friday evening'],
    ['2026-03-08 10:00', '2026-03-09T08:00:00+07:00', 'Sunday'],
    ['2026-01-09 17:30', '2026-01-10T08:00:00+07:00', 'Friday evening before a working Saturday'],
    ['2026-02-13 17:05', '2026-02-23T08:00:00+07:00', 'Friday evening before Tết'],
    ['2026-04-26 09:00', '2026-04-28T08:00:00+07:00', 'Sunday before the compensating Monday'],
    ['2026-08-29 09:00', '2026-09-03T08:00:00+07:00', 'Saturday before 31 Aug–2 Sep'],
  ])('%s → %s (%s)', (received, expected) => {
    expect(iso(cal.normalizeStart(vn(received)))).toBe(expected);
  });
});

describe('WorkCalendar.addWorkingMinutes', () => {
  it('ends exactly at closing time rather than the next opening', () => {
    expect(iso(cal.addWorkingMinutes(vn('2026-03-10 08:00'), 480))).toBe('2026-03-10T17:00:00+07:00');
    expect(iso(cal.addWorkingMinutes(vn('2026-03-10 08:00'), 3 * 480))).toBe('2026-03-12T17:00:00+07:00');
    expect(iso(cal.addWorkingMinutes(vn('2026-03-10 08:00'), 240))).toBe('2026-03-10T12:00:00+07:00');
  });

  it('one minute past a boundary moves to the next range', () => {
    expect(iso(cal.addWorkingMinutes(vn('2026-03-10 08:00'), 241))).toBe('2026-03-10T13:01:00+07:00');
    expect(iso(cal.addWorkingMinutes(vn('2026-03-10 08:00'), 481))).toBe('2026-03-11T08:01:00+07:00');
  });

  it('starts from the next opening when given a non-working instant', () => {
    expect(iso(cal.addWorkingMinutes(vn('2026-03-10 17:00'), 60))).toBe('2026-03-11T09:00:00+07:00');
    expect(iso(cal.addWorkingMinutes(vn('2026-03-08 10:00'), 60))).toBe('2026-03-09T09:00:00+07:00');
    expect(iso(cal.addWorkingMinutes(vn('2026-03-10 12:15'), 30))).toBe('2026-03-10T13:30:00+07:00');
  });

  it('skips the Tết week and counts the working Saturday', () => {
    expect(iso(cal.addWorkingMinutes(vn('2026-02-13 16:00'), 120))).toBe('2026-02-23T09:00:00+07:00');
    expect(iso(cal.addWorkingMinutes(vn('2026-01-09 16:30'), 60))).toBe('2026-01-10T08:30:00+07:00');
  });

  it('zero minutes gives the normalised start; negative minutes are refused', () => {
    expect(iso(cal.addWorkingMinutes(vn('2026-03-10 12:30'), 0))).toBe('2026-03-10T13:00:00+07:00');
    expect(() => cal.addWorkingMinutes(vn('2026-03-10 12:30'), -1)).toThrow(RangeError);
    expect(() => cal.addWorkingMinutes(vn('2026-03-10 12:30'), Number.NaN)).toThrow(RangeError);
    expect(() => cal.addWorkingMinutes(Number.NaN, 10)).toThrow(RangeError);
  });

  it('is the inverse of workingMinutesBetween from a working instant', () => {
    const start = vn('2026-01-09 10:20');
    for (const minutes of [1, 59, 100, 220, 480, 481, 1000, 2400, 7777]) {
      const end = cal.addWorkingMinutes(start, minutes);
      expect(cal.workingMinutesBetween(start, end)).toBe(minutes);
      expect(cal.isWorkingInstant(end)).toBe(true);
    }
  });
});

describe('WorkCalendar.workingMinutesBetween', () => {
  it('counts only office hours', () => {
    expect(cal.workingMinutesBetween(vn('2026-03-10 08:00'), vn('2026-03-10 17:00'))).toBe(480);
    expect(cal.workingMinutesBetween(vn('2026-03-10 11:30'), vn('2026-03-10 13:30'))).toBe(60);
    expect(cal.workingMinutesBetween(vn('2026-03-10 18:00'), vn('2026-03-11 07:00'))).toBe(0);
    expect(cal.workingMinutesBetween(vn('2026-03-13 16:00'), vn('2026-03-16 09:00'))).toBe(120); // weekend
    expect(cal.workingMinutesBetween(vn('2026-02-13 08:00'), vn('2026-02-24 08:00'))).toBe(960); // Tết
    expect(cal.workingMinutesBetween(vn('2026-01-09 08:00'), vn('2026-01-12 08:00'))).toBe(960); // Sat 10 Jan
  });

  it('is 0 when b ≤ a; the signed variant is negative', () => {
    expect(cal.workingMinutesBetween(vn('2026-03-11 09:00'), vn('2026-03-10 09:00'))).toBe(0);
    expect(cal.signedWorkingMinutesBetween(vn('2026-03-11 09:00'), vn('2026-03-10 09:00'))).toBe(-480);
    expect(cal.signedWorkingMinutesBetween(vn('2026-03-10 09:00'), vn('2026-03-11 09:00'))).toBe(480);
  });

  it('keeps fractions of a minute', () => {
    expect(cal.workingMinutesBetween(vn('2026-03-10 09:00'), vn('2026-03-10 09:00:30'))).toBe(0.5);
  });
});

describe('WorkCalendar with other office hours and offsets', () => {
  it('uses 07:00–11:30 and 13:30–17:00 when configured', () => {
    const other = loadCalendar({
      ...structuredClone(shipped),
      officeHours: [
        { start: '07:00', end: '11:30' },
        { start: '13:30', end: '17:00' },
      ],
    });
    expect(other.workingMinutesPerDay).toBe(480);
    expect(iso(other.normalizeStart(vn('2026-03-10 12:00')))).toBe('2026-03-10T13:30:00+07:00');
    expect(iso(other.addWorkingMinutes(vn('2026-03-10 07:00'), 270))).toBe('2026-03-10T11:30:00+07:00');
    expect(iso(other.addWorkingMinutes(vn('2026-03-10 07:00'), 480))).toBe('2026-03-10T17:00:00+07:00');
    expect(iso(other.addWorkingMinutes(vn('2026-03-10 10:00'), 480))).toBe('2026-03-11T10:00:00+07:00');
  });

  it('computes office days in another fixed offset', () => {
    const utc = loadCalendar({ ...structuredClone(shipped), utcOffsetMinutes: 0 });
    expect(utc.dateKey(Date.parse('2026-03-10T23:30:00Z'))).toBe('2026-03-10');
    expect(cal.dateKey(Date.parse('2026-03-10T23:30:00Z'))).toBe('2026-03-11');
    expect(utc.formatIso(utc.normalizeStart(Date.parse('2026-03-10T17:30:00Z')))).toBe('2026-03-11T08:00:00+00:00');
  });
});
