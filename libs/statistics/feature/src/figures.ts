import type { Channel } from '@caseline/case-contracts';
import type { Sql } from '@caseline/event-store';
import { addHistograms, BreakdownRow, CHANNELS, coveringSpans, Figures, FiguresFilter, FiguresReport, Histogram, percentileHours, TrendPoint, yearBefore } from '@caseline/statistics-domain';
import { checkpointOf, FIGURES } from './projection';

/**
 * The city's figures for a filter, read only from the read model the projection keeps (never from
 * the case log): counts from the daily table, durations from the daily histograms (or, for an area
 * or a request type, from the cases' own buckets), the backlog from the open cases. Definitions:
 * docs/statistics.md.
 */

interface DailySums {
  received: number;
  web: number;
  mobile: number;
  phone: number;
  email: number;
  ivr: number;
  in_person: number;
  api: number;
  system: number;
  first_contact: number;
  repeat_contacts: number;
  resolved: number;
  resolved_with_due: number;
  resolved_late: number;
  referral_hops: number;
  referred: number;
  reopened: number;
  satisfaction_count: number;
  satisfaction_sum: number;
}
const SUM_COLUMNS: (keyof DailySums)[] = ['received', 'web', 'mobile', 'phone', 'email', 'ivr', 'in_person', 'api', 'system', 'first_contact', 'repeat_contacts', 'resolved', 'resolved_with_due', 'resolved_late', 'referral_hops', 'referred', 'reopened', 'satisfaction_count', 'satisfaction_sum'];
const SUMS = SUM_COLUMNS.map((c) => `sum(${c})::int AS ${c}`).join(', ');
const ZERO = Object.fromEntries(SUM_COLUMNS.map((c) => [c, 0])) as unknown as DailySums;

interface Backlog {
  open: number;
  overdue: number;
  age: number[];
}
/** Backlog ages, in days waited at the end of the period. */
const AGE_BANDS: { label: string; days: number }[] = [
  { label: 'under 2 days', days: 2 },
  { label: '2–7 days', days: 7 },
  { label: '1–4 weeks', days: 28 },
  { label: '1–3 months', days: 91 },
  { label: 'over 3 months', days: Infinity },
];

interface Durations {
  firstAction: Histogram;
  resolve: Histogram;
}

const share = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);
const durationFigure = (histogram: Histogram) => ({
  cases: histogram.reduce((sum, count) => sum + count, 0),
  medianHours: percentileHours(histogram, 0.5),
  p90Hours: percentileHours(histogram, 0.9),
});

function figuresOf(sums: DailySums, durations: Durations, backlog: Backlog): Figures {
  const byChannel = Object.fromEntries(CHANNELS.map((channel) => [channel, sums[channel.replace('-', '_') as keyof DailySums] ?? 0])) as Record<Channel, number>;
  return {
    received: sums.received,
    receivedByChannel: byChannel,
    resolved: sums.resolved,
    timeToFirstAction: durationFigure(durations.firstAction),
    timeToResolve: durationFigure(durations.resolve),
    deadline: { resolvedWithDeadline: sums.resolved_with_due, late: sums.resolved_late, compliance: share(sums.resolved_with_due - sums.resolved_late, sums.resolved_with_due) },
    backlog: { open: backlog.open, overdue: backlog.overdue, age: AGE_BANDS.map((band, index) => ({ label: band.label, open: backlog.age[index] ?? 0 })) },
    firstContactResolution: { cases: sums.first_contact, share: share(sums.first_contact, sums.received) },
    repeatContacts: { cases: sums.repeat_contacts, perOriginal: share(sums.repeat_contacts, sums.received - sums.repeat_contacts) },
    referrals: { referred: sums.referred, meanHops: share(sums.referral_hops, sums.resolved) },
    reopenRate: share(sums.reopened, sums.resolved),
    satisfaction: { answers: sums.satisfaction_count, mean: share(sums.satisfaction_sum, sums.satisfaction_count) },
  };
}

/** WHERE clauses and parameters for a filter: the period's own parameters ($1…) first, then the department's, area's and type's. */
class Where {
  readonly parameters: unknown[];
  private readonly clauses: string[] = [];

