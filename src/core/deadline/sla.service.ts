/**
 * SLA state of a work item at a given instant, and the instants that separate the states so the
 * cache can filter by SLA in SQL with plain range conditions on due_at:
 *
 *   overdue    due_at <  now
 *   due_today  due_at >= now              AND due_at <= endOfToday
 *   due_soon   due_at >  endOfToday       AND due_at <= endOfNextWorkingDay
 *   on_track   due_at >  endOfNextWorkingDay
 *
 * (plus the item conditions: clock running, not paused, due_at not null). `slaFor` classifies with
 * the very same comparisons (`classifyDue`), so list filters and badges always agree.
 */
import { type SlaState } from '../../shared/domain';
import { type WorkCalendar } from './work-calendar';

export interface SlaBoundaries {
  now: number;
  /** Last millisecond of today in office time (inclusive bound). */
  endOfToday: number;
  /**
   * Last millisecond (inclusive bound) of the office day on which `dueSoonWorkingHours` working
   * hours counted from the first opening after today are complete. With the default 8 h and an
   * 8-hour day: the end of the next working day.
   */
  endOfNextWorkingDay: number;
}

export interface SlaInput {
  dueAt: number | null;
  /** Open and not resolved (see isClockRunning in shared/domain). */
  clockRunning: boolean;
  /** Waiting for the citizen's supplement (see isPausedStatus in shared/domain). */
  paused: boolean;
}

export interface SlaResult {
  sla: SlaState;
  /**
   * Whole working minutes from now to the due time, rounded down; when overdue, minus the working
   * minutes from the due time to now, rounded up (so it can be 0 when only non-working time has
   * passed since the due time). null when there is no running deadline (none, paused).
   */
  remainingWorkingMinutes: number | null;
}

export type DueClass = Extract<SlaState, 'overdue' | 'due_today' | 'due_soon' | 'on_track'>;

export function slaBoundaries(calendar: WorkCalendar, now: number): SlaBoundaries {
  const endOfToday = calendar.endOfDay(now);
  const horizon = calendar.addWorkingMinutes(endOfToday + 1, calendar.dueSoonWorkingHours * 60);
  return { now, endOfToday, endOfNextWorkingDay: calendar.endOfDay(horizon) };
}

/** Classify a due instant against precomputed boundaries (the same comparisons as the SQL ranges). */
export function classifyDue(b: SlaBoundaries, dueAt: number): DueClass {
  if (dueAt < b.now) return 'overdue';
  if (dueAt <= b.endOfToday) return 'due_today';
  if (dueAt <= b.endOfNextWorkingDay) return 'due_soon';
  return 'on_track';
}

/**
 * SLA state at `now`: none when the clock is not running; paused when running but paused (even
 * without a due time); none without a due time; otherwise overdue (now > dueAt), due_today
 * (dueAt ≤ end of today, office time), due_soon (dueAt ≤ end of the next working day), on_track.
 * Pass `boundaries` (from `slaBoundaries(calendar, now)`) when classifying many items at once.
 */
export function slaFor(
  calendar: WorkCalendar,
  now: number,
  item: SlaInput,
  boundaries: SlaBoundaries = slaBoundaries(calendar, now),
): SlaResult {
  if (boundaries.now !== now) throw new RangeError('slaFor: boundaries were computed for a different instant');
  if (!item.clockRunning) return { sla: 'none', remainingWorkingMinutes: null };
  if (item.paused) return { sla: 'paused', remainingWorkingMinutes: null };
  if (item.dueAt === null) return { sla: 'none', remainingWorkingMinutes: null };

  const sla = classifyDue(boundaries, item.dueAt);
  if (sla === 'overdue') {
    const late = calendar.workingMinutesBetween(item.dueAt, now);
    return { sla, remainingWorkingMinutes: 0 - Math.ceil(late) };
  }
  const left = calendar.workingMinutesBetween(now, item.dueAt);
  return { sla, remainingWorkingMinutes: Math.floor(left) };
}
