/**
 * Loading the office calendar: validate the JSON (edited by IT staff) and build a WorkCalendar.
 */
import shippedCalendar from '../../../resources/calendars/vn-public-sector.json';
import { issueLines } from '../util/zod-issues';
import { CalendarDataSchema } from './calendar.schema';
import { WorkCalendar } from './work-calendar';

/** The calendar file is invalid; `issues` lists one readable line per problem (field path: message). */
export class CalendarDataError extends Error {
  constructor(readonly issues: readonly string[]) {
    super(`Invalid calendar data:\n${issues.map((i) => `- ${i}`).join('\n')}`);
    this.name = 'CalendarDataError';
  }
}


/**
 * Validate calendar data and build the calendar. Accepts the parsed JSON value, or the file's text.
 * @throws CalendarDataError naming each bad field (and date) when the data is invalid.
 */
export function loadCalendar(json: unknown): WorkCalendar {
  let value = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json) as unknown;
    } catch (err) {
      throw new CalendarDataError([`(file): not valid JSON (${err instanceof Error ? err.message : String(err)})`]);
    }
  }
  const parsed = CalendarDataSchema.safeParse(value);
  if (!parsed.success) throw new CalendarDataError(issueLines(parsed.error));
  return new WorkCalendar(parsed.data);
}

/** The shipped Vietnamese public-sector calendar (Hanoi office hours), 2025–2026. A new instance per call. */
export function defaultCalendar(): WorkCalendar {
  return loadCalendar(shippedCalendar);
}
