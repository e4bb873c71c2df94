/**
 * The rows a period of whole days adds up from: whole months from the monthly rows, whole weeks
 * (Monday to Sunday) of what is left from the weekly rows, and the odd days from the daily rows —
 * so a year reads twelve months, not 365 days, and any period gives the same sums as its days.
 */
export type Span = 'day' | 'week' | 'month';
export const SPANS: readonly Span[] = ['day', 'week', 'month'];

/** Rows of one span whose start (`day`) lies from `first` to `last`, both included. */
export interface SpanRange {
  span: Span;
  first: string;
  last: string;
}

const DAY_MS = 86_400_000;
const toTime = (day: string) => Date.parse(`${day}T00:00:00Z`);
const toDay = (time: number) => new Date(time).toISOString().slice(0, 10);
const addDays = (day: string, days: number) => toDay(toTime(day) + days * DAY_MS);

const mondays = new Map<string, string>();

/** The first day of the span a day belongs to (weeks start on Monday). */
export function spanStart(span: Span, day: string): string {
  if (span === 'day') return day;
  if (span === 'month') return `${day.slice(0, 7)}-01`;
  let monday = mondays.get(day);
  if (monday === undefined) {
    if (mondays.size > 100_000) mondays.clear();
    mondays.set(day, (monday = addDays(day, -((new Date(toTime(day)).getUTCDay() + 6) % 7))));
  }
  return monday;
}

const nextMonth = (monthStart: string) => {
  const date = new Date(toTime(monthStart));
  return toDay(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1));
};

function split(from: string, to: string, span: 'week' | 'month'): { whole?: SpanRange; rest: [string, string][] } {
  const first = spanStart(span, from) === from ? from : span === 'month' ? nextMonth(spanStart('month', from)) : addDays(spanStart('week', from), 7);
  const end = (start: string) => (span === 'month' ? addDays(nextMonth(start), -1) : addDays(start, 6));
  let last = spanStart(span, to);
  if (end(last) !== to) last = span === 'month' ? spanStart('month', addDays(last, -1)) : addDays(last, -7);
  if (first > to || last < first) return { rest: [[from, to]] };
  const rest: [string, string][] = [];
  if (from < first) rest.push([from, addDays(first, -1)]);
  if (end(last) < to) rest.push([addDays(end(last), 1), to]);
  return { whole: { span, first, last }, rest };
}

/**
 * The span rows that add up to the days from `from` to `to` (YYYY-MM-DD, both included), each day
 * exactly once; `largest: 'week'` leaves months out (a weekly trend).
 */
export function coveringSpans(from: string, to: string, largest: 'week' | 'month' = 'month'): SpanRange[] {
  if (from > to) return [];
  const months = largest === 'month' ? split(from, to, 'month') : { rest: [[from, to]] as [string, string][] };
  const ranges: SpanRange[] = months.whole ? [months.whole] : [];
  for (const [a, b] of months.rest) {
    const weeks = split(a, b, 'week');
    if (weeks.whole) ranges.push(weeks.whole);
    for (const [c, d] of weeks.rest) ranges.push({ span: 'day', first: c, last: d });
  }
  return ranges;
}

/** The same day a year earlier (29 February: the 28th). */
export function yearBefore(day: string): string {
  const [year, month, date] = day.split('-').map(Number);
  const lastOfMonth = new Date(Date.UTC(year - 1, month, 0)).getUTCDate();
  return toDay(Date.UTC(year - 1, month - 1, Math.min(date, lastOfMonth)));
}
