import { describe, expect, it } from 'vitest';
import shipped from '../../../resources/calendars/vn-public-sector.json';
import { CalendarDataError, defaultCalendar, loadCalendar } from '../../../src/core/deadline';

type Mutable = Record<string, unknown>;

function withChanges(change: (data: Mutable) => void): Mutable {
  const data = structuredClone(shipped) as unknown as Mutable;
  change(data);
  return data;
}

function issuesOf(json: unknown): readonly string[] {
  try {
    loadCalendar(json);
  } catch (err) {
    if (err instanceof CalendarDataError) return err.issues;
    throw err;
  }
  throw new Error('expected the calendar to be rejected');
}

describe('the shipped calendar file', () => {
  const cal = defaultCalendar();

  it('has Hanoi office hours, the 15:00 cutoff, UTC+7 and an 8-hour due-soon horizon', () => {
    expect(cal.utcOffsetMinutes).toBe(420);
    expect(cal.officeHours).toEqual([
      { startMinute: 480, endMinute: 720 },
      { startMinute: 780, endMinute: 1020 },
    ]);
    expect(cal.workingMinutesPerDay).toBe(480);
    expect(cal.sameDayCutoffMinute).toBe(900);
    expect(cal.dueSoonWorkingHours).toBe(8);
    expect(cal.documentWorkingHours).toEqual([40, 16, 8, 4, 4]);
    expect(cal.years).toEqual([2025, 2026]);
  });

  it('lists exactly the 2026 weekday days off and working Saturdays of DOMAIN.md', () => {
    const days2026 = cal.holidays.filter((h) => h.date.startsWith('2026')).map((h) => h.date);
    expect(days2026).toEqual([
      '2026-01-01', '2026-01-02', '2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20',
      '2026-04-27', '2026-04-30', '2026-05-01', '2026-08-31', '2026-09-01', '2026-09-02',
    ]);
    expect(cal.workingSaturdays.map((w) => w.date)).toEqual(['2026-01-10', '2026-08-22']);
  });

  it('lists the 2025 days off of DOMAIN.md', () => {
    const days2025 = cal.holidays.filter((h) => h.date.startsWith('2025')).map((h) => h.date);
    expect(days2025).toEqual([
      '2025-01-01', '2025-01-27', '2025-01-28', '2025-01-29', '2025-01-30', '2025-01-31',
      '2025-04-07', '2025-04-30', '2025-05-01', '2025-09-01', '2025-09-02',
    ]);
  });

  it('gives every entry a Vietnamese name', () => {
    for (const entry of [...cal.holidays, ...cal.workingSaturdays]) expect(entry.name.trim()).not.toBe('');
  });

  it('returns a fresh instance per call (no module singleton)', () => {
    expect(defaultCalendar()).not.toBe(defaultCalendar());
  });
});

