/**
 * Deadline engine: office calendar, working-time arithmetic, due times and SLA states.
 * Plain Node/TypeScript (no electron); all instants are epoch milliseconds.
 */
export { CalendarDataSchema, DEFAULT_DOCUMENT_WORKING_HOURS, type CalendarData, type CalendarFile } from './calendar.schema';
export { CalendarDataError, defaultCalendar, loadCalendar } from './calendar.loader';
export { WorkCalendar, type CalendarDayEntry, type OfficeRange } from './work-calendar';
export {
  DURATION_UNITS,
  computeDue,
  defaultDocumentDue,
  endOfDateInOffice,
  pausedWorkingMinutes,
  procedureDuration,
  type DueInput,
  type Duration,
  type DurationUnit,
  type Pause,
} from './deadline.service';
export { classifyDue, slaBoundaries, slaFor, type DueClass, type SlaBoundaries, type SlaInput, type SlaResult } from './sla.service';
export { formatOfficeIso } from './office-time';
