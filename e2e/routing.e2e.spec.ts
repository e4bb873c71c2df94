import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { caseEventsTopic } from '@caseline/case-contracts';
import { appendToCase, newEventId, readCase } from '@caseline/event-store';
import { asSql, consumerLag, distinctPlace, TestSystem, testKafka, testPool, waitFor } from '@caseline/testing';
import { caseApi } from './case-api';

interface Rule {
  id: string;
  department: string;
  [field: string]: unknown;
}

/**
 * Routing on the whole system: areas stamped on every located case, rules as data (changed through
 * the admin API, each version an event), triage decided by an operator, referrals when a
 * department refuses a case, and the way back when a resident reopens one.
 */
describe('routing', () => {
  let system: TestSystem;
  let api: ReturnType<typeof caseApi>;
  let pool: Pool;
  const kafka = testKafka();
  const routingUrl = () => system.url('routing');

  beforeAll(async () => {
    // Two referrals at most, so the third refusal sends the case to triage.
    system = await TestSystem.create({ ROUTING_MAX_REFERRALS: '2' });
    await system.start(['department-simulator', 'mail-catcher', 'intake', 'routing', 'department-adapter', 'notification']);
    api = caseApi(system);
    pool = testPool(2);
  }, 180000);
  afterAll(async () => {
    await system?.stop();
    await pool?.end();
  });

  /** Administrators change the configuration, an operator decides triage, a supervisor reads and tries the rules. */
  const send = async (method: string, path: string, body?: unknown, contentType = 'application/json') => {
    const by = path.startsWith('/v1/admin/') && method !== 'GET' ? 'ada.admin' : path.startsWith('/v1/routing/triage') ? 'olivia.operator' : 'sam.supervisor';
    const response = await system.fetchAs(by, `${routingUrl()}${path}`, { method, headers: body === undefined ? {} : { 'content-type': contentType }, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> & { errors?: { field: string; message: string }[]; detail?: string } };
  };
  const report = async (body: Record<string, unknown>) => {
    const response = await api.report({ description: 'Please send someone', channel: 'web', ...body });
    const answer = (await response.json()) as { reference: string; id: string };
    if (response.status !== 201) throw new Error(`report answered ${response.status}: ${JSON.stringify(answer)}`);
    return answer;
  };
  const eventsOf = async (caseId: string) => readCase(asSql(pool), caseId);
  const complete = (workOrderId: string, note?: string) =>
    fetch(`${system.url('department-simulator')}/work-orders/${workOrderId}/status`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 'completed', ...(note ? { note } : {}) }) });
  const messagesTo = async (email: string) => (await (await fetch(`${system.url('mail-catcher')}/messages?to=${encodeURIComponent(email)}`)).json()) as { subject: string }[];
  const dataOf = async (caseId: string, type: string) => (await eventsOf(caseId)).filter((e) => e.type === type).map((e) => e.data as Record<string, unknown>);
  const waitForEvent = (caseId: string, type: string, count = 1) =>
    waitFor(async () => ((await dataOf(caseId, type)).length >= count ? dataOf(caseId, type) : false), `${count} × ${type} on case ${caseId}`);
  const currentRules = async () => (await send('GET', '/v1/admin/routing/rules')).body as unknown as { version: number; rules: Rule[] };
  const publish = (rules: Rule[], basedOnVersion?: number) => send('PUT', '/v1/admin/routing/rules', { rules, comment: 'changed by the routing e2e spec', basedOnVersion });
  const workOrderOf = async (reference: string, department?: string) =>
    waitFor(async () => {
      const orders = (await (await fetch(`${system.url('department-simulator')}/work-orders`)).json()) as { id: string; caseReference: string; department?: string; status: string }[];
      return orders.filter((o) => o.caseReference === reference && o.status === 'open' && (!department || o.department === undefined || o.department === department)).pop();
    }, `an open work order for ${reference}`);

  it('stamps a located case with its areas and records the rule, its version and the facts it matched', async () => {
    const { id, reference } = await report({ serviceCode: 'POTHOLE', location: { lat: 40.7536, long: -73.9832 } }); // Bryant Park, Manhattan: a pothole no other spec reports
    const [routed] = await waitForEvent(id, 'CaseRouted');
    expect(routed).toMatchObject({
      department: 'DOT',
      queue: 'roadway-manhattan',
      decidedBy: 'rule',
      rule: { id: 'potholes-manhattan', version: 3 },
      matched: { serviceCode: 'POTHOLE', 'area:service-zone': 'MN' },
      areas: { 'community-district': { id: '105' }, 'service-zone': { id: 'MN' } },
    });
    expect((routed.areas as Record<string, unknown>)['council-district']).toBeDefined();
    const history = await api.history(reference);
    expect(history.find((e) => e.type === 'CaseRouted')?.summary).toMatch(/by rule potholes-manhattan v3 .*; in .*Community District/);
  });

  it('routes a case without areas by type alone (no location, or a location outside every area, flagged)', async () => {
    const { id } = await report({ serviceCode: 'POTHOLE', location: { address: '350 5th Ave' } });
    expect(await waitForEvent(id, 'CaseRouted')).toEqual([expect.objectContaining({ rule: expect.objectContaining({ id: 'potholes' }), matched: { serviceCode: 'POTHOLE' } })]);
    const dryRun = await send('POST', '/v1/routing/dry-run', { serviceCode: 'POTHOLE', location: { lat: 40.55, long: -74.05 } }); // Lower Bay: inside the city limits, in no area
    expect(dryRun.status).toBe(200);
    expect(dryRun.body).toMatchObject({ outcome: 'routed', decision: { rule: { id: 'potholes' } }, placement: { areaIds: {}, flags: ['location-outside-areas'] } });
  });

  it('routes a case whose location is impossible by type alone, and flags it', async () => {
    // Intake refuses such a location; an import or another system writing to the log may not.
    const caseId = randomUUID();
    const data = { reference: '999-000-001', serviceCode: 'POTHOLE', serviceName: 'Pothole', serviceGroup: 'Streets and sidewalks', description: 'Imported', location: { lat: 123.4, long: -73.98 }, channel: 'api' };
    await appendToCase(asSql(pool), caseId, 0, [{ eventId: newEventId(), type: 'CaseReported', schemaVersion: 1, data, metadata: { actor: { kind: 'service', id: 'import', name: 'Historical import' }, channel: 'api', at: new Date().toISOString(), correlationId: caseId } }]);
    const [routed] = await waitForEvent(caseId, 'CaseRouted');
    expect(routed).toMatchObject({ department: 'DOT', rule: { id: 'potholes' }, matched: { serviceCode: 'POTHOLE' }, flags: ['impossible-location'] });
    expect(routed.areas).toBeUndefined();
  });

  it('answers "where would this go, and why?" without writing anything', async () => {
    // What routing writes (earlier cases may still be gaining their emails and work orders meanwhile).
    const routingEvents = async () => Number((await pool.query(`SELECT count(*) AS n FROM case_log.events WHERE type IN ('CaseRouted', 'CaseSentToTriage', 'CaseLinked', 'RuleSetPublished')`)).rows[0].n);
    const before = await routingEvents();
    const blocking = await send('POST', '/v1/routing/dry-run', { serviceCode: 'FALLEN-TREE', attributes: { BLOCKING: 'WIRES' }, location: { lat: 40.7484, long: -73.9857 } });
    expect(blocking.body).toMatchObject({ outcome: 'routed', decision: { department: 'PARKS', crew: 'emergency-tree-crew', priority: 'urgent', matched: { 'answer:BLOCKING': 'WIRES' }, departmentName: 'Department of Parks and Recreation' } });
    const flooding = await send('POST', '/v1/routing/dry-run', { serviceCode: 'WATER-LEAK', description: 'The basement is FLOODED' });
    expect(flooding.body).toMatchObject({ outcome: 'routed', decision: { rule: { id: 'water-leak-flooding' }, matched: { keyword: 'flooded' } } });
    const nowhere = await send('POST', '/v1/routing/dry-run', { serviceCode: 'GENERAL-QUESTION', excludeDepartments: ['311'] });
    expect(nowhere.body).toMatchObject({ outcome: 'triage' });
    const bad = await send('POST', '/v1/routing/dry-run', { serviceCode: 'POTHOLE', location: { lat: 123, long: 0 } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('location.lat');
    expect(await routingEvents()).toBe(before);
  });

  it('refuses a rule set with problems, naming the rule, and keeps the rules in force', async () => {
    const { version, rules } = await currentRules();
    const broken = await publish([{ ...rules[0], department: 'FIRE' }, ...rules.slice(1)]);
    expect(broken.status).toBe(422);
    expect(broken.body.errors?.[0]).toMatchObject({ field: 'rules[0].department', message: expect.stringContaining('department "FIRE"') });
    const unreachable = await publish([...rules, { id: 'potholes-again', description: 'never decides', match: { serviceCodes: ['POTHOLE'] }, department: 'DOT', priority: 'normal', target: { businessDays: 1 } }]);
    expect(unreachable.status).toBe(422);
    expect(unreachable.body.errors?.[0].message).toMatch(/can never decide/);
    expect((await currentRules()).version).toBe(version);
    expect((await publish(rules, version - 1)).status).toBe(409);
  });

  it('sends a case no rule matches to triage, where an operator decides — an event like any other', async () => {
    const { version, rules } = await currentRules();
    const withoutCustomerService = rules.filter((r) => r.id !== 'customer-service');
    const published = await publish(withoutCustomerService, version);
    expect(published.status).toBe(200);
    expect(published.body).toMatchObject({ changed: true, ruleSet: { version: version + 1 } });
    // The change is an event on the rules' own stream, with its actor.
    const { rows } = await pool.query(`SELECT metadata FROM case_log.events WHERE type = 'RuleSetPublished' ORDER BY global_position DESC LIMIT 1`);
    expect(rows[0].metadata.actor).toMatchObject({ kind: 'administrator', id: 'ada.admin@staff' });

    // Every routing replica follows the stream; give this one its refresh interval.
    await waitFor(async () => (await send('POST', '/v1/routing/dry-run', { serviceCode: 'GENERAL-QUESTION' })).body.outcome === 'triage', 'the new rules to be in force');
    const { id, reference } = await report({ serviceCode: 'GENERAL-QUESTION', location: { lat: 40.7484, long: -73.9857 } });
    const [triaged] = await waitForEvent(id, 'CaseSentToTriage');
    expect(triaged).toMatchObject({ reason: 'no-rule-matched', areas: { 'service-zone': { id: 'MN' } } });
    const queue = await waitFor(async () => {
      const { body } = await send('GET', '/v1/routing/triage');
      return (body.cases as { reference: string }[]).some((c) => c.reference === reference) && body;
    }, 'the case to wait in triage');
    expect(queue.waiting).toBeGreaterThanOrEqual(1);

    expect((await send('POST', `/v1/routing/triage/${id}/decision`, { department: 'NOPE', reason: 'x' })).status).toBe(422);
    expect((await send('POST', `/v1/routing/triage/${id}/decision`, { department: 'DOT' })).status).toBe(400);
    const decided = await send('POST', `/v1/routing/triage/${id}/decision`, { department: '311', queue: 'information', reason: 'A question about parking rules: customer service answers it' });
    expect(decided.status).toBe(200);
    const [routed] = await waitForEvent(id, 'CaseRouted');
    expect(routed).toMatchObject({ department: '311', decidedBy: 'operator', reason: expect.stringContaining('parking rules') });
    expect((await eventsOf(id)).find((e) => e.type === 'CaseRouted')?.metadata.actor.kind).toBe('operator');
    expect(((await send('GET', '/v1/routing/triage')).body.cases as { reference: string }[]).some((c) => c.reference === reference)).toBe(false);
    expect((await send('POST', `/v1/routing/triage/${id}/decision`, { department: 'DOT', reason: 'twice' })).status).toBe(409);
    await publish(rules); // back to the city's rules for the tests that follow
  });

  it('refers a refused case on without the departments that refused it, then to triage after too many hops; a redelivered refusal adds nothing', async () => {
    const { rules } = await currentRules();
    // Parks first; Sanitation clears fallen trees when Parks says it is not theirs.
    const fallback: Rule = { id: 'trees-fallen-debris', description: 'Sanitation clears fallen trees Parks does not take', match: { serviceCodes: ['FALLEN-TREE'] }, department: 'DSNY', priority: 'normal', target: { businessDays: 2 } };
    const at = rules.findIndex((r) => r.id === 'trees-fallen');
    expect((await publish([...rules.slice(0, at + 1), fallback, ...rules.slice(at + 1)])).status).toBe(200);
    await waitFor(async () => (await currentRules()).rules.some((r) => r.id === 'trees-fallen-debris'), 'the fallback rule');

    const { id, reference } = await report({ serviceCode: 'FALLEN-TREE', attributes: { BLOCKING: ['NOTHING'] }, location: { lat: 40.7484, long: -73.9857 } });
    await waitForEvent(id, 'WorkOrderCreated');
    const parksOrder = await workOrderOf(reference);
    await fetch(`${system.url('department-simulator')}/work-orders/${parksOrder.id}/status`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 'rejected', note: 'Not ours: the tree is on private property' }) });

    const [referral] = await waitForEvent(id, 'CaseReferred');
    expect(referral).toEqual({ fromDepartment: 'PARKS', reason: 'Not ours: the tree is on private property', hop: 1 });
    const routings = await waitForEvent(id, 'CaseRouted', 2);
    expect(routings[1]).toMatchObject({ department: 'DSNY', rule: { id: 'trees-fallen-debris' } });
    await waitForEvent(id, 'WorkOrderCreated', 2);

    // The same refusal delivered again: still one referral.
    const rejected = (await eventsOf(id)).filter((e) => e.type === 'WorkOrderStatusChanged');
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({ topic: caseEventsTopic(), messages: rejected.map((event) => ({ key: id, value: JSON.stringify(event) })) });
    await producer.disconnect();
    await waitFor(async () => (await consumerLag(kafka, 'routing')) === 0, 'routing to catch up');
    expect(await dataOf(id, 'CaseReferred')).toHaveLength(1);

    // Sanitation refuses too: that is the second hop, and the limit (ROUTING_MAX_REFERRALS=2) sends it to an operator.
    const sanitationOrder = await waitFor(async () => {
      const order = await workOrderOf(reference);
      return order.id !== parksOrder.id && order;
    }, 'the Sanitation work order');
    await fetch(`${system.url('department-simulator')}/work-orders/${sanitationOrder.id}/status`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 'rejected', note: 'Not ours either' }) });
    const [triaged] = await waitForEvent(id, 'CaseSentToTriage');
    expect(triaged).toMatchObject({ reason: 'referral-limit-reached', detail: expect.stringContaining('PARKS → DSNY') });
    expect((await dataOf(id, 'CaseReferred')).map((r) => r.hop)).toEqual([1, 2]);
    const history = await api.history(reference);
    expect(history.filter((e) => e.type === 'CaseReferred').map((e) => e.summary)).toEqual([
      'Referred on by PARKS (referral 1): Not ours: the tree is on private property',
      'Referred on by DSNY (referral 2): Not ours either',
    ]);
    await publish(rules);
  });

  it('replaces an area layer at run time, refusing a bad file with its line and a file that would orphan a rule', async () => {
    const putLayer = (layer: string, geojson: string, query = '') => send('PUT', `/v1/admin/areas/${layer}${query}`, geojson, 'application/geo+json');
    const square = (id: string, [x, y]: number[]) => ({ type: 'Feature', properties: { ward: id, name: `Ward ${id}` }, geometry: { type: 'Polygon', coordinates: [[[x, y], [x + 0.1, y], [x + 0.1, y + 0.1], [x, y + 0.1], [x, y]]] } });
    const wards = JSON.stringify({ type: 'FeatureCollection', features: [square('1', [-74.0, 40.7]), square('2', [-73.9, 40.7])] }, null, 2);

    const broken = wards.replace('"ward": "2"', '"ward": ""');
    const refused = await putLayer('ward', broken, '?idProperty=ward&nameProperty=name');
    expect(refused.status).toBe(422);
    expect(refused.body.detail).toMatch(/ward\.geojson:\d+/);
    expect((await send('PUT', '/v1/admin/areas/ward?idProperty=ward', wards)).status).toBe(415);

    const added = await putLayer('ward', wards, '?idProperty=ward&nameProperty=name');
    expect(added.status).toBe(200);
    expect(added.body).toMatchObject({ layer: 'ward', version: 1, areas: 2 });
    await waitFor(async () => {
      const { body } = await send('POST', '/v1/routing/dry-run', { serviceCode: 'POTHOLE', location: { lat: 40.75, long: -73.95 } });
      return (body.placement as { areaIds: Record<string, string> }).areaIds.ward === '1';
    }, 'the new layer to be in force');

    // Rules name the service zones: a service-zone file without Manhattan would leave a rule pointing nowhere.
    const zonesWithoutManhattan = JSON.stringify({ type: 'FeatureCollection', features: [{ ...square('BK', [-74.0, 40.6]), properties: { zone: 'BK', name: 'Brooklyn' } }] });
    const orphaning = await putLayer('service-zone', zonesWithoutManhattan);
    expect(orphaning.status).toBe(422);
    expect(orphaning.body.detail).toMatch(/potholes-manhattan.*area "MN" is not in layer service-zone/s);
    const layers = (await (await system.fetchAs('ada.admin', `${routingUrl()}/v1/admin/areas`)).json()) as { layer: string; version: number }[];
    expect(layers.find((l) => l.layer === 'service-zone')?.version).toBe(1);
  });

  it('returns a reopened case to the department that resolved it', async () => {
    const { id, reference } = await report({ serviceCode: 'STREETLIGHT', location: distinctPlace(), reporter: { email: `reopen.${randomUUID()}@example.org` } });
    await waitForEvent(id, 'WorkOrderCreated');
    const order = await workOrderOf(reference);
    await fetch(`${system.url('department-simulator')}/work-orders/${order.id}/status`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 'completed', note: 'Lamp replaced' }) });
    await waitForEvent(id, 'CaseResolved');
    const reopened = await api.act(reference, 'reopen', { reason: 'Still dark tonight' });
    expect(reopened.status).toBe(200);
    const routings = await waitForEvent(id, 'CaseRouted', 2);
    expect(routings[1]).toMatchObject({ department: 'DOT', decidedBy: 'reopening', queue: 'signals-and-lighting', reason: expect.stringContaining('Still dark tonight') });
    await waitForEvent(id, 'WorkOrderCreated', 2);
  });

  describe('deadlines', () => {
    const timerOf = async (caseId: string) => (await pool.query('SELECT due_at, remind_at, reminded, escalated, paused, council_district FROM routing.deadline_timers WHERE case_id = $1', [caseId])).rows[0];
    // Time passes, as far as the timers can tell: only the timer rows move, the log is never touched.
    const timePasses = (caseId: string, until: 'reminder' | 'deadline') =>
      pool.query(`UPDATE routing.deadline_timers SET remind_at = now() - interval '1 second'${until === 'deadline' ? `, due_at = now() - interval '1 second'` : ''} WHERE case_id = $1`, [caseId]);

    it('reminds the department and then escalates to the supervisor and the council member, once each, even across a routing crash', async () => {
      const { version, rules } = await currentRules();
      const escalating = rules.map((r) => (r.id === 'potholes-manhattan' ? { ...r, escalateToCouncilMember: true } : r));
      expect((await publish(escalating, version)).status).toBe(200);
      await waitFor(async () => (await currentRules()).rules.some((r) => r.escalateToCouncilMember), 'the escalating rule');

      const { id, reference } = await report({ serviceCode: 'POTHOLE', location: { lat: 40.7527, long: -73.9772 } }); // Grand Central: Manhattan, far from the first test's pothole
      const [routed] = await waitForEvent(id, 'CaseRouted');
      expect(routed).toMatchObject({ escalateToCouncilMember: true, clockStartedAt: expect.any(String) });
      const timer = await waitFor(() => timerOf(id), 'the deadline timer');
      expect(timer).toMatchObject({ reminded: false, escalated: false, paused: false, council_district: expect.any(String) });
      expect(new Date(timer.due_at).toISOString()).toBe(routed.dueAt);
      expect(new Date(timer.remind_at).getTime()).toBeLessThan(new Date(timer.due_at).getTime());

      await timePasses(id, 'reminder');
      const [reminder] = await waitForEvent(id, 'DeadlineApproaching');
      expect(reminder).toEqual({ dueAt: routed.dueAt, department: 'DOT', queue: 'roadway-manhattan' });

      // Routing dies right after it records the escalation, before it can mark the timer fired.
      await system.kill('routing', 'SIGTERM');
      await system.start(['routing'], { CASELINE_FAILPOINT: 'routing:after-timer', ROUTING_MAX_REFERRALS: '2' });
      await timePasses(id, 'deadline');
      expect(await system.exited('routing')).toBe('SIGKILL');
      await system.start(['routing'], { ROUTING_MAX_REFERRALS: '2' });
      await waitFor(async () => (await timerOf(id)).escalated, 'the timer to be marked fired after the restart');
      // Even a timer forced to fire again adds nothing: the decider knows this deadline was escalated.
      await pool.query('UPDATE routing.deadline_timers SET escalated = false, reminded = false WHERE case_id = $1', [id]);
      await waitFor(async () => (await timerOf(id)).escalated, 'the forced timer to settle');
      const escalations = await dataOf(id, 'CaseEscalated');
      expect(escalations).toHaveLength(1);
      expect(escalations[0]).toMatchObject({ dueAt: routed.dueAt, department: 'DOT', to: ['supervisor', 'council-member'], councilMember: { district: timer.council_district, name: expect.any(String) } });
      expect(await dataOf(id, 'DeadlineApproaching')).toHaveLength(1);
      // Told once each: the queue's mailbox of the reminder, the supervisor and the district's council member of the escalation.
      const told = async (email: string, subject: string) =>
        waitFor(async () => (await messagesTo(email)).filter((m) => m.subject.startsWith(subject)).length === 1, `"${subject}" to ${email}`);
      await told('dot-311@demo-city.example', `Due soon: ${reference}`);
      await told('dot-supervisor@demo-city.example', `Overdue: ${reference}`);
      await told(`district${timer.council_district}@council.demo-city.caseline.local`, `Overdue: ${reference} (Pothole) in council district ${timer.council_district}`);
      await publish(rules);
    });

    it('stops the clock while the city waits for the reporter, and moves the deadline by the working time it waited', async () => {
      // DEP works around the clock, so every second of waiting is working time.
      const { id, reference } = await report({ serviceCode: 'WATER-LEAK', description: 'Water gushing into the street, flooding the corner', attributes: { SOURCE: 'STREET' }, location: { lat: 40.7484, long: -73.9857 } });
      const [routed] = await waitForEvent(id, 'CaseRouted');
      expect(routed).toMatchObject({ department: 'DEP', target: { businessHours: 2 } });
      await waitFor(() => timerOf(id), 'the deadline timer');

      const asked = await api.act(reference, 'information-requests', { question: 'Is the water coming from a hydrant?' });
      expect(asked.status).toBe(200);
      expect((await api.act(reference, 'information-requests', { question: 'Again?' })).status).toBe(409);
      await waitFor(async () => (await timerOf(id)).paused, 'the clock to stop');
      await timePasses(id, 'reminder');
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(await dataOf(id, 'DeadlineApproaching')).toHaveLength(0); // nothing fires while the city waits

      const answered = await api.act(reference, 'information', { text: 'No, from a crack in the street' });
      expect(answered.status).toBe(200);
      const [moved] = await waitForEvent(id, 'DeadlineMoved');
      expect(moved).toMatchObject({ previousDueAt: routed.dueAt, reason: 'waited-for-information' });
      const waited = Date.parse(moved.dueAt as string) - Date.parse(routed.dueAt as string);
      expect(waited).toBeGreaterThan(1000);
      expect(moved.pausedMinutes).toBeGreaterThan(0);
      const timer = await timerOf(id);
      expect(timer).toMatchObject({ paused: false, reminded: false });
      expect(new Date(timer.due_at).toISOString()).toBe(moved.dueAt);
      expect((await api.find(reference)) as unknown as { dueAt: string }).toMatchObject({ dueAt: moved.dueAt });
    });

    it('stops the timer when the case is resolved', async () => {
      const { id, reference } = await report({ serviceCode: 'STREETLIGHT', location: distinctPlace() });
      await waitForEvent(id, 'WorkOrderCreated');
      expect(await timerOf(id)).toBeDefined();
      const order = await workOrderOf(reference);
      await fetch(`${system.url('department-simulator')}/work-orders/${order.id}/status`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 'completed' }) });
      await waitForEvent(id, 'CaseResolved');
      await waitFor(async () => (await timerOf(id)) === undefined, 'the timer to go');
    });
  });

  describe('duplicates', () => {
    // About 10 m north: the same streetlight, as another resident describes it.
    const nearby = (place: { lat: number; long: number }) => ({ lat: Number((place.lat + 0.00009).toFixed(6)), long: place.long });
    const light = (location: object, email?: string) => report({ serviceCode: 'STREETLIGHT', location, ...(email ? { reporter: { email, language: 'en' } } : {}) });

    it('links a second report of the same problem nearby to the open case, counts the reporters, tells the reporter, and settles it with the original', async () => {
      const place = distinctPlace();
      const original = await light(place);
      await waitForEvent(original.id, 'WorkOrderCreated');
      const email = `second.${randomUUID()}@example.org`;
      const second = await light(nearby(place), email);

      const [link] = await waitForEvent(second.id, 'CaseLinked');
      expect(link).toEqual({ relatedCaseId: original.id, relatedReference: original.reference, relation: 'duplicate-of', distanceMeters: 10, policy: 'streetlight-pole' });
      expect(await waitForEvent(original.id, 'DuplicateReported')).toEqual([{ duplicateCaseId: second.id, duplicateReference: second.reference, reporters: 2 }]);
      await waitFor(async () => (await messagesTo(email)).some((m) => m.subject.includes('already being handled')), 'the duplicate\'s reporter to be told');
      expect(await dataOf(second.id, 'CaseRouted')).toHaveLength(0); // no second work order for the same light

      expect((await api.act(second.reference, 'duplicate/confirm')).status).toBe(200);
      expect((await api.act(second.reference, 'duplicate/confirm')).status).toBe(200);
      expect(await dataOf(second.id, 'DuplicateConfirmed')).toHaveLength(1);
      expect((await api.act(original.reference, 'duplicate/confirm')).status).toBe(409);

      // A light elsewhere is its own case.
      const elsewhere = await light(distinctPlace());
      await waitForEvent(elsewhere.id, 'CaseRouted');

      const order = await workOrderOf(original.reference);
      await fetch(`${system.url('department-simulator')}/work-orders/${order.id}/status`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 'completed', note: 'Lamp replaced' }) });
      const [settled] = await waitForEvent(second.id, 'CaseResolved');
      expect(settled).toEqual({ resolution: 'duplicate', note: `Resolved together with request ${original.reference}: Lamp replaced` });
      await waitFor(async () => (await messagesTo(email)).some((m) => m.subject.includes('is resolved')), 'the duplicate\'s reporter to hear of the resolution');
    });

    it('undoing a link routes the case on its own, and the original stops counting it', async () => {
      const place = distinctPlace();
      const original = await light(place);
      await waitForEvent(original.id, 'CaseRouted');
      const second = await light(nearby(place));
      await waitForEvent(original.id, 'DuplicateReported');
      expect((await api.act(second.reference, 'duplicate/undo', { reason: '' })).status).toBe(400);
      expect((await api.act(second.reference, 'duplicate/undo', { reason: 'Different pole: across the street' })).status).toBe(200);
      expect(await waitForEvent(second.id, 'CaseUnlinked')).toEqual([expect.objectContaining({ relatedReference: original.reference, reason: 'Different pole: across the street' })]);
      await waitForEvent(second.id, 'CaseRouted');
      expect(await waitForEvent(original.id, 'DuplicateWithdrawn')).toEqual([{ duplicateCaseId: second.id, duplicateReference: second.reference, reporters: 1 }]);
      const view = (await api.find(original.reference)) as unknown as { reporters: number };
      expect(view.reporters).toBe(1);
    });

    it('leaves the duplicates of a withdrawn original standing on their own', async () => {
      const place = distinctPlace();
      const original = await light(place);
      await waitForEvent(original.id, 'CaseRouted');
      const second = await light(nearby(place));
      await waitForEvent(original.id, 'DuplicateReported');
      expect((await api.act(original.reference, 'cancel', { reason: 'Fixed itself' })).status).toBe(200);
      expect(await waitForEvent(second.id, 'CaseUnlinked')).toEqual([expect.objectContaining({ reason: `Request ${original.reference} was withdrawn by its reporter` })]);
      expect(await waitForEvent(second.id, 'CaseRouted')).toEqual([expect.objectContaining({ department: 'DOT', decidedBy: 'rule' })]);
    });
  });

  it('splits a multi-agency problem into child cases for other departments; the parent resolves when they all do', async () => {
    const parent = await report({ serviceCode: 'FALLEN-TREE', attributes: { BLOCKING: ['WIRES'] }, location: distinctPlace() });
    await waitForEvent(parent.id, 'WorkOrderCreated'); // Parks takes the tree
    const refused = await api.act(parent.reference, 'split', { reason: 'x', children: [{ department: 'NOPE', description: 'x' }] });
    expect(refused.status).toBe(422);
    expect(JSON.stringify(await refused.json())).toContain('children[0].department');
    expect((await api.act(parent.reference, 'split', { reason: 'x', children: [] })).status).toBe(400);

    const split = await api.act(parent.reference, 'split', {
      reason: 'The tree brought down a streetlight and broke a water pipe',
      children: [
        { department: 'DOT', serviceCode: 'STREETLIGHT', description: 'Streetlight knocked down by the tree' },
        { department: 'DEP', serviceCode: 'WATER-LEAK', description: 'Water pipe broken by the roots' },
      ],
    });
    expect(split.status).toBe(200);
    const [{ children }] = (await waitForEvent(parent.id, 'CaseSplit')) as unknown as { children: { caseId: string; reference: string; department: string }[] }[];
    expect(children.map((c) => c.department)).toEqual(['DOT', 'DEP']);
    for (const child of children) {
      const [routed] = await waitForEvent(child.caseId, 'CaseRouted');
      expect(routed).toMatchObject({ department: child.department, decidedBy: 'split', reason: `part of request ${parent.reference}` });
      expect((await eventsOf(child.caseId))[0].data).toMatchObject({ parent: { caseId: parent.id, reference: parent.reference, department: child.department } });
      await waitForEvent(child.caseId, 'WorkOrderCreated');
    }

    // Parks finishes first: the parent stays open while its parts are not done.
    await complete((await workOrderOf(parent.reference)).id, 'Tree removed');
    await waitFor(async () => (await dataOf(parent.id, 'WorkOrderStatusChanged')).some((s) => s.status === 'completed'), 'Parks to finish');
    expect(await dataOf(parent.id, 'CaseResolved')).toHaveLength(0);
    for (const child of children) await complete((await workOrderOf(child.reference)).id);
    const [resolved] = await waitForEvent(parent.id, 'CaseResolved');
    expect(resolved).toEqual({ resolution: 'fixed', note: `Every part of the request was done (${children.map((c) => c.reference).join(', ')})` });
    expect(await dataOf(parent.id, 'ChildCaseResolved')).toHaveLength(2);
  });
});