  constructor(
    filter: FiguresFilter,
    bounds: unknown[],
    period: string,
    skip: ('department' | 'area' | 'service')[] = [],
  ) {
    this.parameters = [...bounds];
    this.clauses.push(period);
    const add = (column: string, value: string | undefined) => {
      if (value === undefined) return;
      this.parameters.push(value);
      this.clauses.push(`${column} = $${this.parameters.length}`);
    };
    if (!skip.includes('department')) add('department', filter.department);
    if (!skip.includes('area')) add('area_id', filter.area);
    if (!skip.includes('service')) add('service_code', filter.service);
  }

  get sql(): string {
    return this.clauses.join(' AND ');
  }
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The span rows (day, week, month) that add up to a period: SQL with the dates as literals (days checked here). */
function spanRows(from: string, to: string, largest: 'week' | 'month' = 'month'): string {
  if (!DAY.test(from) || !DAY.test(to)) throw new Error(`Not a period of days: ${from} to ${to}`);
  const ranges = coveringSpans(from, to, largest);
  return ranges.length === 0 ? 'false' : `(${ranges.map((r) => `(span = '${r.span}' AND day BETWEEN DATE '${r.first}' AND DATE '${r.last}')`).join(' OR ')})`;
}

export class FiguresQueries {
  constructor(
    private readonly sql: Sql,
    /** The city's time zone: periods are its local days. */
    private readonly timeZone: string,
  ) {}

  /** The period's instants: from the first day's local midnight to the one after the last day (or now, if sooner). */
  async bounds(filter: FiguresFilter): Promise<{ start: string; end: string }> {
    const [row] = await this.sql.query<{ start: Date; end: Date }>(
      `SELECT ($1::date::timestamp AT TIME ZONE $3) AS start, least((($2::date + 1)::timestamp AT TIME ZONE $3), now()) AS end`,
      [filter.from, filter.to, this.timeZone],
    );
    return { start: row.start.toISOString(), end: row.end.toISOString() };
  }

  async report(filter: FiguresFilter): Promise<FiguresReport> {
    const { start, end } = await this.bounds(filter);
    const trendSpan = Date.parse(filter.to) - Date.parse(filter.from) > 182 * 86_400_000 ? 'month' : 'week';
    const [sums, lastYear, durations, backlog, trend, types, labels, checkpoint] = await Promise.all([
      this.dailySums(filter),
      this.lastYear(filter),
      this.durations(filter, start, end),
      this.backlog(filter, end),
      this.trend(filter, trendSpan),
      this.topTypes(filter),
      this.labels(),
      this.asOf(),
    ]);
    const name = (kind: string, id: string) => labels.get(`${kind}|${id}`) ?? (id === '' ? (kind === 'department' ? 'Not assigned (triage)' : 'No area') : id);
    const breakdown = (kind: 'department' | 'area'): BreakdownRow[] => {
      const ids = new Set([...sums.keys(), ...backlog.keys(), ...durations.keys()].filter((key) => key.startsWith(`${kind}|`)));
      return [...ids]
        .map((key) => ({ id: key.slice(kind.length + 1), ...figuresOf(sums.get(key) ?? ZERO, durations.get(key) ?? { firstAction: [], resolve: [] }, backlog.get(key) ?? { open: 0, overdue: 0, age: [] }) }))
        // A daily row a case moved away from (referred, routed out of triage) stays, with zeros: not a row to show.
        .filter((row) => row.received + row.resolved + row.backlog.open + row.timeToFirstAction.cases > 0)
        .map((row) => ({ ...row, name: name(kind, row.id) }))
        .sort((a, b) => b.received - a.received || a.name.localeCompare(b.name));
    };
    return {
      filter,
      asOf: checkpoint,
      city: figuresOf(sums.get('city') ?? ZERO, durations.get('city') ?? { firstAction: [], resolve: [] }, backlog.get('city') ?? { open: 0, overdue: 0, age: [] }),
      lastYear,
      departments: breakdown('department'),
      areas: breakdown('area'),
      trend,
      trendSpan,
      topTypesByArea: types.map((area) => ({ ...area, name: name('area', area.id), types: area.types.map((type) => ({ ...type, name: name('service', type.code) })) })),
    };
  }

