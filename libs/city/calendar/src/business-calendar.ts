/**
 * Business calendars: when a department works, and when a case's deadline falls.
 *
 * Semantics. Working time is, for every local date in `timeZone` that is one of `workingDays` and not
 * in `holidays`, the half-open interval [hours.start, hours.end) of that date's wall clock, turned into
 * real instants, so a working day that contains a DST change has its real length (00:00–24:00 on
 * 2026-03-08 in New York is 23 h). A wall-clock time that does not exist (DST gap) moves forward by the
 * gap; an ambiguous one (DST overlap) is the earlier instant. Hours and minutes count real working time,
 * and the answer is the earliest instant by which that much working time has elapsed after `start`, so
 * a deadline is a closing time (17:00) rather than the next opening (08:00), which is equivalent.
 * `businessDays: N` moves `start` to the next working moment (itself inside working hours; 17:00 sharp
 * is not) and lands on the same wall-clock time N working days later, clamped into that day's hours and
 * reported the same earliest way: Tuesday 10:00 + 2 = Thursday 10:00, Tuesday 06:00 + 1 = Tuesday 17:00,
 * Saturday + 1 = Monday 17:00. So N days equals N × (working minutes of a day) exactly when the working
 * days counted all have the same length, which always holds for hours that avoid the DST switch (e.g.
 * 08:00–17:00 in New York); when a DST change falls inside working hours (24×7 calendars), days keep the
 * wall-clock time (a day is then 23 or 25 h) while hours count the real elapsed time.
 *
 * Pure: the standard library and Intl only. Formatters and per-day results are cached by time zone and
 * calendar content (not object identity), so freshly merged calendar objects cost no recomputation.
 * Assumes a zone never changes its UTC offset twice within five days (true of the tz database today).
 */

import type { DeadlineTarget } from '@caseline/case-contracts';

/** A department's working time. Times are wall-clock in timeZone. */
export interface BusinessCalendar {
  /** IANA, e.g. 'America/New_York'. */
  timeZone: string;
  /** ISO weekdays, 1 = Monday … 7 = Sunday. */
  workingDays: number[];
  /** 'HH:MM' 24 h, start < end, e.g. { start: '08:00', end: '17:00' }; '00:00'–'24:00' means all day. */
  hours: { start: string; end: string };
  /** 'YYYY-MM-DD' local dates with no work. */
  holidays: string[];
}

/**
 * A deadline target: business days (a day = one full working day, i.e. 2 business days from Tuesday 10:00
 * = Thursday 10:00, holidays skipped) or business hours (counted only inside working hours). Exactly one is
 * set: days a positive integer, hours a positive multiple of 0.25 (15 minutes).
 */
export type { DeadlineTarget };

/** Mon–Fri 08:00–17:00 America/New_York, no holidays. Frozen: copy it to change it. */
export const DEFAULT_CALENDAR: BusinessCalendar = Object.freeze({
  timeZone: 'America/New_York',
  workingDays: Object.freeze([1, 2, 3, 4, 5]) as number[],
  hours: Object.freeze({ start: '08:00', end: '17:00' }),
  holidays: Object.freeze([]) as unknown as string[],
});

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** Ten years without one working moment means the calendar cannot produce a deadline. */
const MAX_SEARCH_DAYS = 3_700;
/** Caches are cleared when they reach this many entries (memory stays bounded for any input). */
const CACHE_LIMIT = 100_000;

// ---------------------------------------------------------------------------------------------
// Validation

const CALENDAR_FIELDS = ['timeZone', 'workingDays', 'hours', 'holidays'];
const TARGET_FIELDS = ['businessDays', 'businessHours'];
const HH_MM = /^(?:([01]\d|2[0-3]):([0-5]\d)|24:00)$/;
const YYYY_MM_DD = /^(\d{4})-(\d{2})-(\d{2})$/;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function show(value: unknown): string {
  let text: string;
  if (typeof value === 'number' || typeof value === 'bigint') text = String(value);
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** `<where>.<field> <value> must be <rule>`, or `<where>.<field> is missing; it must be <rule>`. */
function mustBe(where: string, field: string, value: unknown, rule: string): string {
  return value === undefined ? `${where}.${field} is missing; it must be ${rule}` : `${where}.${field} ${show(value)} must be ${rule}`;
}

function knownTimeZone(timeZone: string): boolean {
  if (zones.has(timeZone)) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** Minutes since midnight of a valid 'HH:MM' (24:00 = 1440). */
const minutesOf = (hhmm: string): number => (hhmm === '24:00' ? 1440 : Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5)));

