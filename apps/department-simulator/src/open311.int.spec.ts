import { departmentSecret, SIGNATURE_HEADER, signBody } from '@caseline/service-kit';
import { runningSimulator } from './running-simulator';
import { Open311Order, WorkOrder } from './work-order.store';

type Fields = Record<string, string | string[]>;
type Open311Errors = { code: number; description: string }[];
type Open311Update = { update_id: string; service_request_id: string; status: string; updated_datetime: string; description: string | null; media_url: null; external_status_code: string };

const json = <T>(response: Response): Promise<T> => response.json() as Promise<T>;
const form = (fields: Fields): URLSearchParams => {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) for (const item of [value].flat()) params.append(name, item);
  return params;
};
const w3c = (iso: string): string => new Date(iso).toISOString().replace(/\.\d{3}Z$/, 'Z');

const dot = { api_key: departmentSecret('DOT'), jurisdiction_id: 'DOT' };
const streetlight: Fields = {
  ...dot,
  service_code: 'STREETLIGHT',
  description: 'Lamp out on 5th Ave',
  lat: '40.7484',
  long: '-73.9857',
  address_string: '350 5th Ave',
  email: 'lee@example.org',
  'attribute[caseline_id]': 'case-1:work-order',
  'attribute[caseline_reference]': 'CL-2026-000123',
  'attribute[POLES][]': ['4417', '4418'],
};

