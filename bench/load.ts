/**
 * BENCH_ONLY=load npm run bench — issue 9's load benchmark, in one run on this machine:
 *  1. intake POST /v1/cases at rising concurrency (BENCH_LOAD_CONNECTIONS, default 1,4,16,64),
 *     throughput and p50/p95/p99, each against raw PostgreSQL single-row inserts of the same rows
 *     at the same concurrency (aim ≥ 60%);
 *  2. event appends — a case's life: opened with one event, then three more appends at the
 *     expected version — by our event store and by @event-driven-io/emmett-postgresql (a peer,
 *     a dev dependency of this benchmark only), into the same PostgreSQL at the same concurrency,
 *     taking turns in four slices each so that the machine's drift weighs on both alike;
 *  3. end-to-end latency, submission → resident notified, at 10×, 50× and 100× New York City's
 *     storm-day peak of new cases (0.55/s: docs/scaling.md; BENCH_LOAD_MULTIPLES, default 10,50,100),
 *     every stage's lag sampled each second: p95 aim < 500 ms at 100×, and no lag that grows without
 *     bound; and the CPU time each case cost each process (services, PostgreSQL, Kafka).
 * Replay against a plain sequential read is BENCH_ONLY=figures (it needs a 5-million-event log).
 * BENCH_LOAD_PHASES=intake,appends,e2e runs only some phases.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { Client, Pool } from 'pg';
import { appendAfter, CaseHead, caseLogMigrations, migrate, NEW_CASE, NewEvent, relayLag } from '@caseline/event-store';
import { CASE_EVENTS_RELAY } from '@caseline/service-kit';
import { asSql, consumerLag, sessionOf, TestSystem, testKafka, waitFor } from '@caseline/testing';
import { percentile } from './case-events';
import { nativeSubmission, rawPostgresInserts, report, Throughput, throughput } from './http-load';

const seconds = Number(process.env.BENCH_SECONDS ?? 15);
const concurrencies = (process.env.BENCH_LOAD_CONNECTIONS ?? '1,4,16,64').split(',').filter(Boolean).map(Number);
/** New York City's storm-day peak of new cases a second (a real day's busiest hour × 4: docs/scaling.md). */
const NYC_STORM_PEAK = 0.55;
const MULTIPLES = (process.env.BENCH_LOAD_MULTIPLES ?? '10,50,100').split(',').map(Number);
/** Which phases to run (BENCH_LOAD_PHASES, default all): intake, appends, e2e. */
const phases = new Set((process.env.BENCH_LOAD_PHASES ?? 'intake,appends,e2e').split(','));
const CONSUMERS = ['routing', 'department-adapter', 'notification'];

// ---------------------------------------------------------------------------------- appends ----

/** The events of a case's life, as the services write them (sizes and shapes of the real ones). */
const lifeOfACase = (): { type: string; data: object }[] => [
  { type: 'CaseReported', data: { ...report(), reference: '100-000-000', serviceName: 'Streetlight out', serviceGroup: 'Streets and sidewalks' } },
  { type: 'CaseRouted', data: { department: 'DOT', departmentName: 'Department of Transportation', queue: 'signals-and-lighting', priority: 'high', dueAt: new Date().toISOString(), matched: { rule: 'streets-lighting' } } },
  { type: 'WorkOrderCreated', data: { department: 'DOT', system: 'DOT work-order system', workOrderId: 'WO-1234567' } },
  { type: 'ResidentNotified', data: { notificationId: randomUUID(), purpose: 'received', channel: 'email', recipient: 'r***@example.org', audience: 'reporter' } },
];
const metadata = () => ({ actor: { kind: 'service', id: 'bench', name: 'Bench' }, channel: 'system', at: new Date().toISOString(), correlationId: randomUUID() });

export interface AppendResult {
  eventsPerSecond: number;
  p50: number;
  p99: number;
}

/** An event store as the benchmark drives it: where a new case's head stands, and one append after a head. */
interface AppendingStore<Head> {
  start: Head;
  append(caseId: string, head: Head, event: { type: string; data: object }): Promise<Head>;
  close(): Promise<void>;
}