  /** Sums per department, per area and for the whole filter ('city'), from the daily table. */
  private async dailySums(filter: FiguresFilter): Promise<Map<string, DailySums>> {
    const where = new Where(filter, [], spanRows(filter.from, filter.to));
    const rows = await this.sql.query<DailySums & { department: string | null; area_id: string | null }>(
      `SELECT department, area_id, ${SUMS} FROM statistics.daily WHERE ${where.sql} GROUP BY GROUPING SETS ((department), (area_id))`,
      where.parameters,
    );
    const sums = new Map<string, DailySums>();
    for (const row of rows) {
      const key = row.department !== null ? `department|${row.department}` : `area|${row.area_id}`;
      sums.set(key, row);
      if (row.department !== null) {
        const city = sums.get('city') ?? { ...ZERO };
        for (const column of SUM_COLUMNS) city[column] += row[column] ?? 0;
        sums.set('city', city);
      }
    }
    return sums;
  }

  private async lastYear(filter: FiguresFilter): Promise<{ received: number; resolved: number }> {
    const where = new Where(filter, [], spanRows(yearBefore(filter.from), yearBefore(filter.to)));
    const [row] = await this.sql.query<{ received: number | null; resolved: number | null }>(`SELECT sum(received)::int AS received, sum(resolved)::int AS resolved FROM statistics.daily WHERE ${where.sql}`, where.parameters);
    return { received: row?.received ?? 0, resolved: row?.resolved ?? 0 };
  }

  /**
   * Histograms per department, per area and for the whole filter: from the daily and monthly
   * histograms, or, for one request type, from its cases' own buckets.
   */
  private async durations(filter: FiguresFilter, start: string, end: string): Promise<Map<string, Durations>> {
    const result = new Map<string, Durations>();
    const add = (key: string, measure: keyof Durations, histogram: Histogram) => {
      const entry = result.get(key) ?? { firstAction: [], resolve: [] };
      addHistograms(entry[measure], histogram);
      result.set(key, entry);
    };
    const measureOf = (measure: string): keyof Durations => (measure === 'resolve' ? 'resolve' : 'firstAction');
    if (filter.service === undefined) {
      const where = new Where(filter, [], spanRows(filter.from, filter.to), ['service']);
      // As text, split here: the driver's array parser goes a character at a time.
      const rows = await this.sql.query<{ department: string; area_id: string; measure: string; histogram: string }>(
        `SELECT department, area_id, measure, histogram::text AS histogram FROM statistics.daily_durations WHERE ${where.sql}`,
        where.parameters,
      );
      for (const row of rows) {
        const histogram = row.histogram.slice(1, -1).split(',').map(Number);
        for (const key of ['city', `department|${row.department}`, `area|${row.area_id}`]) add(key, measureOf(row.measure), histogram);
      }
      return result;
    }
    // A request type: the durations of its cases, from their own buckets (the same buckets).
    for (const [measure, column, bucket] of [
      ['first-action', 'first_action_at', 'first_action_bucket'],
      ['resolve', 'resolved_at', 'resolve_bucket'],
    ] as const) {
      const where = new Where(filter, [start, end], `${column} >= $1 AND ${column} < $2`);
      const rows = await this.sql.query<{ department: string; area_id: string; bucket: number; cases: number }>(
        `SELECT department, area_id, ${bucket} AS bucket, count(*)::int AS cases FROM statistics.cases
          WHERE ${where.sql} ${measure === 'resolve' ? "AND status = 'resolved'" : ''} GROUP BY department, area_id, ${bucket}`,
        where.parameters,
      );
      for (const row of rows) {
        const one: number[] = [];
        one[row.bucket] = row.cases;
        for (const key of ['city', `department|${row.department}`, `area|${row.area_id}`]) add(key, measureOf(measure), one);
      }
    }
    return result;
  }

