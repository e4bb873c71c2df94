import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { caseEventsTopic, CaseEventEnvelope, CaseReported } from '@caseline/case-contracts';
import { openHistory, PersonalDataVault, reporterPersonalData } from '@caseline/personal-data';
import { asSql, distinctPlace, testKafka, waitFor } from '@caseline/testing';
import { messagesTo, withWholeSystem } from './case-api';

/*
 * Issue 7: a distinctive resident's case runs through the whole system; then everything the system
 * wrote or said — every service's log lines and metrics, public views, error answers, every row of
 * every table outside the privacy schema, every message on the case events topic — is searched for
 * their name, email, phone (in the usual ways of writing it) and private note. Only staff see them,
 * and each such read is recorded. Then the resident's data is erased. The mail catcher is the
 * outside world (the resident's own mailbox): not searched.
 */

const unique = randomUUID().slice(0, 8);
const resident = {
  name: 'Philippa Vantongeren',
  email: `philippa.vantongeren.${unique}@example.org`,
  phone: '+1 (347) 555-0186',
};
const privateDetails = `Gate code 7391-${unique}, call before coming`;
/** Someone who follows the case from its tracking page: their address is personal data too. */
const follower = `marguerite.oyelaran.${unique}@example.org`;

/** The reporter in every form worth searching for. */
const REPORTER = [
  resident.name,
  'Vantongeren',
  resident.email,
  resident.email.split('@')[0],
  ...['+1 (347) 555-0186', '+13475550186', '13475550186', '3475550186', '347-555-0186', '347 555 0186', '(347) 555-0186', '347.555.0186', '555-0186', '5550186'],
  `7391-${unique}`,
  'Gate code 7391',
];
const EVERYONE = [...REPORTER, follower.split('@')[0], 'Oyelaran'];

/** Every needle found in these texts, as "where: needle" (the phone also with the separators between its digits taken out). */
function findings(texts: [where: string, text: string][], needles = EVERYONE): string[] {
  const found: string[] = [];
  for (const [where, text] of texts) {
    const lower = text.toLowerCase();
    for (const needle of needles) if (lower.includes(needle.toLowerCase())) found.push(`${where}: ${needle}`);
    if (text.replace(/(\d)[\s().+-]+(?=\d)/g, '$1').includes('3475550186')) found.push(`${where}: 3475550186 (with separators)`);
  }
  return found;
}

