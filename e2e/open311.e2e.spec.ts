import { distinctPlace, waitFor } from '@caseline/testing';
import { withWholeSystem } from './case-api';

const API_KEY = 'caseline-demo-key'; // the development key (OPEN311_API_KEYS is unset in tests)

/** An Open311 client's whole flow, as FixMyStreet and city apps run it: discover, list, define, submit, poll, fetch, follow. */
describe('Open311 GeoReport v2', () => {
  const the = withWholeSystem();
  const open311 = (path: string) => `${the.system.url('intake')}/open311/v2/${path}`;
  const submit = (fields: Record<string, string | string[]>, format = 'json') => {
    const form = new URLSearchParams();
    for (const [name, value] of Object.entries(fields)) for (const item of [value].flat()) form.append(name, item);
    return fetch(open311(`requests.${format}`), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
  };
  const casesReported = async () => Number((await the.pool.query("SELECT count(*) AS n FROM case_log.events WHERE type = 'CaseReported'")).rows[0].n);
  const streetlight = {
    api_key: API_KEY,
    service_code: 'STREETLIGHT',
    lat: '40.7484',
    long: '-73.9857',
    address_string: '350 5th Ave',
    description: 'Light out in front of the building',
    email: 'open311.resident@example.org',
    first_name: 'Lee',
    'attribute[PROBLEM]': 'OUT',
  };

  it('discovers the endpoint and lists the catalog in JSON and XML, without staff-only types', async () => {
    const discovery = (await (await fetch(open311('discovery.json'))).json()) as { endpoints: { url: string; formats: string[] }[] };
    expect(discovery.endpoints[0].url).toContain('/open311/v2/');
    expect(discovery.endpoints[0].formats).toEqual(['text/xml', 'application/json']);

    const services = (await (await fetch(open311('services.json'))).json()) as { service_code: string; metadata: boolean; group: string; keywords: string }[];
    expect(services.length).toBeGreaterThanOrEqual(30);
    expect(services.find((s) => s.service_code === 'STREETLIGHT')).toMatchObject({ metadata: true, group: 'Streets and sidewalks' });

    const xml = await fetch(open311('services.xml'));
    expect(xml.headers.get('content-type')).toContain('text/xml');
    const body = await xml.text();
    expect(body).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?>\s*<services>\s*<service>/);
    expect(body).toContain('<service_code>STREETLIGHT</service_code>');
  });

  it('defines a service with its questions', async () => {
    const definition = (await (await fetch(open311('services/POTHOLE.json'))).json()) as { service_code: string; attributes: { code: string; datatype: string; values: { key: string }[] }[] };
    expect(definition.service_code).toBe('POTHOLE');
    expect(definition.attributes.find((a) => a.code === 'SIZE')).toMatchObject({ datatype: 'singlevaluelist' });
    const xml = await (await fetch(open311('services/POTHOLE.xml'))).text();
    expect(xml).toContain('<service_definition>');
    expect(xml).toMatch(/<attributes>\s*<attribute>/);
    expect((await fetch(open311('services/NOPE.json'))).status).toBe(404);
  });

  it('takes a form-encoded submission, answers with an id and a token, and serves the request at once', async () => {
    const response = await submit({ ...streetlight, 'attribute[POLE-NUMBER]': 'P-1234' });
    expect(response.status).toBe(201);
    const [created] = (await response.json()) as { service_request_id: string; token: string }[];
    expect(created.service_request_id).toMatch(/^\d{3}-\d{3}-\d{3}$/);

    const token = (await (await fetch(open311(`tokens/${created.token}.json`))).json()) as { service_request_id: string }[];
    expect(token).toEqual([{ token: created.token, service_request_id: created.service_request_id }]);

    const [request] = (await (await fetch(open311(`requests/${created.service_request_id}.json?extensions=true`))).json()) as Record<string, unknown>[];
    expect(request).toMatchObject({ service_request_id: created.service_request_id, status: 'open', service_code: 'STREETLIGHT', address: '350 5th Ave', lat: 40.7484 });
    expect(request.requested_datetime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[-+]\d{2}:\d{2}$/);
    expect(request.attributes).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'PROBLEM', code: 'OUT' })]));
    expect(JSON.stringify(request)).not.toContain('open311.resident@example.org');
    expect(JSON.stringify(request)).not.toContain('P-1234'); // free-text answers are not public

    const history = (await (await the.system.fetchAs('olivia.operator', `${the.system.url('intake')}/v1/cases/${created.service_request_id}/history`)).json()) as { events: { actor: { kind: string; id: string }; channel: string }[] };
    expect(history.events[0]).toMatchObject({ actor: { kind: 'partner', id: 'demo-portal' }, channel: 'api' });
  });

  it('lists requests and their updates as a back office polls them, once the department acts', async () => {
    // Elsewhere than the first test's light: the same light reported again would follow that case as a duplicate.
    const place = distinctPlace();
    const [created] = (await (await submit({ ...streetlight, lat: String(place.lat), long: String(place.long) })).json()) as { service_request_id: string }[];
    const id = created.service_request_id;
    const listed = await waitFor(async () => {
      const list = (await (await fetch(open311('requests.json?service_code=STREETLIGHT&status=open'))).json()) as { service_request_id: string; agency_responsible?: string }[];
      const mine = list.find((r) => r.service_request_id === id);
      return mine?.agency_responsible ? mine : undefined;
    }, 'the request to be listed with its department');
    expect(listed.agency_responsible).toBe('Department of Transportation');

    const order = await waitFor(async () => {
      const all = (await (await fetch(`${the.system.url('department-simulator')}/work-orders`)).json()) as { id: string; caseReference: string }[];
      return all.find((o) => o.caseReference === id);
    }, 'the work order');
    await fetch(`${the.system.url('department-simulator')}/work-orders/${order.id}/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'completed', note: 'New lamp fitted' }),
    });

    const updates = await waitFor(async () => {
      const all = (await (await fetch(open311('servicerequestupdates.json'))).json()) as { service_request_id: string; status: string; update_id: string; description: string }[];
      const mine = all.filter((u) => u.service_request_id === id);
      return mine.some((u) => u.status === 'fixed') && mine;
    }, 'the fixed update');
    expect(new Set(updates.map((u) => u.update_id)).size).toBe(updates.length);
    expect(updates.find((u) => u.status === 'fixed')!.description).toContain('New lamp fitted');

    const xml = await (await fetch(open311(`servicerequestupdates.xml`))).text();
    expect(xml).toContain('<service_request_updates>');
    expect(xml).toContain('<request_update>');
    const [closed] = (await (await fetch(open311(`requests/${id}.json`))).json()) as { status: string }[];
    expect(closed.status).toBe('closed');
  });

  it.each([
    ['no api_key', { ...streetlight, api_key: '' }, 403, 'api_key'],
    ['a wrong api_key', { ...streetlight, api_key: 'not-a-key' }, 403, 'api_key'],
    ['an unknown service_code', { ...streetlight, service_code: 'NOPE' }, 404, 'NOPE'],
    ['no location', { api_key: API_KEY, service_code: 'STREETLIGHT', description: 'x' }, 400, 'location'],
    ['a missing required attribute', { ...streetlight, service_code: 'SIDEWALK-DAMAGE' }, 400, 'attribute[TRIP-HAZARD]'],
    ['a description over 4,000 characters', { ...streetlight, description: 'x'.repeat(4001) }, 400, 'description'],
    ['a location outside the city', { ...streetlight, lat: '34.0522', long: '-118.2437' }, 400, 'outside'],
    ['a NUL character', { ...streetlight, description: 'dark\u0000lamp' }, 400, 'description'],
    ['two email addresses in one', { ...streetlight, email: 'a@example.org, b@example.org' }, 400, 'email'],
    ['a media_url that is not a web link', { ...streetlight, media_url: 'javascript:alert(1)' }, 400, 'media_url'],
    ['a value not in the list', { ...streetlight, 'attribute[PROBLEM]': 'EXPLODED' }, 400, 'attribute[PROBLEM]'],
  ])('answers %s with Open311 errors, writing nothing', async (_name, fields, status, mentioned) => {
    const before = await casesReported();
    const response = await submit(fields as Record<string, string>);
    expect(response.status).toBe(status);
    const errors = (await response.json()) as { code: number; description: string }[];
    expect(errors[0].code).toBe(status);
    expect(errors.map((e) => e.description).join(' ')).toContain(mentioned);
    const xml = await (await submit(fields as Record<string, string>, 'xml')).text();
    expect(xml).toMatch(new RegExp(`<errors>\\s*<error>\\s*<code>${status}</code>`));
    expect(await casesReported()).toBe(before);
  });

  it('changes the catalog through the admin API, each change an event, seen by Open311 and routing', async () => {
    const admin = (path: string, method: string, body?: unknown) =>
      the.system.fetchAs('ada.admin', `${the.system.url('intake')}/v1/admin/catalog/services${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const hydrant = {
      code: 'HYDRANT-OPEN',
      name: 'Open fire hydrant',
      group: 'Water and sewer',
      description: 'A fire hydrant left open or leaking.',
      keywords: ['hydrant'],
      attributes: [{ code: 'FLOW', datatype: 'singlevaluelist', order: 1, description: 'How much water?', required: true, values: [{ key: 'TRICKLE', name: 'A trickle' }, { key: 'GUSHING', name: 'Gushing' }] }],
    };
    expect((await admin('', 'POST', hydrant)).status).toBe(201);
    expect((await admin('', 'POST', hydrant)).status).toBe(409);
    const invalid = await admin('', 'POST', { ...hydrant, code: 'BAD-LIST', attributes: [{ code: 'X', datatype: 'singlevaluelist', order: 1, description: 'Pick', values: [] }] });
    expect(invalid.status).toBe(422);
    expect(((await invalid.json()) as { errors: { field: string }[] }).errors[0].field).toContain('X');

    // Every service converges on the new catalog (refreshed within a second).
    await waitFor(async () => ((await (await fetch(open311('services.json'))).json()) as { service_code: string }[]).some((s) => s.service_code === 'HYDRANT-OPEN'), 'Open311 to list the new service');
    const routed = await waitFor(async () => {
      const answer = await the.system.fetchAs('ada.admin', `${the.system.url('routing')}/v1/routing/dry-run`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ serviceCode: 'HYDRANT-OPEN' }) });
      const decision = answer.ok && ((await answer.json()) as { decision?: { department: string } }).decision;
      // Until routing's catalog has it, the case would wait in triage.
      return decision && decision.department === 'DEP' && decision;
    }, 'routing to send the new service by its group');
    expect(routed.department).toBe('DEP');
    const missing = await submit({ ...streetlight, service_code: 'HYDRANT-OPEN' });
    expect(missing.status).toBe(400); // FLOW is required

    expect((await admin('/HYDRANT-OPEN', 'PUT', { ...hydrant, name: 'Open or leaking fire hydrant' })).status).toBe(200);
    expect((await admin('/HYDRANT-OPEN/retire', 'POST', { reason: 'Merged into WATER-LEAK' })).status).toBe(200);
    await waitFor(async () => !((await (await fetch(open311('services.json'))).json()) as { service_code: string }[]).some((s) => s.service_code === 'HYDRANT-OPEN'), 'the retired service to leave the list');
    const { rows } = await the.pool.query(
      `SELECT type, metadata->'actor'->>'id' AS actor FROM case_log.events WHERE type IN ('ServiceAdded', 'ServiceChanged', 'ServiceRetired') AND data->'service'->>'code' = 'HYDRANT-OPEN' ORDER BY case_version`,
    );
    // Each change by the administrator who signed in.
    expect(rows).toEqual([
      { type: 'ServiceAdded', actor: 'ada.admin@staff' },
      { type: 'ServiceChanged', actor: 'ada.admin@staff' },
      { type: 'ServiceRetired', actor: 'ada.admin@staff' },
    ]);
  });

  it('answers a body that is not a form (JSON, XML) with 400, writing nothing', async () => {
    const before = await casesReported();
    for (const [type, body] of [['application/json', JSON.stringify(streetlight)], ['text/xml', '<service_request><service_code>STREETLIGHT</service_code>']]) {
      const response = await fetch(open311('requests.json'), { method: 'POST', headers: { 'content-type': type }, body });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { description: string }[])[0].description).toContain('x-www-form-urlencoded');
    }
    expect(await casesReported()).toBe(before);
  });

  it('answers an unknown request id and an unknown format with 404', async () => {
    expect((await fetch(open311('requests/100-000-000.json'))).status).toBe(404);
    expect((await fetch(open311('services.html'))).status).toBe(404);
  });
});
