import { BusinessCalendar, nextWorkingMoment } from '@caseline/city-calendar';

/** When no text message goes out, wall-clock in the city: e.g. 21:00 to 08:00. */
export interface QuietHours {
  start: string;
  end: string;
}

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

/** Problems with a quiet-hours setting; they must run over midnight (21:00–08:00) or start at it (00:00–07:00). */
export function validateQuietHours(value: unknown, where: string): string[] {
  const quiet = value as QuietHours;
  if (typeof value !== 'object' || value === null || !HHMM.test(String(quiet.start)) || !HHMM.test(String(quiet.end))) return [`${where} must be { "start": "HH:MM", "end": "HH:MM" }`];
  if (quiet.start === quiet.end) return [`${where}: start and end are the same time`];
  if (quiet.start < quiet.end && quiet.start !== '00:00') return [`${where} must run over midnight (e.g. 21:00 to 08:00) or start at 00:00`];
  return [];
}

/** The hours texts may go out, as a calendar of every day: the complement of the quiet hours. */
const sendingHours = (quiet: QuietHours, timeZone: string): BusinessCalendar => ({
  timeZone,
  workingDays: [1, 2, 3, 4, 5, 6, 7],
  hours: quiet.start > quiet.end ? { start: quiet.end, end: quiet.start } : { start: quiet.end, end: '24:00' },
  holidays: [],
});

/** When a text message may go out: now, or the end of the quiet hours it falls in. */
export function smsAllowedAt(now: Date, quiet: QuietHours | undefined, timeZone: string): Date {
  return quiet ? nextWorkingMoment(sendingHours(quiet, timeZone), now) : now;
}