/** Every message ever published on the case events topic, up to its current end: its value, and all of it (key, value, headers) as text. */
async function topicMessages(kafka: Kafka): Promise<{ value: string; text: string }[]> {
  const topic = caseEventsTopic();
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const ends = new Map(offsets.filter((o) => Number(o.high) > Number(o.low)).map((o) => [o.partition, Number(o.high)]));
  const consumer = kafka.consumer({ groupId: `personal-data-scan-${randomUUID()}` });
  const messages: { value: string; text: string }[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    if (ends.size === 0) return resolve();
    consumer
      .run({
        eachMessage: async ({ partition, message }) => {
          const value = message.value?.toString() ?? '';
          const headers = Object.entries(message.headers ?? {}).map(([name, header]) => `${name}=${String(header)}`);
          messages.push({ value, text: [message.key?.toString(), value, ...headers].join(' ') });
          if (Number(message.offset) + 1 >= (ends.get(partition) ?? 0) && ends.delete(partition) && ends.size === 0) resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return messages;
}

describe('personal data (issue 7)', () => {
  const the = withWholeSystem();
  const kafka = testKafka();
  const intake = () => the.system.url('intake');
  const catcher = () => the.system.url('mail-catcher');
  const vault = () => new PersonalDataVault(asSql(the.pool));
  const form = (url: string, fields: Record<string, string> = {}) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
  const crew = async (reference: string, status: string) => {
    const order = await waitFor(async () => ((await (await fetch(`${the.system.url('department-simulator')}/work-orders`)).json()) as { id: string; caseReference: string }[]).find((o) => o.caseReference === reference), 'the work order');
    await fetch(`${the.system.url('department-simulator')}/work-orders/${order.id}/status`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status }) });
  };
  const events = async (caseId: string) =>
    (await the.pool.query<CaseEventEnvelope>('SELECT type, schema_version AS "schemaVersion", data, metadata FROM case_log.events WHERE case_id = $1 ORDER BY case_version', [caseId])).rows;
  const staffView = async (reference: string) => (await the.system.fetchAs('olivia.operator', `${intake()}/v1/cases/${reference}`)).json() as Promise<Record<string, unknown>>;

  let reference: string;
  let caseId: string;
  let trackingUrl: string;

  it('takes the report, a follower, and the case through its steps, telling both', async () => {
    const response = await the.api.report({
      serviceCode: 'STREETLIGHT',
      description: 'The streetlight outside the library is out',
      location: distinctPlace(),
      channel: 'web',
      reporter: { ...resident, language: 'en' },
      privateDetails,
    });
    expect(response.status).toBe(201);
    ({ reference, id: caseId, trackingUrl } = (await response.json()) as { reference: string; id: string; trackingUrl: string });
    await the.api.waitForHistory(reference, ['CaseRouted', 'WorkOrderCreated', 'ResidentNotified', 'ResidentNotified'], 'the case routed, ordered and its reporter told');

    const token = new URL(trackingUrl).searchParams.get('token')!;
    expect((await form(`${intake()}/track/${reference}/followers?token=${token}`, { email: follower })).status).toBe(200);
    const confirmation = await waitFor(async () => (await messagesTo(catcher(), follower)).find((m) => m.subject.startsWith('Confirm')), 'the follower\'s confirmation email');
    expect((await form(/http\S+\/follow\?\S+/.exec(confirmation.text)![0])).status).toBe(200);

    await crew(reference, 'scheduled');
    await waitFor(async () => (await messagesTo(catcher(), resident.email)).some((m) => m.subject.includes('scheduled')), 'the reporter to hear of the schedule');
    await waitFor(async () => (await messagesTo(catcher(), follower)).some((m) => m.subject.includes('scheduled')), 'the follower to hear of the schedule');
    const reported = (await events(caseId))[0];
    expect(reported.schemaVersion).toBe(2);
    expect((reported.data as CaseReported['data']).personal).toEqual({ k: expect.any(String), iv: expect.any(String), ct: expect.any(String) });
  });

  it('shows staff the contact and the private details, and records who read them, when, through what', async () => {
    const view = await staffView(reference);
    expect(view).toMatchObject({ reference, reporter: { ...resident, language: 'en' }, privateDetails });
    const audit = (await (await the.system.fetchAs('audrey.auditor', `${intake()}/v1/personal-data/reads?reference=${reference}`)).json()) as { reads: { actor: { id: string }; fields: string[]; purpose: string; at: string }[] };
    expect(audit.reads).toEqual([
      { at: expect.any(String), actor: expect.objectContaining({ kind: 'operator' }), reference, fields: expect.arrayContaining(['name', 'email', 'phone', 'privateDetails']), purpose: 'GET /v1/cases/{reference}' },
    ]);
    // The case's history and its actions' answers show no personal data, so reading them is not recorded.
    expect(JSON.stringify(await the.api.history(reference))).not.toContain(resident.email);
    expect(((await (await the.system.fetchAs('audrey.auditor', `${intake()}/v1/personal-data/reads?reference=${reference}`)).json()) as { reads: unknown[] }).reads).toHaveLength(1);
  });

  it('never shows them in public views, error answers, logs, metrics, the log, any other table, or Kafka', async () => {
    const texts: [string, string][] = [];
    /** Keeps the answer's text to search; its status, to check a bad request was refused. */
    const take = async (where: string, response: Promise<Response>): Promise<number> => {
      const answer = await response;
      texts.push([where, await answer.text()]);
      return answer.status;
    };
    // Public views.
    await take('tracking page', fetch(trackingUrl));
    await take('public case', fetch(`${intake()}/v1/public/cases/${reference}`));
    await take('Open311 request (json)', fetch(`${intake()}/open311/v2/requests/${reference}.json?extensions=true`));
    await take('Open311 request (xml)', fetch(`${intake()}/open311/v2/requests/${reference}.xml?extensions=true`));
    await take('Open311 search', fetch(`${intake()}/open311/v2/requests.json?extensions=true&service_request_id=${reference}`));
    await take('Open311 updates', fetch(`${intake()}/open311/v2/servicerequestupdates.json?service_request_id=${reference}`));
    // Bad requests that carry them.
    const bad = (body: object) => fetch(`${intake()}/v1/cases`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ serviceCode: 'STREETLIGHT', description: 'Dark', channel: 'web', location: distinctPlace(), ...body }) });
    const open311 = new URLSearchParams({ api_key: 'caseline-demo-key', service_code: 'STREETLIGHT', lat: '40.75', long: '-73.99', description: 'Dark', first_name: 'Philippa', last_name: 'Vantongeren', email: resident.email, phone: '555' });
    const refused = [
      await take('bad phone', bad({ reporter: { ...resident, phone: '555' }, privateDetails })),
      await take('bad email', bad({ reporter: { ...resident, email: `${resident.email.split('@')[0]}@` }, privateDetails })),
      await take('private details too long', bad({ reporter: resident, privateDetails: privateDetails.repeat(60) })),
      await take('unknown field', bad({ reporter: { ...resident, fax: resident.phone }, privateDetails })),
      await take('unknown service', bad({ serviceCode: 'NOT-A-SERVICE', reporter: resident, privateDetails })),
      await take('Open311 bad phone', fetch(`${intake()}/open311/v2/requests.json`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: open311.toString() })),
      await take('erasure of two at once', the.system.fetchAs('olivia.operator', `${intake()}/v1/personal-data/erasures`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: resident.email, phone: resident.phone }) })),
    ];
    expect(refused.every((status) => status >= 400 && status < 500)).toBe(true);
    // Every service's metrics.
    for (const service of ['intake', 'routing', 'department-adapter', 'notification'] as const) await take(`${service} /metrics`, the.system.fetchAs('prometheus', `${the.system.url(service)}/metrics`));
    // Every process's log lines but the mail catcher's (the residents' own mailboxes).
    texts.push(['logs', the.system.logs.filter((line) => !line.startsWith('[mail-catcher]')).join('')]);
    // Every row of every table outside the privacy schema (which holds only keys, hashes and the read record).
    const { rows: tables } = await the.pool.query<{ schema: string; table: string }>(
      `SELECT table_schema AS schema, table_name AS table FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema', 'privacy')`,
    );
    expect(tables.map((t) => `${t.schema}.${t.table}`)).toEqual(expect.arrayContaining(['case_log.events', 'intake.case_index', 'intake.service_requests', 'notification.outbox']));
    for (const { schema, table } of tables) {
      const { rows } = await the.pool.query<{ row: string }>(`SELECT t::text AS row FROM "${schema}"."${table}" t`);
      texts.push([`${schema}.${table}`, rows.map((r) => r.row).join('\n')]);
    }
    // Every message on the case events topic.
    const messages = await topicMessages(kafka);
    expect(messages.some((m) => m.text.includes(caseId))).toBe(true);
    texts.push(['Kafka case events', messages.map((m) => m.text).join('\n')]);

    expect(findings(texts)).toEqual([]);
    // The search itself finds them where they are: in the staff view.
    expect(findings([['staff view', JSON.stringify(await staffView(reference))]]).length).toBeGreaterThan(0);
  });

  it('erases on request: staff see "erased", the history stays whole, nobody can read them again, and the resident hears nothing more', async () => {
    const before = await events(caseId);
    const sentBefore = (await messagesTo(catcher(), resident.email)).length;
    const erased = await the.system.fetchAs('olivia.operator', `${intake()}/v1/personal-data/erasures`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: resident.email.toUpperCase() }) });
    expect(erased.status).toBe(200);
    expect(await erased.json()).toEqual({ erasedKeys: 1, cases: 1 });

    const view = await staffView(reference);
    expect(view).toMatchObject({ reference, personalData: 'erased', reporter: { language: 'en' } });
    expect(view).not.toHaveProperty('privateDetails');
    expect(findings([['staff view after erasure', JSON.stringify(view)]])).toEqual([]);

    // The history: every event still there, in order, and the erasure recorded.
    const history = await the.api.history(reference);
    expect(history.map((e) => e.type).slice(0, before.length)).toEqual(before.map((e) => e.type));
    expect(history[before.length]).toMatchObject({ type: 'PersonalDataErased', actor: { kind: 'operator' }, summary: expect.stringContaining("reporter's personal data was erased (at their request)") });
    expect((await events(caseId))[0]).toEqual(before[0]);

    // The case goes on: the follower (another resident) is told, the reporter no more.
    await crew(reference, 'completed');
    await waitFor(async () => (await messagesTo(catcher(), follower)).some((m) => m.subject.includes('resolved')), 'the follower to hear of the resolution');
    const toldOfResolution = async () =>
      (await events(caseId)).filter((e) => e.type === 'ResidentNotified' && (e.data as { purpose: string }).purpose === 'resolved').map((e) => (e.data as { audience?: string }).audience);
    expect(await waitFor(async () => (await toldOfResolution()).length > 0 && toldOfResolution(), 'the resolution recorded')).toEqual(['follower']);
    // Every message the resolution owes is planned at once (one outbox statement per event): none is the reporter's.
    expect((await the.pool.query(`SELECT audience FROM notification.outbox WHERE case_id = $1 AND purpose = 'resolved'`, [caseId])).rows).toEqual([{ audience: 'follower' }]);
    expect(await messagesTo(catcher(), resident.email)).toHaveLength(sentBefore);

    // For statistics the case is whole: searchable by its facts, resolved, in the public views.
    // (Both follow the log a moment behind: the index through Kafka, the public view through its one-second cache.)
    const resolvedCases = async () => ((await (await the.system.fetchAs('olivia.operator', `${intake()}/v1/cases?status=resolved&serviceCode=STREETLIGHT&limit=100`)).json()) as { cases: { reference: string }[] }).cases;
    await waitFor(async () => (await resolvedCases()).some((c) => c.reference === reference), 'the index to show the case resolved');
    await waitFor(async () => ((await (await fetch(`${intake()}/v1/public/cases/${reference}`)).json()) as { status: string }).status === 'resolved', 'the public view to show it resolved');
    // …but not by the resident's email any more: the index forgot its hash with the key.
    const byEmail = (await (await the.system.fetchAs('olivia.operator', `${intake()}/v1/cases?reporterEmail=${encodeURIComponent(resident.email)}`)).json()) as { cases: unknown[] };
    expect(byEmail.cases).toEqual([]);

    // A read model rebuilt from the log, or from Kafka, cannot get them back (the follower, not erased, still opens).
    const fromLog = await events(caseId);
    expect(await reporterPersonalData(vault(), fromLog[0].data as CaseReported['data'])).toBe('erased');
    const rebuilt = JSON.stringify((await openHistory(vault(), fromLog)).events);
    expect(findings([['rebuilt from the log', rebuilt]], REPORTER)).toEqual([]);
    expect(rebuilt).toContain(follower);
    const fromKafka = (await topicMessages(kafka)).filter((m) => m.text.includes(caseId)).map((m) => JSON.parse(m.value) as CaseEventEnvelope);
    expect(fromKafka.map((e) => e.type)).toEqual(expect.arrayContaining(['CaseReported', 'CaseFollowed', 'PersonalDataErased']));
    expect(findings([['rebuilt from Kafka', JSON.stringify((await openHistory(vault(), fromKafka)).events)]], REPORTER)).toEqual([]);
  });
});
