/**
 * What the queue needs from the deadline engine, bound to the office calendar.
 * The queue receives this by constructor injection; core.ts builds it with `calendarDeadlinePolicy`.
 */
import {
  defaultDocumentDue,
  slaBoundaries,
  slaFor,
  type SlaBoundaries,
  type SlaInput,
  type SlaResult,
  type WorkCalendar,
} from '../deadline';

export type { SlaBoundaries, SlaInput, SlaResult };

export interface DeadlinePolicy {
  /** `boundaries` must be `boundaries(now)` when given (saves recomputing them per row). */
  sla(now: number, item: SlaInput, boundaries?: SlaBoundaries): SlaResult;
  boundaries(now: number): SlaBoundaries;
  /** Assumed due time of a document that carries no deadline, from its priority (độ khẩn). */
  defaultDocumentDue(receivedAt: number, priority: number): number;
}

export function calendarDeadlinePolicy(calendar: WorkCalendar): DeadlinePolicy {
  return {
    sla: (now, item, boundaries) => slaFor(calendar, now, item, boundaries),
    boundaries: (now) => slaBoundaries(calendar, now),
    defaultDocumentDue: (receivedAt, priority) => defaultDocumentDue(calendar, receivedAt, priority),
  };
}
