import { createReadStream, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Pool } from 'pg';
import { FiguresQueries } from '@caseline/statistics-feature';
import type { FiguresReport } from '@caseline/statistics-domain';
import { readCsv } from '../import/csv';
import { ownDatabase, runOps } from './ops-process.test';

const ROOT = resolve(__dirname, '../../../..');
const DATA = process.env.CASELINE_SHARED_DATA ?? resolve(ROOT, '../shared/data');
const BALTIMORE = join(DATA, 'baltimore-311-sample-2014-2019.csv');
const withExport = existsSync(BALTIMORE) ? it : it.skip;

jest.setTimeout(300000);

/** Wall-clock "MM/DD/YYYY hh:mm:ss AM" as if it were UTC: differences and comparisons between two such times are what we need. */
function wallClock(text: string): number | undefined {
  const match = /^(\d\d)\/(\d\d)\/(\d{4}) (\d\d):(\d\d):(\d\d) (AM|PM)$/.exec(text);
  if (!match) return undefined;
  const [, month, day, year, hour, minute, second, half] = match;
  return Date.UTC(Number(year), Number(month) - 1, Number(day), (Number(hour) % 12) + (half === 'PM' ? 12 : 0), Number(minute), Number(second));
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  return sorted.length % 2 ? sorted[Math.floor(middle)] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/** The figures computed straight from the export, the way an analyst would in a spreadsheet. */
async function figuresFromCsv(): Promise<{ perAgency: Record<string, number>; byMethod: Record<string, number>; medianDaysOpen: number; closedLate: number; open: number; first: number; last: number }> {
  const perAgency: Record<string, number> = {};
  const byMethod: Record<string, number> = {};
  const daysOpen: number[] = [];
  let closedWithDue = 0;
  let late = 0;
  let open = 0;
  let first = Infinity;
  let last = -Infinity;
  let header: string[] | undefined;
  for await (const record of readCsv(createReadStream(BALTIMORE))) {
    if (!header) {
      header = record.fields;
      continue;
    }
    const row = Object.fromEntries(header.map((name, index) => [name, record.fields[index] ?? '']));
    perAgency[row.Agency] = (perAgency[row.Agency] ?? 0) + 1;
    byMethod[row.MethodReceived] = (byMethod[row.MethodReceived] ?? 0) + 1;
    const created = wallClock(row.CreatedDate)!;
    const closed = wallClock(row.CloseDate);
    first = Math.min(first, created);
    last = Math.max(last, created, closed ?? -Infinity);
    if (row.SRStatus.startsWith('Closed') && closed !== undefined) {
      daysOpen.push((closed - created) / 86_400_000);
      // A request without a due date gets one five days on (the mapping's defaultDueDays, config/imports/baltimore.json).
      const due = wallClock(row.DueDate) ?? created + 5 * 86_400_000;
      closedWithDue++;
      if (closed > due) late++;
    } else {
      open++;
    }
  }
  return { perAgency, byMethod, medianDaysOpen: median(daysOpen), closedLate: late / closedWithDue, open, first, last };
}

/*
 * Issue 8: after importing Baltimore's export, the city's figures must agree with the same figures
 * computed directly from the CSV. The import, the rebuild and the figures run as operators run them.
 */
describe("Baltimore's history, imported: the figures agree with the export", () => {
  let pool: Pool;
  let databaseUrl: string;
  let drop: () => Promise<void>;
  // As an operator runs them: the importer appends, the rebuild (as the owner) makes the statistics tables.
  const ops = (args: string[]) => runOps(args, { DATABASE_URL: databaseUrl, MIGRATION_DATABASE_URL: databaseUrl });

  beforeAll(async () => {
    ({ url: databaseUrl, pool, drop } = await ownDatabase('baltimore_figures'));
  });
  afterAll(() => drop());

  withExport('cases per agency and channel, median days open, share closed after the due date, open backlog', async () => {
    const imported = await ops(['import-history', '--source', 'baltimore', BALTIMORE]);
    expect(imported.stderr).not.toMatch(/rejected: [1-9]/);
    expect(imported.code).toBe(0);
    const rebuilt = await ops(['rebuild', 'figures']);
    expect(rebuilt.code).toBe(0);
    expect(rebuilt.stdout).toMatch(/rebuild figures: \d+ events in [\d.]+ s \(\d+ events\/s\); swapped in/);

    const csv = await figuresFromCsv();
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    const report: FiguresReport = await new FiguresQueries({ query: async (text, parameters) => (await pool.query(text, parameters)).rows }, 'America/New_York').report({
      from: day(csv.first - 86_400_000),
      to: day(csv.last + 86_400_000),
    });

    expect(report.city.received).toBe(10_000);
    expect(Object.fromEntries(report.departments.map((row) => [row.name, row.received]))).toEqual(csv.perAgency);
    expect(report.city.receivedByChannel).toMatchObject({ phone: csv.byMethod.Phone, api: csv.byMethod.API, email: csv.byMethod.Email, web: csv.byMethod.Web });
    expect(report.city.backlog.open).toBe(csv.open);
    expect(report.city.resolved).toBe(10_000 - csv.open);
    // The median from 5%-wide buckets (docs/statistics.md): within 5% of the exact one.
    expect(report.city.timeToResolve.medianHours! / 24).toBeGreaterThan(csv.medianDaysOpen * 0.95);
    expect(report.city.timeToResolve.medianHours! / 24).toBeLessThan(csv.medianDaysOpen * 1.05);
    // Compared on the wall clock in the CSV and in UTC by us: a due time within the hour a clock change moves may differ.
    expect(1 - report.city.deadline.compliance!).toBeCloseTo(csv.closedLate, 2);
  });
});