/** What one store did over all its slices. */
class AppendTally {
  readonly latencies: number[] = [];
  seconds = 0;

  result(): AppendResult {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    return { eventsPerSecond: sorted.length / this.seconds, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
  }
}

/**
 * `connections` writers, each appending cases' lives one event (one transaction) at a time for
 * `forSeconds`. Each writer knows where its case stands (what `append` returned last time), as a
 * command handler does from the history it decided on.
 */
async function appendLives<Head>(connections: number, store: AppendingStore<Head>, forSeconds: number, tally: AppendTally): Promise<void> {
  const deadline = Date.now() + forSeconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (Date.now() < deadline) {
        const caseId = randomUUID();
        let head = store.start;
        for (const event of lifeOfACase()) {
          const started = performance.now();
          head = await store.append(caseId, head, event);
          tally.latencies.push(performance.now() - started);
        }
      }
    }),
  );
  tally.seconds += forSeconds;
}

/**
 * Our event store: appendAfter (the version-guarded insert, the hash chain), one statement and so
 * one transaction of its own, as emmett's appendToStream is one call. (Services append inside a
 * transaction that also writes their inbox: BEGIN and COMMIT cost two more round trips there.)
 */
async function ourStore(databaseUrl: string, connections: number): Promise<AppendingStore<CaseHead>> {
  const pool = new Pool({ connectionString: databaseUrl, max: connections });
  await migrate(await sessionOf(pool)(), 'case_log', caseLogMigrations);
  const sql = asSql(pool);
  return {
    start: NEW_CASE,
    append: async (caseId, head, event) => {
      const newEvent: NewEvent = { eventId: randomUUID(), type: event.type, schemaVersion: 1, data: event.data, metadata: metadata() as NewEvent['metadata'] };
      return (await appendAfter(sql, caseId, head, [newEvent])).head;
    },
    close: () => pool.end(),
  };
}

/** The peer: emmett's PostgreSQL event store, appendToStream with the expected stream version. */
async function emmettStore(databaseUrl: string, connections: number): Promise<AppendingStore<bigint>> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { getPostgreSQLEventStore } = require('@event-driven-io/emmett-postgresql') as typeof import('@event-driven-io/emmett-postgresql');
  const store = getPostgreSQLEventStore(databaseUrl, { schema: { autoMigration: 'CreateOrUpdate' }, connectionOptions: { pooled: true, maxConnections: connections } } as never);
  await store.appendToStream(`case-warm-up-${randomUUID()}`, [{ type: 'WarmUp', data: {} }]); // creates its tables
  return {
    start: 0n,
    append: async (caseId, version, event) => {
      const result = await store.appendToStream(`case-${caseId}`, [{ type: event.type, data: event.data, metadata: metadata() }] as never, { expectedStreamVersion: version });
      return result.nextExpectedStreamVersion;
    },
    close: () => store.close(),
  };
}

/** Slices per store: ours and the peer's take turns, so a machine that speeds up or slows down meanwhile weighs on both alike. */
const APPEND_SLICES = 4;

/** Ours against emmett's at one concurrency, each into a fresh database of its own, in alternating slices of `seconds / APPEND_SLICES`. */
async function appendsAgainstPeer(databaseUrl: string, connections: number): Promise<{ ours: AppendResult; emmett: AppendResult }> {
  const ours = await ourStore(await freshDatabase(databaseUrl, 'caseline_bench_ours'), connections);
  const emmett = await emmettStore(await freshDatabase(databaseUrl, 'caseline_bench_emmett'), connections);
  const tallies = { ours: new AppendTally(), emmett: new AppendTally() };
  try {
    for (let slice = 0; slice < APPEND_SLICES; slice++) {
      const turns = [() => appendLives(connections, ours, seconds / APPEND_SLICES, tallies.ours), () => appendLives(connections, emmett, seconds / APPEND_SLICES, tallies.emmett)];
      for (const turn of slice % 2 === 0 ? turns : turns.reverse()) await turn();
    }
  } finally {
    await ours.close();
    await emmett.close();
  }
  return { ours: tallies.ours.result(), emmett: tallies.emmett.result() };
}

