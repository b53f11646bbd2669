import { describe, expect, it } from 'vitest';
import shipped from '../../../resources/calendars/vn-public-sector.json';
import {
  computeDue,
  defaultDocumentDue,
  endOfDateInOffice,
  loadCalendar,
  pausedWorkingMinutes,
  procedureDuration,
  type Duration,
  type Pause,
} from '../../../src/core/deadline';
import { cal, iso, vn } from './fixtures/office-time.helper';

const working = (hours: number): Duration => ({ hours, unit: 'working' });
const calendarHours = (hours: number): Duration => ({ hours, unit: 'calendar' });
const sameDay: Duration = { hours: 0, unit: 'same_day' };

function due(received: string, duration: Duration, pauses?: Pause[]): string {
  return iso(computeDue(cal, { receivedAt: vn(received), duration, pauses }));
}

describe('computeDue: working-day durations on the 2026 calendar', () => {
  it('skips the Tết week and the weekends around it (3 working days from Fri 13 Feb 10:00)', () => {
    // Fri 10:00–17:00 = 6 h; Mon 23 and Tue 24 Feb = 16 h; 2 h on Wed 25 Feb.
    expect(due('2026-02-13 10:00', working(24))).toBe('2026-02-25T10:00:00+07:00');
    expect(due('2026-02-13 10:00', working(8))).toBe('2026-02-23T10:00:00+07:00');
  });

  it('skips the 27 April compensating day and 30 April–1 May', () => {
    // Fri 24 Apr 09:00–17:00 = 7 h; Mon 27 off; Tue 28 = 8 h; Wed 29 = 8 h; Thu 30, Fri 1 off; 1 h on Mon 4 May.
    expect(due('2026-04-24 09:00', working(24))).toBe('2026-05-04T09:00:00+07:00');
    expect(due('2026-04-24 09:00', working(16))).toBe('2026-04-29T09:00:00+07:00');
    expect(due('2026-04-26 10:00', working(8))).toBe('2026-04-28T17:00:00+07:00'); // received Sunday
  });

  it('counts the 10 January working Saturday', () => {
    // Fri 9 Jan 16:00–17:00 = 1 h; Sat 10 Jan 08:00–16:00 = 7 h.
    expect(due('2026-01-09 16:00', working(8))).toBe('2026-01-10T16:00:00+07:00');
    // Received on New Year's Eve: 1–4 Jan are off, Mon 5 Jan counts.
    expect(due('2025-12-31 16:00', working(8))).toBe('2026-01-05T16:00:00+07:00');
  });

  it('counts the 22 August working Saturday', () => {
    // Fri 21 Aug 14:00–17:00 = 3 h; Sat 22 Aug = 8 h; Mon 24 = 8 h; Tue 25 08:00–14:00 = 5 h.
    expect(due('2026-08-21 14:00', working(24))).toBe('2026-08-25T14:00:00+07:00');
  });

  it('skips the 31 August–2 September block', () => {
    // Fri 28 Aug 10:00–17:00 = 6 h; Mon 31, Tue 1, Wed 2 off; Thu 3 Sep = 8 h; 2 h on Fri 4 Sep.
    expect(due('2026-08-28 10:00', working(16))).toBe('2026-09-04T10:00:00+07:00');
  });

  it('starts at the afternoon opening when received at lunch', () => {
    expect(due('2026-03-10 12:30', working(4))).toBe('2026-03-10T17:00:00+07:00');
    expect(due('2026-03-10 12:00', working(8))).toBe('2026-03-11T12:00:00+07:00');
  });

  it('starts at the next opening when received after hours or before opening', () => {
    expect(due('2026-03-10 18:30', working(8))).toBe('2026-03-11T17:00:00+07:00');
    expect(due('2026-03-10 17:00', working(8))).toBe('2026-03-11T17:00:00+07:00');
    expect(due('2026-03-10 06:45', working(4))).toBe('2026-03-10T12:00:00+07:00');
    expect(due('2026-03-13 17:30', working(8))).toBe('2026-03-16T17:00:00+07:00'); // Friday evening
  });

  it('starts on Monday when received on Sunday', () => {
    expect(due('2026-03-08 10:00', working(8))).toBe('2026-03-09T17:00:00+07:00');
    expect(due('2026-03-08 10:00', working(40))).toBe('2026-03-13T17:00:00+07:00');
  });

  it('ends at closing time, not the next opening, when a whole number of days fits', () => {
    expect(due('2026-03-09 08:00', working(24))).toBe('2026-03-11T17:00:00+07:00');
    expect(due('2026-03-09 08:00', working(40))).toBe('2026-03-13T17:00:00+07:00');
  });

  it('handles half-days', () => {
    expect(due('2026-03-10 10:00', working(4))).toBe('2026-03-10T15:00:00+07:00');
    expect(due('2026-03-10 08:00', working(12))).toBe('2026-03-11T12:00:00+07:00');
    // 2.5 working days from Tue 15:30: Tue 1.5 h, Wed 8 h, Thu 8 h, Fri 2.5 h.
    expect(due('2026-03-10 15:30', working(20))).toBe('2026-03-13T10:30:00+07:00');
    expect(due('2026-02-13 14:00', working(4))).toBe('2026-02-23T09:00:00+07:00');
  });

  it('with zero hours is the normalised start', () => {
    expect(due('2026-03-10 12:30', working(0))).toBe('2026-03-10T13:00:00+07:00');
  });
});

