/**
 * The department adapter against the department-system simulator (issue 5): work orders dispatched
 * per second and routed → work order created at p50/p95, without and with 30% injected errors, and
 * the recovery after an outage compressed into the run (the system down while thousands of work
 * orders queue, then back). Cases are written straight into the log (CaseReported + CaseRouted), so
 * only the adapter's path is measured: relay → Kafka → outbox → signed HTTP → WorkOrderCreated.
 */
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { appendNewCases, newEventId } from '@caseline/event-store';
import { asSql, gridPlace, TestSystem, waitFor } from '@caseline/testing';
import { eventPairs, percentile } from './case-events';


export interface AdapterFigures {
  cases: number;
  /** Work orders created per second until 95% of them were (the unlucky tail waiting out its backoff would hide the rate). */
  perSecond: number;
  p50: number;
  p95: number;
  /** Seconds until the very last one. */
  allWithin: number;
}

/** Writes `count` routed streetlight cases for DOT into the log, in batches; returns their ids. */
async function routedCases(pool: Pool, count: number, label: string): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < count; start += 500) {
    const batch = Array.from({ length: Math.min(500, count - start) }, (_, i) => {
      const caseId = randomUUID();
      ids.push(caseId);
      const at = new Date().toISOString();
      const metadata = { actor: { kind: 'service', id: 'bench', name: 'Benchmark' }, channel: 'system', at, correlationId: caseId };
      const reference = `${label}-${start + i}`;
      return {
        caseId,
        events: [
          { eventId: newEventId(), type: 'CaseReported', schemaVersion: 1, metadata, data: { reference, serviceCode: 'STREETLIGHT', serviceName: 'Streetlight out', description: 'Lamp out', location: gridPlace(start + i), channel: 'system' } },
          { eventId: newEventId(), type: 'CaseRouted', schemaVersion: 1, metadata, data: { department: 'DOT', departmentName: 'Department of Transportation', priority: 'normal', dueAt: at, decidedBy: 'rule', matched: {} } },
        ],
      };
    });
    await appendNewCases(asSql(pool), batch as never);
  }
  return ids;
}

/** Routed → WorkOrderCreated for these cases, once every one has its work order. */
async function figures(pool: Pool, ids: string[], timeoutMs: number): Promise<AdapterFigures & { first: number; last: number }> {
  const rows = (await eventPairs(pool, ids, 'CaseRouted', 'WorkOrderCreated', timeoutMs)).map((r) => ({ routed: r.from, created: r.to }));
  const latencies = rows.map((r) => r.created.getTime() - r.routed.getTime()).sort((a, b) => a - b);
  const first = Math.min(...rows.map((r) => r.routed.getTime()));
  const created = rows.map((r) => r.created.getTime()).sort((a, b) => a - b);
  const last = created[created.length - 1];
  const at95 = percentile(created, 95);
  return { cases: ids.length, perSecond: (0.95 * ids.length) / ((at95 - first) / 1000), p50: percentile(latencies, 50), p95: percentile(latencies, 95), allWithin: (last - first) / 1000, first, last };
}

export async function measureDepartmentAdapter(pool: Pool, cases = Number(process.env.BENCH_ADAPTER_CASES ?? 1000), outageCases = Number(process.env.BENCH_OUTAGE_CASES ?? 10000)) {
  const system = await TestSystem.create({ LOG_LEVEL: 'silent', KAFKA_TOPIC_PREFIX: `caseline-bench-adapter-${Date.now()}`, DEPARTMENT_BREAKER_PAUSE_MS: '1000' });
  const control = (knobs: object) => fetch(`${system.url('department-simulator')}/control`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(knobs) });
  try {
    await system.start(['department-simulator', 'department-adapter']);
    const clean = await figures(pool, await routedCases(pool, cases, 'CLEAN'), 300_000);
    await control({ errorRate: 0.3 });
    const withErrors = await figures(pool, await routedCases(pool, cases, 'ERRORS'), 600_000);
    await control({ errorRate: 0, down: true });
    const queued = await routedCases(pool, outageCases, 'OUTAGE');
    await waitFor(async () => {
      const { rows } = await pool.query(`SELECT count(*)::int AS n FROM department_adapter.work_orders WHERE case_id = ANY($1::uuid[])`, [queued]);
      return rows[0].n === queued.length;
    }, 'every work order of the outage to be queued', 600_000);
    const back = Date.now();
    await control({ down: false });
    const recovery = await figures(pool, queued, 1_200_000);
    const duplicates = await pool.query(`SELECT count(*)::int AS n FROM (SELECT case_id FROM case_log.events WHERE type = 'WorkOrderCreated' AND case_id = ANY($1::uuid[]) GROUP BY case_id HAVING count(*) > 1) d`, [queued]);
    const simulated = ((await (await fetch(`${system.url('department-simulator')}/work-orders`)).json()) as { caseReference: string }[]).filter((o) => o.caseReference.startsWith('OUTAGE-')).length;
    return { clean, withErrors, recovery: { ...recovery, seconds: (recovery.last - back) / 1000, duplicates: duplicates.rows[0].n, inSimulator: simulated } };
  } finally {
    await system.stop();
  }
}

export const describeDepartmentAdapter = (r: Awaited<ReturnType<typeof measureDepartmentAdapter>>) =>
  [
    `work orders to the simulator: ${r.clean.perSecond.toFixed(0)}/s, routed → created p50 ${r.clean.p50} ms, p95 ${r.clean.p95} ms, all within ${r.clean.allWithin.toFixed(1)} s (${r.clean.cases} cases)`,
    `with 30% errors: ${r.withErrors.perSecond.toFixed(0)}/s, p50 ${r.withErrors.p50} ms, p95 ${r.withErrors.p95} ms, all within ${r.withErrors.allWithin.toFixed(1)} s (the last waited out several backoffs)`,
    `after an outage with ${r.recovery.cases} work orders queued: all created ${r.recovery.seconds.toFixed(1)} s after the system returned (${(r.recovery.cases / r.recovery.seconds).toFixed(0)}/s); ` +
      `cases with two work orders: ${r.recovery.duplicates}; orders in the simulator: ${r.recovery.inSimulator}`,
  ].join('\n');