/** A database of its own for each store, made afresh. */
async function freshDatabase(databaseUrl: string, name: string): Promise<string> {
  const admin = new Client({ connectionString: databaseUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

// ----------------------------------------------------------------------------- end to end ----

export interface EndToEnd {
  multiple: number;
  rate: number;
  cases: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** The largest lag seen while reporting (messages, over the consumer groups; events, the relay). */
  maxConsumerLag: number;
  maxRelayLag: number;
  /** Lag in the last second of reporting: a stage that cannot keep up ends the window at its worst. */
  endConsumerLag: number;
  /** The group that fell furthest behind, and by how much. */
  slowest: string;
  /** CPU time per case, by process, from the first submission until the pipeline drained (idle work included). */
  cpuPerCase?: Record<string, number>;
}

/**
 * CPU time so far (ms) of the processes that carry the pipeline: each service, PostgreSQL's backends
 * and Kafka, from /proc (Linux; clock ticks of 10 ms), with the time of their children that ended:
 * a PostgreSQL backend that exits (a pool's idle connection closed) goes on counting in the
 * postmaster's, so the total only grows.
 */
function cpuByProcess(): Map<string, number> {
  const byName = new Map<string, number>();
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    try {
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      const name = /apps\/([\w-]+)\/src\/main\.ts/.exec(command.join(' '))?.[1] ?? (/^postgres\b|\/postgres$/.test(command[0]) ? 'postgresql' : command.some((part) => part === 'kafka.Kafka') ? 'kafka' : undefined);
      if (!name) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const [utime, stime, childrenUtime, childrenStime] = fields.slice(11, 15).map(Number);
      byName.set(name, (byName.get(name) ?? 0) + (utime + stime + childrenUtime + childrenStime) * 10);
    } catch {
      // gone meanwhile
    }
  }
  return byName;
}

/** CPU time so far (ms) of the whole machine, every process (the load generator's too): /proc/stat's busy ticks. */
function machineBusy(): number {
  const [user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return (user + nice + system + irq + softirq + steal) * 10;
}

/** Steady arrivals at `rate` for `seconds`; latency from the moment a report is sent to its "received" message being recorded sent. */
async function endToEnd(system: TestSystem, pool: Pool, multiple: number, during = seconds): Promise<EndToEnd> {
  const rate = NYC_STORM_PEAK * multiple;
  const kafka = testKafka();
  const sent = new Map<string, number>();
  const sends: Promise<void>[] = [];
  const total = Math.round(rate * during);
  const lags: { consumer: number; relay: number; groups: number[] }[] = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const groups = await Promise.all(CONSUMERS.map(async (group) => Math.max(0, await consumerLag(kafka, group))));
      lags.push({ consumer: groups.reduce((a, b) => a + b, 0), groups, relay: (await relayLag(asSql(pool), CASE_EVENTS_RELAY)).events });
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  })();
  const started = Date.now();
  for (let i = 0; i < total; i++) {
    const wait = started + (i * 1000) / rate - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const at = Date.now();
    sends.push(
      fetch(`${system.url('intake')}/v1/cases`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(report(`load.${multiple}.${i}@example.org`)) })
        .then((r) => r.json() as Promise<{ id: string }>)
        .then((body) => void sent.set(body.id, at)),
    );
  }
  await Promise.all(sends);
  sampling = false;
  await sampler;
  const ids = [...sent.keys()];
  // Once a second: the latencies are PostgreSQL's timestamps, and the probe (a scan of the
  // log by type) must not load the pipeline it measures.
  const rows = await waitFor(async () => {
    const { rows } = await pool.query<{ case_id: string; at: Date }>(
      `SELECT case_id, min(recorded_at) AS at FROM case_log.events WHERE type = 'ResidentNotified' AND data->>'purpose' = 'received' AND case_id = ANY($1::uuid[]) GROUP BY case_id`,
      [ids],
    );
    return rows.length === ids.length && rows;
  }, 'every case to be notified', 300000, 1000);
  const latencies = rows.map((row) => row.at.getTime() - sent.get(row.case_id)!).sort((a, b) => a - b);
  const last = lags[lags.length - 1] ?? { consumer: 0, relay: 0, groups: [] };
  return {
    multiple,
    rate,
    cases: ids.length,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    max: latencies[latencies.length - 1],
    maxConsumerLag: Math.max(...lags.map((l) => l.consumer)),
    maxRelayLag: Math.max(...lags.map((l) => l.relay)),
    endConsumerLag: last.consumer,
    slowest: CONSUMERS.map((group, i) => [group, Math.max(...lags.map((l) => l.groups[i]))] as const).sort((a, b) => b[1] - a[1])[0].join(' '),
  };
}