describe('department simulator, Open311 face', () => {
  const simulator = runningSimulator();

  const post = (path: string, fields: Fields) =>
    fetch(`${simulator.url}/open311/${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form(fields).toString() });
  const get = (path: string, fields: Fields = dot) => fetch(`${simulator.url}/open311/${path}?${form(fields)}`);
  const control = (knobs: Record<string, unknown>) => fetch(`${simulator.url}/control`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(knobs) });
  const orders = async () => json<WorkOrder[]>(await fetch(`${simulator.url}/work-orders`));
  /** The department's crew at work, through the REST face. */
  const crew = (id: string, status: string, note?: string) =>
    fetch(`${simulator.url}/work-orders/${id}/status`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status, note }) });
  const create = async (fields: Fields = {}): Promise<string> => {
    const response = await post('requests.json', { ...streetlight, ...fields });
    expect(response.status).toBe(200);
    return (await json<{ service_request_id: string }[]>(response))[0].service_request_id;
  };
  const updates = async (fields: Fields = {}) => {
    const response = await get('servicerequestupdates.json', { ...dot, ...fields });
    expect(response.status).toBe(200);
    return json<Open311Update[]>(response);
  };
  /** Open311 errors: the status, and each entry's description. */
  const refusal = async (response: Response): Promise<{ status: number; descriptions: string[] }> => {
    expect(response.headers.get('content-type')).toContain('application/json');
    const errors = await json<Open311Errors>(response);
    for (const error of errors) expect(error.code).toBe(response.status);
    return { status: response.status, descriptions: errors.map((error) => error.description) };
  };


  it('creates a request once per attribute[caseline_id], and keeps it as a work order', async () => {
    const first = await post('requests.json', streetlight);
    expect(first.status).toBe(200);
    const [answer] = await json<{ service_request_id: string; service_notice: string; account_id: null }[]>(first);
    expect(answer).toEqual({ service_request_id: expect.stringMatching(/^WO-[0-9A-Z]+-\d{6}$/), service_notice: expect.any(String), account_id: null });

    const again = await post('requests.json', { ...streetlight, description: 'Resent after a timeout' });
    expect(again.status).toBe(200);
    expect((await json<{ service_request_id: string }[]>(again))[0].service_request_id).toBe(answer.service_request_id);

    const stored = await orders();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      id: answer.service_request_id,
      protocol: 'open311',
      department: 'DOT',
      idempotencyKey: 'case-1:work-order',
      caseReference: 'CL-2026-000123',
      serviceCode: 'STREETLIGHT',
      description: 'Lamp out on 5th Ave',
      location: { lat: 40.7484, long: -73.9857, address: '350 5th Ave' },
      status: 'open',
      open311: { attributes: { caseline_id: 'case-1:work-order', caseline_reference: 'CL-2026-000123', POLES: ['4417', '4418'] }, email: 'lee@example.org' },
    });
    expect(stored[0].callbackUrl).toBeUndefined();

    // Another jurisdiction's system is another system: the same caseline_id is a new request there.
    const parks = await create({ api_key: departmentSecret('PARKS'), jurisdiction_id: 'PARKS' });
    expect(parks).not.toBe(answer.service_request_id);
  });

  it('takes only the jurisdiction\'s own api_key (403)', async () => {
    const { api_key: _key, ...withoutKey } = streetlight;
    for (const fields of [withoutKey, { ...streetlight, api_key: 'guessed' }, { ...streetlight, api_key: departmentSecret('PARKS') }]) {
      const { status, descriptions } = await refusal(await post('requests.json', fields));
      expect(status).toBe(403);
      expect(descriptions).toEqual([expect.stringContaining('api_key')]);
    }
    expect((await refusal(await get('servicerequestupdates.json', { ...dot, api_key: 'guessed' }))).status).toBe(403);
    expect(await orders()).toEqual([]);
  });

  it('names each broken rule of a request (400), storing nothing', async () => {
    const { lat: _lat, long: _long, address_string: _address, 'attribute[caseline_id]': _id, ...nowhere } = streetlight;
    const both = await refusal(await post('requests.json', nowhere));
    expect(both.status).toBe(400);
    expect(both.descriptions).toEqual([expect.stringMatching(/location.*lat and long, or address_string/), expect.stringContaining('attribute[caseline_id] is required')]);

    const half = await refusal(await post('requests.json', { ...streetlight, long: '', lat: '91', service_code: 'X'.repeat(65) }));
    expect(half.descriptions).toEqual(expect.arrayContaining([expect.stringContaining('service_code'), expect.stringMatching(/^lat must be a number/), 'lat and long must be given together']));

    const badJurisdiction = await refusal(await post('requests.json', { ...streetlight, jurisdiction_id: 'dot' }));
    expect(badJurisdiction).toEqual({ status: 400, descriptions: [expect.stringContaining('jurisdiction_id must be a department code')] });
    expect((await refusal(await post('requests.json', { ...streetlight, jurisdiction_id: '' }))).descriptions).toEqual([expect.stringContaining('jurisdiction_id is required')]);

    // An address alone is a location.
    const { lat: _a, long: _b, ...addressOnly } = streetlight;
    expect((await post('requests.json', addressOnly)).status).toBe(200);
    expect(await orders()).toHaveLength(1);
  });

  it('answers with a token while the open311Tokens knob is on, and tells what it became', async () => {
    expect(await json<{ open311Tokens: boolean }>(await control({ open311Tokens: true }))).toMatchObject({ open311Tokens: true });
    const answer = await json<Record<string, string>[]>(await post('requests.json', streetlight));
    expect(answer).toEqual([{ token: expect.any(String) }]);
    const { token } = answer[0];
    expect(await json(await post('requests.json', streetlight))).toEqual([{ token }]);

    const [order] = await orders();
    expect(await json(await get(`tokens/${token}.json`))).toEqual([{ service_request_id: order.id, token }]);
    expect(await json(await fetch(`${simulator.url}/open311/tokens/${token}.json`))).toEqual([{ service_request_id: order.id, token }]);
    expect((await refusal(await get('tokens/no-such-token.json'))).status).toBe(404);
    expect((await refusal(await get(`tokens/${token}.json`, { api_key: departmentSecret('PARKS'), jurisdiction_id: 'PARKS' }))).status).toBe(404);
  });

  it('reports the crew\'s status changes as updates, mapped, oldest first, within the window', async () => {
    const id = await create();
    const other = await create({ 'attribute[caseline_id]': 'case-2' });
    expect((await crew(id, 'acknowledged')).status).toBe(202);
    expect((await crew(other, 'rejected', 'Private road')).status).toBe(202);
    // The next change falls in a later whole second, so the window can tell them apart.
    const { history } = await json<WorkOrder>(await fetch(`${simulator.url}/work-orders/${other}`));
    await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.parse(history[1].at) % 1000) + 5));
    await crew(id, 'scheduled', 'Crew booked for Tuesday');
    await crew(id, 'on_hold');
    await crew(id, 'completed', 'Lamp replaced');

    const all = await updates();
    expect(all.map((u) => [u.service_request_id, u.status, u.external_status_code])).toEqual([
      [id, 'investigating', 'ACKNOWLEDGED'],
      [other, 'not_councils_responsibility', 'NOT_OURS'],
      [id, 'action_scheduled', 'SCHEDULED'],
      [id, 'investigating', 'AWAITING_INFORMATION'],
      [id, 'fixed', 'FIXED'],
    ]);
    expect(all[1]).toEqual({ update_id: `${other}-u1`, service_request_id: other, status: 'not_councils_responsibility', updated_datetime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/), description: 'Private road', media_url: null, external_status_code: 'NOT_OURS' });
    expect(all[0].description).toBeNull();
    expect(new Set(all.map((u) => u.update_id)).size).toBe(5);
    expect(await updates()).toEqual(all);

    // Both ends inclusive at whole seconds; a "+" offset works encoded or not.
    const first = all[1].updated_datetime;
    const later = all[2].updated_datetime;
    expect((await updates({ start_date: first, end_date: first })).map((u) => u.update_id)).toEqual(all.filter((u) => u.updated_datetime === first).map((u) => u.update_id));
    expect((await updates({ start_date: later })).map((u) => u.update_id)).toEqual(all.slice(2).map((u) => u.update_id));
    const laterInParis = new Date(Date.parse(later) + 3600_000).toISOString().replace(/\.\d{3}Z$/, '+01:00');
    expect(await updates({ start_date: laterInParis })).toHaveLength(3);
    const raw = await fetch(`${simulator.url}/open311/servicerequestupdates.json?${form(dot)}&start_date=${laterInParis}`);
    expect(await json<unknown[]>(raw)).toHaveLength(3);
    expect(await updates({ end_date: w3c(new Date(Date.parse(all[0].updated_datetime) - 1000).toISOString()) })).toEqual([]);

    const badDate = await refusal(await get('servicerequestupdates.json', { ...dot, start_date: '2026-02-30T00:00:00Z', end_date: 'yesterday' }));
    expect(badDate).toEqual({ status: 400, descriptions: [expect.stringMatching(/^start_date must be a W3C datetime/), expect.stringMatching(/^end_date must be a W3C datetime/)] });
    expect((await refusal(await get('servicerequestupdates.json', { ...dot, start_date: later, end_date: first }))).descriptions).toEqual(['start_date must not be after end_date (by default, now)']);

    // Only this jurisdiction's Open311 requests: not another's, nor orders that came by REST.
    const restBody = JSON.stringify({ caseReference: 'CL-2026-000999', serviceCode: 'STREETLIGHT', description: 'By REST' });
    const rest = await json<WorkOrder>(
      await fetch(`${simulator.url}/work-orders`, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': 'rest-1', 'caseline-department': 'DOT', [SIGNATURE_HEADER]: signBody(departmentSecret('DOT'), restBody) }, body: restBody }),
    );
    expect(rest.protocol).toBe('rest');
    await crew(rest.id, 'acknowledged');
    const parks = await create({ api_key: departmentSecret('PARKS'), jurisdiction_id: 'PARKS' });
    await crew(parks, 'acknowledged');
    expect(await updates()).toHaveLength(5);
  });

  it('records the crew\'s changes while the API is down, and answers 503 until it is back', async () => {
    const id = await create();
    await control({ down: true });
    expect((await crew(id, 'in_progress')).status).toBe(202);
    const down = await refusal(await get('servicerequestupdates.json'));
    expect(down.status).toBe(503);
    await control({ down: false });
    expect((await updates()).map((u) => [u.status, u.external_status_code])).toEqual([['in_progress', 'IN_PROGRESS']]);
  });

  it('takes Caseline\'s updates once per update_id: OPEN adds information, CLOSED cancels', async () => {
    const id = await create();
    const information = { ...dot, service_request_id: id, update_id: 'upd-1', status: 'open', description: 'Pole 4417', media_url: 'https://example.org/p.jpg', updated_datetime: '2026-11-27T06:12:00Z' };
    const first = await post('servicerequestupdates.json', information);
    expect(first.status).toBe(200);
    const answer = await json<{ update_id: string }[]>(first);
    expect(answer).toEqual([{ update_id: expect.any(String) }]);
    expect(await json(await post('servicerequestupdates.json', information))).toEqual(answer);
    let [order] = await orders();
    expect(order.information).toEqual([{ at: expect.any(String), text: 'Pole 4417', mediaUrl: 'https://example.org/p.jpg' }]);

    const cancel = { ...dot, service_request_id: id, update_id: 'upd-2', status: 'CLOSED', description: 'Cancelled by the city: duplicate' };
    const closed = await json<{ update_id: string }[]>(await post('servicerequestupdates.json', cancel));
    expect(closed[0].update_id).not.toBe(answer[0].update_id);
    expect(await json(await post('servicerequestupdates.json', cancel))).toEqual(closed);
    [order] = await orders();
    expect(order.status).toBe('cancelled');
    expect(order.history).toEqual([expect.objectContaining({ status: 'open' }), expect.objectContaining({ status: 'cancelled', note: 'Cancelled by the city: duplicate' })]);
    expect((await json<{ status: string; status_notes: string }[]>(await get(`requests/${id}.json`)))[0]).toMatchObject({ status: 'closed', status_notes: 'Cancelled by the city: duplicate' });

    const bad = await refusal(await post('servicerequestupdates.json', { ...dot, service_request_id: id, status: 'fixed' }));
    expect(bad).toEqual({ status: 400, descriptions: [expect.stringContaining('update_id is required'), 'status must be OPEN or CLOSED'] });
    const unknown = await refusal(await post('servicerequestupdates.json', { ...information, service_request_id: 'WO-NOPE', update_id: 'upd-3' }));
    expect(unknown.status).toBe(404);
    expect(unknown.descriptions[0]).toContain('service_request_id');
  });

  it('lists requests by id, or the jurisdiction\'s requests', async () => {
    const a = await create();
    const b = await create({ 'attribute[caseline_id]': 'case-2', lat: '', long: '', address_string: '1 Main St' });
    await create({ 'attribute[caseline_id]': 'case-3' });
    await crew(a, 'scheduled', 'Crew booked');
    await crew(b, 'not_fixed', 'Could not find it');

    const listed = await json<Record<string, unknown>[]>(await get('requests.json', { ...dot, service_request_id: `${a},${b},WO-NOPE` }));
    expect(listed).toEqual([
      {
        service_request_id: a,
        status: 'open',
        status_notes: 'Crew booked',
        service_code: 'STREETLIGHT',
        description: 'Lamp out on 5th Ave',
        requested_datetime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
        updated_datetime: expect.stringMatching(/Z$/),
        expected_datetime: null,
        address: '350 5th Ave',
        lat: 40.7484,
        long: -73.9857,
      },
      expect.objectContaining({ service_request_id: b, status: 'closed', status_notes: 'Could not find it', address: '1 Main St', lat: null, long: null }),
    ]);
    expect(await json<unknown[]>(await get('requests.json'))).toHaveLength(3);
    expect(await json(await get('requests.json', { api_key: departmentSecret('PARKS'), jurisdiction_id: 'PARKS' }))).toEqual([]);
    expect((await refusal(await get('requests/WO-NOPE.json'))).status).toBe(404);
  });

  it('applies the knobs to every Open311 call', async () => {
    const id = await create();
    await control({ down: true });
    for (const response of [await post('requests.json', { ...streetlight, 'attribute[caseline_id]': 'x' }), await get('requests.json'), await post('servicerequestupdates.json', { ...dot, service_request_id: id, update_id: 'u', status: 'OPEN' })]) {
      expect(await refusal(response)).toEqual({ status: 503, descriptions: ['The work-order system is down'] });
    }

    await control({ down: false, errorRate: 1 });
    expect((await refusal(await post('requests.json', { ...streetlight, 'attribute[caseline_id]': 'x' }))).status).toBe(500);
    expect((await refusal(await get('servicerequestupdates.json'))).status).toBe(500);
    expect((await refusal(await post('servicerequestupdates.json', { ...dot, service_request_id: id, update_id: 'u', status: 'OPEN', description: 'lost' }))).status).toBe(500);
    expect(await orders()).toEqual([expect.objectContaining({ id, information: [] })]);

    // Refusing is for new requests only.
    await control({ errorRate: 0, refuse: true });
    expect(await refusal(await post('requests.json', { ...streetlight, 'attribute[caseline_id]': 'x' }))).toEqual({ status: 400, descriptions: ['The work-order system refuses this request'] });
    expect((await get('requests.json')).status).toBe(200);

    await control({ refuse: false, latencyMs: 200 });
    const started = Date.now();
    expect((await get(`requests/${id}.json`)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect((await orders()).map((order) => (order as Open311Order).open311.attributes.caseline_id)).toEqual(['case-1:work-order']);
  });
});
