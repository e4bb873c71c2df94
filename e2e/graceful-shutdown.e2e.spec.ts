import { randomUUID } from 'node:crypto';
import { distinctPlace, waitFor } from '@caseline/testing';
import { streetlightReport, withWholeSystem } from './case-api';

/*
 * SIGTERM (a rollout, a node drained): the service stops taking requests, finishes the ones it has,
 * and exits. Every report answered 201 is in the log, and no report is in the log unanswered. A
 * consumer stops taking events, finishes the ones it has, commits, and exits: after its restart
 * every event has had its effect once.
 */
describe('graceful shutdown', () => {
  const the = withWholeSystem();

  it('intake answers every report it took before SIGTERM, and writes no case it did not answer', async () => {
    const marker = `shutdown-${randomUUID()}`;
    const body = () => ({ serviceCode: 'STREETLIGHT', description: `The lamp is out (${marker})`, location: distinctPlace(), channel: 'web' });
    const answers = Array.from({ length: 40 }, () => the.api.report(body()).then((response) => response.status, () => 'not taken' as const));
    await new Promise((resolve) => setTimeout(resolve, 30));
    const exited = the.system.exited('intake');
    await the.system.kill('intake', 'SIGTERM');
    expect(await exited).toBe('SIGTERM'); // Nest closes, then lets the signal end the process
    const statuses = await Promise.all(answers);

    expect(statuses.filter((status) => status !== 201 && status !== 'not taken')).toEqual([]);
    const accepted = statuses.filter((status) => status === 201).length;
    expect(accepted).toBeGreaterThan(0);
    const { rows } = await the.pool.query(`SELECT count(*)::int AS n FROM case_log.events WHERE type = 'CaseReported' AND data->>'description' LIKE $1`, [`%${marker}%`]);
    expect(rows[0].n).toBe(accepted);
    await the.system.start(['intake']);
  });

  // Kubernetes waits terminationGracePeriodSeconds (k8s/: 30 s) before it kills.
  const GRACE_MS = 30_000;

  it.each(['routing', 'department-adapter', 'notification'] as const)('%s, stopped with SIGTERM mid-stream, exits within the grace period, and nothing it took is lost or done twice', async (service) => {
    const run = randomUUID().slice(0, 8);
    const cases = await Promise.all(Array.from({ length: 12 }, (_, i) => the.api.submit(streetlightReport(`sigterm.${run}.${i}@example.org`))));
    await new Promise((resolve) => setTimeout(resolve, 150));
    const exited = the.system.exited(service);
    const started = Date.now();
    void the.system.kill(service, 'SIGTERM');
    expect(await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve(`still running after ${GRACE_MS} ms`), GRACE_MS))])).toBe('SIGTERM');
    expect(Date.now() - started).toBeLessThan(GRACE_MS);
    await the.system.start([service]);

    for (const { reference } of cases) await the.api.waitForHistory(reference, ['CaseRouted', 'WorkOrderCreated', 'ResidentNotified', 'ResidentNotified'], `${reference} to go the whole way`);
    const { rows } = await the.pool.query<{ type: string; n: number }>(
      `SELECT type, count(*)::int AS n FROM case_log.events WHERE case_id = ANY($1::uuid[]) AND type IN ('CaseRouted', 'WorkOrderCreated', 'ResidentNotified', 'ResidentNotificationFailed') GROUP BY type`,
      [cases.map((c) => c.id)],
    );
    const counts = Object.fromEntries(rows.map((row) => [row.type, row.n]));
    // Routed once, one work order, "received" and "assigned" once each: nothing lost, nothing twice.
    expect(counts).toEqual({ CaseRouted: cases.length, WorkOrderCreated: cases.length, ResidentNotified: 2 * cases.length });
    await waitFor(async () => (await the.system.fetchAs('prometheus', `${the.system.url(service)}/metrics`)).ok, `${service} to answer again`);
  }, 150_000);
});
