import autocannon from 'autocannon';
import * as hdr from 'hdr-histogram-js';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { caseLogMigrations, migrate } from '@caseline/event-store';
import { gridPlace, sessionOf } from '@caseline/testing';
import { percentile } from './case-events';

/** Requests (or rows) a second, and latency percentiles in ms. */
export interface Throughput {
  perSecond: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  failed: number;
}

/** How hard a phase pushes: concurrent clients (and pool connections), for this many seconds. */
export interface Load {
  connections: number;
  seconds: number;
}

// Every report at its own place: the same light reported twice nearby would be one case (a duplicate).
let places = 0;
export const distinctPlace = () => gridPlace(places++);
export const report = (email?: string) => ({
  serviceCode: 'STREETLIGHT',
  description: 'The streetlight on the corner is out',
  location: distinctPlace(),
  channel: 'web',
  ...(email ? { reporter: { email, language: 'en' } } : {}),
});

/**
 * Baseline: the same rows intake writes (a CaseReported event with its metadata), one plain
 * INSERT each, into a table shaped like the case log (same columns, defaults and indexes).
 */
export async function rawPostgresInserts(databaseUrl: string, load: Load): Promise<Throughput> {
  const pool = new Pool({ connectionString: databaseUrl, max: load.connections });
  await migrate(await sessionOf(pool)(), 'case_log', caseLogMigrations);
  await pool.query('CREATE SCHEMA IF NOT EXISTS bench; CREATE TABLE IF NOT EXISTS bench.events (LIKE case_log.events INCLUDING ALL)');
  const data = JSON.stringify({ ...report('resident@example.org'), reference: '100-000-000', serviceName: 'Streetlight out' });
  const metadata = JSON.stringify({ actor: { kind: 'resident', id: 'resident', name: 'Resident' }, channel: 'web', at: new Date().toISOString(), correlationId: randomUUID() });
  const deadline = Date.now() + load.seconds * 1000;
  const latencies: number[] = [];
  await Promise.all(
    Array.from({ length: load.connections }, async () => {
      while (Date.now() < deadline) {
        const started = performance.now();
        await pool.query(
          `INSERT INTO bench.events (event_id, case_id, case_version, type, schema_version, data, metadata) VALUES ($1, $2, 1, 'CaseReported', 1, $3, $4)`,
          [randomUUID(), randomUUID(), data, metadata],
        );
        latencies.push(performance.now() - started);
      }
    }),
  );
  await pool.end();
  latencies.sort((a, b) => a - b);
  const at = (p: number) => Number(percentile(latencies, p).toFixed(1));
  return { perSecond: latencies.length / load.seconds, p50: at(50), p90: at(90), p95: at(95), p99: at(99), failed: 0 };
}

export interface HttpRequest {
  url: string;
  method?: 'GET' | 'POST';
  contentType?: string;
  headers?: Record<string, string>;
  body?: () => string;
}

/** Requests a second (and latency) of one request (its body made afresh for each), sent by `load.connections` clients (autocannon) for `load.seconds`. */
export async function throughput(request: HttpRequest, load: Load, rejected = false): Promise<Throughput> {
  const { body } = request;
  const latencies = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 10000, numberOfSignificantValueDigits: 3 });
  const result = await autocannon({
    url: request.url,
    method: request.method ?? 'GET',
    headers: { ...(request.contentType ? { 'content-type': request.contentType } : {}), ...request.headers },
    connections: load.connections,
    duration: load.seconds,
    histograms: { latencies },
    ...(body ? { requests: [{ setupRequest: (next: object) => ({ ...next, body: body() }) }] } : {}),
  } as autocannon.Options);
  const failed = result.errors + (rejected ? 0 : result.non2xx);
  return { perSecond: result.requests.average, p50: result.latency.p50, p90: result.latency.p90, p95: latencies.getValueAtPercentile(95), p99: result.latency.p99, failed };
}

export const nativeSubmission = (url: string, body: () => unknown = () => report()): HttpRequest => ({ url: `${url}/v1/cases`, method: 'POST', contentType: 'application/json', body: () => JSON.stringify(body()) });

/** The same report as an Open311 client sends it (form-encoded, with the demo API key). */
export const open311Submission = (url: string): HttpRequest => ({
  url: `${url}/open311/v2/requests.json`,
  method: 'POST',
  contentType: 'application/x-www-form-urlencoded',
  body: () => {
    const { lat, long } = distinctPlace();
    return new URLSearchParams({ api_key: 'caseline-demo-key', service_code: 'STREETLIGHT', lat: String(lat), long: String(long), description: 'The streetlight on the corner is out' }).toString();
  },
});

export const describeThroughput = (name: string, r: Throughput) => `${name}: ${r.perSecond.toFixed(0)}/s (p50 ${r.p50} ms, p95 ${r.p95} ms, p99 ${r.p99} ms, ${r.failed} failed)`;