describe('loadCalendar validation', () => {
  it('accepts the file as text too', () => {
    expect(loadCalendar(JSON.stringify(shipped)).isWorkingDay('2026-01-10')).toBe(true);
    expect(issuesOf('{ not json')).toEqual([expect.stringMatching(/^\(file\): not valid JSON/)]);
  });

  it('applies defaults for optional settings', () => {
    const minimal = loadCalendar({ officeHours: [{ start: '08:00', end: '17:00' }], years: [2026], holidays: [] });
    expect(minimal.utcOffsetMinutes).toBe(420);
    expect(minimal.sameDayCutoffMinute).toBe(900);
    expect(minimal.dueSoonWorkingHours).toBe(8);
    expect(minimal.documentWorkingHours).toEqual([40, 16, 8, 4, 4]);
    expect(minimal.workingSaturdays).toEqual([]);
    expect(minimal.workingMinutesPerDay).toBe(540);
  });

  it('names the field and the date of an invalid date', () => {
    const issues = issuesOf(withChanges((d) => {
      (d.holidays as Array<{ date: string }>)[3] = { date: '2026-02-30', name: 'Ngày sai' } as never;
    }));
    expect(issues).toContain('holidays[3].date: "2026-02-30" is not a valid date (expected YYYY-MM-DD, a real calendar day)');
  });

  it('rejects dates written another way', () => {
    const issues = issuesOf(withChanges((d) => {
      d.workingSaturdays = [{ date: '10/01/2026', name: 'Làm bù' }];
    }));
    expect(issues).toEqual([expect.stringMatching(/^workingSaturdays\[0\]\.date: "10\/01\/2026" is not a valid date/)]);
  });

  it('reports a duplicate date with both positions', () => {
    const issues = issuesOf(withChanges((d) => {
      (d.holidays as unknown[]).push({ date: '2026-09-02', name: 'Quốc khánh' });
    }));
    expect(issues).toEqual([expect.stringMatching(/^holidays\[24\]\.date: duplicate holiday 2026-09-02 \(already listed at holidays\[23\]\)$/)]);
  });

  it('reports a date that is both a holiday and a working Saturday', () => {
    const issues = issuesOf(withChanges((d) => {
      (d.holidays as unknown[]).push({ date: '2026-08-22', name: 'Nhầm' });
    }));
    expect(issues).toEqual([
      'workingSaturdays[1].date: 2026-08-22 is listed both as a working Saturday and as a holiday (holidays[24])',
    ]);
  });

  it('reports a working "Saturday" that is a weekday', () => {
    const issues = issuesOf(withChanges((d) => {
      d.workingSaturdays = [{ date: '2026-01-09', name: 'Làm bù' }];
    }));
    expect(issues).toEqual([expect.stringMatching(/^workingSaturdays\[0\]\.date: working Saturday 2026-01-09 is a weekday/)]);
  });

  it('accepts a worked Sunday', () => {
    const cal = loadCalendar(withChanges((d) => {
      d.workingSaturdays = [{ date: '2026-03-08', name: 'Làm bù Chủ nhật' }];
    }));
    expect(cal.isWorkingDay('2026-03-08')).toBe(true);
  });

  it('reports an entry outside the listed years', () => {
    const issues = issuesOf(withChanges((d) => {
      (d.holidays as unknown[]).push({ date: '2027-01-01', name: 'Tết Dương lịch' });
    }));
    expect(issues).toEqual(['holidays[24].date: holiday 2027-01-01 is in 2027, which is not listed in "years"']);
  });

  it('reports office hours that end before they start', () => {
    const issues = issuesOf(withChanges((d) => {
      d.officeHours = [{ start: '08:00', end: '12:00' }, { start: '17:00', end: '13:00' }];
    }));
    expect(issues).toEqual(['officeHours[1].end: office hours 17:00–13:00: end must be after start']);
  });

  it('reports office hours that are empty (end = start)', () => {
    const issues = issuesOf(withChanges((d) => {
      d.officeHours = [{ start: '08:00', end: '08:00' }];
    }));
    expect(issues).toEqual(['officeHours[0].end: office hours 08:00–08:00: end must be after start']);
  });

  it('reports overlapping or unordered office hours', () => {
    expect(issuesOf(withChanges((d) => {
      d.officeHours = [{ start: '08:00', end: '12:00' }, { start: '11:30', end: '17:00' }];
    }))).toEqual([
      'officeHours[1].start: office hours 11:30–17:00 overlap the previous range or are out of order (previous range ends at 12:00)',
    ]);
    expect(issuesOf(withChanges((d) => {
      d.officeHours = [{ start: '13:00', end: '17:00' }, { start: '08:00', end: '12:00' }];
    }))).toEqual([expect.stringMatching(/^officeHours\[1\]\.start: office hours 08:00–12:00 overlap the previous range or are out of order/)]);
  });

  it('reports bad times of day and missing office hours', () => {
    expect(issuesOf(withChanges((d) => {
      d.officeHours = [{ start: '8:00', end: '12:00' }];
      d.sameDayCutoff = '15h';
    }))).toEqual([
      'officeHours[0].start: "8:00" is not a valid time of day (expected HH:MM between 00:00 and 24:00)',
      'sameDayCutoff: "15h" is not a valid time of day (expected HH:MM between 00:00 and 24:00)',
    ]);
    expect(issuesOf(withChanges((d) => {
      d.officeHours = [];
    }))).toEqual(['officeHours: at least one office-hours range is needed']);
  });

  it('rejects unknown keys (typos) and wrong types with their paths', () => {
    const issues = issuesOf(withChanges((d) => {
      d.workingSaturday = [];
      d.utcOffsetMinutes = '420';
      d.dueSoonWorkingHours = 0;
    }));
    expect(issues).toHaveLength(3);
    expect(issues.some((i) => i.startsWith('(root):') && i.includes('workingSaturday'))).toBe(true);
    expect(issues.some((i) => i.startsWith('utcOffsetMinutes:'))).toBe(true);
    expect(issues.some((i) => i.startsWith('dueSoonWorkingHours:'))).toBe(true);
  });

  it('rejects a document default that is missing or not positive', () => {
    const issues = issuesOf(withChanges((d) => {
      d.documentDefaults = { workingHoursByPriority: { '0': 40, '1': 16, '2': 8, '3': 0 } };
    }));
    expect(issues.some((i) => i.startsWith('documentDefaults.workingHoursByPriority.3:'))).toBe(true);
    expect(issues.some((i) => i.startsWith('documentDefaults.workingHoursByPriority.4:'))).toBe(true);
  });

  it('collects every problem in one error message', () => {
    let caught: unknown;
    try {
      loadCalendar(withChanges((d) => {
        d.holidays = [{ date: '2026-13-01', name: 'x' }, { date: '2026-01-01', name: '' }];
        d.officeHours = [{ start: '12:00', end: '08:00' }];
      }));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(CalendarDataError);
    const message = (caught as Error).message;
    expect(message).toMatch(/^Invalid calendar data:\n- /);
    expect(message).toContain('holidays[0].date: "2026-13-01"');
    expect(message).toContain('holidays[1].name: name must not be empty');
  });

  it('rejects a value that is not an object', () => {
    expect(issuesOf(null)).toEqual([expect.stringMatching(/^\(root\): /)]);
    expect(issuesOf([])).toEqual([expect.stringMatching(/^\(root\): /)]);
  });
});
