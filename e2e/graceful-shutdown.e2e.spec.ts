import { randomUUID } from 'node:crypto';
import { distinctPlace } from '@caseline/testing';
import { withWholeSystem } from './case-api';

/*
 * SIGTERM (a rollout, a node drained): the service stops taking requests, finishes the ones it has,
 * and exits. Every report answered 201 is in the log, and no report is in the log unanswered.
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
});
