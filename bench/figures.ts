/**
 * BENCH_ONLY=figures npm run bench — the city's figures at a big city's scale (issue 8), in one run:
 *  1. a synthetic year: BENCH_FIGURES_CASES cases (default 1,050,000: over 5 million events), ~5 events each, in the log of
 *     its own database (made once, kept between runs: ~5 min to make);
 *  2. a plain sequential read of every event through the same driver (the physical limit), then
 *     the rebuild of the figures read model from the whole log: events/s and the ratio (aim ≥ 30%);
 *  3. dashboard views (city, department, area, type; 4 weeks to a year): latency p50/p95 (aim < 1 s);
 *     BENCH_FIGURES_VIEWS_ONLY=1 times only these, on the read model an earlier run built.
 */
import { Client } from 'pg';
import { caseLogMigrations, migrate } from '@caseline/event-store';
import { dayIn } from '@caseline/statistics-domain';
import { clientConnection, FiguresQueries, rebuildFigures, statisticsMigrations } from '@caseline/statistics-feature';
import { percentile } from './case-events';

const CASES = Number(process.env.BENCH_FIGURES_CASES ?? 1_050_000);
const ZONE = 'America/New_York';
const DATABASE = process.env.BENCH_FIGURES_DATABASE ?? 'caseline_bench_figures';

/** Deterministic pseudo-random numbers in [0, 1) per case and purpose, so the log is the same every time it is made. */
const R = (n: number) => `(('x' || substr(md5(i::text || '-${n}'), 1, 8))::bit(32)::bigint / 4294967296.0)`;

async function makeLog(client: Client): Promise<number> {
  const session = { query: async (text: string, parameters?: unknown[]) => (await client.query(text, parameters)).rows, release: async () => undefined };
  await migrate(session, 'case_log', caseLogMigrations);
  const [{ count }] = (await client.query<{ count: string }>(`SELECT count(DISTINCT case_id) AS count FROM case_log.events`)).rows;
  if (Number(count) === CASES) return Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM case_log.events')).rows[0].n);
  await client.query('DROP SCHEMA IF EXISTS statistics CASCADE; DROP SCHEMA IF EXISTS case_log CASCADE');
  await migrate(session, 'case_log', caseLogMigrations);
  // One row per event of every case, then appended in the order they happened, a month per transaction.
  await client.query(`CREATE UNLOGGED TABLE bench_events AS
    WITH c AS (
      SELECT i, md5('bench-case-' || i)::uuid AS case_id, timestamptz '2025-11-01 00:00:00+00' + ${R(1)} * interval '365 days' AS t0,
             floor(power(${R(2)}, 2.5) * 230)::int AS k, 1 + floor(${R(3)} * 14)::int AS area, ${R(4)} AS r4, ${R(5)} AS r5, ${R(6)} AS r6, ${R(7)} AS r7
        FROM generate_series(1, ${CASES}) AS i)
    SELECT case_id, v, at, type, data FROM c, LATERAL (VALUES
      (1, t0, 'CaseReported', jsonb_build_object('reference', 'B-' || i, 'serviceCode', 'T' || k, 'serviceName', 'Request type ' || k, 'description', 'synthetic',
          'location', jsonb_build_object('lat', 39.2 + r4 / 10, 'long', -76.7 + r5 / 10), 'channel', (ARRAY['web','phone','phone','mobile','api','email'])[1 + floor(r6 * 6)::int])),
      (2, t0 + interval '1 second', 'CaseRouted', jsonb_build_object('department', 'D' || (k % 16), 'departmentName', 'Department ' || (k % 16), 'priority', 'normal',
          'dueAt', t0 + (1 + floor(r7 * 10)) * interval '1 day', 'matched', '{}'::jsonb, 'areas', jsonb_build_object('council-district', jsonb_build_object('id', area::text, 'name', 'Council District ' || area)))),
      (3, t0 + r4 * interval '48 hours', 'WorkOrderStatusChanged', jsonb_build_object('department', 'D' || (k % 16), 'workOrderId', 'W' || i, 'status', 'acknowledged', 'departmentStatus', 'ACK')),
      (4, t0 + interval '48 hours' + power(r5, 3) * interval '2000 hours', 'CaseResolved', jsonb_build_object('resolution', 'fixed')),
      (5, t0 + interval '50 hours' + power(r5, 3) * interval '2000 hours', CASE WHEN r6 < 0.2 THEN 'SatisfactionRecorded' ELSE 'ResidentNotified' END,
          CASE WHEN r6 < 0.2 THEN jsonb_build_object('rating', 1 + floor(r7 * 5)) ELSE jsonb_build_object('notificationId', i::text, 'purpose', 'resolved', 'channel', 'email', 'recipient', 'r***@example.org') END)
    ) AS e(v, at, type, data)
    WHERE at < timestamptz '2026-11-01 00:00:00+00'`);
  for (let month = 0; month < 12; month++) {
    await client.query(
      `INSERT INTO case_log.events (event_id, case_id, case_version, type, schema_version, data, metadata)
       SELECT md5(case_id::text || v)::uuid, case_id, v, type, 1, data,
              jsonb_build_object('actor', jsonb_build_object('kind', 'service', 'id', 'bench', 'name', 'Bench'), 'channel', 'system', 'at', to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'correlationId', case_id)
         FROM bench_events WHERE at >= timestamptz '2025-11-01 00:00:00+00' + $1 * interval '1 month' AND at < timestamptz '2025-11-01 00:00:00+00' + ($1 + 1) * interval '1 month'
        ORDER BY at`,
      [month],
    );
  }
  await client.query('DROP TABLE bench_events');
  await client.query('VACUUM ANALYZE case_log.events');
  return Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM case_log.events')).rows[0].n);
}

