import { randomUUID } from 'node:crypto';
import { distinctPlace, waitFor } from '@caseline/testing';
import { SIGNATURE_HEADER, verifySignature } from '@caseline/service-kit';
import { messagesTo, withWholeSystem } from './case-api';

interface Text {
  to: string;
  body: string;
}

/** A North American mobile number no other test uses. */
const mobile = () => `+1 212 5${String(Math.floor(Math.random() * 100)).padStart(2, '0')} ${String(Math.floor(Math.random() * 10_000)).padStart(4, '0')}`;
const e164 = (phone: string) => `+${phone.replace(/\D/g, '')}`;

describe('notifications', () => {
  const the = withWholeSystem();
  const catcher = () => the.system.url('mail-catcher');
  const textsTo = async (phone: string) => (await (await fetch(`${catcher()}/sms/messages?to=${encodeURIComponent(e164(phone))}`)).json()) as Text[];
  const report = async (body: object) => {
    const response = await the.api.report({ serviceCode: 'STREETLIGHT', description: 'The lamp is out', channel: 'web', location: distinctPlace(), ...body });
    expect(response.status).toBe(201);
    return (await response.json()) as { reference: string; id: string };
  };
  const crew = async (reference: string, status: string, extra: object = {}) => {
    const order = await waitFor(async () => ((await (await fetch(`${the.system.url('department-simulator')}/work-orders`)).json()) as { id: string; caseReference: string }[]).find((o) => o.caseReference === reference), 'the work order');
    await fetch(`${the.system.url('department-simulator')}/work-orders/${order.id}/status`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status, ...extra }) });
  };
  const eventsOf = async (caseId: string, type: string) =>
    (await the.pool.query<{ data: Record<string, unknown> }>('SELECT data FROM case_log.events WHERE case_id = $1 AND type = $2 ORDER BY case_version', [caseId, type])).rows.map((r) => r.data);

  it('tells a reporter who gave only a phone number by text message, in Spanish, each step, with the unsubscribe link', async () => {
    const phone = mobile();
    const { reference, id } = await report({ reporter: { phone, language: 'es' } });
    const texts = await waitFor(async () => {
      const received = await textsTo(phone);
      return received.length === 2 && received;
    }, 'the "received" and "assigned" texts');
    const bodies = texts.map((t) => t.body).sort();
    expect(bodies[0]).toMatch(new RegExp(`^311: ${reference} está en manos de Department of Transportation, previsto antes del .+: http\\S+ Baja: http\\S+/u/\\S+$`));
    expect(bodies[1]).toMatch(new RegExp(`^311: recibimos su solicitud "Streetlight out", referencia ${reference}\\. Sígala: http\\S+ Baja: http\\S+$`));
    const history = await the.api.waitForHistory(reference, ['ResidentNotified', 'ResidentNotified'], 'the texts to be recorded');
    expect(history.filter((e) => e.type === 'ResidentNotified').map((e) => e.summary).sort()).toEqual(['Resident told "assigned" by sms', 'Resident told "received" by sms']);
    expect(JSON.stringify(await eventsOf(id, 'ResidentNotified'))).not.toContain(phone.slice(-4).padStart(5, ' ')); // masked: +1******NNNN, never the whole number
    expect(JSON.stringify(await eventsOf(id, 'ResidentNotified'))).toContain('******');
  });

  it('records a text the provider refuses for good (not a mobile number) once, and refuses a phone number intake cannot use', async () => {
    const { reference } = await report({ reporter: { phone: '+1 500 555 0009' } });
    const history = await the.api.waitForHistory(reference, ['ResidentNotificationFailed', 'ResidentNotificationFailed'], 'the refusals to be recorded');
    expect(history.filter((e) => e.type === 'ResidentNotificationFailed').map((e) => e.summary)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^Could not tell the resident "received" by sms: SMS provider 21614: 'To' number the number is not a mobile number$/)]),
    );
    const bad = await the.api.report({ serviceCode: 'STREETLIGHT', description: 'x', channel: 'web', location: distinctPlace(), reporter: { phone: '555-0199' } });
    expect(bad.status).toBe(422);
    expect(JSON.stringify(await bad.json())).toContain('reporter.phone must be a phone number');
  });

  it('retries texts while the provider is down, and sends each once when it is back', async () => {
    const phone = mobile();
    await fetch(`${catcher()}/sms/control`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ down: true }) });
    try {
      const { id } = await report({ reporter: { phone } });
      await waitFor(async () => (await the.pool.query(`SELECT 1 FROM notification.outbox WHERE case_id = $1 AND attempts > 0`, [id])).rowCount! > 0, 'a failed attempt');
    } finally {
      await fetch(`${catcher()}/sms/control`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ down: false }) });
    }
    const texts = await waitFor(async () => {
      const received = await textsTo(phone);
      return received.length === 2 && received;
    }, 'both texts after the outage', 30_000);
    expect(new Set(texts.map((t) => t.body.split('.')[0])).size).toBe(2);
  });

  it('holds text messages during quiet hours, and sends them when the quiet hours end', async () => {
    // Quiet hours that hold now, in the city's time zone: from midnight to two hours from now.
    const hour = Number(new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', hour: 'numeric', hourCycle: 'h23' }).format(new Date()));
    const quiet = hour < 22 ? `00:00-${String(hour + 2).padStart(2, '0')}:00` : `${String(hour - 1).padStart(2, '0')}:00-02:00`;
    await the.system.kill('notification', 'SIGTERM');
    await the.system.start(['notification'], { SMS_QUIET_HOURS: quiet });
    const phone = mobile();
    const { id } = await report({ reporter: { phone } });
    const held = await waitFor(async () => {
      const { rows } = await the.pool.query<{ next_attempt_at: Date; state: string }>(`SELECT next_attempt_at, state FROM notification.outbox WHERE case_id = $1 AND channel = 'sms'`, [id]);
      return rows.length === 2 && rows;
    }, 'the texts to be owed');
    for (const row of held) {
      expect(row.state).toBe('pending');
      expect(row.next_attempt_at.getTime()).toBeGreaterThan(Date.now() + 30 * 60_000);
    }
    expect(await textsTo(phone)).toEqual([]);
    // The quiet hours end (here: the city lifts them); what waited goes out.
    await the.system.kill('notification', 'SIGTERM');
    await the.system.start(['notification']);
    await the.pool.query(`UPDATE notification.outbox SET next_attempt_at = now() WHERE case_id = $1`, [id]);
    await waitFor(async () => (await textsTo(phone)).length === 2, 'the texts after the quiet hours');
  });

  it('asks the reporter by email, with the reply going to the address that reads answers', async () => {
    const email = `ask.${randomUUID()}@example.org`;
    const { reference } = await report({ reporter: { email } });
    await the.api.waitForHistory(reference, ['CaseRouted'], 'the routing');
    expect((await the.api.act(reference, 'information-requests', { question: 'Which pole number is on the lamp post?' })).status).toBe(200);
    const asked = await waitFor(async () => (await messagesTo(catcher(), email)).find((m) => m.subject === `We need more information about your request ${reference}`), 'the question');
    expect(asked.text).toContain('Which pole number is on the lamp post?');
    expect(asked.replyTo).toBe('requests@demo-city.caseline.local');
  });

  it('stops every message to an address from its unsubscribe link, at once, and records it once', async () => {
    const email = `stop.${randomUUID()}@example.org`;
    const { reference, id } = await report({ reporter: { email } });
    const [first] = await waitFor(async () => {
      const messages = await messagesTo(catcher(), email);
      return messages.length === 2 && messages;
    }, 'the first two emails');
    expect(first.listUnsubscribe).toMatch(/\/u\/[\w-]{22}\.[\w-]{16}$/);
    const link = first.listUnsubscribe!;
    expect(first.text).toContain(link);

    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('s***@example.org');
    expect((await fetch(`${link.slice(0, -3)}xyz`)).status).toBe(404); // a changed link
    // Mail clients' one-click unsubscribe (RFC 8058), twice.
    for (let i = 0; i < 2; i++) {
      const stopped = await fetch(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
      expect(stopped.status).toBe(200);
    }
    expect(await eventsOf(id, 'NotificationsStopped')).toEqual([{ channel: 'email', recipient: 's***@example.org', audience: 'reporter' }]);

    await crew(reference, 'scheduled');
    await waitFor(async () => (await the.pool.query(`SELECT 1 FROM notification.outbox WHERE case_id = $1 AND purpose = 'scheduled' AND state = 'suppressed'`, [id])).rowCount === 1, 'the next message to be stopped');
    expect(await messagesTo(catcher(), email)).toHaveLength(2);
  });

  it('tells residents who reported the same problem of its progress, under their own reference', async () => {
    const place = distinctPlace();
    const first = await report({ location: place, reporter: { email: `first.${randomUUID()}@example.org` } });
    await the.api.waitForHistory(first.reference, ['WorkOrderCreated'], 'the original\'s work order');
    const secondEmail = `second.${randomUUID()}@example.org`;
    const second = await report({ location: { lat: place.lat + 0.00009, long: place.long }, description: 'Streetlight out here too', reporter: { email: secondEmail } });
    await waitFor(async () => (await messagesTo(catcher(), secondEmail)).some((m) => m.subject === `Your request ${second.reference} is already being handled`), 'the duplicate\'s reporter to be told');
    await the.api.waitForHistory(first.reference, ['DuplicateReported'], 'the original to count it');
    await crew(first.reference, 'scheduled', { scheduledFor: '2026-12-03' });
    const scheduled = await waitFor(async () => (await messagesTo(catcher(), secondEmail)).find((m) => m.subject === `Your request ${second.reference} is scheduled`), 'the follower to hear of the schedule');
    expect(scheduled.text).toContain('Thu, Dec 3');
    expect(scheduled.text).toContain(`/track/${second.reference}?token=`);
    const onOriginal = await the.api.history(first.reference);
    expect(onOriginal.filter((e) => e.type === 'ResidentNotified').map((e) => e.summary)).toEqual(expect.arrayContaining(['Follower told "scheduled" by email']));
  });

  it('calls the webhook of the partner that submitted a case, signed, with the case\'s public facts only', async () => {
    const email = `portal.${randomUUID()}@example.org`;
    const place = distinctPlace();
    const form = new URLSearchParams({ api_key: 'caseline-demo-key', service_code: 'STREETLIGHT', lat: String(place.lat), long: String(place.long), description: 'Lamp out (from the portal)', email });
    const submitted = await fetch(`${the.system.url('intake')}/open311/v2/requests.json`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
    expect(submitted.status).toBe(201);
    const [{ service_request_id: reference }] = (await submitted.json()) as { service_request_id: string }[];
    const calls = await waitFor(async () => {
      const received = (await (await fetch(`${catcher()}/webhooks/demo-portal`)).json()) as { delivery: string; signature: string; body: string }[];
      const ours = received.filter((c) => c.body.includes(reference));
      return ours.length >= 1 && ours;
    }, 'the partner\'s webhook');
    const call = calls[0];
    expect(() => verifySignature('development-only-webhook-secret-of-demo-portal', call.signature, call.body)).not.toThrow();
    expect(call.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(SIGNATURE_HEADER).toBe('caseline-signature');
    const payload = JSON.parse(call.body) as { deliveryId: string; event: { type: string }; case: { reference: string; departmentName: string } };
    expect(payload).toMatchObject({ deliveryId: call.delivery, event: { type: 'CaseRouted' }, case: { reference, departmentName: 'Department of Transportation' } });
    expect(call.body).not.toContain(email);
  });

  it('lets a partner subscribe, by its API key, to a case it did not submit, and calls its webhook from then on', async () => {
    const { reference, id } = await report({ reporter: { email: `web.${randomUUID()}@example.org` } });
    await the.api.waitForHistory(reference, ['WorkOrderCreated'], 'the work order');
    const subscribe = (key?: string) => fetch(`${the.system.url('intake')}/v1/cases/${reference}/subscriptions`, { method: 'POST', headers: key ? { 'x-api-key': key } : {} });
    expect((await subscribe()).status).toBe(401);
    expect((await subscribe('not-a-key')).status).toBe(401);
    const subscribed = await subscribe('caseline-demo-key');
    expect(subscribed.status).toBe(200);
    expect(await subscribed.json()).toEqual({ reference, partner: 'demo-portal', subscribed: true });
    expect((await subscribe('caseline-demo-key')).status).toBe(200); // twice: subscribed once
    expect(await eventsOf(id, 'CaseFollowed')).toEqual([{ follower: { partner: 'demo-portal' } }]);
    await crew(reference, 'scheduled', { scheduledFor: '2026-12-04' });
    const call = await waitFor(async () => {
      const received = (await (await fetch(`${catcher()}/webhooks/demo-portal`)).json()) as { body: string }[];
      return received.find((c) => c.body.includes(reference));
    }, 'the subscribed partner\'s webhook');
    expect(JSON.parse(call.body)).toMatchObject({ event: { type: 'WorkOrderStatusChanged' }, details: { status: 'scheduled', scheduledFor: '2026-12-04' } });
  });

  it('previews any message for a case, in the reporter\'s language or another, and lists missing translations', async () => {
    const { reference } = await report({ reporter: { email: `preview.${randomUUID()}@example.org`, language: 'es' } });
    await the.api.waitForHistory(reference, ['CaseRouted'], 'the routing');
    const preview = async (query: string) => the.system.fetchAs('olivia.operator', `${the.system.url('notification')}/v1/notifications/preview?reference=${reference}&${query}`);
    const assigned = (await (await preview('purpose=assigned')).json()) as { subject: string; text: string; language: string };
    expect(assigned).toMatchObject({ language: 'es', subject: `Su solicitud ${reference} está en manos de: Department of Transportation` });
    const sms = (await (await preview('purpose=resolved&channel=sms&language=en')).json()) as { text: string };
    expect(sms.text).toMatch(new RegExp(`^311: ${reference} is resolved\\. Not fixed\\? http\\S+/reopen\\?\\S+ Stop: http\\S+$`));
    const escalated = (await (await preview('purpose=escalated&language=es')).json()) as { language: string; missingTranslation: string };
    expect(escalated).toMatchObject({ language: 'en', missingTranslation: 'es' });
    expect((await preview('purpose=thanks')).status).toBe(400);
    expect((await the.system.fetchAs('olivia.operator', `${the.system.url('notification')}/v1/notifications/preview?reference=999-999-999&purpose=assigned`)).status).toBe(404);
    const templates = (await (await the.system.fetchAs('ada.admin', `${the.system.url('notification')}/v1/notifications/templates`)).json()) as { missingTranslations: { purpose: string }[] };
    expect(templates.missingTranslations.map((m) => m.purpose)).toEqual(expect.arrayContaining(['escalated']));
  });

  it('tells a reporter who opted out nothing, while keeping their contact for staff', async () => {
    const email = `quiet.${randomUUID()}@example.org`;
    const { reference, id } = await report({ reporter: { email, notify: false } });
    await the.api.waitForHistory(reference, ['WorkOrderCreated'], 'the work order');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await messagesTo(catcher(), email)).toEqual([]);
    expect(await eventsOf(id, 'ResidentNotified')).toEqual([]);
    expect((await the.api.report({ serviceCode: 'STREETLIGHT', description: 'x', channel: 'web', location: distinctPlace(), reporter: { email, notify: 'no' } })).status).toBe(400);
  });

  it('sends no "closed" message to a reporter who withdrew the request themselves', async () => {
    const email = `closed.${randomUUID()}@example.org`;
    const { reference, id } = await report({ reporter: { email } });
    await the.api.waitForHistory(reference, ['ResidentNotified', 'ResidentNotified'], 'the first messages');
    expect((await the.api.act(reference, 'cancel', { reason: 'The utility company owns this lamp' })).status).toBe(200);
    await the.api.waitForHistory(reference, ['CaseCancelled'], 'the cancellation');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    // POST …/cancel is the reporter's own action: they know. (A closing by staff is explained: plan.unit.spec.ts.)
    expect((await eventsOf(id, 'ResidentNotified')).map((d) => d.purpose)).not.toContain('closed');
  });

  it('sends each council member one digest a day of the new and overdue cases in their district', async () => {
    const { reference, id } = await report({});
    const [routed] = await waitFor(async () => {
      const found = await eventsOf(id, 'CaseRouted');
      return found.length > 0 && found;
    }, 'the routing');
    const district = (routed.areas as Record<string, { id: string }>)['council-district'].id;
    const member = `district${district}@council.demo-city.caseline.local`;
    const digests = async () => (await messagesTo(catcher(), member)).filter((m) => m.subject.startsWith(`311 in council district ${district}:`));
    expect(await digests()).toEqual([]);
    try {
      for (let start = 0; start < 2; start++) {
        // The time of day has come (from midnight on); a restart the same day sends nothing more.
        await the.system.kill('notification', 'SIGTERM');
        await the.system.start(['notification'], { COUNCIL_DIGEST_AT: '00:00', COUNCIL_DIGEST_CHECK_MS: '200' });
        const [digest] = await waitFor(async () => {
          const sent = await digests();
          return sent.length > 0 && sent;
        }, 'the district\'s digest');
        expect(digest.text).toContain(reference);
        await new Promise((resolve) => setTimeout(resolve, 600));
        expect(await digests()).toHaveLength(1);
      }
    } finally {
      await the.system.kill('notification', 'SIGTERM');
      await the.system.start(['notification']);
    }
  });

  describe('what residents do from their messages', () => {
    const form = (url: string, fields: Record<string, string> = {}) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
    const resolvedCase = async () => {
      const email = `done.${randomUUID()}@example.org`;
      const { reference, id } = await report({ reporter: { email } });
      await crew(reference, 'completed', { note: 'Lamp replaced' });
      const resolved = await waitFor(async () => (await messagesTo(catcher(), email)).find((m) => m.subject === `Your request ${reference} is resolved`), 'the "resolved" email');
      const link = (path: string) => new RegExp(`http\\S+/track/${reference}/${path}\\?\\S+`).exec(resolved.text)![0];
      return { reference, id, reopen: link('reopen'), survey: link('survey') };
    };

    it('answers the survey once, from the link in the "resolved" email, and keeps the answer on the case', async () => {
      const { id, survey } = await resolvedCase();
      const page = await fetch(survey);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('name="rating"');
      expect(await eventsOf(id, 'SatisfactionRecorded')).toEqual([]);
      expect((await form(survey, { rating: '6' })).status).toBe(400);
      expect((await form(survey.replace(/token=[\w-]{4}/, 'token=AAAA'), { rating: '4' })).status).toBe(404);
      expect((await form(survey, { rating: '4', comment: 'Quick, thanks' })).status).toBe(200);
      const again = await form(survey, { rating: '1' });
      expect(again.status).toBe(409);
      expect(await again.text()).toContain('We already have your answer');
      expect(await eventsOf(id, 'SatisfactionRecorded')).toEqual([{ rating: 4, comment: 'Quick, thanks' }]);
    });

    it('reopens a resolved case as "not fixed" from the link, once; a changed link does nothing', async () => {
      const { reference, id, reopen } = await resolvedCase();
      expect((await fetch(reopen)).status).toBe(200);
      expect((await form(reopen.replace(/expires=\d+/, 'expires=9999999999'))).status).toBe(404);
      expect(await eventsOf(id, 'CaseReopened')).toEqual([]);
      const reopened = await form(reopen, { reason: 'The lamp is out again' });
      expect(reopened.status).toBe(200);
      expect(await reopened.text()).toContain(`Request ${reference} is open again`);
      expect(await eventsOf(id, 'CaseReopened')).toEqual([{ reason: 'The lamp is out again' }]);
      expect((await form(reopen)).status).toBe(409); // open again: nothing to reopen
      await the.api.waitForHistory(reference, ['CaseRouted', 'CaseRouted'], 'the case to go back to the department');
    });

    it('lets anyone with the tracking link follow a case, once their address is confirmed from its mailbox', async () => {
      const { reference, id } = await report({ reporter: { email: `owner.${randomUUID()}@example.org` } });
      const { trackingUrl } = await the.api.find(reference);
      const token = new URL(trackingUrl).searchParams.get('token')!;
      const casePage = await (await fetch(`${the.system.url('intake')}/track/${reference}?token=${token}`)).text();
      expect(casePage).toContain(`action="/track/${reference}/followers?token=`);

      const follower = `neighbour.${randomUUID()}@example.org`;
      const followers = `${the.system.url('intake')}/track/${reference}/followers?token=${token}`;
      expect((await form(`${the.system.url('intake')}/track/${reference}/followers?token=wrong`, { email: follower })).status).toBe(404);
      expect((await form(followers, { email: 'not an address' })).status).toBe(400);
      const asked = await form(followers, { email: follower });
      expect(asked.status).toBe(200);
      expect(await asked.text()).toContain('n***@example.org');
      expect(await eventsOf(id, 'CaseFollowed')).toEqual([]); // nothing until the mailbox confirms

      const confirmation = await waitFor(async () => (await messagesTo(catcher(), follower)).find((m) => m.subject === `Confirm: updates about request ${reference}`), 'the confirmation email');
      const link = /http\S+\/follow\?\S+/.exec(confirmation.text)![0];
      expect((await fetch(link)).status).toBe(200);
      expect((await form(link.replace('neighbour.', 'someone-else.'))).status).toBe(404);
      expect((await form(link)).status).toBe(200);
      expect((await form(link)).status).toBe(200); // twice: still one follower
      // The follower's address is sealed with their own key (ADR 0014).
      expect(await eventsOf(id, 'CaseFollowed')).toEqual([{ follower: { personal: { k: expect.any(String), iv: expect.any(String), ct: expect.any(String) }, language: 'en' } }]);
      expect(JSON.stringify(await eventsOf(id, 'CaseFollowed'))).not.toContain(follower);

      await crew(reference, 'scheduled');
      await waitFor(async () => (await messagesTo(catcher(), follower)).some((m) => m.subject === `Request ${reference}, which you follow, is scheduled`), 'the follower to hear of it');
    });
  });
});
