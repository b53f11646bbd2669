/**
 * Schema of the office calendar file (resources/calendars/*.json). The file is edited by IT staff,
 * so it is a trust boundary: everything is validated, unknown keys are rejected (typos would
 * otherwise be silently ignored), and every message names the field and, for dates, the date.
 */
import { z } from 'zod';
import { dayOfDateKey, formatClock, isValidDateKey, parseClock, weekdayOfDay } from './office-time';

const comment = z.string().optional();

const DateKeySchema = z.string().refine(isValidDateKey, {
  error: (iss) => `"${String(iss.input)}" is not a valid date (expected YYYY-MM-DD, a real calendar day)`,
});

const ClockSchema = z.string().refine((s) => parseClock(s) !== null, {
  error: (iss) => `"${String(iss.input)}" is not a valid time of day (expected HH:MM between 00:00 and 24:00)`,
});

export const CalendarDaySchema = z.strictObject({
  $comment: comment,
  date: DateKeySchema,
  name: z.string().trim().min(1, { error: 'name must not be empty' }),
});

export const OfficeHoursRangeSchema = z.strictObject({
  $comment: comment,
  start: ClockSchema,
  end: ClockSchema,
});

const PositiveHours = z.number().positive().max(24 * 366);

export const DEFAULT_DOCUMENT_WORKING_HOURS: Readonly<Record<'0' | '1' | '2' | '3' | '4', number>> = {
  '0': 40, // Thường: 5 working days (assumed)
  '1': 16, // Khẩn: 2 working days (assumed)
  '2': 8, // Thượng khẩn: 1 working day (assumed)
  '3': 4, // Hỏa tốc: 4 working hours (assumed)
  '4': 4, // Hỏa tốc hẹn giờ: 4 working hours (assumed)
};

export const DocumentDefaultsSchema = z.strictObject({
  $comment: comment,
  workingHoursByPriority: z.strictObject({
    '0': PositiveHours,
    '1': PositiveHours,
    '2': PositiveHours,
    '3': PositiveHours,
    '4': PositiveHours,
  }),
});

export const CalendarDataSchema = z
  .strictObject({
    $comment: comment,
    name: z.string().trim().min(1).default('Lịch làm việc'),
    /** Office UTC offset in minutes; Asia/Ho_Chi_Minh is a fixed +07:00 (no DST since 1975). */
    utcOffsetMinutes: z.number().int().min(-12 * 60).max(14 * 60).default(420),
    officeHours: z.array(OfficeHoursRangeSchema).min(1, { error: 'at least one office-hours range is needed' }),
    /** Same-day procedures received (normalised) at or after this time are due the next working day. */
    sameDayCutoff: ClockSchema.default('15:00'),
    /** Horizon of the due_soon SLA state, in working hours after the end of today, rounded up to whole days. */
    dueSoonWorkingHours: z.number().positive().max(24 * 366).default(8),
    documentDefaults: DocumentDefaultsSchema.default({ workingHoursByPriority: { ...DEFAULT_DOCUMENT_WORKING_HOURS } }),
    /** Years whose holidays and swapped days are fully listed. */
    years: z.array(z.number().int().min(1976).max(2200)).min(1, { error: 'list at least one year' }),
    holidays: z.array(CalendarDaySchema),
    workingSaturdays: z.array(CalendarDaySchema).default([]),
  })
  .superRefine((data, ctx) => {
    // Office hours: each range ends after it starts; ranges in ascending order and not overlapping.
    let previousEnd = -1;
    data.officeHours.forEach((range, i) => {
      const start = parseClock(range.start) ?? 0;
      const end = parseClock(range.end) ?? 0;
      if (end <= start) {
        ctx.addIssue({
          code: 'custom',
          path: ['officeHours', i, 'end'],
          message: `office hours ${range.start}–${range.end}: end must be after start`,
        });
      }
      if (start < previousEnd) {
        ctx.addIssue({
          code: 'custom',
          path: ['officeHours', i, 'start'],
          message: `office hours ${range.start}–${range.end} overlap the previous range or are out of order (previous range ends at ${formatClock(previousEnd)})`,
        });
      }
      previousEnd = Math.max(previousEnd, end);
    });

    const years = new Set(data.years);
    const seenYears = new Set<number>();
    data.years.forEach((y, i) => {
      if (seenYears.has(y)) ctx.addIssue({ code: 'custom', path: ['years', i], message: `year ${y} is listed twice` });
      seenYears.add(y);
    });

    const holidayIndex = new Map<string, number>();
    data.holidays.forEach((h, i) => {
      if (!isValidDateKey(h.date)) return; // already reported
      const first = holidayIndex.get(h.date);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['holidays', i, 'date'],
          message: `duplicate holiday ${h.date} (already listed at holidays[${first}])`,
        });
      } else {
        holidayIndex.set(h.date, i);
      }
      const year = Number(h.date.slice(0, 4));
      if (!years.has(year)) {
        ctx.addIssue({
          code: 'custom',
          path: ['holidays', i, 'date'],
          message: `holiday ${h.date} is in ${year}, which is not listed in "years"`,
        });
      }
    });

    const workingIndex = new Map<string, number>();
    data.workingSaturdays.forEach((w, i) => {
      if (!isValidDateKey(w.date)) return; // already reported
      const first = workingIndex.get(w.date);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['workingSaturdays', i, 'date'],
          message: `duplicate working day ${w.date} (already listed at workingSaturdays[${first}])`,
        });
      } else {
        workingIndex.set(w.date, i);
      }
      const weekday = weekdayOfDay(dayOfDateKey(w.date) ?? 0);
      if (weekday !== 0 && weekday !== 6) {
        ctx.addIssue({
          code: 'custom',
          path: ['workingSaturdays', i, 'date'],
          message: `working Saturday ${w.date} is a weekday (Monday–Friday are working days already): wrong date?`,
        });
      }
      const holiday = holidayIndex.get(w.date);
      if (holiday !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['workingSaturdays', i, 'date'],
          message: `${w.date} is listed both as a working Saturday and as a holiday (holidays[${holiday}])`,
        });
      }
      const year = Number(w.date.slice(0, 4));
      if (!years.has(year)) {
        ctx.addIssue({
          code: 'custom',
          path: ['workingSaturdays', i, 'date'],
          message: `working Saturday ${w.date} is in ${year}, which is not listed in "years"`,
        });
      }
    });
  });

/** The file as IT staff write it. */
export type CalendarFile = z.input<typeof CalendarDataSchema>;
/** The validated calendar, defaults applied. */
export type CalendarData = z.output<typeof CalendarDataSchema>;