/** The physical limit: every event read once, in storage order, through the same driver and JSON parsing. */
async function sequentialRead(client: Client): Promise<{ events: number; perSecond: number }> {
  const started = Date.now();
  let events = 0;
  for (let after = '0'; ; ) {
    const { rows } = await client.query<{ global_position: string }>(
      `SELECT event_id, case_id, case_version, type, schema_version, data, metadata, global_position, transaction_id::text, recorded_at
         FROM case_log.events WHERE global_position > $1 ORDER BY global_position LIMIT 5000`,
      [after],
    );
    if (rows.length === 0) break;
    events += rows.length;
    after = rows[rows.length - 1].global_position;
  }
  return { events, perSecond: events / ((Date.now() - started) / 1000) };
}

const VIEWS: { name: string; filter: { from: string; to: string; department?: string; area?: string; service?: string } }[] = [
  { name: 'city, a year', filter: { from: '2025-11-01', to: '2026-10-31' } },
  { name: 'city, 4 weeks', filter: { from: '2026-10-04', to: '2026-10-31' } },
  { name: 'department, a year', filter: { from: '2025-11-01', to: '2026-10-31', department: 'D0' } },
  { name: 'area, a quarter', filter: { from: '2026-08-01', to: '2026-10-31', area: '7' } },
  { name: 'request type, a year', filter: { from: '2025-11-01', to: '2026-10-31', service: 'T0' } },
  { name: 'department + area, a week', filter: { from: '2026-10-25', to: '2026-10-31', department: 'D3', area: '2' } },
];

export async function measureFigures(adminUrl: string): Promise<string> {
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  if ((await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE])).rowCount === 0) await admin.query(`CREATE DATABASE ${DATABASE}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${DATABASE}`;
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  const lines: string[] = [];
  try {
    let started = Date.now();
    const events = await makeLog(client);
    lines.push(`figures: log of ${CASES.toLocaleString('en-US')} cases, ${Number(events).toLocaleString('en-US')} events (ready in ${((Date.now() - started) / 1000).toFixed(0)} s)`);
    const session = { query: async (text: string, parameters?: unknown[]) => (await client.query(text, parameters)).rows, release: async () => undefined };
    await migrate(session, 'statistics', statisticsMigrations);
    await client.query(`DO $$ BEGIN CREATE ROLE caseline_statistics LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$`);
    // BENCH_FIGURES_VIEWS_ONLY=1: the read model is already built (by an earlier run); only the views are timed.
    if (process.env.BENCH_FIGURES_VIEWS_ONLY !== '1') {
      const read = await sequentialRead(client);
      started = Date.now();
      const rebuilt = await rebuildFigures(
        clientConnection(client),
        { dayOf: dayIn(ZONE), serviceRole: 'caseline_statistics', batchSize: Number(process.env.BENCH_FIGURES_BATCH ?? 5000) },
      );
      const replay = rebuilt.events / ((Date.now() - started) / 1000);
      lines.push(`figures: sequential read ${Math.round(read.perSecond).toLocaleString('en-US')} events/s; rebuild of the figures read model ${Math.round(replay).toLocaleString('en-US')} events/s = ${((replay / read.perSecond) * 100).toFixed(0)}% of it (aim ≥ 30%)`);
    }
    await client.query('ANALYZE statistics.cases; ANALYZE statistics.daily; ANALYZE statistics.daily_durations');
    const queries = new FiguresQueries({ query: async (text, parameters) => (await client.query(text, parameters)).rows }, ZONE);
    for (const view of VIEWS) {
      const times: number[] = [];
      for (let run = 0; run < Number(process.env.BENCH_FIGURES_RUNS ?? 20); run++) {
        const start = process.hrtime.bigint();
        await queries.report(view.filter);
        times.push(Number(process.hrtime.bigint() - start) / 1e6);
      }
      times.sort((a, b) => a - b);
      lines.push(`figures: dashboard view "${view.name}": p50 ${percentile(times, 50).toFixed(0)} ms, p95 ${percentile(times, 95).toFixed(0)} ms (aim < 1 s)`);
    }
  } finally {
    await client.end();
  }
  return lines.join('\n');
}