/** The day number (days since 1970-01-01) of a real 'YYYY-MM-DD' date, or undefined. */
function dayOfIsoDate(text: string): number | undefined {
  const match = YYYY_MM_DD.exec(text);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return daysFromCivil(year, month, day);
}

/**
 * Problems with a calendar, each a sentence naming `where` and the field and rule; [] when it is fine.
 * `where` names the calendar itself, e.g. `departments.json: department DOT: calendar`, giving
 * `departments.json: department DOT: calendar.hours.start "8am" must be HH:MM`.
 */
export function validateCalendar(value: unknown, where: string): string[] {
  if (!isObject(value)) return [`${where} must be an object with timeZone, workingDays, hours and holidays`];
  const problems: string[] = [];
  for (const key of Object.keys(value)) {
    if (!CALENDAR_FIELDS.includes(key)) problems.push(`${where}.${key} is not a calendar field (${CALENDAR_FIELDS.join(', ')})`);
  }

  const { timeZone, workingDays, hours, holidays } = value;
  if (typeof timeZone !== 'string' || timeZone.trim() === '') problems.push(mustBe(where, 'timeZone', timeZone, 'an IANA time zone name such as "America/New_York"'));
  else if (!knownTimeZone(timeZone)) problems.push(`${where}.timeZone ${show(timeZone)} is not a time zone known to Intl (use an IANA name such as "America/New_York")`);

  if (!Array.isArray(workingDays) || workingDays.length === 0) {
    problems.push(mustBe(where, 'workingDays', workingDays, 'a non-empty list of ISO weekdays (1 = Monday … 7 = Sunday)'));
  } else {
    const seen = new Set<unknown>();
    workingDays.forEach((day: unknown, index) => {
      if (typeof day !== 'number' || !Number.isInteger(day) || day < 1 || day > 7) problems.push(mustBe(where, `workingDays[${index}]`, day, 'an integer from 1 (Monday) to 7 (Sunday)'));
      else if (seen.has(day)) problems.push(`${where}.workingDays[${index}] ${day} is listed twice`);
      seen.add(day);
    });
  }

  if (!isObject(hours)) problems.push(mustBe(where, 'hours', hours, 'an object { "start": "HH:MM", "end": "HH:MM" }'));
  else {
    const { start, end } = hours;
    const startOk = typeof start === 'string' && HH_MM.test(start);
    const endOk = typeof end === 'string' && HH_MM.test(end);
    if (!startOk) problems.push(mustBe(where, 'hours.start', start, 'HH:MM'));
    if (!endOk) problems.push(mustBe(where, 'hours.end', end, 'HH:MM (24:00 for the end of the day)'));
    if (startOk && endOk && minutesOf(start as string) >= minutesOf(end as string)) {
      problems.push(`${where}.hours.start ${show(start)} must be before hours.end ${show(end)} ("00:00"–"24:00" is all day)`);
    }
  }

  if (!Array.isArray(holidays)) problems.push(mustBe(where, 'holidays', holidays, 'a list of YYYY-MM-DD dates (may be empty)'));
  else {
    holidays.forEach((day: unknown, index) => {
      if (typeof day !== 'string' || dayOfIsoDate(day) === undefined) problems.push(mustBe(where, `holidays[${index}]`, day, 'a real date YYYY-MM-DD'));
    });
  }
  return problems;
}

/**
 * Problems with a deadline target, each naming `where` (the target itself, e.g. `rule "lights": target`);
 * [] when fine. Exactly one of businessDays (a positive integer) and businessHours (a positive multiple of
 * 0.25, i.e. whole quarter hours).
 */
export function validateTarget(value: unknown, where: string): string[] {
  if (!isObject(value)) return [`${where} must be { "businessDays": N } or { "businessHours": N }`];
  const problems: string[] = [];
  for (const key of Object.keys(value)) {
    if (!TARGET_FIELDS.includes(key)) problems.push(`${where}.${key} is not a target field (businessDays or businessHours)`);
  }
  const { businessDays: days, businessHours: hours } = value;
  if (days !== undefined && hours !== undefined) problems.push(`${where} must set exactly one of businessDays and businessHours, not both`);
  else if (days === undefined && hours === undefined) problems.push(`${where} must set exactly one of businessDays and businessHours`);
  if (days !== undefined && !isDays(days)) problems.push(mustBe(where, 'businessDays', days, 'a positive whole number of business days'));
  if (hours !== undefined && !isHours(hours)) problems.push(mustBe(where, 'businessHours', hours, 'a positive number of business hours in steps of 0.25 (15 minutes)'));
  return problems;
}

