import { randomUUID } from 'node:crypto';
import { createTransport, SendMailOptions, Transporter } from 'nodemailer';
import type { CaseEventEnvelope } from '@caseline/case-contracts';
import { openHistory, PersonalDataVault } from '@caseline/personal-data';
import { asSql, consumerLag, testKafka, waitFor } from '@caseline/testing';
import { HistoryEvent, messagesTo, withWholeSystem } from './case-api';

const REQUEST_ADDRESS = 'requests@demo-city.caseline.local';
const REFERENCE = /\d{3}-\d{3}-\d{3}/;

/** Residents write to the city's request address over real SMTP; the case, the reply and the history are checked end to end. */
describe('the email channel', () => {
  const the = withWholeSystem();
  const kafka = testKafka();
  let smtp: Transporter;

  const intakeUrl = () => the.system.url('intake');
  const send = (mail: SendMailOptions) => smtp.sendMail({ to: REQUEST_ADDRESS, ...mail });
  // Intake's own answers (from the request address); the notification service's updates come from elsewhere.
  const repliesTo = async (email: string) => (await messagesTo(the.system.url('mail-catcher'), email)).filter((m) => m.from === REQUEST_ADDRESS);
  const replies = (email: string, count: number) => waitFor(async () => (await repliesTo(email)).length >= count && repliesTo(email), `${count} reply(ies) to the resident`);
  // The sender's address is sealed in the log (ADR 0014): every emailed report is opened, as staff tooling would, and matched.
  const reported = async (email: string) => {
    const { rows } = await the.pool.query<CaseEventEnvelope>(`SELECT type, data FROM case_log.events WHERE type = 'CaseReported' AND data->>'channel' = 'email' ORDER BY global_position`);
    const { events } = await openHistory(new PersonalDataVault(asSql(the.pool)), rows);
    return events.map((event) => event.data as Record<string, unknown> & { reference: string; reporter?: { email?: string } }).filter((data) => data.reporter?.email === email);
  };
  const eventsOf = async (reference: string, type: string) =>
    (await the.pool.query(`SELECT data, metadata FROM case_log.events WHERE type = $2 AND case_id = (SELECT case_id FROM case_log.events WHERE data->>'reference' = $1 LIMIT 1) ORDER BY case_version`, [reference, type])).rows as {
      data: Record<string, unknown>;
      metadata: { actor: { kind: string; id: string }; channel: string };
    }[];
  const resident = () => `resident.${randomUUID()}@example.org`;

  beforeAll(async () => {
    const described = (await (await the.system.fetchAs('ada.admin', `${intakeUrl()}/v1/email-intake`)).json()) as { address: string; smtpPort: number };
    expect(described).toMatchObject({ address: REQUEST_ADDRESS, smtpPort: Number(the.system.env.INTAKE_SMTP_PORT) });
    smtp = createTransport({ host: '127.0.0.1', port: described.smtpPort, secure: false, ignoreTLS: true });
  });
  afterAll(() => smtp?.close());

  it('opens a case from a message and answers with its reference and tracking link, once', async () => {
    const email = resident();
    await send({ from: `"Ana Díaz" <${email}>`, subject: 'Streetlight out', text: 'The lamp in front of 350 5th Ave has been dark since Monday.\n\n-- \nAna Díaz\nSent from my phone' });

    const [reply] = await replies(email, 1);
    const reference = REFERENCE.exec(reply.subject)![0];
    expect(reply.subject).toBe(`We received your request ${reference}`);
    expect(reply.from).toBe(REQUEST_ADDRESS);
    expect(reply.text).toContain(`${intakeUrl()}/track/${reference}?token=`);

    const [data] = await reported(email);
    expect(data).toMatchObject({
      reference,
      serviceCode: 'STREETLIGHT',
      channel: 'email',
      location: { address: '350 5th Ave' },
      reporter: { email, name: 'Ana Díaz', language: 'en' },
      description: 'Streetlight out\n\nThe lamp in front of 350 5th Ave has been dark since Monday.',
    });
    // The answer is recorded by the email channel itself; the notification service may have told the
    // resident more (the case assigned) before that record lands.
    const answeredByIntake = (e: HistoryEvent) => e.type === 'ResidentNotified' && e.actor.id === 'intake';
    await the.api.waitForHistory(reference, ['CaseReported', 'CaseRouted'], 'the case to be reported and routed');
    const history = await waitFor(async () => {
      const events = await the.api.history(reference);
      return events.some(answeredByIntake) && events;
    }, 'the answer to be recorded');
    expect(history[0]).toMatchObject({ type: 'CaseReported', channel: 'email', actor: { kind: 'resident', id: 'email' } });
    expect(history.filter(answeredByIntake)).toEqual([expect.objectContaining({ channel: 'email', actor: expect.objectContaining({ kind: 'service' }) })]);
    expect(JSON.stringify(history)).not.toContain(email);

    // The notification service leaves the "received" message to the email channel: one reply in all.
    await waitFor(async () => (await consumerLag(kafka, 'notification')) === 0, 'notification to catch up');
    expect(await repliesTo(email)).toHaveLength(1);
  });

  it('takes the same message delivered twice (same Message-ID) as one case with one reply', async () => {
    const email = resident();
    const mail = { from: email, subject: 'Pothole', text: 'A deep pothole at 12 Main St.', messageId: `<${randomUUID()}@mail.example.org>` };
    await send(mail);
    await send(mail);
    expect(await reported(email)).toHaveLength(1);
    expect(await repliesTo(email)).toHaveLength(1);
  });

  it('adds a reply that quotes the reference to the same case, and keeps another sender out of it', async () => {
    const email = resident();
    const first = { from: email, subject: 'Graffiti', text: 'Graffiti on the wall at 20 Park Pl.', messageId: `<${randomUUID()}@mail.example.org>` };
    await send(first);
    const [received] = await replies(email, 1);
    const reference = REFERENCE.exec(received.subject)![0];

    await send({
      from: email,
      subject: `Re: ${received.subject}`,
      text: `It is on the side door too.\n\nOn Mon, Nov 23, 2026 at 10:00 AM Demo City 311 <${REQUEST_ADDRESS}> wrote:\n> ${received.text.split('\n').join('\n> ')}`,
      inReplyTo: received.messageId,
    });
    const [, added] = await replies(email, 2);
    expect(added.subject).toBe(`We added your message to request ${reference}`);
    expect(await reported(email)).toHaveLength(1);
    const [information] = await eventsOf(reference, 'InformationAdded');
    expect(information.data).toEqual({ text: 'It is on the side door too.' });
    expect(information.metadata).toMatchObject({ channel: 'email', actor: { kind: 'resident', id: 'email' } });

    const stranger = resident();
    await send({ from: stranger, subject: `About ${reference}`, text: 'Please remove it.' });
    const [own] = await replies(stranger, 1);
    expect(own.subject).not.toContain(reference);
    expect(own.text).not.toContain(reference);
    expect(await reported(stranger)).toHaveLength(1);
    expect(await eventsOf(reference, 'InformationAdded')).toHaveLength(1);
  });

  it('makes no case and sends no reply for auto-replies and bounces', async () => {
    const email = resident();
    const casesBefore = Number((await the.pool.query(`SELECT count(*) AS n FROM case_log.events WHERE type = 'CaseReported'`)).rows[0].n);
    await send({ from: email, subject: 'Automatic reply: Streetlight', text: 'I am away until Monday.', headers: { 'Auto-Submitted': 'auto-replied' } });
    await send({ from: email, subject: 'Out of Office', text: 'Back soon.' });
    await send({ from: email, subject: 'Weekly newsletter', text: 'News.', headers: { Precedence: 'bulk' } });
    await send({
      envelope: { from: '', to: [REQUEST_ADDRESS] },
      raw: [
        'From: Mail Delivery System <MAILER-DAEMON@mx.example.org>',
        `To: ${REQUEST_ADDRESS}`,
        'Subject: Undelivered Mail Returned to Sender',
        'MIME-Version: 1.0',
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"',
        '',
        '--b',
        'Content-Type: text/plain',
        '',
        `Your message to ${email} could not be delivered.`,
        '--b',
        'Content-Type: message/delivery-status',
        '',
        'Reporting-MTA: dns; mx.example.org',
        '',
        `Final-Recipient: rfc822; ${email}`,
        'Action: failed',
        'Status: 5.1.1',
        '--b--',
        '',
      ].join('\r\n'),
    });
    // Each message was answered 250 only after it was handled: nothing can still be on its way.
    expect(Number((await the.pool.query(`SELECT count(*) AS n FROM case_log.events WHERE type = 'CaseReported'`)).rows[0].n)).toBe(casesBefore);
    expect(await repliesTo(email)).toEqual([]);
    expect(await repliesTo('MAILER-DAEMON@mx.example.org')).toEqual([]);
  });

  it('keeps an attachment as a link that serves its bytes, and says which were too large', async () => {
    const email = resident();
    const photo = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201e2a1d5b60000000049454e44ae426082', 'hex');
    await send({
      from: email,
      subject: 'Dumped mattress',
      text: 'Someone dumped a mattress at 7 Elm St. Photo attached.',
      attachments: [
        { filename: 'mattress.png', content: photo, contentType: 'image/png' },
        { filename: 'video.mp4', content: Buffer.alloc(5 * 1024 * 1024 + 1, 1), contentType: 'video/mp4' },
      ],
    });
    const [reply] = await replies(email, 1);
    expect(reply.text).toContain('1 attachment(s) could not be kept');

    const [data] = (await reported(email)) as { mediaUrl?: string }[];
    expect(data.mediaUrl).toMatch(new RegExp(`^${intakeUrl()}/v1/attachments/[0-9a-f-]{36}$`));
    const served = await fetch(data.mediaUrl!);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(served.headers.get('content-disposition')).toBe('attachment');
    expect(served.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await served.arrayBuffer()).equals(photo)).toBe(true);

    expect((await fetch(`${intakeUrl()}/v1/attachments/${randomUUID()}`)).status).toBe(404);
    expect((await fetch(`${intakeUrl()}/v1/attachments/not-an-id`)).status).toBe(400);
  });

  it('refuses mail for any other address with 550 (no relaying), and a message over 10 MiB', async () => {
    await expect(send({ from: resident(), to: 'someone@elsewhere.example', subject: 'Relay me', text: 'x' })).rejects.toMatchObject({ responseCode: 550 });
    await expect(send({ from: resident(), subject: 'Huge', text: 'x'.repeat(10 * 1024 * 1024 + 1024) })).rejects.toThrow(/552|size|limit/i);
  });

  it('answers a Spanish message in Spanish, and leaves a message of unclear type to triage', async () => {
    const maria = resident();
    await send({ from: `María <${maria}>`, subject: 'Pregunta', text: 'Hola, ¿cuándo abre la biblioteca los domingos? Gracias.' });
    const [reply] = await replies(maria, 1);
    const reference = REFERENCE.exec(reply.subject)![0];
    expect(reply.subject).toBe(`Recibimos su solicitud ${reference}`);
    expect(reply.text).toContain('número de referencia');
    expect(reply.text).toContain('Un agente del 311');
    const [data] = await reported(maria);
    expect(data).toMatchObject({ serviceCode: 'GENERAL-QUESTION', location: {}, reporter: { language: 'es', name: 'María' } });
  });

  it.each([
    ['after its case is appended', 'intake:email-after-open', 1],
    ['after its reply is sent', 'intake:email-after-reply', 2],
  ] as const)('intake killed while taking a message in (%s): the sender’s retry gets the same case', async (_when, failpoint, maxReplies) => {
    await the.system.kill('intake', 'SIGTERM');
    await the.system.start(['intake'], { CASELINE_FAILPOINT: failpoint });
    const email = resident();
    const mail = { from: email, subject: 'Streetlight out', text: 'The lamp at 5 Oak St is dark.', messageId: `<${randomUUID()}@mail.example.org>` };
    await expect(send(mail)).rejects.toThrow();
    expect(await the.system.exited('intake')).toBe('SIGKILL');

    await the.system.start(['intake']);
    await send(mail);
    const cases = await reported(email);
    expect(cases).toHaveLength(1);
    // Intake's one answer (the notification service tells of later steps: "assigned").
    expect((await eventsOf(cases[0].reference, 'ResidentNotified')).filter((e) => (e.data as { purpose: string }).purpose === 'received')).toHaveLength(1);
    const sent = await repliesTo(email);
    // The one window left, as for notification: sent, then killed before it was recorded, it is sent again with the same Message-ID.
    expect(sent.length).toBeGreaterThanOrEqual(1);
    expect(sent.length).toBeLessThanOrEqual(maxReplies);
    expect(new Set(sent.map((m) => m.messageId)).size).toBe(1);
  });
});