// ---------------------------------------------------------------------------------- the run ----

const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
const ms = (value: number) => `${value.toFixed(value < 10 ? 1 : 0)}`;

export async function measureLoad(databaseUrl: string): Promise<string> {
  const lines: string[] = [`load benchmark: ${seconds} s per phase`];
  const print = (line: string) => {
    lines.push(line);
    console.log(line);
  };

  // 1. Intake against raw inserts, at each concurrency: intake's pool as large as the baseline's,
  // but at least 4 (its log relay and its read models take connections of their own; with 1 it cannot start).
  print('\nintake POST /v1/cases against raw PostgreSQL inserts of the same rows, at rising concurrency');
  print(row(['clients', 'raw inserts/s', 'raw p50/p95/p99 ms', 'intake/s', 'intake p50/p95/p99 ms', 'intake / raw']));
  print(row(['---', '---', '---', '---', '---', '---']));
  const intakeRuns: { connections: number; raw: Throughput; intake: Throughput }[] = [];
  for (const connections of phases.has('intake') ? concurrencies : []) {
    const system = await TestSystem.create({ LOG_LEVEL: 'silent', DATABASE_POOL_SIZE: String(Math.max(4, connections)), RATE_LIMIT_PER_API_KEY_PER_MINUTE: '0' });
    try {
      const raw = await rawPostgresInserts(databaseUrl, { connections, seconds });
      await system.start(['intake']);
      await throughput(nativeSubmission(system.url('intake')), { connections, seconds: 3 }); // warm-up, not counted
      const intake = await throughput(nativeSubmission(system.url('intake')), { connections, seconds });
      intakeRuns.push({ connections, raw, intake });
      print(row([connections, raw.perSecond.toFixed(0), `${ms(raw.p50)} / ${ms(raw.p95)} / ${ms(raw.p99)}`, intake.perSecond.toFixed(0), `${intake.p50} / ${intake.p95} / ${intake.p99}${intake.failed ? ` (${intake.failed} failed)` : ''}`, `**${((intake.perSecond / raw.perSecond) * 100).toFixed(0)}%**`]));
    } finally {
      await system.stop();
    }
  }

  // 2. Appends: ours against emmett's, each into a fresh database of its own, same concurrency.
  print('\nevent appends, a case\'s life one event per transaction (expected version checked), ours against @event-driven-io/emmett-postgresql 0.42.0');
  print(row(['writers', 'Caseline events/s (p50/p99 ms)', 'emmett events/s (p50/p99 ms)', 'Caseline / emmett']));
  print(row(['---', '---', '---', '---']));
  const appendRuns: { connections: number; ours: AppendResult; emmett: AppendResult }[] = [];
  for (const connections of phases.has('appends') ? concurrencies : []) {
    const { ours, emmett } = await appendsAgainstPeer(databaseUrl, connections);
    appendRuns.push({ connections, ours, emmett });
    const describe = (r: AppendResult) => `${r.eventsPerSecond.toFixed(0)} (${ms(r.p50)} / ${ms(r.p99)})`;
    print(row([connections, describe(ours), describe(emmett), `**${((ours.eventsPerSecond / emmett.eventsPerSecond) * 100).toFixed(0)}%**`]));
  }

  // 3. The whole pipeline at multiples of New York's storm-day peak.
  print(`\nend to end, submission → "received" message recorded sent, at multiples of NYC's storm-day peak (${NYC_STORM_PEAK} new cases/s), ${seconds} s each`);
  print(row(['NYC peak ×', 'cases/s', 'cases', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'max consumer lag (slowest group)', 'consumer lag at the end', 'max relay lag']));
  print(row(['---', '---', '---', '---', '---', '---', '---', '---', '---', '---']));
  // A database and topics of its own: the pipeline starts idle, not with the intake phases' cases to work through.
  const e2eDatabaseUrl = await freshDatabase(databaseUrl, 'caseline_bench_e2e');
  const pipeline = await TestSystem.create({ LOG_LEVEL: 'silent', RATE_LIMIT_PER_API_KEY_PER_MINUTE: '0', DATABASE_URL: e2eDatabaseUrl, KAFKA_TOPIC_PREFIX: `caseline-bench-e2e-${Date.now()}` });
  process.env.KAFKA_TOPIC_PREFIX = pipeline.env.KAFKA_TOPIC_PREFIX; // for consumerLag, which reads the topic names from the environment
  const pool = new Pool({ connectionString: e2eDatabaseUrl, max: 2 });
  const endToEndRuns: EndToEnd[] = [];
  try {
    if (phases.has('e2e')) await pipeline.start(['department-simulator', 'mail-catcher', 'intake', 'routing', 'department-adapter', 'notification']);
    const kafka = testKafka();
    const drained = () => waitFor(async () => (await relayLag(asSql(pool), CASE_EVENTS_RELAY)).events === 0 && (await Promise.all(CONSUMERS.map((group) => consumerLag(kafka, group)))).every((lag) => lag === 0), 'the pipeline to drain', 900000);
    // Warm-up, not counted: the first cases of freshly started services pay for compiling their code
    // and preparing their statements, which the first rate measured would otherwise carry.
    if (phases.has('e2e')) await endToEnd(pipeline, pool, 10, 5);
    const cpuLines: string[] = [];
    for (const multiple of phases.has('e2e') ? MULTIPLES : []) {
      // Each rate starts from an idle pipeline: the cases of the rate before drained first.
      await drained();
      const cpuBefore = cpuByProcess();
      const machineBefore = machineBusy();
      const r = await endToEnd(pipeline, pool, multiple);
      await drained();
      const machinePerCase = (machineBusy() - machineBefore) / r.cases;
      const cpuPerCase = [...cpuByProcess()].map(([name, total]) => [name, (total - (cpuBefore.get(name) ?? 0)) / r.cases] as const).sort((a, b) => b[1] - a[1]);
      r.cpuPerCase = Object.fromEntries(cpuPerCase);
      endToEndRuns.push(r);
      print(row([`${multiple}×`, r.rate.toFixed(1), r.cases, ms(r.p50), `**${ms(r.p95)}**`, ms(r.p99), ms(r.max), `${r.maxConsumerLag} (${r.slowest})`, r.endConsumerLag, r.maxRelayLag]));
      const total = cpuPerCase.reduce((sum, [, perCase]) => sum + perCase, 0);
      cpuLines.push(`${multiple}×: **${total.toFixed(1)} ms** (${cpuPerCase.map(([name, perCase]) => `${name} ${perCase.toFixed(1)}`).join(', ')}); the whole machine ${machinePerCase.toFixed(1)} ms`);
    }
    if (cpuLines.length > 0) print(`\nCPU time per case, from the first submission until the pipeline drained (services, PostgreSQL, Kafka; idle work included; then the whole machine's, the load generator's and every other process's included):\n${cpuLines.join('\n')}`);
  } finally {
    await pool.end();
    await pipeline.stop();
  }
  return JSON.stringify({ seconds, intakeRuns, appendRuns, endToEndRuns });
}
