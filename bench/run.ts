/**
 * npm run bench — measures, in one run on this machine:
 *  1. case intake throughput (autocannon, concurrent HTTP clients) against a raw PostgreSQL
 *     baseline: the same single-row insert of the same JSON through the same pg driver;
 *  2. end-to-end latency from POST /v1/cases to "resident notified" at a steady rate.
 * Absolute numbers drift on shared machines; the ratios are what to compare.
 *  3. routing decisions on the real NYC districts (bench/routing-decisions.ts), first and alone.
 * Env: BENCH_SECONDS (default 15), BENCH_CONNECTIONS (default 16), BENCH_RATE (cases/s, default 50),
 *  4. the department adapter against the simulator (bench/department-adapter.ts), in its own system;
 *  5. notifications against the mail catcher (bench/notifications.ts), last, in its own system.
 * BENCH_ONLY=routing (only the routing decisions, no infrastructure), BENCH_ONLY=adapter (only the
 * adapter), BENCH_ONLY=notifications, BENCH_ONLY=security (the cost of sealing personal data and of verifying staff tokens on intake, bench/personal-data.ts), BENCH_ADAPTER_CASES (default 1000), BENCH_OUTAGE_CASES (default 10000),
 * BENCH_NOTIFICATIONS (default 2000). BENCH_ONLY=figures: replay speed and dashboard latency with a
 * year of a big city (bench/figures.ts; BENCH_FIGURES_CASES, default 1,050,000). BENCH_ONLY=load:
 * issue 9's load benchmark (bench/load.ts: intake at rising concurrency against raw inserts, appends
 * against emmett, end to end at 10×/50×/100× New York's storm-day peak).
 */
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pool } from 'pg';
import { caseLogMigrations, migrate } from '@caseline/event-store';
import { consumerLag, provideInfrastructure, sessionOf, TestSystem, testKafka, waitFor } from '@caseline/testing';
import { percentile } from './case-events';
import { describeThroughput, HttpRequest, Load, nativeSubmission, open311Submission, rawPostgresInserts, report, throughput } from './http-load';
import { describeDepartmentAdapter, measureDepartmentAdapter } from './department-adapter';
import { describeNotifications, measureNotifications } from './notifications';
import { describeSealing, measureSealedIntake, measureSealingCrypto, measureVaultSeals } from './personal-data';
import { describeRoutingDecisions, measureRoutingDecisions } from './routing-decisions';
import { measureFigures } from './figures';
import { measureLoad } from './load';

const seconds = Number(process.env.BENCH_SECONDS ?? 15);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 16);
const rate = Number(process.env.BENCH_RATE ?? 50);
const load: Load = { connections, seconds };
/** A phase at the run's load (or for another duration). */
const measure = (request: HttpRequest, duration = seconds, rejected = false) => throughput(request, { connections, seconds: duration }, rejected);

/** Steady arrivals; latency = ResidentNotified.recorded_at − CaseReported.recorded_at (both stamped by PostgreSQL). */
async function endToEnd(system: TestSystem, pool: Pool) {
  const started = Date.now();
  const ids: string[] = [];
  const total = rate * seconds;
  const sends: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    sends.push(
      fetch(`${system.url('intake')}/v1/cases`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(report(`bench.${i}@example.org`)) })
        .then((r) => r.json() as Promise<{ id: string }>)
        .then((body) => void ids.push(body.id)),
    );
  }
  await Promise.all(sends);
  const query = `SELECT extract(epoch FROM (n.recorded_at - r.recorded_at)) * 1000 AS ms
                   FROM case_log.events r JOIN case_log.events n ON n.case_id = r.case_id AND n.type = 'ResidentNotified' AND n.data->>'purpose' = 'received'
                  WHERE r.type = 'CaseReported' AND r.case_id = ANY($1::uuid[])`;
  const rows = await waitFor(async () => {
    const { rows } = await pool.query<{ ms: string }>(query, [ids]);
    return rows.length === ids.length && rows;
  }, 'every case to be notified', 120000);
  const latencies = rows.map((r) => Number(r.ms)).sort((a, b) => a - b);
  return { cases: ids.length, p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99), max: latencies[latencies.length - 1] };
}

