import type { FiguresFilter } from '@caseline/statistics-domain';
import { problem } from '@caseline/service-kit';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const CODE = /^[\w .&'/()-]{1,100}$/u;
/** The longest period one view covers: enough for a year against the year before. */
export const MAX_PERIOD_DAYS = 731;

const isDay = (value: string) => DAY.test(value) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value);
const addDays = (day: string, days: number) => new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/**
 * A filter from a query string: `from` and `to` are local days (YYYY-MM-DD; by default the 28
 * days ending today), `department`, `area`, `service` codes. A bad value is a 400 naming the field
 * and the rule.
 */
export function parseFilter(query: Record<string, unknown>, today: string): FiguresFilter {
  const errors: { field: string; rule: string; message: string }[] = [];
  const text = (field: string): string | undefined => {
    const value = query[field];
    if (value === undefined || value === '') return undefined;
    if (typeof value !== 'string') errors.push({ field, rule: 'isString', message: `${field} must be given once` });
    else return value;
    return undefined;
  };
  const to = text('to') ?? today;
  const from = text('from') ?? addDays(to, -27);
  for (const [field, value] of [['from', from], ['to', to]] as const) {
    if (!isDay(value)) errors.push({ field, rule: 'isDate', message: `${field} must be a day, YYYY-MM-DD` });
  }
  if (errors.length === 0 && from > to) errors.push({ field: 'from', rule: 'notAfterTo', message: 'from must not be after to' });
  if (errors.length === 0 && Date.parse(to) - Date.parse(from) > MAX_PERIOD_DAYS * 86_400_000) errors.push({ field: 'to', rule: 'maxPeriod', message: `a period covers at most ${MAX_PERIOD_DAYS} days` });
  const filter: FiguresFilter = { from, to };
  for (const field of ['department', 'area', 'service'] as const) {
    const value = text(field);
    if (value === undefined) continue;
    if (!CODE.test(value)) errors.push({ field, rule: 'isCode', message: `${field} must be a code (letters, digits, spaces and - _ . & ' / ( ), at most 100)` });
    else filter[field] = value;
  }
  if (errors.length > 0) throw problem(400, 'Bad Request', errors.map((e) => e.message).join('; '), errors);
  return filter;
}

/** Today in the city's time zone. */
export const todayIn = (timeZone: string): string => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