const isDays = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value > 0;
const isHours = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value > 0 && Number.isInteger(value * 4);

// ---------------------------------------------------------------------------------------------
// Civil dates (proleptic Gregorian, day numbers since 1970-01-01), free of Date's two-digit-year quirks

function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** ISO weekday of a day number: 1970-01-01 (day 0) was a Thursday. */
const isoWeekday = (day: number): number => ((((day + 3) % 7) + 7) % 7) + 1;

// ---------------------------------------------------------------------------------------------
// Time zones: UTC instants ⇄ local wall clock through one cached Intl formatter per zone

interface Zone {
  readonly format: Intl.DateTimeFormat;
  /** UTC offset (ms, local − UTC) at 00:00 UTC of a day number. */
  readonly samples: Map<number, number>;
  /** Per day number k: the offset if it is the same all through days k−2 … k+3, else null. */
  readonly stable: Map<number, number | null>;
}

const zones = new Map<string, Zone>();

function zoneOf(timeZone: string): Zone {
  let zone = zones.get(timeZone);
  if (!zone) {
    if (!knownTimeZone(timeZone)) throw new RangeError(`Unknown time zone: ${timeZone}`);
    const format = new Intl.DateTimeFormat('en-US-u-nu-latn', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    zone = { format, samples: new Map(), stable: new Map() };
    zones.set(timeZone, zone);
  }
  return zone;
}

function remember<K, V>(map: Map<K, V>, key: K, value: V): V {
  if (map.size >= CACHE_LIMIT) map.clear();
  map.set(key, value);
  return value;
}

/** The zone's offset (local − UTC, ms) at an instant, straight from Intl. */
function exactOffset(zone: Zone, instant: number): number {
  const second = Math.floor(instant / 1000) * 1000;
  let year = 1970;
  let month = 1;
  let day = 1;
  let hour = 0;
  let minute = 0;
  let sec = 0;
  for (const part of zone.format.formatToParts(second)) {
    switch (part.type) {
      case 'year':
        year = Number(part.value);
        break;
      case 'month':
        month = Number(part.value);
        break;
      case 'day':
        day = Number(part.value);
        break;
      case 'hour':
        hour = Number(part.value) % 24;
        break;
      case 'minute':
        minute = Number(part.value);
        break;
      case 'second':
        sec = Number(part.value);
        break;
    }
  }
  return daysFromCivil(year, month, day) * DAY_MS + ((hour * 60 + minute) * 60 + sec) * 1000 - second;
}

function sampleOffset(zone: Zone, day: number): number {
  const known = zone.samples.get(day);
  return known !== undefined ? known : remember(zone.samples, day, exactOffset(zone, day * DAY_MS));
}

/**
 * The offset valid from 00:00 UTC of day k−2 to 00:00 UTC of day k+3, or null when it changes in between.
 * Offsets are within ±14 h, so this covers every wall-clock time of local day k and every instant of UTC day k.
 */
function stableOffset(zone: Zone, day: number): number | null {
  const known = zone.stable.get(day);
  if (known !== undefined) return known;
  const before = sampleOffset(zone, day - 2);
  return remember(zone.stable, day, before === sampleOffset(zone, day + 3) ? before : null);
}

function offsetAt(zone: Zone, instant: number): number {
  return stableOffset(zone, Math.floor(instant / DAY_MS)) ?? exactOffset(zone, instant);
}

/** The local day number an instant falls on. */
function localDayOf(zone: Zone, instant: number): number {
  return Math.floor((instant + offsetAt(zone, instant)) / DAY_MS);
}

/** The instant of a wall-clock time (ms after local midnight, up to 24 h) on a local day: a gap moves forward, an overlap takes the earlier. */
function instantOf(zone: Zone, day: number, msOfDay: number): number {
  const wall = day * DAY_MS + msOfDay;
  const stable = stableOffset(zone, day);
  if (stable !== null) return wall - stable;
  const before = exactOffset(zone, wall - DAY_MS);
  const after = exactOffset(zone, wall + DAY_MS);
  const withBefore = wall - before;
  const withAfter = wall - after;
  const beforeFits = exactOffset(zone, withBefore) === before;
  const afterFits = exactOffset(zone, withAfter) === after;
  if (beforeFits && afterFits) return Math.min(withBefore, withAfter);
  if (afterFits) return withAfter;
  // Only the old offset fits, or neither (a gap): the old offset puts the time after the gap, shifted by its length.
  return withBefore;
}

// ---------------------------------------------------------------------------------------------
// Compiled calendars: working windows per local day

interface Window {
  readonly open: number;
  readonly close: number;
}

interface Found {
  readonly day: number;
  readonly window: Window;
}

interface Compiled {
  readonly zone: Zone;
  readonly weekdays: readonly boolean[];
  readonly holidays: ReadonlySet<number>;
  readonly startMs: number;
  readonly endMs: number;
  readonly windows: Map<number, Window | null>;
}

const compiled = new Map<string, Compiled>();

function compile(calendar: BusinessCalendar): Compiled {
  const key = isObject(calendar)
    ? JSON.stringify([calendar.timeZone, isObject(calendar.hours) ? [calendar.hours.start, calendar.hours.end] : null, calendar.workingDays, calendar.holidays])
    : '';
  const known = compiled.get(key);
  if (known) return known;
  const problems = validateCalendar(calendar, 'calendar');
  if (problems.length > 0) throw new RangeError(`Invalid business calendar: ${problems.join('; ')}`);
  const weekdays = Array.from({ length: 8 }, (_, weekday) => calendar.workingDays.includes(weekday));
  return remember(compiled, key, {
    zone: zoneOf(calendar.timeZone),
    weekdays,
    holidays: new Set(calendar.holidays.map((day) => dayOfIsoDate(day) as number)),
    startMs: minutesOf(calendar.hours.start) * MINUTE_MS,
    endMs: minutesOf(calendar.hours.end) * MINUTE_MS,
    windows: new Map(),
  });
}

/** The working window of a local day, or null when it is not a working day. */
function windowOf(calendar: Compiled, day: number): Window | null {
  const known = calendar.windows.get(day);
  if (known !== undefined) return known;
  let window: Window | null = null;
  if (calendar.weekdays[isoWeekday(day)] && !calendar.holidays.has(day)) {
    const open = instantOf(calendar.zone, day, calendar.startMs);
    const close = instantOf(calendar.zone, day, calendar.endMs);
    // A date a zone skipped entirely (Pacific/Apia, 2011-12-30) would borrow the next day's hours.
    const exists = stableOffset(calendar.zone, day) !== null || localDayOf(calendar.zone, open) === day;
    if (close > open && exists) window = { open, close };
  }
  return remember(calendar.windows, day, window);
}

function nextWorking(calendar: Compiled, after: number): Found {
  for (let day = after + 1; day <= after + MAX_SEARCH_DAYS; day++) {
    const window = windowOf(calendar, day);
    if (window) return { day, window };
  }
  throw new RangeError('The business calendar has no working time within ten years');
}

/** The first working window that ends after an instant (it may already have begun). */
function windowEndingAfter(calendar: Compiled, instant: number): Found {
  const day = localDayOf(calendar.zone, instant) - 1;
  const window = windowOf(calendar, day);
  let found: Found = window ? { day, window } : nextWorking(calendar, day);
  while (found.window.close <= instant) found = nextWorking(calendar, found.day);
  return found;
}

function addWorkingMs(calendar: Compiled, start: number, ms: number): number {
  if (ms <= 0) return start;
  let found = windowEndingAfter(calendar, start);
  let at = Math.max(start, found.window.open);
  let remaining = ms;
  for (;;) {
    const available = found.window.close - at;
    if (remaining <= available) return at + remaining;
    remaining -= available;
    found = nextWorking(calendar, found.day);
    at = found.window.open;
  }
}

function workingMsBetween(calendar: Compiled, from: number, to: number): number {
  if (to <= from) return 0;
  let total = 0;
  for (let found = windowEndingAfter(calendar, from); found.window.open < to; found = nextWorking(calendar, found.day)) {
    total += Math.min(found.window.close, to) - Math.max(found.window.open, from);
  }
  return total;
}

function addWorkingDays(calendar: Compiled, start: number, days: number): number {
  let found = windowEndingAfter(calendar, start);
  const from = Math.max(start, found.window.open);
  const wallMs = from + offsetAt(calendar.zone, from) - found.day * DAY_MS;
  let previousClose = found.window.close;
  for (let i = 0; i < days; i++) {
    previousClose = found.window.close;
    found = nextWorking(calendar, found.day);
  }
  const { open, close } = found.window;
  const at = Math.min(Math.max(instantOf(calendar.zone, found.day, wallMs), open), close);
  // An opening time is worth the same as the previous working day's close: report the earlier.
  return at === open ? previousClose : at;
}

function addTarget(calendar: Compiled, start: number, target: DeadlineTarget): number {
  const { businessDays: days, businessHours: hours }: Record<string, unknown> = isObject(target) ? target : {};
  if (hours === undefined && isDays(days)) return addWorkingDays(calendar, start, days);
  if (days === undefined && isHours(hours)) return addWorkingMs(calendar, start, Math.round(hours * 60 * MINUTE_MS));
  throw new RangeError(`Invalid deadline target: ${validateTarget(target, 'target').join('; ')}`);
}

function instant(value: Date, name: string): number {
  const time = value instanceof Date ? value.getTime() : NaN;
  if (Number.isNaN(time)) throw new RangeError(`${name} must be a valid Date`);
  return time;
}

// ---------------------------------------------------------------------------------------------
// The API

/**
 * When the deadline falls: `target` business time after `start` (see the module comment). A start outside
 * working time counts from the next working moment. Throws RangeError for an invalid calendar or target.
 */
export function addBusinessTime(calendar: BusinessCalendar, start: Date, target: DeadlineTarget): Date {
  return new Date(addTarget(compile(calendar), instant(start, 'start'), target));
}

/** Working minutes between two instants (0 if to <= from); fractional when the instants are not on whole minutes. */
export function businessMinutesBetween(calendar: BusinessCalendar, from: Date, to: Date): number {
  return workingMsBetween(compile(calendar), instant(from, 'from'), instant(to, 'to')) / MINUTE_MS;
}

/**
 * Adds working minutes (≥ 0, fractions to the millisecond): the earliest instant by which that much working
 * time has elapsed since `start`, e.g. a closing time rather than the next opening; 0 minutes returns `start`.
 * businessMinutesBetween(c, s, addBusinessMinutes(c, s, m)) === m.
 */
export function addBusinessMinutes(calendar: BusinessCalendar, start: Date, minutes: number): Date {
  const c = compile(calendar);
  const from = instant(start, 'start');
  if (typeof minutes !== 'number' || !Number.isFinite(minutes) || minutes < 0) throw new RangeError(`minutes must be a finite number ≥ 0, not ${show(minutes)}`);
  return new Date(addWorkingMs(c, from, Math.round(minutes * MINUTE_MS)));
}

/**
 * The deadline of a clock that ran from `start` with pauses [{from, to?}] (to undefined = still paused →
 * undefined: no deadline while paused, whenever that pause began). The clock stops during pauses: the
 * deadline is when the working time outside pauses reaches `target`, i.e. the plain deadline moved later by
 * the working minutes of each pause that began before the (already moved) deadline; pauses may overlap
 * (counted once), pause time before `start` does not count, and a pause after the clock ran out changes
 * nothing. A pause with `to` before `from` is a RangeError.
 */
export function deadlineWithPauses(calendar: BusinessCalendar, start: Date, target: DeadlineTarget, pauses: { from: Date; to?: Date }[]): Date | undefined {
  if (pauses.some((pause) => pause.to === undefined)) return undefined;
  const c = compile(calendar);
  const begin = instant(start, 'start');
  const spans = pauses
    .map((pause, index) => {
      const from = instant(pause.from, `pauses[${index}].from`);
      const to = instant(pause.to as Date, `pauses[${index}].to`);
      if (to < from) throw new RangeError(`pauses[${index}] ends before it begins`);
      return [Math.max(from, begin), to] as const;
    })
    .filter(([from, to]) => to > from)
    .sort((a, b) => a[0] - b[0]);

  let due = addTarget(c, begin, target);
  let index = 0;
  while (index < spans.length) {
    // Merge overlapping pauses so their common time counts once.
    const from = spans[index][0];
    let to = spans[index][1];
    for (index++; index < spans.length && spans[index][0] <= to; index++) to = Math.max(to, spans[index][1]);
    if (from >= due) break;
    due = addWorkingMs(c, due, workingMsBetween(c, from, to));
  }
  return new Date(due);
}

/** The first working instant at or after `start`: `start` itself inside working time, else the next opening. */
export function nextWorkingMoment(calendar: BusinessCalendar, start: Date): Date {
  // The earliest instant by which one working millisecond has elapsed, less that millisecond.
  return new Date(addBusinessMinutes(calendar, start, 1 / MINUTE_MS).getTime() - 1);
}

/** The zone's offset from UTC at an instant, in whole minutes (east positive); RangeError for an unknown zone. */
export function utcOffsetMinutes(instant: number, timeZone: string): number {
  return Math.round(exactOffset(zoneOf(timeZone), instant) / MINUTE_MS);
}
