import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import type { Actor, CaseEvent, Channel } from '@caseline/case-contracts';
import { appendToCase, caseLogMigrations, migrate, Sql } from '@caseline/event-store';
import { asSql, sessionOf, testPool, transactionOf } from '@caseline/testing';
import { dayIn, FiguresReport } from '@caseline/statistics-domain';
import { FiguresQueries } from './figures';
import { checkpointOf, FIGURES, projectNextBatch } from './projection';
import { clientConnection, rebuildFigures, RebuildOptions } from './rebuild';
import { statisticsMigrations } from './statistics.migrations';

const ZONE = 'America/New_York';
const dayOf = dayIn(ZONE);
const staff: Actor = { kind: 'department-staff', id: 'crew-1', name: 'Crew' };

describe('figures projection and rebuild (PostgreSQL)', () => {
  let pool: Pool;
  let sql: Sql;
  let queries: FiguresQueries;
  // Cases of this run only: other suites share the log.
  const department = `STAT-${randomUUID().slice(0, 8)}`;
  const filter = { from: '2026-03-01', to: '2026-03-31', department };

  const transaction = <T>(work: (sql: Sql) => Promise<T>): Promise<T> => transactionOf(pool)(work);
  /** A rebuild as the ops CLI runs it: on a connection of its own. */
  const rebuild = async (options: RebuildOptions) => {
    const client = await pool.connect();
    try {
      return await rebuildFigures(clientConnection(client), options);
    } finally {
      client.release();
    }
  };

  /** Runs the live projection until it has caught up with the log. */
  const catchUp = async () => {
    while ((await transaction((tx) => projectNextBatch(tx, FIGURES, '', dayOf, 500))) > 0);
  };
  const figures = async (): Promise<Omit<FiguresReport, 'asOf'>> => {
    const { asOf: _asOf, ...rest } = await queries.report(filter);
    return rest;
  };

  /** A case's events, appended as the services would (one transaction each). */
  const story = async (steps: [string, CaseEvent, Channel?][]): Promise<string> => {
    const caseId = randomUUID();
    let version = 0;
    for (const [at, event, channel] of steps) {
      await appendToCase(sql, caseId, version++, [{ eventId: randomUUID(), type: event.type, schemaVersion: 1, data: event.data, metadata: { actor: staff, channel, at, correlationId: caseId } }]);
    }
    return caseId;
  };
  const reported = (channel: Channel, serviceCode = 'POTHOLE'): CaseEvent => ({
    type: 'CaseReported',
    data: { reference: `ST-${randomUUID().slice(0, 6)}`, serviceCode, serviceName: 'Pothole', description: 'hole', location: { lat: 40.7, long: -74 }, channel },
  });
  const routed = (dueAt: string, area = '3'): CaseEvent => ({
    type: 'CaseRouted',
    data: { department, departmentName: 'Streets (test)', priority: 'normal', dueAt, matched: {}, areas: { 'council-district': { id: area, name: `Council District ${area}` } } },
  });
  const resolved = (resolution: 'fixed' | 'answered-at-first-contact' = 'fixed'): CaseEvent => ({ type: 'CaseResolved', data: { resolution } });

  beforeAll(async () => {
    pool = testPool();
    sql = asSql(pool);
    await migrate(await sessionOf(pool)(), 'case_log', caseLogMigrations);
    await migrate(await sessionOf(pool)(), 'statistics', statisticsMigrations);
    await sql.query(`DO $$ BEGIN CREATE ROLE caseline_statistics LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$`);
    queries = new FiguresQueries(sql, ZONE);

    // Fixed in 3 days, on time, answered the survey with a 4; work started after 5 hours.
    await story([
      ['2026-03-02T14:00:00Z', reported('web')],
      ['2026-03-02T14:00:01Z', routed('2026-03-09T21:00:00Z')],
      ['2026-03-02T19:00:00Z', { type: 'WorkOrderStatusChanged', data: { department, workOrderId: 'w1', status: 'acknowledged', departmentStatus: 'ACK' } }],
      ['2026-03-05T14:00:00Z', resolved()],
      ['2026-03-06T10:00:00Z', { type: 'SatisfactionRecorded', data: { rating: 4 } }],
    ]);
    // Referred once, resolved late (after its due date), then reopened and resolved again.
    await story([
      ['2026-03-03T15:00:00Z', reported('phone')],
      ['2026-03-03T15:00:01Z', routed('2026-03-04T21:00:00Z', '5')],
      ['2026-03-03T16:00:00Z', { type: 'CaseReferred', data: { fromDepartment: 'PARKS', reason: 'not ours', hop: 1 } }],
      ['2026-03-03T16:00:01Z', routed('2026-03-04T21:00:00Z', '5')],
      ['2026-03-08T15:00:00Z', resolved()],
      ['2026-03-09T15:00:00Z', { type: 'CaseReopened', data: { reason: 'still there' } }],
      ['2026-03-12T15:00:00Z', resolved()],
    ]);
    // Answered by the operator at first contact.
    await story([
      ['2026-03-04T13:00:00Z', reported('phone', 'INFO')],
      ['2026-03-04T13:00:01Z', routed('2026-03-05T21:00:00Z')],
      ['2026-03-04T13:00:02Z', resolved('answered-at-first-contact')],
    ]);
    // Still open and overdue; and a repeat report of it. 23:30 local on March 10 is March 11 in UTC.
    const open = await story([
      ['2026-03-11T03:30:00Z', reported('mobile')],
      ['2026-03-11T03:30:01Z', routed('2026-03-13T21:00:00Z')],
    ]);
    await story([
      ['2026-03-20T12:00:00Z', reported('web')],
      ['2026-03-20T12:00:01Z', routed('2026-03-27T21:00:00Z')],
      ['2026-03-20T12:00:02Z', { type: 'CaseLinked', data: { relatedCaseId: open, relatedReference: 'X', relation: 'duplicate-of' } }],
    ]);
    await catchUp();
  });
  afterAll(() => pool.end());

  it('counts what each figure defines, on the city’s local days', async () => {
    const { city, trend, areas } = await figures();
    expect(city.received).toBe(5);
    expect(city.receivedByChannel).toMatchObject({ web: 2, phone: 2, mobile: 1 });
    expect(city.resolved).toBe(3);
    expect(city.deadline).toEqual({ resolvedWithDeadline: 3, late: 1, compliance: 2 / 3 });
    expect(city.firstContactResolution).toEqual({ cases: 1, share: 1 / 5 });
    expect(city.repeatContacts).toEqual({ cases: 1, perOriginal: 1 / 4 });
    expect(city.referrals).toEqual({ referred: 1, meanHops: 1 / 3 });
    expect(city.reopenRate).toBeCloseTo(1 / 3);
    expect(city.satisfaction).toEqual({ answers: 1, mean: 4 });
    expect(city.backlog.open).toBe(2);
    expect(city.backlog.overdue).toBe(2);
    // Medians to within the 5% buckets: resolves took 72 h, 9 days (216 h) and a second.
    expect(city.timeToResolve.cases).toBe(3);
    expect(city.timeToResolve.medianHours).toBeGreaterThan(72 * 0.95);
    expect(city.timeToResolve.medianHours).toBeLessThan(72 * 1.05);
    expect(city.timeToFirstAction.cases).toBe(3);
    // The case reported at 23:30 local time counts on the local day, March 10 (week of March 9).
    expect(trend.find((point) => point.week === '2026-03-09')?.received).toBe(1);
    expect(areas.map((area) => [area.id, area.name, area.received])).toEqual([
      ['3', 'Council District 3', 4],
      ['5', 'Council District 5', 1],
    ]);
  });

  it('a batch that fails half-way leaves nothing behind, and the next run counts each event once', async () => {
    const before = await figures();
    const checkpoint = await checkpointOf(sql, FIGURES);
    await story([['2026-03-21T12:00:00Z', reported('email')], ['2026-03-21T12:00:01Z', routed('2026-03-28T21:00:00Z')]]);
    const crash = new Error('killed after the rows, before the commit');
    await expect(
      transaction(async (tx) => {
        await projectNextBatch(tx, FIGURES, '', dayOf, 500);
        throw crash;
      }),
    ).rejects.toBe(crash);
    expect(await figures()).toEqual(before);
    expect((await checkpointOf(sql, FIGURES)).globalPosition).toBe(checkpoint.globalPosition);
    await catchUp();
    await catchUp();
    const after = await figures();
    expect(after.city.received).toBe(before.city.received + 1);
    expect(after.city.receivedByChannel.email).toBe(1);
  });

  it('refolds a case whose first action took long beside a quicker one of the same day and place (a histogram bucket that nets to zero)', async () => {
    const statusChanged = (status: string): CaseEvent => ({ type: 'WorkOrderStatusChanged', data: { department, workOrderId: `WO-${randomUUID().slice(0, 6)}`, status } }) as CaseEvent;
    // Found by the release form of the fault suite: the statistics projection stopped for good on
    // a batch whose difference for a high duration bucket was +1 −1, the highest of its histogram.
    const slow = await story([['2026-03-24T12:00:00Z', reported('web')], ['2026-03-24T12:00:01Z', routed('2026-03-31T21:00:00Z', '7')], ['2026-03-24T14:00:00Z', statusChanged('scheduled')]]);
    await catchUp();
    const before = await figures();
    await story([['2026-03-24T12:00:00Z', reported('web')], ['2026-03-24T12:00:01Z', routed('2026-03-31T21:00:00Z', '7')], ['2026-03-24T12:02:00Z', statusChanged('scheduled')]]);
    // One more event of the slow case: it is folded again in the same batch as the quick one.
    await appendToCase(sql, slow, 3, [{ eventId: randomUUID(), type: 'NoteAdded', schemaVersion: 1, data: { text: 'crew on the way' }, metadata: { actor: staff, at: '2026-03-24T14:05:00Z', correlationId: slow } }]);
    await catchUp();
    expect((await figures()).city.received).toBe(before.city.received + 1);
  });

  const indexes = async () =>
    (await sql.query<{ name: string }>(`SELECT indexname AS name FROM pg_indexes WHERE schemaname = 'statistics' ORDER BY 1`)).map((row) => row.name);

  it('a rebuild from the start gives the live figures, twice over, while cases keep coming', async () => {
    const live = await figures();
    const liveIndexes = await indexes();
    const writer = (async () => {
      for (let i = 0; i < 10; i++) await story([['2026-04-02T12:00:00Z', reported('web')]]);
    })();
    const progress: number[] = [];
    // Pages of 5 events: most cases are cut between two pages, one (7 events) spans three.
    const result = await rebuild({ dayOf, serviceRole: 'caseline_statistics', batchSize: 5, onProgress: ({ events }) => progress.push(events) });
    await writer;
    expect(result.events).toBeGreaterThan(0);
    expect(progress.length).toBeGreaterThan(0);
    expect(await figures()).toEqual(live);
    await catchUp();
    const once = await figures();
    await rebuild({ dayOf, serviceRole: 'caseline_statistics' });
    expect(await figures()).toEqual(once);
    // Holding few differences in memory, it writes them in many steps (the first copied, then added): the same figures.
    await rebuild({ dayOf, serviceRole: 'caseline_statistics', batchSize: 50, maxDifferences: 10 });
    expect(await figures()).toEqual(once);
    // The same indexes under the same names as the migrations made, and none left over.
    expect(await indexes()).toEqual(liveIndexes);
    // The April cases came in during the first rebuild: none lost, none twice.
    expect((await queries.report({ ...filter, from: '2026-04-01', to: '2026-04-30' })).city.received).toBe(0);
    const [{ count }] = await sql.query<{ count: number }>(`SELECT count(*)::int AS count FROM statistics.cases WHERE reported_at >= '2026-04-02' AND reported_at < '2026-04-03' AND service_code = 'POTHOLE' AND channel = 'web' AND department = ''`);
    expect(count).toBeGreaterThanOrEqual(10);
  });

  it('a rebuild from a point in time refolds only the cases touched since, with the same figures', async () => {
    const live = await figures();
    const result = await rebuild({ dayOf, serviceRole: 'caseline_statistics', since: new Date(Date.now() - 60_000).toISOString() });
    expect(result.refolded).toBeGreaterThan(0);
    expect(await figures()).toEqual(live);
  });
});
