/** A date and time on a wall clock, in no particular time zone. */
export interface LocalDateTime {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** How a legacy export writes its times, e.g. "MM/DD/YYYY hh:mm:ss AM" or "M/D/YY H:mm". */
export interface DateFormat {
  pattern: string;
  /** The wall-clock time written in `text`, or undefined when it is not one in this format. */
  parse(text: string): LocalDateTime | undefined;
}

type Part = 'year4' | 'year2' | 'month' | 'day' | 'hour24' | 'hour12' | 'minute' | 'second' | 'meridiem';

/**
 * Tokens, longest first. YYYY year, YY year in 1970–2069, MM/M month, DD/D day, HH/H hour 0–23,
 * hh/h hour 1–12 (with AM), mm minute, ss second, AM the AM/PM marker; the doubled forms want two
 * digits, the single ones take one or two. Anything else must appear as written.
 */
const TOKENS: [string, Part, string][] = [
  ['YYYY', 'year4', '(\\d{4})'],
  ['YY', 'year2', '(\\d{2})'],
  ['MM', 'month', '(\\d{2})'],
  ['DD', 'day', '(\\d{2})'],
  ['HH', 'hour24', '(\\d{2})'],
  ['hh', 'hour12', '(\\d{2})'],
  ['mm', 'minute', '(\\d{2})'],
  ['ss', 'second', '(\\d{2})'],
  ['AM', 'meridiem', '([AaPp][Mm])'],
  ['M', 'month', '(\\d{1,2})'],
  ['D', 'day', '(\\d{1,2})'],
  ['H', 'hour24', '(\\d{1,2})'],
  ['h', 'hour12', '(\\d{1,2})'],
];

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A UTC Date for a calendar day (days past the month's end roll over), without Date.UTC's years 0–99 meaning 1900–1999. */
function utcDay(year: number, month: number, day: number): Date {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return date;
}

export const daysInMonth = (year: number, month: number): number => utcDay(year, month + 1, 0).getUTCDate();

/** Compiles a format; throws when it cannot describe a moment (no year, a 12-hour clock without AM, a part twice…). */
export function dateFormat(pattern: string): DateFormat {
  const parts: Part[] = [];
  let source = '';
  for (let at = 0; at < pattern.length; ) {
    const token = TOKENS.find(([text]) => pattern.startsWith(text, at));
    if (token) {
      parts.push(token[1]);
      source += token[2];
      at += token[0].length;
    } else {
      source += escapeRegExp(pattern[at]);
      at++;
    }
  }
  const has = (part: Part) => parts.includes(part);
  const problems = [
    new Set(parts).size !== parts.length && 'a part appears twice',
    !has('year4') && !has('year2') && 'no year (YYYY or YY)',
    has('year4') && has('year2') && 'two years',
    !has('month') && 'no month (MM or M)',
    !has('day') && 'no day (DD or D)',
    !has('hour24') && !has('hour12') && 'no hour (HH, H, hh or h)',
    has('hour24') && has('hour12') && 'both a 24-hour and a 12-hour hour',
    has('hour12') !== has('meridiem') && 'a 12-hour hour (hh, h) goes with AM, and AM with it',
    has('second') && !has('minute') && 'seconds without minutes',
  ].filter((p): p is string => typeof p === 'string');
  if (problems.length > 0) throw new Error(`date format "${pattern}": ${problems.join('; ')}`);
  const regex = new RegExp(`^${source}$`);

  return {
    pattern,
    parse(text) {
      const match = regex.exec(text.trim());
      if (!match) return undefined;
      const value: Partial<Record<Part, number>> = {};
      let pm = false;
      parts.forEach((part, index) => {
        const group = match[index + 1];
        if (part === 'meridiem') pm = group.toUpperCase() === 'PM';
        else value[part] = Number(group);
      });
      const year = value.year4 ?? (value.year2! < 70 ? 2000 + value.year2! : 1900 + value.year2!);
      // Year 0001 and the like are a legacy system's way of saying "none", not a time.
      if (year < 1000) return undefined;
      const { month = 0, day = 0, minute = 0, second = 0 } = value;
      if (value.hour12 !== undefined && (value.hour12 < 1 || value.hour12 > 12)) return undefined;
      const hour = value.hour24 ?? (value.hour12! % 12) + (pm ? 12 : 0);
      if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return undefined;
      return { year, month, day, hour, minute, second };
    },
  };
}

/** Throws a RangeError unless the IANA time zone is known to this runtime's Intl. */
export function checkTimeZone(timeZone: string): void {
  new Intl.DateTimeFormat('en-US', { timeZone });
}

const formatters = new Map<string, Intl.DateTimeFormat>();
/** Offsets by zone and quarter of an hour (every zone changes its offset on a quarter-hour). */
const offsets = new Map<string, Map<number, number>>();
const QUARTER_HOUR = 15 * 60 * 1000;
const DAY = 24 * 60 * 60 * 1000;

/** How far the zone's wall clock is ahead of UTC at an instant, in ms (negative west of Greenwich). */
export function utcOffset(timeZone: string, epochMs: number): number {
  let byQuarter = offsets.get(timeZone);
  if (!byQuarter) offsets.set(timeZone, (byQuarter = new Map()));
  const quarter = Math.floor(epochMs / QUARTER_HOUR);
  const known = byQuarter.get(quarter);
  if (known !== undefined) return known;
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(timeZone, formatter);
  }
  const at = quarter * QUARTER_HOUR;
  const part: Record<string, string> = {};
  for (const { type, value } of formatter.formatToParts(new Date(at))) part[type] = value;
  const wall = utcDay(Number(part.year), Number(part.month), Number(part.day)).getTime() + ((Number(part.hour) * 60 + Number(part.minute)) * 60 + Number(part.second)) * 1000;
  const offset = wall - at;
  byQuarter.set(quarter, offset);
  return offset;
}

const wallMs = (local: LocalDateTime) => utcDay(local.year, local.month, local.day).getTime() + ((local.hour * 60 + local.minute) * 60 + local.second) * 1000;

/**
 * The instant a wall-clock time in a time zone stands for, as java.time and Temporal's
 * "compatible" do at a change of offset: a time the clocks skipped (spring forward, 02:30 on a
 * night they jump from 02:00 to 03:00) is read with the offset before the change (so 03:30); a time
 * they showed twice (fall back, 01:30 on a night they go from 02:00 back to 01:00) is the first.
 */
export function zonedTimeToUtc(local: LocalDateTime, timeZone: string): { epochMs: number; shift?: 'skipped' | 'repeated' } {
  const wall = wallMs(local);
  // Offsets change at most once in two days: the ones a day before and after are the candidates.
  const before = utcOffset(timeZone, wall - DAY);
  const after = utcOffset(timeZone, wall + DAY);
  if (before === after) return { epochMs: wall - before };
  const first = wall - before;
  const second = wall - after;
  const firstHolds = utcOffset(timeZone, first) === before;
  const secondHolds = utcOffset(timeZone, second) === after;
  if (firstHolds && secondHolds) return { epochMs: Math.min(first, second), shift: 'repeated' };
  if (firstHolds) return { epochMs: first };
  if (secondHolds) return { epochMs: second };
  return { epochMs: first, shift: 'skipped' };
}

/** The wall-clock time `days` calendar days later (same time of day, whatever the offset then). */
export function addDays(local: LocalDateTime, days: number): LocalDateTime {
  const date = utcDay(local.year, local.month, local.day + days);
  return { ...local, year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}
