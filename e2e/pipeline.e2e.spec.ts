import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { departmentSecret, SIGNATURE_HEADER, signBody } from '@caseline/service-kit';
import { waitFor } from '@caseline/testing';
import { messagesTo, streetlightReport, withWholeSystem } from './case-api';

// Cases, not all events: an earlier test's case may still be gaining events (routing, emails).
const casesReported = async (pool: Pool): Promise<number> => Number((await pool.query("SELECT count(*) AS n FROM case_log.events WHERE type = 'CaseReported'")).rows[0].n);

describe('one case travels the whole way: intake → routing → department → resident', () => {
  const the = withWholeSystem();

  it('reports, routes, creates the work order, tells the resident, and resolves only when the department completes', async () => {
    const email = `ana.${randomUUID()}@example.org`;
    const response = await the.api.report(streetlightReport(email));
    expect(response.status).toBe(201);
    const created = (await response.json()) as { reference: string; id: string; status: string; trackingUrl: string };
    expect(created.reference).toMatch(/^\d{3}-\d{3}-\d{3}$/);
    expect(created.status).toBe('received');
    expect(created.trackingUrl).toContain(created.reference);

    const history = await the.api.waitForHistory(created.reference, ['CaseReported', 'CaseRouted', 'WorkOrderCreated', 'ResidentNotified'], 'the case to travel the pipeline');
    const byType = Object.fromEntries(history.map((e) => [e.type, e]));
    expect(history[0].type).toBe('CaseReported');
    expect(byType.CaseReported).toMatchObject({ actor: { kind: 'resident' }, channel: 'web' });
    expect(byType.CaseRouted).toMatchObject({ actor: { kind: 'service', id: 'routing' } });
    expect(byType.CaseRouted.summary).toContain('Department of Transportation');
    expect(byType.CaseRouted.summary).toContain('streets-lighting');
    expect(byType.WorkOrderCreated).toMatchObject({ actor: { kind: 'service', id: 'department-adapter' } });
    expect(byType.ResidentNotified).toMatchObject({ actor: { kind: 'service', id: 'notification' }, channel: 'email' });
    expect(history.findIndex((e) => e.type === 'CaseRouted')).toBeLessThan(history.findIndex((e) => e.type === 'WorkOrderCreated'));
    expect(JSON.stringify(history)).not.toContain(email);

    const orders = (await (await fetch(`${the.system.url('department-simulator')}/work-orders`)).json()) as { id: string; caseReference: string }[];
    const order = orders.find((o) => o.caseReference === created.reference)!;
    expect(order).toBeDefined();
    expect(byType.WorkOrderCreated.summary).toContain(order.id);

    const inbox = async (count: number, what: string) =>
      waitFor(async () => {
        const messages = await messagesTo(the.system.url('mail-catcher'), email);
        return messages.length === count && messages;
      }, what);
    // Received, and with whom (sent side by side: either may arrive first).
    const first = await inbox(2, 'the "received" and "assigned" emails');
    expect(first.map((m) => m.subject).sort()).toEqual([`We received your request ${created.reference}`, `Your request ${created.reference} is with the Department of Transportation`]);

    // Scheduled is not resolved.
    await fetch(`${the.system.url('department-simulator')}/work-orders/${order.id}/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'scheduled', scheduledFor: '2026-12-01T09:00:00.000Z' }),
    });
    await waitFor(async () => (await the.api.find(created.reference)).status === 'scheduled', 'the case to show scheduled');
    expect((await inbox(3, 'the "scheduled" email'))[2].subject).toBe(`Your request ${created.reference} is scheduled`);

    await fetch(`${the.system.url('department-simulator')}/work-orders/${order.id}/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'completed', note: 'Lamp replaced' }),
    });
    await waitFor(async () => (await the.api.find(created.reference)).status === 'resolved', 'the case to be resolved');
    const told = await inbox(4, 'the "resolved" email');
    expect(told[3].subject).toContain('resolved');
    expect(told[3].text).toContain('Lamp replaced');
    expect(told[3].text).toMatch(/Not fixed\? Tell us and we will reopen it: http:\/\/\S+\/reopen\?expires=\d+&token=/);
    const final = await the.api.waitForHistory(created.reference, ['CaseResolved', ...Array(4).fill('ResidentNotified')], 'the resolution to be told');
    expect(final.filter((e) => e.type === 'WorkOrderCreated')).toHaveLength(1);
  });

  it('records a notification the resident\'s mail server refuses for good, and does not retry it', async () => {
    const response = await the.api.report(streetlightReport('gone@refused.invalid'));
    const { reference } = (await response.json()) as { reference: string };
    const history = await the.api.waitForHistory(reference, ['CaseReported', 'ResidentNotificationFailed'], 'the refusal to be recorded');
    // Refused for good (SMTP 550): recorded once per message, never retried.
    const failed = history.find((e) => e.type === 'ResidentNotificationFailed')!;
    expect(failed).toMatchObject({ actor: { kind: 'service', id: 'notification' } });
    expect(failed.summary).toContain('SMTP 550');
    expect(JSON.stringify(history)).not.toContain('gone@');
    // The next case's resident is still told: the refusal did not block the partition.
    const next = `ben.${randomUUID()}@example.org`;
    await the.api.report(streetlightReport(next));
    await waitFor(async () => (await messagesTo(the.system.url('mail-catcher'), next)).length === 2, 'the next resident to be told');
  });

  it('records a work order the department system refuses (4xx) once, and stops sending it', async () => {
    const simulator = the.system.url('department-simulator');
    const control = (knobs: object) => fetch(`${simulator}/control`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(knobs) });
    await control({ refuse: true });
    try {
      const response = await the.api.report(streetlightReport(`cy.${randomUUID()}@example.org`));
      const { reference, id } = (await response.json()) as { reference: string; id: string };
      const history = await the.api.waitForHistory(reference, ['CaseRouted', 'WorkOrderRefused'], 'the refusal to be recorded');
      expect(history.find((e) => e.type === 'WorkOrderRefused')).toMatchObject({ actor: { kind: 'service', id: 'department-adapter' } });
      const [order] = (await the.pool.query('SELECT state, attempts FROM department_adapter.work_orders WHERE case_id = $1', [id])).rows;
      expect(order).toEqual({ state: 'refused', attempts: 1 });
    } finally {
      await control({ refuse: false });
    }
  });

  it.each([
    ['a missing field', { description: 'x', location: { lat: 1, long: 2 }, channel: 'web' }, 400, 'serviceCode'],
    ['a malformed location', { serviceCode: 'STREETLIGHT', description: 'x', location: { lat: 200, long: 2 }, channel: 'web' }, 400, 'location.lat'],
    ['an unknown channel', { serviceCode: 'STREETLIGHT', description: 'x', location: { address: '1 Main St' }, channel: 'pigeon' }, 400, 'channel'],
    ['a NUL character', { serviceCode: 'STREETLIGHT', description: 'dark\u0000lamp', location: { address: '1 Main St' }, channel: 'web' }, 400, 'description'],
    ['half an emoji (a lone surrogate)', { serviceCode: 'STREETLIGHT', description: 'dark \ud800 lamp', location: { address: '1 Main St' }, channel: 'web' }, 400, 'description'],
    ['a location outside the city', { serviceCode: 'STREETLIGHT', description: 'x', location: { lat: 34.05, long: -118.24 }, channel: 'web' }, 422, 'location'],
    ['an answer not in the list', { serviceCode: 'STREETLIGHT', description: 'x', location: { address: '1 Main St' }, channel: 'web', attributes: { PROBLEM: 'EXPLODED' } }, 422, 'attributes.PROBLEM'],
    ['an unknown service code', { serviceCode: 'NOT-A-SERVICE', description: 'x', location: { address: '1 Main St' }, channel: 'web' }, 422, 'serviceCode'],
  ])('answers %s with problem+json naming the field, and appends nothing', async (_name, body, status, field) => {
    const before = await casesReported(the.pool);
    const response = await the.api.report(body);
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    const problem = (await response.json()) as { status: number; errors: { field: string; rule: string }[] };
    expect(problem.status).toBe(status);
    expect(problem.errors.map((e) => e.field)).toContain(field);
    expect(await casesReported(the.pool)).toBe(before);
  });

  it('answers malformed JSON with 400 and a body over 64 KiB with 413, appending nothing', async () => {
    const before = await casesReported(the.pool);
    const url = `${the.system.url('intake')}/v1/cases`;
    const malformed = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"serviceCode": ' });
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('content-type')).toContain('application/problem+json');
    const huge = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ description: 'x'.repeat(70 * 1024) }) });
    expect(huge.status).toBe(413);
    expect(await casesReported(the.pool)).toBe(before);
  });

  it('takes department status updates only signed by that department, once: unsigned, stale, forged or replayed ones are refused and change nothing', async () => {
    const { reference, id } = await the.api.submit(streetlightReport(`signed.${randomUUID()}@example.org`));
    await the.api.waitForHistory(reference, ['WorkOrderCreated'], 'the work order');
    const orders = (await (await fetch(`${the.system.url('department-simulator')}/work-orders`)).json()) as { id: string; caseReference: string }[];
    const workOrderId = orders.find((o) => o.caseReference === reference)!.id;
    const url = `${the.system.url('department-adapter')}/v1/department-systems/DOT/status-updates`;
    const body = JSON.stringify({ updateId: randomUUID(), workOrderId, status: 'scheduled', note: 'Crew booked' });
    const post = (headers: Record<string, string>, text = body) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: text });
    const secret = departmentSecret('DOT');
    // What a status update would add (the case may still be gaining its confirmation email meanwhile).
    const eventsNow = async () => Number((await the.pool.query(`SELECT count(*) AS n FROM case_log.events WHERE case_id = $1 AND type = 'WorkOrderStatusChanged'`, [id])).rows[0].n);
    const before = await eventsNow();

    const refusals = [
      [await post({}), 401, 'not signed'],
      [await post({ [SIGNATURE_HEADER]: 'v1=abc' }), 400, 'must be'],
      [await post({ [SIGNATURE_HEADER]: signBody(secret, body, Date.now() - 3_600_000) }), 401, 'stale'],
      [await post({ [SIGNATURE_HEADER]: signBody('guessed-secret', body) }), 401, 'does not match'],
      [await post({ [SIGNATURE_HEADER]: signBody(secret, body) }, body.replace('scheduled', 'completed')), 401, 'does not match'],
    ] as const;
    for (const [response, status, reason] of refusals) {
      expect(response.status).toBe(status);
      expect(((await response.json()) as { detail: string }).detail).toContain(reason);
    }
    const unknown = JSON.stringify({ updateId: randomUUID(), workOrderId: 'WO-NOPE', status: 'scheduled' });
    expect((await post({ [SIGNATURE_HEADER]: signBody(secret, unknown) }, unknown)).status).toBe(404);
    expect(await eventsNow()).toBe(before);

    const signature = signBody(secret, body);
    expect((await post({ [SIGNATURE_HEADER]: signature })).status).toBe(202);
    const replay = await post({ [SIGNATURE_HEADER]: signature });
    expect(replay.status).toBe(401);
    expect(((await replay.json()) as { detail: string }).detail).toContain('replay');
    // The department resends the same update, signed afresh: accepted, and still recorded once.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await post({ [SIGNATURE_HEADER]: signBody(secret, body) })).status).toBe(202);
    expect(Number((await the.pool.query(`SELECT count(*) AS n FROM case_log.events WHERE case_id = $1 AND type = 'WorkOrderStatusChanged'`, [id])).rows[0].n)).toBe(1);
  });

  it('gives departments without a system a work queue their staff work through: accept, schedule, hold, complete; reject refers it on', async () => {
    const adapter = the.system.url('department-adapter');
    const act = (id: string, action: string, body: unknown = {}) => the.system.fetchAs('tess.311', `${adapter}/v1/departments/311/work/${id}/${action}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    // Other suites' questions fill the 311 queue too: ask for this case's work order by its reference.
    const queue = async (reference: string) => (await (await the.system.fetchAs('tess.311', `${adapter}/v1/departments/311/work?reference=${reference}`)).json()) as { workOrderId: string; reference: string; status: string }[];
    const question = async (email: string) => {
      const response = await the.api.report({ serviceCode: 'GENERAL-QUESTION', description: 'Which days is the library open?', location: { address: '100 Main Street' }, channel: 'web', reporter: { email } });
      const { reference, id } = (await response.json()) as { reference: string; id: string };
      await the.api.waitForHistory(reference, ['WorkOrderCreated'], 'the work order in the 311 queue');
      const item = await waitFor(async () => (await queue(reference)).find((i) => i.reference === reference), 'the queue to list it');
      return { reference, id, workOrderId: item.workOrderId };
    };
    const email = `queue.${randomUUID()}@example.org`;
    const { reference, workOrderId } = await question(email);
    expect((await the.system.fetchAs('sam.supervisor', `${adapter}/v1/departments/NOPE/work`)).status).toBe(404);
    expect((await the.system.fetchAs('tess.311', `${adapter}/v1/departments/DOT/work`)).status).toBe(403); // another department's queue
    expect((await act('Q-UNKNOWN', 'accept')).status).toBe(404);

    expect((await act(workOrderId, 'accept')).status).toBe(200);
    expect((await the.api.find(reference)).status).toBe('assigned');
    expect((await act(workOrderId, 'schedule', { scheduledFor: 'next week' })).status).toBe(400);
    expect((await act(workOrderId, 'schedule', { scheduledFor: '2026-12-01T15:00:00Z' })).status).toBe(200);
    expect((await the.api.find(reference)).status).toBe('scheduled');
    expect((await act(workOrderId, 'hold', { question: 'Which branch do you mean?' })).status).toBe(200);
    expect((await queue(reference)).find((i) => i.reference === reference)?.status).toBe('on_hold');
    expect((await the.api.act(reference, 'information', { text: 'The one on Main Street' })).status).toBe(200);
    await waitFor(async () => (await queue(reference)).find((i) => i.reference === reference)?.status === 'information_received', 'the queue to show the answer arrived');
    expect((await act(workOrderId, 'complete', { note: ' ' })).status).toBe(400);
    const completed = await act(workOrderId, 'complete', { note: 'Answered: open Monday to Saturday, 9 to 6' });
    expect(completed.status).toBe(200);
    const history = await the.api.waitForHistory(reference, ['CaseResolved'], 'the case to be resolved');
    expect(history.filter((e) => e.type === 'WorkOrderStatusChanged').map((e) => e.actor.kind)).toEqual(['department-staff', 'department-staff', 'department-staff', 'department-staff']);
    expect(history.some((e) => e.type === 'InformationRequested')).toBe(true);
    await waitFor(async () => (await messagesTo(the.system.url('mail-catcher'), email)).some((m) => m.subject.includes('is resolved')), 'the resident to be told');
    expect((await queue(reference)).some((i) => i.reference === reference)).toBe(false);

    // Closed without a fix, saying why: resolved as "no action possible", with the reason.
    const third = await question(`queue3.${randomUUID()}@example.org`);
    expect((await act(third.workOrderId, 'not-fixed', { reason: 'We cannot answer questions about private clubs' })).status).toBe(200);
    const closed = await the.api.waitForHistory(third.reference, ['CaseResolved'], 'the not-fixed resolution');
    expect(closed.find((e) => e.type === 'CaseResolved')?.summary).toBe('Resolved (no-action-possible): We cannot answer questions about private clubs');

    // Not 311's after all: routing refers it on (no other rule takes general questions, so to triage).
    const other = await question(`queue2.${randomUUID()}@example.org`);
    expect((await act(other.workOrderId, 'reject', { reason: 'This is a library question: the Public Library answers it' })).status).toBe(200);
    await the.api.waitForHistory(other.reference, ['CaseReferred', 'CaseSentToTriage'], 'the referral');
  });

  it('keeps a work order the department system never takes for an operator, and sends it once when re-driven', async () => {
    const simulator = the.system.url('department-simulator');
    const control = (knobs: object) => fetch(`${simulator}/control`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(knobs) });
    // Two attempts, then the dead-letter list; the circuit opens at the first failure.
    await the.system.kill('department-adapter', 'SIGTERM');
    await the.system.start(['department-adapter'], { WORK_ORDER_MAX_ATTEMPTS: '2', DEPARTMENT_BREAKER_THRESHOLD: '1', DEPARTMENT_BREAKER_PAUSE_MS: '300' });
    const adapter = the.system.url('department-adapter');
    try {
      await control({ down: true });
      const { reference, id } = await the.api.submit(streetlightReport(`dead.${randomUUID()}@example.org`));
      const dead = await waitFor(async () => {
        const list = (await (await the.system.fetchAs('sam.supervisor', `${adapter}/v1/admin/work-orders/dead`)).json()) as { id: string; caseId: string; attempts: number; lastError: string }[];
        return list.find((row) => row.caseId === id);
      }, 'the work order on the dead-letter list');
      expect(dead).toMatchObject({ attempts: 2, lastError: expect.stringContaining('503') });
      const systems = (await (await the.system.fetchAs('sam.supervisor', `${adapter}/v1/admin/department-systems`)).json()) as { department: string; circuit: { state: string }; dead: number }[];
      expect(systems.find((s) => s.department === 'DOT')).toMatchObject({ circuit: { state: expect.stringMatching(/open|half-open/) }, dead: 1 });
      expect((await the.api.history(reference)).some((e) => e.type === 'WorkOrderCreated')).toBe(false);

      await control({ down: false });
      expect((await the.system.fetchAs('sam.supervisor', `${adapter}/v1/admin/work-orders/${dead.id}/redrive`, { method: 'POST' })).status).toBe(202);
      expect((await the.system.fetchAs('sam.supervisor', `${adapter}/v1/admin/work-orders/${dead.id}/redrive`, { method: 'POST' })).status).toBe(404);
      await the.api.waitForHistory(reference, ['WorkOrderCreated'], 'the re-driven work order');
      const orders = (await (await fetch(`${simulator}/work-orders`)).json()) as { caseReference: string }[];
      expect(orders.filter((o) => o.caseReference === reference)).toHaveLength(1);
    } finally {
      await control({ down: false });
      await the.system.kill('department-adapter', 'SIGTERM');
      await the.system.start(['department-adapter']);
    }
  });

  it('tells the department what happens after the work order: the reporter\'s added information, and a cancellation; a work order not yet delivered is never delivered', async () => {
    const simulator = the.system.url('department-simulator');
    const orderOf = async (reference: string) => ((await (await fetch(`${simulator}/work-orders`)).json()) as { caseReference: string; status: string; information: { text?: string }[] }[]).find((o) => o.caseReference === reference);

    const { reference } = await the.api.submit(streetlightReport(`after.${randomUUID()}@example.org`));
    await the.api.waitForHistory(reference, ['WorkOrderCreated'], 'the work order');
    expect((await the.api.act(reference, 'information', { text: 'The pole number is 4417' })).status).toBe(200);
    await waitFor(async () => (await orderOf(reference))?.information.some((i) => i.text === 'The pole number is 4417'), 'the department to get the added information');
    expect((await the.api.act(reference, 'cancel', { reason: 'It came back on' })).status).toBe(200);
    await waitFor(async () => (await orderOf(reference))?.status === 'cancelled', 'the department to get the cancellation');

    // Cancelled while the department's system is down: the work order is withdrawn, never sent.
    const control = (knobs: object) => fetch(`${simulator}/control`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(knobs) });
    await control({ down: true });
    try {
      const early = await the.api.submit(streetlightReport(`early.${randomUUID()}@example.org`));
      await the.api.waitForHistory(early.reference, ['CaseRouted'], 'the routing');
      expect((await the.api.act(early.reference, 'cancel', {})).status).toBe(200);
      await waitFor(async () => {
        const { rows } = await the.pool.query(`SELECT state FROM department_adapter.work_orders WHERE case_id = $1 AND kind = 'create'`, [early.id]);
        return rows[0]?.state === 'cancelled';
      }, 'the undelivered work order to be withdrawn');
      await control({ down: false });
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(await orderOf(early.reference)).toBeUndefined();
      expect((await the.api.history(early.reference)).some((e) => e.type === 'WorkOrderCreated')).toBe(false);
    } finally {
      await control({ down: false });
    }
  });

  it('delivers every work order exactly once through 30% errors and slow responses', async () => {
    const simulator = the.system.url('department-simulator');
    const control = (knobs: object) => fetch(`${simulator}/control`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(knobs) });
    await control({ errorRate: 0.3, latencyMs: 300 });
    try {
      const cases = await Promise.all(
        Array.from({ length: 20 }, async () => await the.api.submit(streetlightReport(`flaky.${randomUUID()}@example.org`))),
      );
      const ids = cases.map((c) => c.id);
      // Backoff doubles from 1 s: an order unlucky five times in a row waits half a minute.
      await waitFor(async () => {
        const { rows } = await the.pool.query(`SELECT count(DISTINCT case_id)::int AS n FROM case_log.events WHERE type = 'WorkOrderCreated' AND case_id = ANY($1::uuid[])`, [ids]);
        return rows[0].n === ids.length;
      }, 'every work order through the errors', 150_000);
      const { rows } = await the.pool.query(`SELECT count(*)::int AS n FROM case_log.events WHERE type = 'WorkOrderCreated' AND case_id = ANY($1::uuid[])`, [ids]);
      expect(rows[0].n).toBe(ids.length);
      const orders = (await (await fetch(`${simulator}/work-orders`)).json()) as { caseReference: string }[];
      for (const { reference } of cases) expect(orders.filter((o) => o.caseReference === reference)).toHaveLength(1);
    } finally {
      await control({ errorRate: 0, latencyMs: 0 });
    }
  }, 180_000);
});
