import { randomUUID } from 'node:crypto';
import { distinctPlace, waitFor } from '@caseline/testing';
import { messagesTo, streetlightReport, withWholeSystem } from './case-api';

interface SimulatedOrder {
  id: string;
  caseReference: string;
  protocol?: string;
  status: string;
  information: { text?: string; at: string }[];
  history: { status: string; at: string }[];
  createdAt: string;
}

// Every department keeps its own system: Parks' back office speaks Open311 (polled), Housing works
// from a mailbox, Transportation's system takes signed REST (config/demo-city/departments.json).
describe('department adapters', () => {
  const the = withWholeSystem();
  const simulator = () => the.system.url('department-simulator');
  const orderOf = async (reference: string) => ((await (await fetch(`${simulator()}/work-orders`)).json()) as SimulatedOrder[]).find((o) => o.caseReference === reference);
  const crew = (orderId: string, status: string, extra: object = {}) =>
    fetch(`${simulator()}/work-orders/${orderId}/status`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status, ...extra }) });
  const control = (knobs: object) => fetch(`${simulator()}/control`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(knobs) });
  const eventsOfType = async (caseId: string, type: string) =>
    (await the.pool.query<{ data: Record<string, unknown> }>('SELECT data FROM case_log.events WHERE case_id = $1 AND type = $2 ORDER BY case_version', [caseId, type])).rows.map((r) => r.data);
  const report = async (body: object) => await the.api.submit({ channel: 'web', location: distinctPlace(), ...body });
  const parkReport = () => report({ serviceCode: 'PARK-MAINTENANCE', description: 'The swings are broken', attributes: { FEATURE: 'PLAYGROUND' }, reporter: { email: `park.${randomUUID()}@example.org` } });

  describe('an Open311 back office (Parks)', () => {
    it('gets the request posted once, and its status changes come back by polling, each recorded once and mapped honestly', async () => {
      const { reference, id } = await parkReport();
      const history = await the.api.waitForHistory(reference, ['WorkOrderCreated'], 'the request in the back office');
      const order = (await orderOf(reference))!;
      expect(order).toMatchObject({ protocol: 'open311', status: 'open' });
      expect(history.find((e) => e.type === 'WorkOrderCreated')?.summary).toContain(order.id);

      // The back office's "awaiting information" is the department's own code: Parks' status map says it means on hold.
      await crew(order.id, 'on_hold', { note: 'Which playground: north or south?' });
      await waitFor(async () => (await eventsOfType(id, 'InformationRequested')).length === 1, 'the case to wait for the reporter');
      await crew(order.id, 'scheduled');
      await waitFor(async () => (await the.api.find(reference)).status === 'scheduled', 'the case to show scheduled');
      await crew(order.id, 'completed', { note: 'Swings replaced' });
      await waitFor(async () => (await the.api.find(reference)).status === 'resolved', 'the case to be resolved');

      // Polled again and again (every 300 ms here, with a minute's overlap): still each change once.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const changes = await eventsOfType(id, 'WorkOrderStatusChanged');
      expect(changes.map((c) => [c.status, c.departmentStatus])).toEqual([
        ['on_hold', 'AWAITING_INFORMATION'],
        ['scheduled', 'SCHEDULED'],
        ['completed', 'FIXED'],
      ]);
      expect(await eventsOfType(id, 'CaseResolved')).toEqual([expect.objectContaining({ resolution: 'fixed', note: 'Swings replaced' })]);
      const after = await the.api.history(reference);
      expect(after.filter((e) => e.type === 'WorkOrderStatusChanged').map((e) => e.actor)).toEqual(Array(3).fill({ kind: 'department-system', id: 'PARKS', name: 'Parks back office (Open311)' }));
    });

    it('posts the reporter\'s added information and a cancellation to the back office as request updates', async () => {
      const { reference } = await parkReport();
      await the.api.waitForHistory(reference, ['WorkOrderCreated'], 'the request in the back office');
      expect((await the.api.act(reference, 'information', { text: 'It is the south playground' })).status).toBe(200);
      await waitFor(async () => (await orderOf(reference))?.information.some((i) => i.text === 'It is the south playground'), 'the back office to get the information');
      expect((await the.api.act(reference, 'cancel', { reason: 'Someone fixed it' })).status).toBe(200);
      await waitFor(async () => (await orderOf(reference))?.status === 'cancelled', 'the back office to get the cancellation');
    });

    it('records a polled change once even when the adapter dies between recording it and moving its cursor', async () => {
      const { reference, id } = await parkReport();
      await the.api.waitForHistory(reference, ['WorkOrderCreated'], 'the request in the back office');
      await the.system.kill('department-adapter', 'SIGTERM');
      await the.system.start(['department-adapter'], { CASELINE_FAILPOINT: 'department-adapter:after-poll-change' });
      await crew((await orderOf(reference))!.id, 'scheduled');
      expect(await the.system.exited('department-adapter')).toBe('SIGKILL');
      await the.system.start(['department-adapter']);
      await waitFor(async () => (await the.api.find(reference)).status === 'scheduled', 'the change after the restart');
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(await eventsOfType(id, 'WorkOrderStatusChanged')).toHaveLength(1);
    });
  });

  describe('a department that works by email (Housing)', () => {
    const mailbox = 'work-orders@hpd.demo-city.example';
    const linksIn = (text: string) => Object.fromEntries([...text.matchAll(/https?:\/\/\S+\/(acknowledge|schedule|complete|reject)\?\S+/g)].map((m) => [m[1], m[0]]));
    const submit = (url: string, form: Record<string, string>) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });

    it('gets one clear email per work order with signed links; confirming on the page records the change as the department, with who did it', async () => {
      const email = `heat.${randomUUID()}@example.org`;
      const { reference, id } = await report({ serviceCode: 'NO-HEAT', description: 'No heat since last night', attributes: { PROBLEM: 'HEAT', EXTENT: 'BUILDING' }, reporter: { email } });
      const history = await the.api.waitForHistory(reference, ['WorkOrderCreated'], 'the work order email');
      const created = history.find((e) => e.type === 'WorkOrderCreated')!;
      const [workOrderId] = /E-[0-9A-F]{12}/.exec(created.summary)!;
      const message = await waitFor(async () => (await messagesTo(the.system.url('mail-catcher'), mailbox)).find((m) => m.subject.includes(workOrderId)), 'the email to the department');
      expect(message.subject).toContain('No heat or hot water');
      expect(message.text).toContain(reference);
      expect(message.text).toContain('No heat since last night');
      expect(message.text).not.toContain(email); // the department needs the problem, not the resident's address
      const links = linksIn(message.text);
      expect(Object.keys(links).sort()).toEqual(['acknowledge', 'complete', 'reject', 'schedule']);

      // Opening a link (as mail scanners do) records nothing: it shows the form.
      const page = await fetch(links.acknowledge);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(await page.text()).toContain(`Acknowledge work order ${workOrderId}`);
      expect(await eventsOfType(id, 'WorkOrderStatusChanged')).toHaveLength(0);

      // A link changed to do something else, or with its signature broken, is refused.
      expect((await submit(links.acknowledge.replace('/acknowledge?', '/complete?'), { note: 'x' })).status).toBe(401);
      expect((await submit(links.complete.replace(/signature=[0-9a-f]{4}/, 'signature=0000'), { note: 'x' })).status).toBe(401);

      expect((await submit(links.acknowledge, { by: 'Maria Lopez' })).status).toBe(200);
      expect((await submit(links.acknowledge, { by: 'Maria Lopez' })).status).toBe(200); // clicked twice
      await waitFor(async () => (await the.api.find(reference)).status === 'assigned', 'the case to show the department has it');

      const badDay = await submit(links.schedule, { date: 'next week' });
      expect(badDay.status).toBe(400);
      expect(await badDay.text()).toContain('The day: give a date');
      expect((await submit(links.schedule, { date: '2031-01-15' })).status).toBe(200);
      await waitFor(async () => (await the.api.find(reference)).status === 'scheduled', 'the case to show scheduled');
      expect((await submit(links.complete, { note: '' })).status).toBe(400);
      expect((await submit(links.complete, { note: 'Boiler repaired; heat is back', by: 'Sam Reyes' })).status).toBe(200);
      await waitFor(async () => (await the.api.find(reference)).status === 'resolved', 'the case to be resolved');

      const changes = await eventsOfType(id, 'WorkOrderStatusChanged');
      expect(changes.map((c) => c.status)).toEqual(['acknowledged', 'scheduled', 'completed']);
      expect(changes[1]).toMatchObject({ scheduledFor: '2031-01-15' });
      const actors = (await the.api.history(reference)).filter((e) => e.type === 'WorkOrderStatusChanged').map((e) => e.actor.name);
      expect(actors).toEqual(['HPD work-order mailbox (Maria Lopez)', 'HPD work-order mailbox', 'HPD work-order mailbox (Sam Reyes)']);
      // A resolved case takes nothing more, and the page says so.
      const late = await submit(links.reject, { reason: 'Not ours' });
      expect(late.status).toBe(200);
      expect(await late.text()).toContain('Nothing changed');
      expect(await eventsOfType(id, 'WorkOrderStatusChanged')).toHaveLength(3);
    });

    it('tells the department\'s mailbox when the case is cancelled, in the work order\'s thread', async () => {
      const { reference } = await report({ serviceCode: 'NO-HEAT', description: 'Radiators cold', attributes: { PROBLEM: 'HEAT', EXTENT: 'APARTMENT' } });
      const history = await the.api.waitForHistory(reference, ['WorkOrderCreated'], 'the work order email');
      const [workOrderId] = /E-[0-9A-F]{12}/.exec(history.find((e) => e.type === 'WorkOrderCreated')!.summary)!;
      expect((await the.api.act(reference, 'cancel', { reason: 'The heat came back' })).status).toBe(200);
      const cancelled = await waitFor(async () => (await messagesTo(the.system.url('mail-catcher'), mailbox)).find((m) => m.subject === `Cancelled: work order ${workOrderId} (311 case ${reference})`), 'the cancellation email');
      expect(cancelled.text).toContain('The heat came back');
    });
  });

  it('a department down for a while gets each case\'s work order and updates exactly once, in order, when it returns', async () => {
    await control({ down: true });
    let cases: { reference: string; id: string }[];
    try {
      cases = await Promise.all(Array.from({ length: 5 }, async () => await the.api.submit(streetlightReport(`order.${randomUUID()}@example.org`))));
      for (const { reference, id } of cases) {
        await the.api.waitForHistory(reference, ['CaseRouted'], 'the routing');
        for (const text of ['first', 'second', 'third']) expect((await the.api.act(reference, 'information', { text: `${text} note` })).status).toBe(200);
        await waitFor(async () => Number((await the.pool.query(`SELECT count(*) AS n FROM department_adapter.work_orders WHERE case_id = $1`, [id])).rows[0].n) === 4, 'the updates to wait in the outbox');
      }
    } finally {
      await control({ down: false });
    }
    for (const { reference } of cases) {
      const order = await waitFor(async () => {
        const found = await orderOf(reference);
        return found?.information.length === 3 && found;
      }, 'the work order and its updates after the outage', 90_000);
      expect(order.information.map((i) => i.text)).toEqual(['first note', 'second note', 'third note']);
      expect(((await (await fetch(`${simulator()}/work-orders`)).json()) as SimulatedOrder[]).filter((o) => o.caseReference === reference)).toHaveLength(1);
    }
  }, 150_000);
});
