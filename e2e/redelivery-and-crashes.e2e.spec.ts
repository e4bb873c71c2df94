import { randomUUID } from 'node:crypto';
import { caseEventsDeadLetterTopic, caseEventsTopic } from '@caseline/case-contracts';
import { readCase } from '@caseline/event-store';
import { asSql, consumerLag, testKafka, waitFor } from '@caseline/testing';
import { messagesTo, streetlightReport, withWholeSystem } from './case-api';

/** Nothing is lost, nothing is done twice: redelivered events and processes killed between two steps. */
describe('consumers survive redelivery and crashes', () => {
  const the = withWholeSystem();
  const kafka = testKafka();
  const consumers = ['routing', 'department-adapter', 'notification'];

  const caughtUp = () => waitFor(async () => (await Promise.all(consumers.map((group) => consumerLag(kafka, group)))).every((lag) => lag === 0), 'every consumer to catch up');
  const eventsOfType = async (caseId: string, type: string) => Number((await the.pool.query('SELECT count(*) AS n FROM case_log.events WHERE case_id = $1 AND type = $2', [caseId, type])).rows[0].n);
  const workOrdersFor = async (reference: string) =>
    ((await (await fetch(`${the.system.url('department-simulator')}/work-orders`)).json()) as { caseReference: string }[]).filter((o) => o.caseReference === reference).length;

  it('a case event delivered twice produces one routing, one work order and one email of each kind', async () => {
    const email = `twice.${randomUUID()}@example.org`;
    const { reference, id } = await the.api.submit(streetlightReport(email));
    await the.api.waitForHistory(reference, ['CaseRouted', 'WorkOrderCreated', 'ResidentNotified', 'ResidentNotified'], 'the first delivery to take effect');

    // Deliver every event of the case a second time, exactly as the relay published them.
    const history = await readCase(asSql(the.pool), id);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({
      topic: caseEventsTopic(),
      messages: history.map((event) => ({ key: id, value: JSON.stringify(event) })),
    });
    await producer.disconnect();
    await caughtUp();

    expect(await eventsOfType(id, 'CaseRouted')).toBe(1);
    expect(await eventsOfType(id, 'WorkOrderCreated')).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 1000)); // anything the redelivery wrongly owed would be sent by now
    expect(await eventsOfType(id, 'ResidentNotified')).toBe(2);
    expect(await workOrdersFor(reference)).toBe(1);
    expect((await messagesTo(the.system.url('mail-catcher'), email)).map((m) => m.subject).sort()).toEqual([`We received your request ${reference}`, `Your request ${reference} is with the Department of Transportation`]);
  });

  it('a message that is not a case event is parked and does not block the partition', async () => {
    const producer = kafka.producer();
    await producer.connect();
    // One unparseable message on every partition, ahead of the next case whichever partition it lands on.
    await producer.send({ topic: caseEventsTopic(), messages: Array.from({ length: 6 }, (_, partition) => ({ partition, key: 'garbage', value: '{not json' })) });
    await producer.disconnect();
    const email = `after-garbage.${randomUUID()}@example.org`;
    const { reference } = await the.api.submit(streetlightReport(email));
    await the.api.waitForHistory(reference, ['CaseRouted', 'WorkOrderCreated', 'ResidentNotified'], 'cases to flow past the bad messages');
    await caughtUp();
    // Every consumer group parked each of the six: they are on the dead-letter topic for operators.
    const admin = kafka.admin();
    await admin.connect();
    const parked = (await admin.fetchTopicOffsets(caseEventsDeadLetterTopic())).reduce((sum, p) => sum + Number(p.offset), 0);
    await admin.disconnect();
    expect(parked).toBeGreaterThanOrEqual(6 * consumers.length);
  });

  it.each([
    ['routing', 'routing:after-route', 'CaseRouted', 1],
    ['department-adapter', 'department-adapter:after-create', 'WorkOrderCreated', 1],
  ] as const)('%s killed half-way (%s) produces its effect exactly once after restart', async (service, failpoint, effect, times) => {
    await the.system.kill(service, 'SIGTERM');
    await the.system.start([service], { CASELINE_FAILPOINT: failpoint });
    const email = `crash.${randomUUID()}@example.org`;
    const { reference, id } = await the.api.submit(streetlightReport(email));

    expect(await the.system.exited(service)).toBe('SIGKILL');
    await the.system.start([service]);
    await the.api.waitForHistory(reference, ['CaseRouted', 'WorkOrderCreated', 'ResidentNotified', 'ResidentNotified'], `the pipeline to finish after ${service} restarted`);
    await caughtUp();

    expect(await eventsOfType(id, effect)).toBe(times);
    expect(await eventsOfType(id, 'CaseRouted')).toBe(1);
    expect(await eventsOfType(id, 'WorkOrderCreated')).toBe(1);
    expect(await workOrdersFor(reference)).toBe(1);
    // One "received" and one "assigned" message.
    const messages = await messagesTo(the.system.url('mail-catcher'), email);
    expect(messages.map((m) => m.subject).sort()).toEqual([`We received your request ${reference}`, `Your request ${reference} is with the Department of Transportation`]);
  });

  it.each(['notification:before-send', 'notification:after-send', 'notification:after-record'])('notification killed half-way (%s) never sends a message twice, and accounts for every one', async (failpoint) => {
    await the.system.kill('notification', 'SIGTERM');
    await the.system.start(['notification'], { CASELINE_FAILPOINT: failpoint });
    const email = `midsend.${randomUUID()}@example.org`;
    const { reference, id } = await the.api.submit(streetlightReport(email));
    expect(await the.system.exited('notification')).toBe('SIGKILL');
    await the.system.start(['notification']);
    // Each message is recorded once: sent, or — when the crash caught it while it was being sent,
    // so it may have gone out — "delivery unconfirmed", and never sent again.
    const accounted = async () => (await eventsOfType(id, 'ResidentNotified')) + (await eventsOfType(id, 'ResidentNotificationFailed'));
    await waitFor(async () => (await accounted()) === 2, 'both messages to be accounted for');
    const history = await the.api.history(reference);
    for (const failed of history.filter((e) => e.type === 'ResidentNotificationFailed')) expect(failed.summary).toContain('delivery unconfirmed');
    if (failpoint === 'notification:after-send') expect(history.some((e) => e.type === 'ResidentNotificationFailed')).toBe(true);
    // Killed before it began sending: nothing can have gone out, so every message is sent after the restart.
    if (failpoint === 'notification:before-send') expect(history.filter((e) => e.type === 'ResidentNotificationFailed')).toEqual([]);
    await caughtUp();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await accounted()).toBe(2);
    const subjects = (await messagesTo(the.system.url('mail-catcher'), email)).map((m) => m.subject);
    expect(subjects.length).toBe(new Set(subjects).size); // none twice
    expect(subjects.length).toBeGreaterThanOrEqual(history.filter((e) => e.type === 'ResidentNotified').length);
  });
});
