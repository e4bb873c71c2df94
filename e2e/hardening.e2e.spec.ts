import fc from 'fast-check';
import type { Pool } from 'pg';
import { departmentSecret, SIGNATURE_HEADER, signBody } from '@caseline/service-kit';
import { TestSystem, testPool } from '@caseline/testing';

/** Malformed inputs per property; FUZZ_RUNS=50000 for a release check. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 3000);
const PORTAL = 'https://portal.demo-city.example';

/**
 * Every public input, fuzzed with property-based tests: whatever arrives, the answer is never a 5xx
 * and nothing is written unless the request was accepted (201). Plus the headers every answer
 * carries and CORS limited to the configured portals.
 */
describe('hardening', () => {
  let system: TestSystem;
  let pool: Pool;
  const intake = () => system.url('intake');
  const reported = async () => Number((await pool.query("SELECT count(*) AS n FROM case_log.events WHERE type = 'CaseReported'")).rows[0].n);
  const workOrderEvents = async () => Number((await pool.query("SELECT count(*) AS n FROM case_log.events WHERE type LIKE 'WorkOrder%'")).rows[0].n);

  beforeAll(async () => {
    system = await TestSystem.create({ CORS_ORIGINS: PORTAL, RATE_LIMIT_PER_API_KEY_PER_MINUTE: '0' });
    await system.start(['intake', 'department-adapter']);
    pool = testPool(2);
  }, 180_000);
  afterAll(async () => {
    await system?.stop();
    await pool?.end();
  });

  /** Runs a property over `RUNS` inputs; each request must answer below 500; returns how many were accepted (201). */
  const fuzz = async <T>(arbitrary: fc.Arbitrary<T>, send: (input: T) => Promise<Response>, examples: T[] = []): Promise<number> => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(arbitrary, async (input) => {
        const response = await send(input);
        const body = await response.text();
        if (response.status === 201) accepted += 1;
        if (response.status >= 500) throw new Error(`${response.status}: ${body.slice(0, 300)}`);
        // No stack traces or SQL reach a caller.
        if (/\n\s+at |node_modules|SELECT |INSERT INTO/.test(body)) throw new Error(`internals in the answer: ${body.slice(0, 300)}`);
      }),
      { numRuns: RUNS, examples: examples.map((example) => [example] as [T]) },
    );
    return accepted;
  };

  const anyJson = fc.oneof(fc.jsonValue(), fc.string(), fc.constant(''));
  // Reports near the real shape: every field may be any JSON value, or missing.
  const nearReport = fc.record(
    {
      serviceCode: fc.oneof(fc.constantFrom('STREETLIGHT', 'POTHOLE', 'NO-HEAT', 'nope'), anyJson),
      description: fc.oneof(fc.string({ maxLength: 50 }), anyJson),
      location: fc.oneof(fc.record({ lat: fc.double(), long: fc.double(), address: fc.string() }, { requiredKeys: [] }), anyJson),
      channel: fc.oneof(fc.constantFrom('web', 'phone', 'api', 'carrier-pigeon'), anyJson),
      reporter: fc.oneof(fc.record({ email: fc.string(), phone: fc.string(), language: fc.string(), notify: anyJson }, { requiredKeys: [] }), anyJson),
      attributes: anyJson,
      mediaUrl: anyJson,
    },
    { requiredKeys: [] },
  );

  it('answers any JSON sent to POST /v1/cases without a 5xx, and writes a case only when it answers 201', async () => {
    const before = await reported();
    const accepted = await fuzz(
      fc.oneof(nearReport, anyJson) as fc.Arbitrary<unknown>,
      (body) => fetch(`${intake()}/v1/cases`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      // Found by this test at 20,000 runs: no location was a 500.
      [{ serviceCode: 'STREETLIGHT', description: ' ', channel: 'web' }],
    );
    expect(await reported()).toBe(before + accepted);
  });

  it('answers any bytes, with any content type, without a 5xx and without a write', async () => {
    const before = await reported();
    const accepted = await fuzz(
      fc.record({ body: fc.oneof(fc.string(), fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes).toString('latin1'))), type: fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'text/plain', 'application/xml', 'multipart/form-data; boundary=x') }),
      ({ body, type }) => fetch(`${intake()}/v1/cases`, { method: 'POST', headers: { 'content-type': type }, body }),
    );
    expect(accepted).toBe(0);
    expect(await reported()).toBe(before);
  });

  it('answers any Open311 form (attribute[…] included) without a 5xx, writing only what it accepts', async () => {
    const before = await reported();
    const field = fc.oneof(fc.constantFrom('service_code', 'lat', 'long', 'address_string', 'description', 'email', 'phone', 'first_name', 'media_url', 'jurisdiction_id', 'attribute[BLOCKING]', 'attribute[BLOCKING][]', 'attribute[]', 'attribute[[x]]', 'api_key'), fc.string({ maxLength: 20 }));
    const accepted = await fuzz(fc.array(fc.tuple(field, fc.string({ maxLength: 40 })), { maxLength: 12 }), (pairs) => {
      const form = new URLSearchParams([['api_key', 'caseline-demo-key'], ...pairs]);
      return fetch(`${intake()}/open311/v2/requests.json`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
    });
    expect(await reported()).toBe(before + accepted);
  });

  it('answers any query of the Open311 and public read endpoints without a 5xx', async () => {
    const path = fc.constantFrom('/open311/v2/requests.json', '/open311/v2/requests.xml', '/open311/v2/servicerequestupdates.json', '/open311/v2/services.xml', '/open311/v2/requests/100-000-001.json', '/v1/public/cases/100-000-001', '/track', '/track/100-000-001');
    const query = fc.array(fc.tuple(fc.constantFrom('start_date', 'end_date', 'status', 'service_code', 'service_request_id', 'page', 'page_size', 'extensions', 'token', 'lang', 'reference', 'email'), fc.string({ maxLength: 30 })), { maxLength: 6 });
    await fuzz(fc.tuple(path, query), ([p, q]) => fetch(`${intake()}${p}?${new URLSearchParams(q)}`));
  });

  it('refuses any unsigned, badly signed or malformed department update, and records nothing', async () => {
    const before = await workOrderEvents();
    const url = `${system.url('department-adapter')}/v1/department-systems/DOT/status-updates`;
    const secret = departmentSecret('DOT');
    const update = fc.record({ updateId: fc.oneof(fc.uuid(), fc.string()), workOrderId: fc.string({ maxLength: 20 }), status: fc.oneof(fc.constantFrom('scheduled', 'completed'), fc.string()), note: anyJson }, { requiredKeys: [] });
    await fuzz(fc.tuple(fc.oneof(update, anyJson), fc.oneof(fc.constant('sign'), fc.string({ maxLength: 80 }))), ([body, signature]) => {
      const text = JSON.stringify(body);
      // Validly signed bodies reach validation and the lookup of the work order (none exists): 400/404.
      return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signature === 'sign' ? signBody(secret, text) : signature }, body: text });
    });
    expect(await workOrderEvents()).toBe(before);
  });

  it('puts security headers on every answer, and lets browsers call it only from the configured portals', async () => {
    const answer = await fetch(`${intake()}/v1/services`);
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    expect(answer.headers.get('x-frame-options')).toBe('DENY');
    expect(answer.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(answer.headers.get('referrer-policy')).toBe('no-referrer');
    const preflight = (origin: string) =>
      fetch(`${intake()}/v1/cases`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
    expect((await preflight(PORTAL)).headers.get('access-control-allow-origin')).toBe(PORTAL);
    expect((await preflight('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
    // The tracking page keeps its own, stricter policy.
    expect((await fetch(`${intake()}/track`)).headers.get('content-security-policy')).toContain("style-src 'sha256-");
  });
});