/** The run's figures as JSON in bench/results (not committed: docs/benchmarks.md keeps the ones we quote). */
function saveResults(kind: string, figures: object): void {
  const results = join(__dirname, 'results');
  mkdirSync(results, { recursive: true });
  writeFileSync(join(results, `${kind}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`), JSON.stringify(figures, null, 2));
}

async function main() {
  // The figures need only PostgreSQL (a database of their own, kept between runs: the big log takes minutes to make).
  if (process.env.BENCH_ONLY === 'figures') {
    console.log(await measureFigures(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'));
    return;
  }
  // Routing's decisions need no infrastructure: measured first, alone on the cores (issue 4: ≥ 5,000/s, p99 < 2 ms).
  const routing = measureRoutingDecisions();
  console.log(describeRoutingDecisions(routing));
  console.log(`routing decisions / index-free point lookups = ${(routing.perSecond / routing.scanPerSecond).toFixed(1)}× (target ≥ 5,000 decisions/s, p99 < 2 ms)`);
  if (process.env.BENCH_ONLY === 'routing') return;
  const env = { ...process.env } as NodeJS.ProcessEnv;
  const release = await provideInfrastructure(env, { database: 'caseline_bench' });
  Object.assign(process.env, { DATABASE_URL: env.DATABASE_URL, KAFKA_BROKERS: env.KAFKA_BROKERS, KAFKA_TOPIC_PREFIX: `caseline-bench-${Date.now()}` });
  // The same number of database connections for intake as for the raw baseline.
  // Rate limits off: the load generator is one address with one API key.
  if (process.env.BENCH_ONLY === 'adapter' || process.env.BENCH_ONLY === 'notifications') {
    try {
      const pool = new Pool({ connectionString: env.DATABASE_URL, max: 2 });
      await migrate(await sessionOf(pool)(), 'case_log', caseLogMigrations);
      console.log(process.env.BENCH_ONLY === 'adapter' ? describeDepartmentAdapter(await measureDepartmentAdapter(pool)) : describeNotifications(await measureNotifications(pool)));
      await pool.end();
    } finally {
      await release();
    }
    return;
  }
  if (process.env.BENCH_ONLY === 'load') {
    try {
      saveResults('load', JSON.parse(await measureLoad(env.DATABASE_URL!)));
    } finally {
      await release();
    }
    return;
  }
  if (process.env.BENCH_ONLY === 'security') {
    // Intake alone, as in the intake phase below: with and without a reporter's contact to seal, and with and without a staff token to verify.
    const intakeOnly = await TestSystem.create({ LOG_LEVEL: 'silent', DATABASE_POOL_SIZE: String(connections) });
    try {
      const crypto = measureSealingCrypto();
      await intakeOnly.start(['intake']);
      const intake = await measureSealedIntake(intakeOnly.url('intake'), measure);
      // The same report without contact, taken by an operator on the phone: a bearer token verified on each request.
      const signedIn = await measure({ ...nativeSubmission(intakeOnly.url('intake'), () => ({ ...report(), channel: 'phone' })), headers: await intakeOnly.as('olivia.operator') });
      await intakeOnly.stop();
      console.log(describeSealing(crypto, intake, await measureVaultSeals(env.DATABASE_URL!, connections, seconds)));
      console.log(`intake POST /v1/cases by a signed-in operator (token verified), no contact: ${signedIn.perSecond.toFixed(0)}/s (${((signedIn.perSecond / intake.withoutContact.perSecond) * 100).toFixed(0)}% of anonymous; p50 ${signedIn.p50} ms, p99 ${signedIn.p99} ms, ${signedIn.failed} failed)`);
    } finally {
      await intakeOnly.stop();
      await release();
    }
    return;
  }
  const system = await TestSystem.create({ LOG_LEVEL: 'silent', DATABASE_POOL_SIZE: String(connections), RATE_LIMIT_PER_API_KEY_PER_MINUTE: '0' });
  const pool = new Pool({ connectionString: env.DATABASE_URL, max: 2 });
  const kafka = testKafka();
  try {
    console.log(`bench: ${seconds}s per phase, ${connections} connections, ${rate} cases/s end-to-end`);
    const raw = (await rawPostgresInserts(env.DATABASE_URL!, load)).perSecond;
    console.log(`raw PostgreSQL single-row inserts of the same event rows: ${raw.toFixed(0)}/s`);

    // Intake alone (with its log relay publishing to Kafka): the write path a resident waits on.
    await system.start(['intake']);
    const intakeUrl = system.url('intake');
    await measure(nativeSubmission(intakeUrl), 3); // warm-up (JIT, pools), not counted
    const intake = await measure(nativeSubmission(intakeUrl));
    console.log(describeThroughput('intake POST /v1/cases', intake));
    // The same reports taken by an operator on the phone: each request's bearer token verified (RS256, keys cached).
    const operator = await system.as('olivia.operator');
    const signedIn = await measure({ ...nativeSubmission(intakeUrl, () => ({ ...report(), channel: 'phone' })), headers: operator });
    console.log(describeThroughput('intake POST /v1/cases by a signed-in operator', signedIn));
    // The HTTP edge alone (parse, validate, answer 422 for an unknown service; no database): intake's ceiling here.
    const edge = await measure(nativeSubmission(intakeUrl, () => ({ ...report(), serviceCode: 'NOT-IN-CATALOG' })), seconds, true);
    console.log(`intake HTTP edge only (422, no database): ${edge.perSecond.toFixed(0)}/s`);
    // The same submissions through Open311 (issue 3: within 80% of the native API).
    const open311 = await measure(open311Submission(intakeUrl));
    console.log(describeThroughput('Open311 POST /open311/v2/requests.json', open311));
    // The public view of one case (the tracking page), read far more than cases are written (issue 3: ≥ 5×).
    const created = (await (await fetch(`${intakeUrl}/v1/cases`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(report()) })).json()) as { trackingUrl: string };
    const publicView = await measure({ url: created.trackingUrl });
    console.log(describeThroughput('public case view GET /track/{reference}?token=…', publicView));

    // Then the whole pipeline; let it drain the burst before measuring latency at a steady rate.
    await system.start(['department-simulator', 'mail-catcher', 'routing', 'department-adapter', 'notification']);
    await waitFor(async () => {
      // Every stage has caught up with the burst: work orders exist and no consumer is behind.
      // (Cases routing linked as duplicates get no work order of their own.)
      const { rows } = await pool.query(`SELECT count(*) FILTER (WHERE type = 'CaseRouted') AS routed, count(*) FILTER (WHERE type = 'WorkOrderCreated') AS ordered FROM case_log.events`);
      if (rows[0].routed !== rows[0].ordered) return false;
      return (await Promise.all(['routing', 'department-adapter', 'notification'].map((group) => consumerLag(kafka, group)))).every((lag) => lag === 0);
    }, 'the pipeline to drain', 600000);

    const e2e = await endToEnd(system, pool);
    console.log(`end-to-end POST → resident notified at ${rate}/s: p50 ${e2e.p50.toFixed(0)} ms, p95 ${e2e.p95.toFixed(0)} ms, p99 ${e2e.p99.toFixed(0)} ms, max ${e2e.max.toFixed(0)} ms (${e2e.cases} cases)`);

    await system.stop();
    const adapter = await measureDepartmentAdapter(pool);
    console.log(describeDepartmentAdapter(adapter));
    const notifications = await measureNotifications(pool);
    console.log(describeNotifications(notifications));

    const ratio = intake.perSecond / raw;
    console.log(`\nintake / raw PostgreSQL = ${(ratio * 100).toFixed(0)}% (target ≥ 40%); intake / its HTTP edge alone = ${((intake.perSecond / edge.perSecond) * 100).toFixed(0)}%`);
    console.log(`Open311 / native submissions = ${((open311.perSecond / intake.perSecond) * 100).toFixed(0)}% (target ≥ 80%); public view / submissions = ${(publicView.perSecond / intake.perSecond).toFixed(1)}× (target ≥ 5×)`);
    console.log(`signed-in operator / anonymous resident submissions = ${((signedIn.perSecond / intake.perSecond) * 100).toFixed(0)}% (the cost of verifying a token on every request)`);
    console.log(`end-to-end p95 = ${e2e.p95.toFixed(0)} ms at ${rate}/s (target < 1000 ms)`);
    saveResults('bench', { seconds, connections, rate, routing, raw, intake, signedIn, edge, open311, publicView, ratio, e2e, adapter, notifications });
  } finally {
    await pool.end();
    await system.stop();
    await release();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