describe('computeDue: same-day procedures (15:00 rule)', () => {
  it('14:59 is due the same day, 15:00 the next working day', () => {
    expect(due('2026-03-10 14:59', sameDay)).toBe('2026-03-10T17:00:00+07:00');
    expect(due('2026-03-10 14:59:59.999', sameDay)).toBe('2026-03-10T17:00:00+07:00');
    expect(due('2026-03-10 15:00', sameDay)).toBe('2026-03-11T17:00:00+07:00');
    expect(due('2026-03-10 16:59', sameDay)).toBe('2026-03-11T17:00:00+07:00');
  });

  it('received before opening or at lunch counts as that morning/afternoon', () => {
    expect(due('2026-03-10 07:10', sameDay)).toBe('2026-03-10T17:00:00+07:00');
    expect(due('2026-03-10 12:30', sameDay)).toBe('2026-03-10T17:00:00+07:00');
  });

  it('after closing or on a day off: the next working day', () => {
    expect(due('2026-03-10 17:30', sameDay)).toBe('2026-03-11T17:00:00+07:00');
    expect(due('2026-03-08 09:00', sameDay)).toBe('2026-03-09T17:00:00+07:00'); // Sunday
    expect(due('2026-02-17 09:00', sameDay)).toBe('2026-02-23T17:00:00+07:00'); // Tết
    expect(due('2026-04-27 09:00', sameDay)).toBe('2026-04-28T17:00:00+07:00'); // compensating Monday
  });

  it('after 15:00 before a holiday block: the first working day after it', () => {
    expect(due('2026-02-13 15:00', sameDay)).toBe('2026-02-23T17:00:00+07:00');
    expect(due('2026-08-28 15:30', sameDay)).toBe('2026-09-03T17:00:00+07:00');
    expect(due('2026-04-29 15:01', sameDay)).toBe('2026-05-04T17:00:00+07:00');
  });

  it('works on a working Saturday and rolls over it', () => {
    expect(due('2026-08-22 14:59', sameDay)).toBe('2026-08-22T17:00:00+07:00');
    expect(due('2026-08-22 15:00', sameDay)).toBe('2026-08-24T17:00:00+07:00');
    expect(due('2026-01-09 15:30', sameDay)).toBe('2026-01-10T17:00:00+07:00');
  });

  it('ignores the hours of a same-day duration', () => {
    expect(due('2026-03-10 09:00', { hours: 8, unit: 'same_day' })).toBe('2026-03-10T17:00:00+07:00');
  });
});

describe('computeDue: calendar-day durations (Civil Code art. 148)', () => {
  it('keeps an end inside working hours as is', () => {
    expect(due('2026-03-10 09:00', calendarHours(15 * 24))).toBe('2026-03-25T09:00:00+07:00');
    expect(due('2026-03-10 14:00', calendarHours(3))).toBe('2026-03-10T17:00:00+07:00'); // exactly at closing
  });

  it('moves an end on a holiday to the close of the next working day', () => {
    // Wed 15 Apr + 15 days = Thu 30 Apr (holiday); Fri 1 May off, weekend; Mon 4 May.
    expect(due('2026-04-15 10:00', calendarHours(15 * 24))).toBe('2026-05-04T17:00:00+07:00');
    // Fri 6 Feb + 10 days = Mon 16 Feb (Tết) → Mon 23 Feb.
    expect(due('2026-02-06 10:00', calendarHours(10 * 24))).toBe('2026-02-23T17:00:00+07:00');
    // Mon 24 Aug + 7 days = Mon 31 Aug (swapped day off) → Thu 3 Sep.
    expect(due('2026-08-24 09:00', calendarHours(7 * 24))).toBe('2026-09-03T17:00:00+07:00');
  });

  it('moves an end on a weekend to the close of Monday', () => {
    expect(due('2026-04-10 10:00', calendarHours(48))).toBe('2026-04-13T17:00:00+07:00');
  });

  it('keeps an end on a working Saturday', () => {
    expect(due('2026-01-09 10:00', calendarHours(24))).toBe('2026-01-10T10:00:00+07:00');
  });

  it('moves an end outside office hours on a working day to the close of the first working day not yet closed', () => {
    expect(due('2026-03-10 17:30', calendarHours(24))).toBe('2026-03-12T17:00:00+07:00'); // Wed 17:30 → Thu
    expect(due('2026-03-09 07:30', calendarHours(24))).toBe('2026-03-10T17:00:00+07:00'); // Tue 07:30 → Tue
    expect(due('2026-03-09 12:30', calendarHours(24))).toBe('2026-03-10T17:00:00+07:00'); // Tue lunch → Tue
  });
});

