import { distinctPlace, TestSystem } from '@caseline/testing';

/** Per client address and per API key, with Retry-After, in each API's own error format. */
describe('rate limits', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await TestSystem.create({
      RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '60',
      RATE_LIMIT_PER_ADDRESS_BURST: '3',
      RATE_LIMIT_PER_API_KEY_PER_MINUTE: '60',
      RATE_LIMIT_PER_API_KEY_BURST: '2',
    });
    await system.start(['intake']);
  }, 120000);
  afterAll(() => system?.stop());

  it('limits native submissions per client address, with Retry-After and problem+json', async () => {
    const post = () => fetch(`${system.url('intake')}/v1/cases`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await post()).status);
    expect(statuses.slice(0, 3)).toEqual([400, 400, 400]);
    const limited = await post();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited.headers.get('content-type')).toContain('application/problem+json');
  });

  it('limits Open311 submissions per API key, answering in Open311 XML', async () => {
    const { lat, long } = distinctPlace(); // not where other specs expect a pothole of their own
    const form = new URLSearchParams({ api_key: 'caseline-demo-key', service_code: 'POTHOLE', lat: String(lat), long: String(long), description: 'Deep hole' });
    const submit = () => fetch(`${system.url('intake')}/open311/v2/requests.xml`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
    expect((await submit()).status).toBe(201);
    expect((await submit()).status).toBe(201);
    const limited = await submit();
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBeTruthy();
    expect(await limited.text()).toMatch(/<errors>\s*<error>\s*<code>429<\/code>/);
  });
});
