import type { BreakdownRow, FiguresReport } from '@caseline/statistics-domain';
import { CHANNELS } from '@caseline/statistics-domain';
import type { CsvTable } from './format';

// CSV files of the figures (RFC 4180: CRLF, quoted where needed, a header row). Numbers are plain,
// durations are hours with one decimal, shares are fractions with three; an unknown value is empty.
// A text cell that a spreadsheet would take for a formula gets a leading single quote.

type Cell = string | number | null | undefined;

const FORMULA = /^[=+\-@\t\r]/;
const NUMBER = /^-?\d+(\.\d+)?$/;

/** One cell: text neutralised against formula injection (a plain number is no formula), then quoted if it has to be. */
export function csvCell(value: Cell): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : FORMULA.test(value) && !NUMBER.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const csv = (header: string[], rows: Cell[][]): string => [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';

const fixed = (digits: number) => (value: number | null): string | null => (value === null || !Number.isFinite(value) ? null : value.toFixed(digits));
const hours = fixed(1);
const share = fixed(3);
const mean = fixed(2);

const BREAKDOWN_HEADER = [
  'id',
  'name',
  'received',
  ...CHANNELS.map((channel) => `received_${channel.replace('-', '_')}`),
  'resolved',
  'first_action_cases',
  'first_action_median_hours',
  'first_action_p90_hours',
  'resolve_cases',
  'resolve_median_hours',
  'resolve_p90_hours',
  'resolved_with_deadline',
  'resolved_late',
  'deadline_compliance',
  'open',
  'overdue',
  'first_contact_resolved',
  'first_contact_share',
  'repeat_contacts',
  'repeat_per_original',
  'referred',
  'referral_mean_hops',
  'reopen_rate',
  'satisfaction_answers',
  'satisfaction_mean',
];

const breakdownRow = (row: BreakdownRow): Cell[] => [
  row.id,
  row.name,
  row.received,
  ...CHANNELS.map((channel) => row.receivedByChannel[channel] ?? 0),
  row.resolved,
  row.timeToFirstAction.cases,
  hours(row.timeToFirstAction.medianHours),
  hours(row.timeToFirstAction.p90Hours),
  row.timeToResolve.cases,
  hours(row.timeToResolve.medianHours),
  hours(row.timeToResolve.p90Hours),
  row.deadline.resolvedWithDeadline,
  row.deadline.late,
  share(row.deadline.compliance),
  row.backlog.open,
  row.backlog.overdue,
  row.firstContactResolution.cases,
  share(row.firstContactResolution.share),
  row.repeatContacts.cases,
  mean(row.repeatContacts.perOriginal),
  row.referrals.referred,
  mean(row.referrals.meanHops),
  share(row.reopenRate),
  row.satisfaction.answers,
  mean(row.satisfaction.mean),
];

/** One table of a figures report as a CSV file. */
export function figuresCsv(report: FiguresReport, table: CsvTable): string {
  switch (table) {
    case 'departments':
      return csv(BREAKDOWN_HEADER, report.departments.map(breakdownRow));
    case 'areas':
      return csv(BREAKDOWN_HEADER, report.areas.map(breakdownRow));
    case 'types':
      return csv(
        ['area_id', 'area_name', 'service_code', 'service_name', 'received', 'received_last_year'],
        report.topTypesByArea.flatMap((area) => area.types.map((type) => [area.id, area.name, type.code, type.name, type.received, type.lastYear])),
      );
    case 'trend':
      return csv(
        [report.trendSpan, 'received', 'resolved', 'resolved_late'],
        report.trend.map((point) => [point.week, point.received, point.resolved, point.resolvedLate]),
      );
  }
}

/** The drill-down list of cases as a CSV file: the given columns, in order. */
export const casesCsv = (rows: Record<string, string | number | null>[], columns: string[]): string =>
  csv(
    columns,
    rows.map((row) => columns.map((column) => row[column])),
  );