describe('computeDue: supplement pauses', () => {
  // Received Thu 12 Mar 08:00, 5 working days → Wed 18 Mar 17:00 without pauses.
  const received = '2026-03-12 08:00';

  it('without pauses', () => {
    expect(due(received, working(40))).toBe('2026-03-18T17:00:00+07:00');
  });

  it('a pause spanning a weekend adds only its working time', () => {
    const pause = { from: vn('2026-03-13 16:00'), to: vn('2026-03-16 09:00') }; // Fri 1 h + Mon 1 h
    expect(pausedWorkingMinutes(cal, vn(received), [pause])).toBe(120);
    expect(due(received, working(40), [pause])).toBe('2026-03-19T10:00:00+07:00');
  });

  it('ignores an open pause', () => {
    const closed = { from: vn('2026-03-13 16:00'), to: vn('2026-03-16 09:00') };
    const open = { from: vn('2026-03-17 09:00'), to: null };
    expect(due(received, working(40), [closed, open])).toBe('2026-03-19T10:00:00+07:00');
    expect(due(received, working(40), [open])).toBe('2026-03-18T17:00:00+07:00');
  });

  it('counts overlapping pauses once and adds separate pauses up', () => {
    const pauses = [
      { from: vn('2026-03-13 16:00'), to: vn('2026-03-16 09:00') },
      { from: vn('2026-03-16 08:30'), to: vn('2026-03-16 10:00') },
      { from: vn('2026-03-17 13:00'), to: vn('2026-03-17 14:00') },
    ];
    expect(pausedWorkingMinutes(cal, vn(received), pauses)).toBe(60 + 120 + 60);
    expect(due(received, working(40), pauses)).toBe('2026-03-19T12:00:00+07:00');
  });

  it('clips a pause to the receipt and refuses a pause that ends before it starts', () => {
    expect(pausedWorkingMinutes(cal, vn(received), [{ from: vn('2026-03-11 08:00'), to: vn('2026-03-12 09:00') }])).toBe(60);
    expect(() => due(received, working(40), [{ from: vn('2026-03-13 10:00'), to: vn('2026-03-13 09:00') }])).toThrow(RangeError);
  });

  it('a pause across Tết adds nothing for the holiday week', () => {
    // Received Thu 12 Feb 08:00, 3 working days: Thu 8 h, Fri 8 h, Mon 23 Feb 8 h → Mon 23 Feb 17:00.
    expect(due('2026-02-12 08:00', working(24))).toBe('2026-02-23T17:00:00+07:00');
    const pause = { from: vn('2026-02-13 15:00'), to: vn('2026-02-23 10:00') }; // Fri 2 h + Mon 2 h
    expect(due('2026-02-12 08:00', working(24), [pause])).toBe('2026-02-24T12:00:00+07:00');
  });

  it('also extends same-day and calendar-day due times by the paused working time', () => {
    const pause = { from: vn('2026-03-10 10:00'), to: vn('2026-03-10 11:00') };
    expect(due('2026-03-10 09:00', sameDay, [pause])).toBe('2026-03-11T09:00:00+07:00');
    expect(due('2026-03-10 09:00', calendarHours(24), [pause])).toBe('2026-03-11T10:00:00+07:00');
  });

  it('refuses nonsense durations', () => {
    expect(() => due('2026-03-10 09:00', working(-1))).toThrow(RangeError);
    expect(() => due('2026-03-10 09:00', working(Number.POSITIVE_INFINITY))).toThrow(RangeError);
    expect(() => computeDue(cal, { receivedAt: Number.NaN, duration: working(8) })).toThrow(RangeError);
  });
});

