import type { FiguresFilter } from '@caseline/statistics-domain';

// How the dashboard, the weekly report and the CSV files write numbers, durations, dates and links:
// one helper per idea, used by all of them.

/** What a figure that cannot be computed (no cases, no answers) shows. */
export const NONE = '—';

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const twoDecimals = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const percentage = new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 1 });

const known = (value: number | null | undefined): value is number => typeof value === 'number' && Number.isFinite(value);

/** 12,345 */
export const count = (value: number): string => integer.format(value);
/** 1.35; — when there is nothing to average. */
export const decimal = (value: number | null, digits: 1 | 2 = 2): string => (known(value) ? (digits === 1 ? oneDecimal : twoDecimals).format(value) : NONE);
/** A share (0..1) as 87.3%; — when there is none. */
export const percent = (share: number | null): string => (known(share) ? percentage.format(share) : NONE);

/** Hours for people: 40 min, 3.2 h, 4.5 days. */
export function duration(hours: number | null): string {
  if (!known(hours)) return NONE;
  if (hours < 1) return `${integer.format(hours * 60)} min`;
  if (hours < 48) return `${oneDecimal.format(hours)} h`;
  return `${oneDecimal.format(hours / 24)} days`;
}

/** Hours as days with one decimal (the tables' "median days" column). */
export const days = (hours: number | null): string => (known(hours) ? oneDecimal.format(hours / 24) : NONE);

/** The relative change from `before` to `now` (0.125 for +12.5%), or null without a base to compare with. */
export const change = (now: number, before: number): number | null => (before > 0 ? (now - before) / before : null);

/** +12.5% / −3% / ±0%, with a true minus sign; — without a base. */
export function signedPercent(share: number | null): string {
  if (!known(share)) return NONE;
  const magnitude = percentage.format(Math.abs(share));
  return share > 0 ? `+${magnitude}` : share < 0 ? `−${magnitude}` : `±${magnitude}`;
}

// Days are YYYY-MM-DD strings of the city's calendar; arithmetic on them is done at UTC midnight.
const dayMs = 86_400_000;
const parse = (day: string): Date => new Date(`${day}T00:00:00Z`);
const iso = (date: Date): string => date.toISOString().slice(0, 10);

export const addDays = (day: string, n: number): string => iso(new Date(parse(day).getTime() + n * dayMs));
/** The Monday of the week `day` is in. */
export const mondayOf = (day: string): string => addDays(day, -((parse(day).getUTCDay() + 6) % 7));
/** The same day one year earlier (29 February becomes the 28th). */
export function yearBefore(day: string): string {
  const [year, month, date] = day.split('-');
  return `${Number(year) - 1}-${month}-${month === '02' && date === '29' ? '28' : date}`;
}
export const earlier = (a: string, b: string): string => (a < b ? a : b);
export const later = (a: string, b: string): string => (a > b ? a : b);

const longDay = new Intl.DateTimeFormat('en-US', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
const shortDay = new Intl.DateTimeFormat('en-US', { day: 'numeric', month: 'short', timeZone: 'UTC' });
const validDay = (day: string): boolean => /^\d{4}-\d{2}-\d{2}$/.test(day) && !Number.isNaN(parse(day).getTime());

/** Jan 5, 2026 (a day that does not parse is shown as given). */
export const formatDay = (day: string): string => (validDay(day) ? longDay.format(parse(day)) : day);
/** Jan 5 */
export const formatShortDay = (day: string): string => (validDay(day) ? shortDay.format(parse(day)) : day);
/** Jan 5, 2026, 9:30 AM in the city's time zone. */
export const formatMoment = (at: string, timeZone: string): string => {
  const date = new Date(at);
  return Number.isNaN(date.getTime()) ? at : new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(date);
};

/** What the drill-down API lists: the cases behind one number. */
export type Measure = 'received' | 'resolved' | 'late' | 'overdue' | 'backlog' | 'first-contact' | 'repeat';

/** The query parameters of a filter, in a fixed order. */
export const filterParams = ({ from, to, department, area, service }: Partial<FiguresFilter>): Record<string, string | undefined> => ({ from, to, department, area, service });

/** `path?a=1&b=2`, empty parameters left out. */
export function withQuery(path: string, parameters: Record<string, string | undefined>): string {
  const query = new URLSearchParams(Object.entries(parameters).filter((entry): entry is [string, string] => !!entry[1])).toString();
  return query ? `${path}?${query}` : path;
}

/** Where the links of one page point, and the filter they keep. */
export interface Links {
  filter: FiguresFilter;
  basePath: string;
  apiPath: string;
}

/** The cases behind a number: the active filter, narrowed by `narrower` (a row's department, area, type or week). */
export const drillDown = (links: Links, measure: Measure, narrower: Partial<FiguresFilter> = {}): string =>
  withQuery(`${links.apiPath}/cases`, { ...filterParams({ ...links.filter, ...narrower }), measure });

/** The same cases, one year earlier. */
export const lastYearOf = (filter: FiguresFilter): FiguresFilter => ({ ...filter, from: yearBefore(filter.from), to: yearBefore(filter.to) });

export type CsvTable = 'departments' | 'areas' | 'types' | 'trend';
export const csvLink = (links: Links, table: CsvTable): string => withQuery(`${links.apiPath}/figures.csv`, { table, ...filterParams(links.filter) });