  /** Open at the end of the period (reported before it, not resolved or cancelled by then), per department, per area and in all. */
  private async backlog(filter: FiguresFilter, end: string): Promise<Map<string, Backlog>> {
    const where = new Where(filter, [end, AGE_BANDS.slice(0, -1).map((band) => band.days)], `reported_at < $1 AND (closed_at IS NULL OR closed_at >= $1)`);
    const rows = await this.sql.query<{ department: string; area_id: string; band: number; open: number; overdue: number }>(
      `SELECT department, area_id, width_bucket(extract(epoch FROM $1::timestamptz - reported_at) / 86400, $2::float8[]) AS band,
              count(*)::int AS open, (count(*) FILTER (WHERE due_at < $1))::int AS overdue
         FROM statistics.cases WHERE ${where.sql} GROUP BY 1, 2, 3`,
      where.parameters,
    );
    const result = new Map<string, Backlog>();
    for (const row of rows) {
      for (const key of ['city', `department|${row.department}`, `area|${row.area_id}`]) {
        const entry = result.get(key) ?? { open: 0, overdue: 0, age: AGE_BANDS.map(() => 0) };
        entry.open += row.open;
        entry.overdue += row.overdue;
        entry.age[row.band] += row.open;
        result.set(key, entry);
      }
    }
    return result;
  }

  /** Points of a week (or, for long periods, a month): whole spans from their own rows, the odd days at either end grouped into theirs (a first point starts on `from`). */
  private async trend(filter: FiguresFilter, span: 'week' | 'month'): Promise<TrendPoint[]> {
    const where = new Where(filter, [filter.from, span], spanRows(filter.from, filter.to, span));
    const rows = await this.sql.query<{ week: string; received: number; resolved: number; late: number }>(
      `SELECT to_char(CASE WHEN span = $2 THEN day ELSE greatest(date_trunc($2, day)::date, $1::date) END, 'YYYY-MM-DD') AS week,
              sum(received)::int AS received, sum(resolved)::int AS resolved, sum(resolved_late)::int AS late
         FROM statistics.daily WHERE ${where.sql} GROUP BY 1 ORDER BY 1`,
      where.parameters,
    );
    return rows.map((row) => ({ week: row.week, received: row.received, resolved: row.resolved, resolvedLate: row.late }));
  }

  /** The five request types received most in each area, with the same days' count a year earlier. */
  private async topTypes(filter: FiguresFilter): Promise<{ id: string; types: { code: string; received: number; lastYear: number }[] }[]> {
    const now = spanRows(filter.from, filter.to);
    const before = spanRows(yearBefore(filter.from), yearBefore(filter.to));
    const where = new Where(filter, [], `(${now} OR ${before})`);
    const rows = await this.sql.query<{ area_id: string; service_code: string; received: number; last_year: number }>(
      `SELECT area_id, service_code, (sum(received) FILTER (WHERE ${now}))::int AS received, (sum(received) FILTER (WHERE ${before}))::int AS last_year
         FROM statistics.daily WHERE ${where.sql} GROUP BY 1, 2`,
      where.parameters,
    );
    const areas = new Map<string, { code: string; received: number; lastYear: number }[]>();
    for (const row of rows) {
      if (!row.received) continue;
      areas.set(row.area_id, [...(areas.get(row.area_id) ?? []), { code: row.service_code, received: row.received, lastYear: row.last_year ?? 0 }]);
    }
    return [...areas]
      .map(([id, types]) => ({ id, types: types.sort((a, b) => b.received - a.received || a.code.localeCompare(b.code)).slice(0, 5) }))
      .sort((a, b) => a.id.localeCompare(b.id, undefined, { numeric: true }));
  }

  private async labels(): Promise<Map<string, string>> {
    const rows = await this.sql.query<{ kind: string; id: string; name: string }>('SELECT kind, id, name FROM statistics.labels');
    return new Map(rows.map((row) => [`${row.kind}|${row.id}`, row.name]));
  }

  async labelsOf(kind: 'department' | 'area' | 'service'): Promise<{ id: string; name: string }[]> {
    return this.sql.query<{ id: string; name: string }>('SELECT id, name FROM statistics.labels WHERE kind = $1 ORDER BY name', [kind]);
  }

  private async asOf(): Promise<{ updatedAt: string | null; events: number }> {
    const [row] = await this.sql.query<{ updated_at: Date }>('SELECT updated_at FROM statistics.checkpoints WHERE projection = $1', [FIGURES]);
    return { updatedAt: row?.updated_at.toISOString() ?? null, events: (await checkpointOf(this.sql, FIGURES)).events };
  }
}
