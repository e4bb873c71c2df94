import { RequestMethod, Type } from '@nestjs/common';
import { METHOD_METADATA, MODULE_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import { DepartmentAdapterModule } from '@caseline/department-adapter-feature';
import { formatReference } from '@caseline/intake-domain';
import { IntakeModule } from '@caseline/intake-feature';
import { NotificationModule } from '@caseline/notification-feature';
import { RoutingModule } from '@caseline/routing-feature';
import { StatisticsModule } from '@caseline/statistics-feature';
import { distinctPlace, ServiceName, signIn, StaffUsername } from '@caseline/testing';
import { streetlightReport, withWholeSystem } from './case-api';

/*
 * Every endpoint of every service × every role: allowed or denied, as the table below says. The
 * table is the policy written down independently of the code's; an endpoint added without a row
 * fails the first test, so nothing becomes reachable by accident.
 */

type Role = 'operator' | 'department-staff' | 'supervisor' | 'administrator' | 'auditor' | 'monitoring';
/** public: anyone; signed: whoever holds what the handler checks (a signature, an API key, a link) — a bearer token adds nothing; reporter: also the case's tracking token. */
type Expected = 'public' | 'signed' | { roles: Role[]; reporter?: boolean };

const staff = (...roles: Role[]): Expected => ({ roles });
const CASE_READERS = staff('operator', 'supervisor', 'auditor', 'department-staff');
const HANDLERS = staff('operator', 'supervisor');
const CONFIG_READERS = staff('administrator', 'supervisor', 'auditor');
const ADMINISTRATORS = staff('administrator');
const REPORTER_OR_HANDLERS: Expected = { roles: ['operator', 'supervisor'], reporter: true };
const HEALTH: Record<string, Expected> = { 'GET /health/live': 'public', 'GET /health/ready': 'public', 'GET /metrics': staff('monitoring', 'administrator', 'auditor') };

const FIGURE_READERS = staff('supervisor', 'administrator', 'auditor', 'operator', 'department-staff');

const POLICY: Record<'intake' | 'routing' | 'department-adapter' | 'notification' | 'statistics', Record<string, Expected>> = {
  intake: {
    ...HEALTH,
    'GET /v1/services': 'public',
    'POST /v1/cases': 'public',
    'GET /v1/cases': CASE_READERS,
    'GET /v1/cases/:reference': CASE_READERS,
    'GET /v1/cases/:reference/history': CASE_READERS,
    'GET /v1/public/cases/:reference': 'public',
    'POST /v1/cases/:reference/information': REPORTER_OR_HANDLERS,
    'POST /v1/cases/:reference/information-requests': HANDLERS,
    'POST /v1/cases/:reference/duplicate/confirm': HANDLERS,
    'POST /v1/cases/:reference/duplicate/undo': HANDLERS,
    'POST /v1/cases/:reference/split': HANDLERS,
    'POST /v1/cases/:reference/notes': staff('operator', 'supervisor', 'department-staff'),
    'POST /v1/cases/:reference/cancel': REPORTER_OR_HANDLERS,
    'POST /v1/cases/:reference/reopen': REPORTER_OR_HANDLERS,
    'POST /v1/cases/:reference/subscriptions': 'signed',
    'POST /v1/cases/:reference/links': HANDLERS,
    'GET /open311/v2/discovery.:format': 'public',
    'GET /open311/v2/services.:format': 'public',
    'GET /open311/v2/services/:code.:format': 'public',
    'GET /open311/v2/requests.:format': 'public',
    'GET /open311/v2/requests/:id.:format': 'public',
    'GET /open311/v2/tokens/:token.:format': 'public',
    'GET /open311/v2/servicerequestupdates.:format': 'public',
    'POST /open311/v2/requests.:format': 'signed',
    'GET /v1/admin/catalog/services': CONFIG_READERS,
    'POST /v1/admin/catalog/services': ADMINISTRATORS,
    'PUT /v1/admin/catalog/services/:code': ADMINISTRATORS,
    'POST /v1/admin/catalog/services/:code/retire': ADMINISTRATORS,
    'GET /track': 'public',
    'POST /track': 'public',
    'GET /track/:reference': 'public',
    'GET /track/:reference/reopen': 'signed',
    'POST /track/:reference/reopen': 'signed',
    'GET /track/:reference/survey': 'signed',
    'POST /track/:reference/survey': 'signed',
    'POST /track/:reference/followers': 'signed',
    'GET /track/:reference/follow': 'signed',
    'POST /track/:reference/follow': 'signed',
    'GET /v1/attachments/:id': 'signed',
    'GET /v1/email-intake': CONFIG_READERS,
    'POST /v1/personal-data/erasures': HANDLERS,
    'GET /v1/personal-data/reads': staff('auditor'),
    'GET /v1/admin/api-keys': ADMINISTRATORS,
    'POST /v1/admin/api-keys': ADMINISTRATORS,
    'POST /v1/admin/api-keys/:id/revoke': ADMINISTRATORS,
  },
  routing: {
    ...HEALTH,
    'POST /v1/routing/dry-run': CONFIG_READERS,
    'GET /v1/routing/triage': HANDLERS,
    'POST /v1/routing/triage/:caseId/decision': HANDLERS,
    'GET /v1/admin/routing/rules': CONFIG_READERS,
    'PUT /v1/admin/routing/rules': ADMINISTRATORS,
    'GET /v1/admin/areas': CONFIG_READERS,
    'PUT /v1/admin/areas/:layer': ADMINISTRATORS,
  },
  'department-adapter': {
    ...HEALTH,
    'POST /v1/department-systems/:department/status-updates': 'signed',
    'GET /v1/admin/department-systems': CONFIG_READERS,
    'GET /v1/admin/work-orders/dead': CONFIG_READERS,
    'POST /v1/admin/work-orders/:id/redrive': staff('administrator', 'supervisor'),
    // An operator sees every department's work but cannot change it; department staff only their own (DOT here).
    'GET /v1/departments/:department/work': staff('department-staff', 'supervisor', 'operator', 'auditor'),
    'POST /v1/departments/:department/work/:workOrderId/accept': staff('department-staff', 'supervisor'),
    'POST /v1/departments/:department/work/:workOrderId/schedule': staff('department-staff', 'supervisor'),
    'POST /v1/departments/:department/work/:workOrderId/start': staff('department-staff', 'supervisor'),
    'POST /v1/departments/:department/work/:workOrderId/complete': staff('department-staff', 'supervisor'),
    'POST /v1/departments/:department/work/:workOrderId/not-fixed': staff('department-staff', 'supervisor'),
    'POST /v1/departments/:department/work/:workOrderId/reject': staff('department-staff', 'supervisor'),
    'POST /v1/departments/:department/work/:workOrderId/hold': staff('department-staff', 'supervisor'),
    'GET /v1/department-email/:department/work-orders/:workOrderId/:action': 'signed',
    'POST /v1/department-email/:department/work-orders/:workOrderId/:action': 'signed',
  },
  notification: {
    ...HEALTH,
    'GET /v1/notifications/preview': HANDLERS,
    'GET /v1/notifications/templates': CONFIG_READERS,
    'GET /u/:link': 'signed',
    'POST /u/:link': 'signed',
  },
  statistics: {
    ...HEALTH,
    'GET /v1/statistics/figures': FIGURE_READERS,
    'GET /v1/statistics/figures.csv': FIGURE_READERS,
    'GET /v1/statistics/cases': FIGURE_READERS,
    'GET /statistics': FIGURE_READERS,
    'GET /statistics/report': FIGURE_READERS,
  },
};

const MODULES: Record<keyof typeof POLICY, Type<unknown>> = { intake: IntakeModule, routing: RoutingModule, 'department-adapter': DepartmentAdapterModule, notification: NotificationModule, statistics: StatisticsModule };

/** Every HTTP route of a Nest module and the modules it imports, as "METHOD /path". */
function routesOf(module: unknown, seen = new Set<unknown>()): string[] {
  // A dynamic module ({ module, controllers, imports }) adds to what its class declares.
  const dynamic = module as { module?: object; controllers?: Type<unknown>[]; imports?: unknown[] };
  const type = dynamic.module ?? (module as object);
  if (seen.has(type)) return [];
  seen.add(type);
  const extra = dynamic.module ? dynamic : {};
  const controllers: Type<unknown>[] = [...(Reflect.getMetadata(MODULE_METADATA.CONTROLLERS, type) ?? []), ...(extra.controllers ?? [])];
  const imports: unknown[] = [...(Reflect.getMetadata(MODULE_METADATA.IMPORTS, type) ?? []), ...(extra.imports ?? [])];
  const routes = controllers.flatMap((controller) => {
    const prefix = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
    return Object.getOwnPropertyNames(controller.prototype).flatMap((name) => {
      const handler = controller.prototype[name];
      const path = typeof handler === 'function' ? Reflect.getMetadata(PATH_METADATA, handler) : undefined;
      if (path === undefined || name === 'constructor') return [];
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
      return [`${method} /${[prefix, String(path)].filter((p) => p && p !== '/').join('/')}`.replace(/\/+/g, '/')];
    });
  });
  return [...routes, ...imports.filter(Boolean).flatMap((m) => routesOf(m, seen))];
}

const CALLERS: (StaffUsername | 'anonymous')[] = ['anonymous', 'olivia.operator', 'dan.dot', 'sam.supervisor', 'ada.admin', 'audrey.auditor', 'prometheus'];
const ROLE_OF: Record<Exclude<(typeof CALLERS)[number], 'anonymous'>, Role> = {
  'olivia.operator': 'operator',
  'dan.dot': 'department-staff',
  'sam.supervisor': 'supervisor',
  'ada.admin': 'administrator',
  'audrey.auditor': 'auditor',
  prometheus: 'monitoring',
  'tess.311': 'department-staff',
  'paula.parks': 'department-staff',
};

describe('authorization: every endpoint × every role', () => {
  const the = withWholeSystem(['statistics']);
  const tokens: Partial<Record<StaffUsername, string>> = {};
  let existing: string;
  const missing = formatReference(99_999_997);

  beforeAll(async () => {
    for (const caller of CALLERS) if (caller !== 'anonymous') tokens[caller] = (await the.system.as(caller)).authorization;
    existing = (await the.api.submit(streetlightReport(`matrix.${randomUUID()}@example.org`))).reference;
  });

  /** A concrete URL for a route: a case that does not exist (so an allowed call changes nothing), department DOT. */
  const urlOf = (service: ServiceName, route: string, department = 'DOT') => {
    const path = route
      .split(' ')[1]
      .replace(':reference', missing)
      .replace(':department', department)
      .replace(/:(caseId|id)\b/, randomUUID())
      .replace(':format', 'json')
      .replace(/:(code|layer|token|link|workOrderId|action)\b/g, 'x');
    return `${the.system.url(service)}${path}`;
  };
  const call = (service: ServiceName, route: string, headers: Record<string, string>, department?: string) => {
    const method = route.split(' ')[0];
    return fetch(urlOf(service, route, department), { method, headers: { 'content-type': 'application/json', ...headers }, ...(method === 'GET' ? {} : { body: '{}' }) });
  };
  const headersOf = (caller: (typeof CALLERS)[number]): Record<string, string> => (caller === 'anonymous' ? {} : { authorization: tokens[caller]! });
  /** Refused by the access rule (not by the handler's own checks): 401 asks to sign in, 403 names the permission. */
  const refusedByAccess = async (response: Response) => {
    if (response.status === 403) return ((await response.json()) as { detail?: string }).detail?.includes('permission') ?? false;
    if (response.status === 401) return ((await response.json()) as { detail?: string }).detail?.match(/sign in/i) !== null;
    return false;
  };

  it('has a row for every endpoint of every service, and no row for an endpoint that does not exist', () => {
    for (const [service, module] of Object.entries(MODULES)) {
      const routes = new Set(routesOf(module));
      expect({ service, unlisted: [...routes].filter((r) => !(r in POLICY[service as keyof typeof POLICY])) }).toEqual({ service, unlisted: [] });
      expect({ service, stale: Object.keys(POLICY[service as keyof typeof POLICY]).filter((r) => !routes.has(r)) }).toEqual({ service, stale: [] });
    }
  });

  for (const [service, routes] of Object.entries(POLICY) as [keyof typeof POLICY, Record<string, Expected>][]) {
    it(`${service}: allows and denies each endpoint to each role as the policy says`, async () => {
      const wrong: string[] = [];
      for (const [route, expected] of Object.entries(routes)) {
        for (const caller of CALLERS) {
          const response = await call(service, route, headersOf(caller));
          const refused = await refusedByAccess(response);
          const allowed = expected === 'public' || expected === 'signed' || (caller !== 'anonymous' && expected.roles.includes(ROLE_OF[caller]));
          if (allowed === refused) wrong.push(`${route} as ${caller}: ${response.status} (${allowed ? 'should be allowed' : 'should be refused'})`);
          if (!allowed && caller === 'anonymous' && response.status !== 401) wrong.push(`${route} anonymously: ${response.status}, not 401`);
        }
        // Department staff reach only their own departments' routes.
        if (typeof expected === 'object' && route.includes(':department') && expected.roles.includes('department-staff')) {
          const other = await call(service, route, headersOf('dan.dot'), 'PARKS');
          if (other.status !== 403) wrong.push(`${route} as dan.dot for PARKS: ${other.status}, not 403`);
        }
      }
      expect(wrong).toEqual([]);
    });
  }

  it('lets a resident act on their case with its tracking token, and no other token', async () => {
    const token = (await the.api.asReporter(existing))['tracking-token'];
    const intake = the.system.url('intake');
    const addInformation = (reference: string, headers: Record<string, string>) =>
      fetch(`${intake}/v1/cases/${reference}/information`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ text: 'It is the pole by the bus stop' }) });
    expect((await addInformation(existing, { 'tracking-token': token })).status).toBe(200);
    expect((await addInformation(existing, { 'tracking-token': `${token.slice(0, -1)}${token.endsWith('x') ? 'y' : 'x'}` })).status).toBe(401);
    expect((await addInformation(missing, { 'tracking-token': token })).status).toBe(401); // another case's token
    const history = await the.api.history(existing);
    expect(history.find((e) => e.type === 'InformationAdded')?.actor).toEqual({ kind: 'resident', id: 'case-link', name: "Resident with the case's link" });
  });

  it('takes the actor from the verified token only, never from what the caller says', async () => {
    const response = await fetch(`${the.system.url('intake')}/v1/cases/${existing}/notes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: tokens['olivia.operator']!, 'x-actor': 'mayor', 'x-user-id': 'mayor', 'x-forwarded-user': 'mayor' },
      body: JSON.stringify({ text: 'Checked the pole number' }),
    });
    expect(response.status).toBe(200);
    const note = (await the.api.history(existing)).filter((e) => e.type === 'NoteAdded').pop();
    expect(note?.actor).toEqual({ kind: 'operator', id: 'olivia.operator@staff', name: 'Olivia Ortiz' });
  });

  it('refuses tokens that are expired, for another audience, signed by another key, altered, or unsigned', async () => {
    const identityProvider = the.system.url('identity-provider');
    const url = `${the.system.url('intake')}/v1/cases/${existing}`;
    const [header, payload, signature] = tokens['olivia.operator']!.replace('Bearer ', '').split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const promoted = Buffer.from(JSON.stringify({ ...claims, roles: ['administrator'] })).toString('base64url');
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT({ ...claims }).setProtectedHeader({ alg: 'RS256', kid: (await exportJWK(publicKey)).kid ?? 'forged' }).sign(privateKey);
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
    const cases: [string, string][] = [
      ['expired', await signIn(identityProvider, 'olivia.operator', { lifetimeSeconds: -120 })],
      ['another audience', await signIn(identityProvider, 'olivia.operator', { audience: 'some-other-app' })],
      ['another key', forged],
      ['altered claims', `${header}.${promoted}.${signature}`],
      ['alg none', unsigned],
      ['not a JWT', 'hello'],
    ];
    for (const [what, token] of cases) {
      const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      expect({ what, status: response.status }).toEqual({ what, status: 401 });
      expect(response.headers.get('www-authenticate')).toContain('invalid_token');
    }
    // A bad token is refused even where none is needed, rather than silently ignored.
    expect((await fetch(`${the.system.url('intake')}/v1/services`, { headers: { authorization: 'Bearer hello' } })).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: 'Basic b2xpdmlhOnB3' } })).status).toBe(401);
  });

  it("shows department staff their department's cases only", async () => {
    const intake = the.system.url('intake');
    const dot = existing; // a streetlight: DOT's
    await the.api.waitForHistory(dot, ['CaseRouted'], 'the streetlight to be routed');
    const parks = (await the.api.submit({ serviceCode: 'PARK-MAINTENANCE', description: 'The swings are broken', attributes: { FEATURE: 'PLAYGROUND' }, location: streetlightReport('x@example.org').location, channel: 'web' })).reference;
    await the.api.waitForHistory(parks, ['CaseRouted'], 'the park case to be routed');
    const asDan = (path: string) => the.system.fetchAs('dan.dot', `${intake}${path}`);
    expect((await asDan(`/v1/cases/${dot}`)).status).toBe(200);
    expect((await asDan(`/v1/cases/${dot}/history`)).status).toBe(200);
    expect((await asDan(`/v1/cases/${parks}`)).status).toBe(404);
    expect((await asDan(`/v1/cases/${parks}/history`)).status).toBe(404);
    expect((await the.system.fetchAs('dan.dot', `${intake}/v1/cases/${parks}/notes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'Not ours' }) })).status).toBe(404);
    const page = (await (await asDan('/v1/cases?limit=100')).json()) as { cases: { department?: string }[] };
    expect(page.cases.every((c) => c.department === 'DOT')).toBe(true);
    expect((await asDan('/v1/cases?department=PARKS')).status).toBe(403);
  });

  it('gives portals API keys that administrators issue scoped, see without the key, and revoke at once', async () => {
    const intake = the.system.url('intake');
    const admin = (path: string, body?: unknown) =>
      the.system.fetchAs('ada.admin', `${intake}/v1/admin/api-keys${path}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const submit = (apiKey: string, jurisdiction?: string) => {
      const { lat, long } = distinctPlace();
      return fetch(`${intake}/open311/v2/requests.json`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ api_key: apiKey, service_code: 'STREETLIGHT', lat: String(lat), long: String(long), description: 'Out since Monday', 'attribute[PROBLEM]': 'OUT', ...(jurisdiction ? { jurisdiction_id: jurisdiction } : {}) }),
      });
    };

    expect((await admin('', { partner: 'Not A Name' })).status).toBe(400);
    expect((await admin('', { partner: 'city-app', operations: ['delete-everything'] })).status).toBe(400);
    const issued = (await (await admin('', { partner: 'city-app' })).json()) as { id: string; key: string; operations: string[] };
    expect(issued.operations).toEqual(['requests:create', 'cases:subscribe']);
    const subscribeOnly = (await (await admin('', { partner: 'watchdog', operations: ['cases:subscribe'] })).json()) as { key: string };
    const elsewhere = (await (await admin('', { partner: 'county-app', jurisdictions: ['another-county.example'] })).json()) as { key: string };

    expect((await submit(issued.key)).status).toBe(201);
    const refused = await submit(subscribeOnly.key);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('requests:create');
    expect((await submit(elsewhere.key)).status).toBe(201); // no jurisdiction named: the city's own
    expect((await submit(elsewhere.key, 'demo-city.caseline.local')).status).toBe(403);

    const listed = await (await admin('')).text();
    expect(listed).toContain('city-app');
    expect(listed).not.toContain(issued.key);
    expect((await admin(`/${issued.id}/revoke`, {})).status).toBe(200);
    expect((await submit(issued.key)).status).toBe(403);
    expect((await admin(`/${randomUUID()}/revoke`, {})).status).toBe(404);
    expect((await the.system.fetchAs('olivia.operator', `${intake}/v1/admin/api-keys`)).status).toBe(403);
  });
});
