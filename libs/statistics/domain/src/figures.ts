import type { Channel } from '@caseline/case-contracts';

/** Which cases a set of figures is about: a period of whole local days, and optionally one department, area or request type. */
export interface FiguresFilter {
  /** First day, YYYY-MM-DD (the city's local days). */
  from: string;
  /** Last day, included. */
  to: string;
  department?: string;
  area?: string;
  service?: string;
}

export interface DurationFigure {
  /** How many cases the durations are of. */
  cases: number;
  medianHours: number | null;
  p90Hours: number | null;
}

/** The headline figures of docs/statistics.md, for one filter. */
export interface Figures {
  received: number;
  receivedByChannel: Record<Channel, number>;
  resolved: number;
  timeToFirstAction: DurationFigure;
  timeToResolve: DurationFigure;
  /** Of the cases resolved in the period that had a deadline. */
  deadline: { resolvedWithDeadline: number; late: number; compliance: number | null };
  /** Open at the end of the period, and how long they had been waiting then. */
  backlog: { open: number; overdue: number; age: { label: string; open: number }[] };
  firstContactResolution: { cases: number; share: number | null };
  repeatContacts: { cases: number; perOriginal: number | null };
  referrals: { referred: number; meanHops: number | null };
  reopenRate: number | null;
  satisfaction: { answers: number; mean: number | null };
}

export interface BreakdownRow extends Figures {
  id: string;
  name: string;
}

export interface TrendPoint {
  /** The first day of the week (a Monday) or month, or the period's first day for the first point. */
  week: string;
  received: number;
  resolved: number;
  resolvedLate: number;
}

export interface AreaTypes {
  id: string;
  name: string;
  types: { code: string; name: string; received: number; lastYear: number }[];
}

/** Everything one dashboard view shows. */
export interface FiguresReport {
  filter: FiguresFilter;
  /** When the read model last moved, and how many events it had taken in. */
  asOf: { updatedAt: string | null; events: number };
  city: Figures;
  /** The same days one year earlier: the trend against last year. */
  lastYear: Pick<Figures, 'received' | 'resolved'>;
  departments: BreakdownRow[];
  areas: BreakdownRow[];
  trend: TrendPoint[];
  /** Weekly points for a period of up to 26 weeks, monthly beyond (a year reads twelve months). */
  trendSpan: 'week' | 'month';
  topTypesByArea: AreaTypes[];
}
