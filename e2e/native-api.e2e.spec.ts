import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { formatReference } from '@caseline/intake-domain';
import { distinctPlace, TestSystem, waitFor } from '@caseline/testing';
import { HistoryEvent, REPORTER_ACTIONS, withWholeSystem } from './case-api';

interface CaseBody {
  reference: string;
  id: string;
  status: string;
  reportedAt: string;
  department?: string;
}
interface StaffCase extends CaseBody {
  reporter?: { name?: string; email?: string; phone?: string };
  information: { text?: string; mediaUrl?: string; actor: { kind: string } }[];
  notes: { text: string; actor: { kind: string } }[];
  links: { reference: string; relation: string }[];
}
interface Problem {
  status: number;
  detail: string;
  code?: string;
  errors?: { field: string; rule: string }[];
}
interface SearchPage {
  cases: { reference: string; status: string; department?: string; reportedAt: string }[];
  next: string | null;
}

/** A word no other case in the run has: searching for it finds only this test's cases. */
const uniqueWord = () => `m${randomBytes(6).toString('hex')}`;

describe('the native API: idempotent submissions, case actions, staff search, public and staff views', () => {
  const the = withWholeSystem();
  const url = (path: string) => `${the.system.url('intake')}${path}`;
  /** Residents report on public channels and act on their case with its tracking token; an operator does the rest. */
  const post = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
    const [, , , reference, action] = path.split('/');
    const staffChannel = ['phone', 'in-person', 'system'].includes((body as { channel?: string })?.channel ?? '');
    const who = path === '/v1/cases' ? (staffChannel ? await the.system.as('olivia.operator') : {}) : REPORTER_ACTIONS.includes(action) ? await the.api.asReporter(reference).catch(() => ({})) : await the.system.as('olivia.operator');
    return fetch(url(path), { method: 'POST', headers: { 'content-type': 'application/json', ...who, ...headers }, body: JSON.stringify(body) });
  };
  const get = (path: string) => (path.startsWith('/v1/public/') ? fetch(url(path)) : the.system.fetchAs('olivia.operator', url(path)));
  const report = (fields: Record<string, unknown> = {}) => ({
    serviceCode: 'STREETLIGHT',
    description: `The streetlight is out ${uniqueWord()}`,
    location: distinctPlace(),
    channel: 'web',
    ...fields,
  });
  const open = async (fields: Record<string, unknown> = {}): Promise<CaseBody> => {
    const response = await post('/v1/cases', report(fields));
    expect(response.status).toBe(201);
    return (await response.json()) as CaseBody;
  };
  /** A case the pipeline is done with (routed, work order created), so that only our actions change it. */
  const openSettled = async (): Promise<CaseBody> => {
    const created = await open();
    await the.api.waitForHistory(created.reference, ['CaseRouted', 'WorkOrderCreated'], 'the case to be routed and sent to the department');
    return created;
  };
  const history = async (reference: string) => ((await (await get(`/v1/cases/${reference}/history`)).json()) as { events: HistoryEvent[] }).events;
  const eventCount = async (caseId: string) => Number((await the.pool.query('SELECT count(*) AS n FROM case_log.events WHERE case_id = $1', [caseId])).rows[0].n);
  const reportsWith = async (description: string) => Number((await the.pool.query("SELECT count(*) AS n FROM case_log.events WHERE type = 'CaseReported' AND data->>'description' = $1", [description])).rows[0].n);
  const expectProblem = async (response: Response, status: number, field?: string): Promise<Problem> => {
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    const problem = (await response.json()) as Problem;
    if (field) expect(problem.errors?.map((e) => e.field)).toContain(field);
    return problem;
  };

  /** One more intake on the same database, for what needs other settings: a failpoint, another reopen window. */
  let side: TestSystem;
  beforeAll(async () => {
    side = await TestSystem.create({ KAFKA_TOPIC_PREFIX: `${process.env.KAFKA_TOPIC_PREFIX}-side`, CASELINE_RELAY: 'off' });
  });
  afterAll(() => side?.stop());

  describe('Idempotency-Key on POST /v1/cases', () => {
    it('answers a retry with the same case, and appends one CaseReported', async () => {
      const body = report();
      const key = randomUUID();
      const first = await post('/v1/cases', body, { 'idempotency-key': key });
      const retry = await post('/v1/cases', body, { 'idempotency-key': key });
      expect(first.status).toBe(201);
      expect(retry.status).toBe(201);
      const [created, again] = [(await first.json()) as CaseBody, (await retry.json()) as CaseBody];
      expect(again).toMatchObject({ reference: created.reference, id: created.id, reportedAt: created.reportedAt });
      expect(await reportsWith(body.description)).toBe(1);
    });

    it('opens one case for five identical requests sent at once', async () => {
      const body = report();
      const key = randomUUID();
      const responses = await Promise.all(Array.from({ length: 5 }, () => post('/v1/cases', body, { 'idempotency-key': key })));
      expect(responses.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
      const references = new Set(await Promise.all(responses.map(async (r) => ((await r.json()) as CaseBody).reference)));
      expect(references.size).toBe(1);
      expect(await reportsWith(body.description)).toBe(1);
    });

    it('refuses the same key with another body (422 naming the header), appending nothing', async () => {
      const key = randomUUID();
      const body = report();
      expect((await post('/v1/cases', body, { 'idempotency-key': key })).status).toBe(201);
      const changed = { ...body, description: `${body.description} and flickering` };
      const problem = await expectProblem(await post('/v1/cases', changed, { 'idempotency-key': key }), 422, 'Idempotency-Key');
      expect(problem.errors).toEqual([expect.objectContaining({ field: 'Idempotency-Key', rule: 'sameRequest' })]);
      expect(await reportsWith(changed.description)).toBe(0);
    });

    it('leaves the key of a refused request free for the corrected one, and refuses a malformed key', async () => {
      const key = randomUUID();
      await expectProblem(await post('/v1/cases', report({ serviceCode: 'NOT-A-SERVICE' }), { 'idempotency-key': key }), 422, 'serviceCode');
      expect((await post('/v1/cases', report(), { 'idempotency-key': key })).status).toBe(201);
      await expectProblem(await post('/v1/cases', report(), { 'idempotency-key': 'not a key' }), 400, 'Idempotency-Key');
    });

    it('after a crash between claiming the key and appending, the retry appends the case under the claimed reference', async () => {
      await side.start(['intake'], { CASELINE_FAILPOINT: 'intake:after-idempotency-claim' });
      const body = report();
      const key = randomUUID();
      await expect(fetch(`${side.url('intake')}/v1/cases`, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': key }, body: JSON.stringify(body) })).rejects.toThrow();
      expect(await side.exited('intake')).toBe('SIGKILL');
      const { rows } = await the.pool.query('SELECT reference FROM intake.idempotency_keys WHERE key_sha256 = $1', [createHash('sha256').update(key).digest()]);
      expect(rows).toHaveLength(1);
      expect(await reportsWith(body.description)).toBe(0);

      const retry = await post('/v1/cases', body, { 'idempotency-key': key });
      expect(retry.status).toBe(201);
      expect(((await retry.json()) as CaseBody).reference).toBe(rows[0].reference);
      expect(await reportsWith(body.description)).toBe(1);
    });
  });

  describe('case actions', () => {
    it('adds information (resident), a staff note and a link (operator), each an event answering with the staff view', async () => {
      const { reference } = await open();
      const other = await open();

      const informed = await post(`/v1/cases/${reference}/information`, { text: 'It flickers at night', mediaUrl: 'https://example.org/photo.jpg' });
      expect(informed.status).toBe(200);
      // The reporter (with the tracking token) is answered with the public view; staff see who added what.
      expect(await informed.json()).not.toHaveProperty('notes');
      expect(((await (await get(`/v1/cases/${reference}`)).json()) as StaffCase).information).toEqual([expect.objectContaining({ text: 'It flickers at night', mediaUrl: 'https://example.org/photo.jpg', actor: expect.objectContaining({ kind: 'resident' }) })]);

      const noted = await post(`/v1/cases/${reference}/notes`, { text: 'Called DOT, crew on Friday' });
      expect(noted.status).toBe(200);
      expect(((await noted.json()) as StaffCase).notes).toEqual([expect.objectContaining({ text: 'Called DOT, crew on Friday', actor: expect.objectContaining({ kind: 'operator' }) })]);

      const linked = await post(`/v1/cases/${reference}/links`, { reference: other.reference, relation: 'duplicate-of' });
      expect(linked.status).toBe(200);
      expect(((await linked.json()) as StaffCase).links).toEqual([expect.objectContaining({ reference: other.reference, relation: 'duplicate-of' })]);

      const events = await history(reference);
      const byType = Object.fromEntries(events.map((e) => [e.type, e]));
      expect(byType.InformationAdded.actor).toEqual({ kind: 'resident', id: 'case-link', name: "Resident with the case's link" });
      expect(byType.NoteAdded.actor).toEqual({ kind: 'operator', id: 'olivia.operator@staff', name: 'Olivia Ortiz' });
      expect(byType.CaseLinked.actor).toMatchObject({ kind: 'operator' });
      expect(byType.NoteAdded.summary).toContain('Called DOT, crew on Friday');
      expect(events.every((e) => typeof e.at === 'string' && typeof e.summary === 'string')).toBe(true);
    });

    it('cancels at the reporter\'s request; a cancelled case takes no more information (409 with its code)', async () => {
      const { reference, id } = await openSettled();
      const cancelled = await post(`/v1/cases/${reference}/cancel`, { reason: 'Fixed itself' });
      expect(cancelled.status).toBe(200);
      expect(((await cancelled.json()) as { status: string }).status).toBe('cancelled');
      expect((await history(reference)).find((e) => e.type === 'CaseCancelled')).toMatchObject({ actor: { kind: 'resident' }, summary: 'Cancelled: Fixed itself' });

      const before = await eventCount(id);
      const problem = await expectProblem(await post(`/v1/cases/${reference}/information`, { text: 'Still here?' }), 409);
      expect(problem.code).toBe('case-closed');
      expect(await eventCount(id)).toBe(before);
    });

    it('records a call answered at first contact as reported and resolved, which the resident may reopen within the window', async () => {
      const response = await post('/v1/cases', report({ serviceCode: 'GENERAL-QUESTION', channel: 'phone', answeredAtFirstContact: { answer: 'Bulk pickup is on Tuesdays' } }));
      expect(response.status).toBe(201);
      const { reference, status } = (await response.json()) as CaseBody;
      expect(status).toBe('resolved');
      const [reported, resolved] = await history(reference);
      expect(reported).toMatchObject({ type: 'CaseReported', channel: 'phone', actor: { kind: 'operator', id: 'olivia.operator@staff' } });
      expect(resolved).toMatchObject({ type: 'CaseResolved', summary: 'Resolved (answered-at-first-contact): Bulk pickup is on Tuesdays' });

      const reopened = await post(`/v1/cases/${reference}/reopen`, { reason: 'Nobody came on Tuesday' });
      expect(reopened.status).toBe(200);
      expect(((await reopened.json()) as { status: string }).status).toBe('received');
      expect((await history(reference)).find((e) => e.type === 'CaseReopened')).toMatchObject({ actor: { kind: 'resident' } });
      // Reopened with no department, it goes to routing like a new case.
      await waitFor(async () => (await history(reference)).some((e) => e.type === 'CaseRouted'), 'the reopened case to be routed');
      expect((await expectProblem(await post(`/v1/cases/${reference}/reopen`, { reason: 'Again' }), 409)).code).toBe('case-not-resolved');
    });

    it('refuses to reopen after the window (REOPEN_WINDOW_DAYS) with 409 and a clear message, appending nothing', async () => {
      await side.start(['intake'], { REOPEN_WINDOW_DAYS: '0' });
      try {
        const { reference, id } = (await (await post('/v1/cases', report({ serviceCode: 'GENERAL-QUESTION', channel: 'in-person', answeredAtFirstContact: { answer: 'See the website' } }))).json()) as CaseBody;
        const before = await eventCount(id);
        const refused = await side.fetchAs('olivia.operator', `${side.url('intake')}/v1/cases/${reference}/reopen`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'Not fixed' }) });
        const problem = await expectProblem(refused, 409);
        expect(problem.code).toBe('reopen-window-closed');
        expect(problem.detail).toContain('only within 0 days of its resolution');
        expect(await eventCount(id)).toBe(before);
      } finally {
        await side.kill('intake', 'SIGTERM');
      }
    });

    it('takes answeredAtFirstContact only from an operator channel (phone, in person)', async () => {
      const body = report({ serviceCode: 'GENERAL-QUESTION', answeredAtFirstContact: { answer: 'Call back tomorrow' } });
      await expectProblem(await post('/v1/cases', body), 400, 'answeredAtFirstContact');
      expect(await reportsWith(body.description)).toBe(0);
    });

    describe('bad input', () => {
      let target: CaseBody;
      beforeAll(async () => {
        target = await openSettled();
      });

      it.each([
        ['information with neither text nor mediaUrl', 'information', {}, 'text'],
        ['information over 4,000 characters', 'information', { text: 'x'.repeat(4001) }, 'text'],
        ['information with an ftp: link', 'information', { mediaUrl: 'ftp://example.org/photo.jpg' }, 'mediaUrl'],
        ['a blank note', 'notes', { text: '   ' }, 'text'],
        ['a note naming its own author', 'notes', { text: 'ok', author: 'Mallory' }, 'author'],
        ['a cancel reason that is not text', 'cancel', { reason: 42 }, 'reason'],
        ['a reopen without a reason', 'reopen', {}, 'reason'],
        ['a link to a malformed reference', 'links', { reference: '123', relation: 'related' }, 'reference'],
        ['a link of an unknown relation', 'links', { reference: formatReference(10_000_000), relation: 'sibling' }, 'relation'],
      ])('refuses %s with 400 naming the field, and changes nothing', async (_name, action, body, field) => {
        const before = await eventCount(target.id);
        await expectProblem(await post(`/v1/cases/${target.reference}/${action}`, body), 400, field);
        expect(await eventCount(target.id)).toBe(before);
      });

      it('links only to a case that exists (422 naming reference)', async () => {
        const before = await eventCount(target.id);
        await expectProblem(await post(`/v1/cases/${target.reference}/links`, { reference: formatReference(99_999_999), relation: 'related' }), 422, 'reference');
        expect(await eventCount(target.id)).toBe(before);
      });

      it('answers an unknown reference with 404 and a malformed one with 400', async () => {
        await expectProblem(await post(`/v1/cases/${formatReference(99_999_998)}/notes`, { text: 'hello' }), 404);
        await expectProblem(await post('/v1/cases/123-456-789/notes', { text: 'hello' }), 400, 'reference');
      });
    });
  });

  describe('staff search (GET /v1/cases)', () => {
    const word = uniqueWord();
    const email = `Reporter.${randomUUID()}@Example.org`;
    const digit = (from = 0) => from + Math.floor(Math.random() * (10 - from));
    // A North American number: area code and exchange start with 2–9.
    const phoneDigits = `1${digit(2)}${digit()}${digit()}${digit(2)}${Array.from({ length: 6 }, () => digit()).join('')}`;
    const phone = `+${phoneDigits[0]} (${phoneDigits.slice(1, 4)}) ${phoneDigits.slice(4, 7)}-${phoneDigits.slice(7)}`;
    const cases: CaseBody[] = [];
    const search = async (query: string): Promise<SearchPage> => {
      const response = await get(`/v1/cases?${query}`);
      expect(response.status).toBe(200);
      return (await response.json()) as SearchPage;
    };
    const references = (page: SearchPage) => page.cases.map((c) => c.reference);
    const newestFirst = (...indexes: number[]) => indexes.map((i) => cases[i].reference);

    beforeAll(async () => {
      // Five cases, one after the other (so each is reported later than the one before).
      const inside = { lat: 40.7484, long: -73.9857 };
      const outside = { lat: 40.7, long: -74.01 };
      cases.push(await open({ description: `Light out ${word}`, location: inside, reporter: { email, phone } }));
      cases.push(await open({ serviceCode: 'POTHOLE', description: `Pothole ${word}`, location: outside, reporter: { email: email.toLowerCase() } }));
      cases.push(await open({ serviceCode: 'GENERAL-QUESTION', channel: 'phone', description: `Question ${word}`, location: { address: '100 Main Street' }, answeredAtFirstContact: { answer: 'Answered' } }));
      cases.push(await open({ description: `Another light ${word}`, location: inside }));
      expect((await fetch(url(`/v1/cases/${cases[3].reference}/cancel`), { method: 'POST', headers: await the.api.asReporter(cases[3].reference) })).status).toBe(200); // no body: no reason
      cases.push(await open({ serviceCode: 'MISSED-COLLECTION', description: `Trash not collected ${word}`, location: outside }));
      // The index follows the log through Kafka: wait until it shows every case as it now stands.
      await waitFor(async () => {
        const page = await search(`text=${word}`);
        const status = Object.fromEntries(page.cases.map((c) => [c.reference, c]));
        return page.cases.length === 5 && status[cases[0].reference].department && status[cases[1].reference].department && status[cases[4].reference].department && status[cases[3].reference].status === 'cancelled';
      }, 'the case index to catch up', 75_000);
    }, 90_000);

    it('finds by words of the description (prefixes too), newest first', async () => {
      expect(references(await search(`text=${word}`))).toEqual(newestFirst(4, 3, 2, 1, 0));
      expect(references(await search(`text=${encodeURIComponent(`POTH ${word}`)}`))).toEqual(newestFirst(1));
    });

    it('filters by status, service, department, date range and bounding box', async () => {
      expect(references(await search(`text=${word}&status=cancelled`))).toEqual(newestFirst(3));
      expect(references(await search(`text=${word}&status=resolved,cancelled`))).toEqual(newestFirst(3, 2));
      expect(references(await search(`text=${word}&serviceCode=POTHOLE`))).toEqual(newestFirst(1));
      expect(references(await search(`text=${word}&department=DSNY`))).toEqual(newestFirst(4));
      expect(references(await search(`text=${word}&department=DOT`))).toEqual(expect.arrayContaining(newestFirst(1, 0)));
      const from = encodeURIComponent(cases[2].reportedAt);
      expect(references(await search(`text=${word}&reportedFrom=${from}`))).toEqual(newestFirst(4, 3, 2));
      expect(references(await search(`text=${word}&reportedTo=${from}`))).toEqual(newestFirst(1, 0));
      expect(references(await search(`text=${word}&bbox=-73.99,40.74,-73.98,40.75`))).toEqual(newestFirst(3, 0));
    });

    it('finds a reporter\'s cases by email (any case) or phone (any punctuation), keeping neither in clear', async () => {
      expect(references(await search(`reporterEmail=${encodeURIComponent(email.toUpperCase())}`))).toEqual(newestFirst(1, 0));
      expect(references(await search(`reporterPhone=${encodeURIComponent(phoneDigits)}`))).toEqual(newestFirst(0));
      const { rows } = await the.pool.query('SELECT row_to_json(c)::text AS row FROM intake.case_index c WHERE reference = $1', [cases[0].reference]);
      expect(rows[0].row).not.toContain(email.toLowerCase());
      expect(rows[0].row).not.toContain(phoneDigits.slice(1));
    });

    it('pages with a cursor: no case twice, none skipped, the same order', async () => {
      const pages: SearchPage[] = [await search(`text=${word}&limit=2`)];
      while (pages[pages.length - 1].next) pages.push(await search(`text=${word}&limit=2&cursor=${pages[pages.length - 1].next}`));
      expect(pages.map((p) => p.cases.length)).toEqual([2, 2, 1]);
      expect(pages.flatMap(references)).toEqual(newestFirst(4, 3, 2, 1, 0));
      expect(pages[2].next).toBeNull();
    });

    it.each([
      ['limit=101', 'limit'],
      ['limit=0', 'limit'],
      ['cursor=not-ours', 'cursor'],
      ['bbox=1,2,3', 'bbox'],
      ['status=open', 'status'],
      ['reportedFrom=2026-11-27', 'reportedFrom'],
      ['text=%21%21', 'text'],
      ['reporterEmail=nobody', 'reporterEmail'],
      ['colour=red', 'colour'],
    ])('refuses %s with 400 naming %s', async (query, field) => {
      await expectProblem(await get(`/v1/cases?${query}`), 400, field);
    });
  });

  describe('staff and public views', () => {
    it('shows staff the reporter\'s contact and the internal notes, and the public neither', async () => {
      const reporter = { name: 'Zed Quill', email: `zed.${randomUUID()}@example.org`, phone: '+1 212 555 0143' };
      const note = `Caller is the building super ${uniqueWord()}`;
      const { reference } = await open({ reporter });
      await post(`/v1/cases/${reference}/notes`, { text: note });
      await post(`/v1/cases/${reference}/information`, { text: 'The pole is number P-12' });

      const staff = (await (await get(`/v1/cases/${reference}`)).json()) as StaffCase;
      expect(staff.reporter).toEqual(reporter);
      expect(staff.notes.map((n) => n.text)).toEqual([note]);

      const response = await get(`/v1/public/cases/${reference}`);
      expect(response.status).toBe(200);
      const text = await response.text();
      for (const secret of [reporter.name, reporter.email, '555 0143', '5550143', note]) expect(text).not.toContain(secret);
      const publicView = JSON.parse(text) as { reference: string; status: string; events: { what: { en: string } }[] };
      expect(publicView).toMatchObject({ reference, status: expect.any(String) });
      expect(publicView).not.toHaveProperty('reporter');
      expect(publicView.events.map((e) => e.what.en)).toEqual(expect.arrayContaining([expect.stringContaining('received'), 'More information was added to the request.']));
    });

    it('answers the public view of an unknown reference with 404 and a malformed one with 400', async () => {
      await expectProblem(await get(`/v1/public/cases/${formatReference(99_999_998)}`), 404);
      await expectProblem(await get('/v1/public/cases/12345'), 400, 'reference');
    });
  });
});