describe('procedureDuration', () => {
  it.each([
    ['ngày làm việc', 24, { hours: 24, unit: 'working' }],
    ['Ngày làm việc', 12, { hours: 12, unit: 'working' }],
    ['NGÀY LÀM VIỆC', 4, { hours: 4, unit: 'working' }],
    ['ngay lam viec', 40, { hours: 40, unit: 'working' }],
    ['  Ngay  lam  viec ', 8, { hours: 8, unit: 'working' }],
    ['ngày', 360, { hours: 360, unit: 'calendar' }],
    ['Ngày', 24, { hours: 24, unit: 'calendar' }],
    ['NGAY', 24, { hours: 24, unit: 'calendar' }],
    ['trong ngày', 0, { hours: 0, unit: 'same_day' }],
    ['Trong ngày', 8, { hours: 8, unit: 'same_day' }],
    ['TRONG NGAY', 4, { hours: 4, unit: 'same_day' }],
  ])('%j, %d h', (unit, hours, expected) => {
    expect(procedureDuration(unit, hours)).toEqual(expected);
  });

  it('returns null for unknown units and bad hours', () => {
    expect(procedureDuration('giờ', 4)).toBeNull();
    expect(procedureDuration('tháng', 1)).toBeNull();
    expect(procedureDuration('', 8)).toBeNull();
    expect(procedureDuration('ngày làm việc', -8)).toBeNull();
    expect(procedureDuration('ngày làm việc', Number.NaN)).toBeNull();
  });

  it('composes with computeDue (certified copy: same day; marital status: 3 working days)', () => {
    const copy = procedureDuration('Trong ngày', 0);
    const marital = procedureDuration('Ngày làm việc', 24);
    if (!copy || !marital) throw new Error('expected durations');
    expect(iso(computeDue(cal, { receivedAt: vn('2026-03-10 15:10'), duration: copy }))).toBe('2026-03-11T17:00:00+07:00');
    expect(iso(computeDue(cal, { receivedAt: vn('2026-03-10 15:10'), duration: marital }))).toBe('2026-03-13T15:10:00+07:00');
  });
});

describe('defaultDocumentDue (document without a sender DueDate)', () => {
  it.each([
    [0, '2026-02-27T10:00:00+07:00', 'Thường: 5 working days'],
    [1, '2026-02-24T10:00:00+07:00', 'Khẩn: 2 working days'],
    [2, '2026-02-23T10:00:00+07:00', 'Thượng khẩn: 1 working day'],
    [3, '2026-02-13T15:00:00+07:00', 'Hỏa tốc: 4 working hours'],
    [4, '2026-02-13T15:00:00+07:00', 'Hỏa tốc hẹn giờ: 4 working hours'],
  ])('priority %d received Fri 13 Feb 2026 10:00 → %s (%s)', (priority, expected) => {
    expect(iso(defaultDocumentDue(cal, vn('2026-02-13 10:00'), priority))).toBe(expected);
  });

  it('starts counting at the next opening', () => {
    expect(iso(defaultDocumentDue(cal, vn('2026-03-13 20:00'), 3))).toBe('2026-03-16T12:00:00+07:00');
  });

  it('uses the periods configured in the calendar file', () => {
    const custom = loadCalendar({
      ...structuredClone(shipped),
      documentDefaults: { workingHoursByPriority: { '0': 80, '1': 24, '2': 8, '3': 2, '4': 1 } },
    });
    expect(iso(defaultDocumentDue(custom, vn('2026-03-09 08:00'), 0))).toBe('2026-03-20T17:00:00+07:00');
    expect(iso(defaultDocumentDue(custom, vn('2026-03-09 08:00'), 4))).toBe('2026-03-09T09:00:00+07:00');
  });

  it('refuses a priority outside 0..4', () => {
    expect(() => defaultDocumentDue(cal, vn('2026-03-09 08:00'), 5)).toThrow(RangeError);
    expect(() => defaultDocumentDue(cal, vn('2026-03-09 08:00'), 1.5)).toThrow(RangeError);
  });
});

describe('endOfDateInOffice (DueDate given as a date only)', () => {
  it.each([
    ['2026-11-30', '2026-11-30T17:00:00+07:00', 'a Monday'],
    ['2026/11/30', '2026-11-30T17:00:00+07:00', 'edXML form'],
    ['2026-01-10', '2026-01-10T17:00:00+07:00', 'working Saturday'],
    ['2026-02-17', '2026-02-23T17:00:00+07:00', 'Tết'],
    ['2026-04-26', '2026-04-28T17:00:00+07:00', 'Sunday before the compensating Monday'],
    ['2026-08-29', '2026-09-03T17:00:00+07:00', 'Saturday before 31 Aug–2 Sep'],
  ])('%s → %s (%s)', (date, expected) => {
    expect(iso(endOfDateInOffice(cal, date))).toBe(expected);
  });

  it('refuses text that is not a date', () => {
    expect(() => endOfDateInOffice(cal, '2026-02-30')).toThrow(RangeError);
    expect(() => endOfDateInOffice(cal, '2026-02/03')).toThrow(RangeError);
    expect(() => endOfDateInOffice(cal, '30/11/2026')).toThrow(RangeError);
  });
});
