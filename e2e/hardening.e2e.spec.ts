import fc from 'fast-check';
import { createHmac } from 'node:crypto';
import { createTransport, Transporter } from 'nodemailer';
import type { Pool } from 'pg';
import { caseLinkUrl, departmentSecret, SIGNATURE_HEADER, signBody, trackingToken } from '@caseline/service-kit';
import { distinctPlace, TestSystem, testPool } from '@caseline/testing';

/** Malformed inputs per property; FUZZ_RUNS=50000 for a release check. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 1500);
/** Each email is a whole SMTP conversation, a MIME parse and (mostly) a case with its reply: a tenth as many. */
const SMTP_RUNS = Math.ceil(RUNS / 10);
// A guard against a hung test, not a measure: room for a loaded machine at any FUZZ_RUNS.
jest.setTimeout(120_000 + RUNS * 100);
const PORTAL = 'https://portal.demo-city.example';
const REQUEST_ADDRESS = 'requests@demo-city.caseline.local';

/*
 * Inbound email as mail clients, broken ones and attackers write it, built as bytes: odd and
 * injected headers, encoded words in any charset (UTF-16 carries lone surrogates), raw 8-bit
 * bytes, NULs, nested and broken MIME, mislabelled transfer encodings, many attachments and, now
 * and then, one exactly at the size limit or just over it.
 */
const CRLF = Buffer.from('\r\n');
const hasLineBreak = (bytes: Buffer) => bytes.includes(0x0a) || bytes.includes(0x0d);

// Any UTF-16 code unit (lone surrogates included), any code point, or a known troublemaker:
// a pair split by the subject's 500-character cut, a house number before a 400-letter street name.
const codeUnit = fc.nat(0xffff).map((code) => String.fromCharCode(code));
const anyText = fc.oneof(
  fc.string({ unit: codeUnit, maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', '\u0000', '\ud83d', 'x\udca9', `a${'😀'.repeat(300)}`, 'Ñandú, ¿dónde? 350 5th Ave', `1 ${'a'.repeat(400)} St`, 'Address: \u0000', 'Re: 100-000-001', '=?', '?=', '\r\n', '\r\n\r\n', '\n.\n', '\r\n From: x@y.org', 'x'.repeat(1200)),
);
const charset = fc.constantFrom('utf-8', 'UTF-16LE', 'utf-16be', 'utf-16', 'iso-8859-1', 'windows-1252', 'shift_jis', 'utf-7', 'x-unknown', '');

/** The bytes a sender writes for a text in a charset: UTF-16 keeps lone surrogates; unknown charsets get UTF-8. */
function encode(text: string, name: string): Buffer {
  if (/^utf-16(le)?$/i.test(name)) return Buffer.from(text, 'utf16le');
  if (/^utf-16be$/i.test(name)) return Buffer.from(text, 'utf16le').swap16();
  return Buffer.from(text, /^(iso-8859-1|windows-1252)$/i.test(name) ? 'latin1' : 'utf8');
}
const quotedPrintable = (bytes: Buffer) => [...bytes].map((byte) => `=${byte.toString(16).padStart(2, '0').toUpperCase()}`).join('');

const encodedWord = fc
  .tuple(charset, fc.constantFrom('B', 'Q', 'b', 'X'), anyText)
  .map(([name, encoding, text]) => `=?${name}?${encoding}?${/b/i.test(encoding) ? encode(text, name).toString('base64') : quotedPrintable(encode(text, name))}?=`);
const headerValue = fc.oneof(anyText.map((text) => Buffer.from(text)), encodedWord.map((word) => Buffer.from(word)), fc.uint8Array({ maxLength: 60 }).map((bytes) => Buffer.from(bytes)));
const headerName = fc.oneof(
  // Never one the listener reads to decide (From, Subject, Auto-Submitted, Precedence, Content-Type…): those are fuzzed on their own.
  fc.constantFrom('Message-ID', 'Date', 'To', 'Cc', 'Reply-To', 'In-Reply-To', 'References', 'Received', 'DKIM-Signature', 'X-Mailer', 'Content-Language'),
  fc.string({ unit: 'binary-ascii', maxLength: 12 }),
);
const extraHeader = fc.tuple(headerName, headerValue).map(([name, value]) => Buffer.concat([Buffer.from(`${name}: `), value]));

// The From header, or none: `request` says whether the documented rules make a request of it.
// SENDER stands for the delivery's own address, unique, so every message is a new one.
const SENDER = '{sender}';
type FromHeader = { line?: string; request: 'yes' | 'no' | 'maybe' };
const displayName = fc.oneof(encodedWord, anyText.filter((text) => !/[\r\n]/.test(text)).map((text) => `"${text.replace(/[\\"]/g, '\\$&')}"`), fc.constantFrom('Ana Díaz', `a${'😀'.repeat(60)}`));
const fromHeader: fc.Arbitrary<FromHeader> = fc.oneof(
  { weight: 3, arbitrary: fc.constant<FromHeader>({ line: `From: ${SENDER}`, request: 'yes' }) },
  { weight: 3, arbitrary: displayName.map<FromHeader>((name) => ({ line: `From: ${name} <${SENDER}>`, request: 'yes' })) },
  fc.constant<FromHeader>({ request: 'no' }),
  anyText.map<FromHeader>((text) => ({ line: `From: ${text.replace(/@/g, '')}`, request: 'no' })),
  fc.constantFrom('MAILER-DAEMON@mx.example.org', 'postmaster@example.org', REQUEST_ADDRESS).map<FromHeader>((address) => ({ line: `From: ${address}`, request: 'no' })),
  // Addresses no one can be answered at, or that only look like one: dropped or taken, never a failure.
  fc
    .constantFrom('a@b', '@example.org', 'a@', 'a@b@example.org', `${'x'.repeat(250)}@example.org`, '"quoted local"@example.org', 'ü@example.org', 'a\u0000b@example.org', 'a@example.org, b@example.org', '<>', '=?utf-16?B?PNg=?=@example.org')
    .map<FromHeader>((address) => ({ line: `From: ${address}`, request: 'maybe' })),
);
// Marks of an automatic message (RFC 3834 and friends), each documented to be dropped.
const automaticMark = fc.constantFrom('Auto-Submitted: auto-replied', 'Auto-Submitted: auto-generated; foo', 'Precedence: bulk', 'Precedence: junk', 'Precedence: list', 'X-Autoreply: yes', 'X-Autorespond: 1');
const subject = fc.oneof(
  { weight: 9, arbitrary: headerValue.map((value) => ({ value, automatic: false })) },
  fc.constantFrom('Out of Office: back Monday', 'Re: Automatic reply', 'Undeliverable: Streetlight', 'Respuesta automática').map((text) => ({ value: Buffer.from(text), automatic: true })),
);

interface MimePart {
  headers: Buffer[];
  body: Buffer;
}
const leafPart: fc.Arbitrary<MimePart> = fc
  .record({
    type: fc.constantFrom('text/plain', 'text/html', 'image/png', 'application/octet-stream', 'message/rfc822', 'text/calendar', 'garbage', ''),
    charset,
    encoding: fc.constantFrom('7bit', '8bit', 'base64', 'quoted-printable', 'binary', 'x-uuencode', 'bogus', undefined),
    // The declared transfer encoding, or raw bytes whatever it says.
    mislabelled: fc.boolean(),
    disposition: fc.constantFrom(undefined, 'inline', 'attachment', 'attachment; filename="photo.png"', "attachment; filename*=UTF-8''%F0%9F%98%80.png", 'attachment; filename="=?utf-16?B?PNg=?="', 'attachment; filename='),
    content: fc.oneof(anyText, fc.uint8Array({ maxLength: 3000 }).map((bytes) => Buffer.from(bytes))),
  })
  .map(({ type, charset: name, encoding, mislabelled, disposition, content }) => {
    const bytes = typeof content === 'string' ? encode(content, name) : content;
    const body = mislabelled ? bytes : encoding === 'base64' ? Buffer.from(bytes.toString('base64').replace(/.{76}/g, '$&\r\n')) : encoding === 'quoted-printable' ? Buffer.from(quotedPrintable(bytes).replace(/.{73}/g, '$&=\r\n')) : bytes;
    const headers = [`Content-Type: ${type}; charset=${name}`, encoding && `Content-Transfer-Encoding: ${encoding}`, disposition && `Content-Disposition: ${disposition}`];
    return { headers: headers.filter((line): line is string => Boolean(line)).map((line) => Buffer.from(line)), body };
  });

function multipart(subtype: string, boundary: string, parts: MimePart[], closed: boolean): MimePart {
  const delimiter = boundary.replace(/^"|"$/g, '');
  const body = Buffer.concat([
    Buffer.from('This is a multi-part message.\r\n'),
    ...parts.flatMap((part) => [Buffer.from(`--${delimiter}\r\n`), ...part.headers.flatMap((line) => [line, CRLF]), CRLF, part.body, CRLF]),
    Buffer.from(closed ? `--${delimiter}--\r\n` : ''),
  ]);
  return { headers: [Buffer.from(`Content-Type: multipart/${subtype}; boundary=${boundary}`)], body };
}

const { part: mimePart } = fc.letrec<{ part: MimePart; multipart: MimePart }>((tie) => ({
  part: fc.oneof({ maxDepth: 3, depthSize: 'small' }, leafPart, tie('multipart')),
  multipart: fc
    .tuple(fc.constantFrom('mixed', 'alternative', 'related', 'signed', 'digest'), fc.constantFrom('b', 'boundary-1', '', '"quoted b"', 'x'.repeat(200), '--'), fc.array(tie('part'), { maxLength: 7 }), fc.boolean())
    .map(([subtype, boundary, parts, closed]) => multipart(subtype, boundary, parts, closed)),
}));

interface FuzzedEmail {
  envelopeFrom: 'sender' | 'null' | 'mailer-daemon' | 'own';
  to: string;
  from: FromHeader;
  subject?: { value: Buffer; automatic: boolean };
  automatic?: string;
  headers: Buffer[];
  part: MimePart;
  /** Bytes of one more attachment: 0 for none, else the size limit, or one byte over it. */
  bigAttachment: number;
  headerBlockEnds: boolean;
}

const fuzzedEmail = (maxAttachmentBytes: number): fc.Arbitrary<FuzzedEmail> =>
  fc.record({
    envelopeFrom: fc.oneof({ weight: 8, arbitrary: fc.constant<FuzzedEmail['envelopeFrom']>('sender') }, fc.constantFrom<FuzzedEmail['envelopeFrom']>('null', 'mailer-daemon', 'own')),
    to: fc.oneof({ weight: 8, arbitrary: fc.constant(REQUEST_ADDRESS) }, fc.constantFrom(REQUEST_ADDRESS.toUpperCase(), 'someone@elsewhere.example')),
    from: fromHeader,
    subject: fc.option(subject, { nil: undefined }),
    automatic: fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, automaticMark),
    headers: fc.array(extraHeader, { maxLength: 6 }),
    part: mimePart,
    bigAttachment: fc.oneof({ weight: 100, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constantFrom(maxAttachmentBytes, maxAttachmentBytes + 1) }),
    headerBlockEnds: fc.oneof({ weight: 20, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  });

/** A plain request, changed where a found bug was. */
const emailLike = (changes: Partial<FuzzedEmail>): FuzzedEmail => ({
  envelopeFrom: 'sender',
  to: REQUEST_ADDRESS,
  from: { line: `From: ${SENDER}`, request: 'yes' },
  headers: [],
  part: { headers: [Buffer.from('Content-Type: text/plain; charset=utf-8')], body: Buffer.from('The lamp at 5 Oak St is out.') },
  bigAttachment: 0,
  headerBlockEnds: true,
  ...changes,
});

/** The message's bytes, from the unique sender of this delivery. */
function rawEmail(email: FuzzedEmail, sender: string): Buffer {
  const part = email.bigAttachment
    ? multipart('mixed', 'big', [email.part, { headers: ['Content-Type: image/png', 'Content-Transfer-Encoding: base64', 'Content-Disposition: attachment; filename="big.png"'].map((line) => Buffer.from(line)), body: Buffer.from(Buffer.alloc(email.bigAttachment, 7).toString('base64').replace(/.{76}/g, '$&\r\n')) }], true)
    : email.part;
  const lines = [
    ...(email.from.line ? [Buffer.from(email.from.line.replace(SENDER, sender))] : []),
    ...(email.automatic ? [Buffer.from(email.automatic)] : []),
    ...(email.subject ? [Buffer.concat([Buffer.from('Subject: '), email.subject.value])] : []),
    ...email.headers,
    Buffer.from('MIME-Version: 1.0'),
    ...part.headers,
  ];
  return Buffer.concat([...lines.flatMap((line) => [line, CRLF]), email.headerBlockEnds ? CRLF : Buffer.alloc(0), part.body]);
}

/**
 * What the listener's documented rules (libs/intake/feature/src/email/README.md) make of a message:
 * 'refused' (550, not our address), 'dropped' (250, not a request: a bounce, an auto-reply, no
 * From address), 'case' (250, a new case: its sender is unique, so it quotes no case of theirs), or
 * 'either' when a header line could rewrite the From or the marks (an injected line break, a
 * continuation line), so that only "at most one case, and only with its message's record" holds.
 */
function expectedOutcome(email: FuzzedEmail): 'refused' | 'dropped' | 'case' | 'either' {
  if (email.to !== REQUEST_ADDRESS && email.to !== REQUEST_ADDRESS.toUpperCase()) return 'refused';
  if (email.envelopeFrom !== 'sender') return 'dropped';
  const rewritable = email.headers.some((line) => hasLineBreak(line) || /^\s/.test(line.toString('latin1'))) || (email.subject && hasLineBreak(email.subject.value));
  if (rewritable) return 'either';
  if (email.automatic || email.subject?.automatic || email.from.request === 'no') return 'dropped';
  return email.from.request === 'yes' ? 'case' : 'either';
}

// Open311's XML answers, checked without an XML library (none is a dependency).
const XML_CHARS = /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;
/** `&amp;` and its four siblings, or a numeric reference to an XML character (`&#13;`). */
function isXmlReference(reference: string): boolean {
  if (/^&(amp|lt|gt|quot|apos);$/.test(reference)) return true;
  const [, decimal, hex] = /^&#(?:(\d{1,7})|x([\da-f]{1,6}));$/i.exec(reference) ?? [];
  const code = decimal ? Number(decimal) : hex ? parseInt(hex, 16) : -1;
  return code >= 0 && code <= 0x10ffff && XML_CHARS.test(String.fromCodePoint(code));
}
/** Text between tags: XML characters only, `&` only in a reference, no `]]>`. */
const isXmlText = (text: string): boolean => XML_CHARS.test(text) && !text.includes(']]>') && (text.match(/&[^;]*;?/g) ?? []).every(isXmlReference);

/**
 * Whether a document is well-formed XML of the shape Open311 answers take (libs/intake/open311/src/xml.ts):
 * the declaration, then one root element of nested elements without attributes.
 */
function isWellFormedXml(document: string): boolean {
  const declaration = '<?xml version="1.0" encoding="utf-8"?>';
  if (!document.startsWith(declaration)) return false;
  const token = /<(\/?)([A-Za-z_][\w.-]*)(\/?)>|([^<]+)/y;
  token.lastIndex = declaration.length;
  const open: string[] = [];
  let roots = 0;
  while (token.lastIndex < document.length) {
    const match = token.exec(document);
    if (!match) return false;
    const [, closing, name, empty, text] = match;
    if (text !== undefined) {
      if (open.length === 0 ? text.trim() !== '' : !isXmlText(text)) return false;
    } else if (closing) {
      if (empty || open.pop() !== name) return false;
    } else {
      if (open.length === 0) roots += 1;
      if (!empty) open.push(name);
    }
  }
  return roots === 1 && open.length === 0;
}

/**
 * Every public input, fuzzed with property-based tests: whatever arrives, the answer is never a 5xx
 * and nothing is written unless the request was accepted (201). Plus the headers every answer
 * carries and CORS limited to the configured portals.
 */
describe('hardening', () => {
  let system: TestSystem;
  let pool: Pool;
  let openCase: string;
  const intake = () => system.url('intake');
  const reported = async () => Number((await pool.query("SELECT count(*) AS n FROM case_log.events WHERE type = 'CaseReported'")).rows[0].n);
  const workOrderEvents = async () => Number((await pool.query("SELECT count(*) AS n FROM case_log.events WHERE type LIKE 'WorkOrder%'")).rows[0].n);
  const events = async (...types: string[]) => Number((await pool.query('SELECT count(*) AS n FROM case_log.events WHERE type = ANY($1)', [types])).rows[0].n);

  beforeAll(async () => {
    system = await TestSystem.create({ CORS_ORIGINS: PORTAL, RATE_LIMIT_PER_API_KEY_PER_MINUTE: '0' });
    // The mail catcher takes the answers intake sends to emailed requests and to followers.
    await system.start(['mail-catcher', 'intake', 'department-adapter', 'notification']);
    pool = testPool(2);
    // A case for genuine links and reads; its text carries what XML must escape.
    const created = await fetch(`${intake()}/v1/cases`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ serviceCode: 'STREETLIGHT', description: 'Lamp <dark> & "out" ]]> since Monday 😀', location: distinctPlace(), channel: 'web' }),
    });
    openCase = ((await created.json()) as { reference: string }).reference;
  }, 180_000);
  afterAll(async () => {
    await system?.stop();
    await pool?.end();
  });

  /**
   * Runs a property over `RUNS` inputs; each request must answer below 500 (and pass `check`, if
   * given); returns how many were accepted (201).
   */
  const fuzz = async <T>(arbitrary: fc.Arbitrary<T>, send: (input: T) => Promise<Response>, examples: T[] = [], check?: (input: T, response: Response, body: string) => void): Promise<number> => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(arbitrary, async (input) => {
        const response = await send(input);
        const body = await response.text();
        if (response.status === 201) accepted += 1;
        if (response.status >= 500) throw new Error(`${response.status}: ${body.slice(0, 300)}`);
        // No stack traces or SQL reach a caller.
        if (/\n\s+at |node_modules|SELECT |INSERT INTO/.test(body)) throw new Error(`internals in the answer: ${body.slice(0, 300)}`);
        check?.(input, response, body);
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
    const path = fc.constantFrom('/open311/v2/requests.json', '/open311/v2/servicerequestupdates.json', '/open311/v2/services.json', '/open311/v2/requests/100-000-001.json', '/v1/public/cases/100-000-001', '/track', '/track/100-000-001');
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

  it('takes any email over SMTP without a failure, answering 250 (or 550 for another address) and opening a case only for a request', async () => {
    const listener = (await (await system.fetchAs('ada.admin', `${intake()}/v1/email-intake`)).json()) as { smtpPort: number; maxAttachmentBytes: number; maxAttachments: number };
    const smtp: Transporter = createTransport({ host: '127.0.0.1', port: listener.smtpPort, secure: false, ignoreTLS: true });
    const written = async () =>
      (
        await pool.query<{ cases: number; messages: number; attachments: number }>(
          `SELECT (SELECT count(*)::int FROM case_log.events WHERE type = 'CaseReported') AS cases, (SELECT count(*)::int FROM intake.email_messages) AS messages, (SELECT count(*)::int FROM intake.attachments) AS attachments`,
        )
      ).rows[0];
    let deliveries = 0;
    try {
      await fc.assert(
        fc.asyncProperty(fuzzedEmail(listener.maxAttachmentBytes), async (email) => {
          const sender = `resident.${++deliveries}@fuzz.example.org`;
          const envelope = { from: { sender, null: '', 'mailer-daemon': 'MAILER-DAEMON@mx.example.org', own: REQUEST_ADDRESS }[email.envelopeFrom], to: [email.to] };
          const before = await written();
          // A new connection per message: a crashed or hung listener fails the next delivery. The
          // reply is what the sending server acts on: 250 or 550 as documented; a 451 (temporary
          // failure) means the message broke something, and would be retried for days.
          const reply = await smtp.sendMail({ envelope, raw: rawEmail(email, sender) }).then(
            (info) => Number(String(info.response).slice(0, 3)),
            (error: { responseCode?: number; message: string }) => error.responseCode ?? error.message,
          );
          const after = await written();
          const delta = { cases: after.cases - before.cases, messages: after.messages - before.messages, attachments: after.attachments - before.attachments };
          const expected = expectedOutcome(email);
          expect({ reply, expected }).toEqual({ reply: expected === 'refused' ? 550 : 250, expected });
          if (expected === 'refused' || expected === 'dropped') expect(delta).toEqual({ cases: 0, messages: 0, attachments: 0 });
          if (expected === 'case') expect(delta).toMatchObject({ cases: 1, messages: 1 });
          // Whatever the message became (a case, or information added to one), it has one record, and at most the documented attachments.
          expect(delta.messages).toBeLessThanOrEqual(1);
          expect(delta.cases).toBeLessThanOrEqual(delta.messages);
          expect(delta.attachments).toBeLessThanOrEqual(listener.maxAttachments);
        }),
        {
          numRuns: SMTP_RUNS,
          // Found by this test, each a 451 retried for days: an empty References header (mailparser
          // gives false), a From intake refuses as a reporter's, half an emoji where the name and
          // the subject are cut, a UTF-16 lone surrogate, a "street" longer than an address may be.
          // And one attachment exactly at the limit. And an empty inline forwarded message, which
          // mailparser never finished parsing: a 421 when the sender's connection timed out.
          examples: [
            emailLike({ headers: [Buffer.from('References: ')] }),
            emailLike({ from: { line: 'From: a@b', request: 'maybe' } }),
            emailLike({ from: { line: `From: "a${'😀'.repeat(60)}" <${SENDER}>`, request: 'yes' }, subject: { value: Buffer.from(`a${'😀'.repeat(300)}`), automatic: false } }),
            emailLike({ subject: { value: Buffer.from(`=?utf-16le?B?${Buffer.from('\ud83d', 'utf16le').toString('base64')}?=`), automatic: false } }),
            emailLike({ part: { headers: [Buffer.from('Content-Type: text/plain')], body: Buffer.from(`1 ${'a'.repeat(400)} St`) } }),
            emailLike({ bigAttachment: listener.maxAttachmentBytes }),
            emailLike({ part: { headers: ['Content-Type: message/rfc822; charset=utf-8', 'Content-Disposition: inline'].map((line) => Buffer.from(line)), body: Buffer.alloc(0) }, headerBlockEnds: false }),
          ].map((email) => [email] as [FuzzedEmail]),
        },
      );
    } finally {
      smtp.close();
    }
  });

  it('answers any department email action link, forged or genuine, with any form, without a 5xx, and records nothing for a work order it never sent', async () => {
    const before = await workOrderEvents();
    const now = Math.floor(Date.now() / 1000);
    const expires = fc.constantFrom(now + 86_400, now - 86_400);
    const forged = fc.record({
      department: fc.oneof(fc.constantFrom('HPD', 'hpd', 'DOT'), fc.string({ maxLength: 10 })),
      workOrderId: fc.oneof(fc.constantFrom('E-0123456789AB', '..', '%', '__proto__'), fc.string({ unit: 'binary', maxLength: 30 })),
      action: fc.oneof(fc.constantFrom('acknowledge', 'schedule', 'complete', 'reject', 'constructor', '__proto__'), fc.string({ maxLength: 12 })),
      expires: fc.oneof(expires.map(String), fc.string({ maxLength: 12 })),
      signature: fc.oneof(fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 }), fc.string({ maxLength: 70 })),
    });
    // Links as the adapter issues them (E-… ids; no such work order here), signed as email-links.ts
    // signs (it is not exported): they get past the signature to the form's own checks.
    const genuineLink = (workOrderId: string, action: string, at: number) => ({
      department: 'HPD',
      workOrderId,
      action,
      expires: String(at),
      signature: createHmac('sha256', departmentSecret('HPD')).update(`caseline-email-link.HPD.${workOrderId}.${action}.${at}`).digest('hex'),
    });
    const genuine = fc
      .tuple(fc.string({ unit: fc.constantFrom(...'0123456789ABCDEF'), minLength: 12, maxLength: 12 }), fc.constantFrom('acknowledge', 'schedule', 'complete', 'reject'), expires)
      .map(([id, action, at]) => genuineLink(`E-${id}`, action, at));
    const form = fc.array(fc.tuple(fc.constantFrom('by', 'date', 'note', 'reason', 'by[]', 'note[x]', '__proto__'), fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.constantFrom('2030-01-01', '2020-02-30', '9999-12-31', '0000-01-01', '+275760-09-13', 'x'.repeat(2001)))), { maxLength: 5 });
    const type = fc.constantFrom('application/x-www-form-urlencoded', 'application/json', 'text/plain', undefined);
    await fuzz(
      fc.tuple(fc.oneof(forged, genuine), fc.constantFrom('GET', 'POST'), form, type),
      ([link, method, fields, contentType]) => {
        const path = [link.department, 'work-orders', link.workOrderId, link.action].map(encodeURIComponent).join('/');
        const url = `${system.url('department-adapter')}/v1/department-email/${path}?${new URLSearchParams({ expires: link.expires, signature: link.signature })}`;
        const body = contentType === 'application/json' ? JSON.stringify(Object.fromEntries(fields)) : new URLSearchParams(fields).toString();
        return fetch(url, method === 'POST' ? { method, headers: contentType ? { 'content-type': contentType } : {}, body } : {});
      },
      // Found by this test: a confirmation without a content type (so without a body) was a 500.
      [[genuineLink('E-0123456789AB', 'acknowledge', now + 86_400), 'POST', [], undefined]],
    );
    expect(await workOrderEvents()).toBe(before);
  });

  it('answers any unsubscribe link, opened or confirmed, without a 5xx, and stops nothing for a link it never sent', async () => {
    const stopped = async () => [await events('NotificationsStopped'), Number((await pool.query('SELECT count(*) AS n FROM notification.suppressions')).rows[0].n)];
    const before = await stopped();
    // Shaped like a real link (a 22-character message id, a dot, a signature) or not at all.
    const messageId = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'), minLength: 22, maxLength: 22 });
    const link = fc.oneof(fc.string({ unit: 'binary', maxLength: 60 }), fc.tuple(messageId, fc.string({ maxLength: 20 })).map(([id, signature]) => `${id}.${signature}`), fc.constantFrom('.', '..', 'AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAA'));
    const body = fc.oneof(fc.string(), fc.constant('List-Unsubscribe=One-Click'));
    await fuzz(fc.tuple(link, fc.constantFrom('GET', 'POST'), body), ([path, method, form]) =>
      fetch(`${system.url('notification')}/u/${encodeURIComponent(path)}`, method === 'POST' ? { method, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form } : {}),
    );
    expect(await stopped()).toEqual(before);
  });

  it('answers any resident action from the tracking page (reopen, survey, follow, followers), genuine link or not, without a 5xx and without a write', async () => {
    const written = () => events('CaseReopened', 'SatisfactionRecorded', 'CaseFollowed');
    const before = await written();
    const reference = openCase;
    const now = Math.floor(Date.now() / 1000);
    const request = fc.record({
      reference: fc.oneof(fc.constantFrom(reference, reference.replace(/-/g, ''), '000-000-000'), fc.string({ maxLength: 14 })),
      action: fc.oneof(fc.constantFrom('reopen', 'survey', 'follow', 'followers'), fc.string({ maxLength: 10 })),
      method: fc.constantFrom('GET', 'POST'),
      token: fc.oneof(fc.constant('genuine'), fc.string({ maxLength: 30 }), fc.constant(undefined)),
      expires: fc.oneof(fc.constantFrom(String(now + 86_400), String(now - 86_400)), fc.string({ maxLength: 12 })),
      email: fc.oneof(fc.constantFrom('ana@example.org', 'a@b', ''), fc.string({ maxLength: 30 })),
      lang: fc.oneof(fc.constantFrom('en', 'es'), fc.string({ maxLength: 5 })),
      form: fc.array(fc.tuple(fc.constantFrom('reason', 'rating', 'comment', 'email', 'rating[]', 'lang'), fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.constantFrom('5', '0', '5.0', '1e0', 'ana@example.org', 'x'.repeat(2001)))), { maxLength: 5 }),
      type: fc.constantFrom('application/x-www-form-urlencoded', 'application/json', 'text/plain', undefined),
    });
    type ResidentAction = typeof request extends fc.Arbitrary<infer R> ? R : never;
    const send = ({ reference: input, action, method, token, expires, email, lang, form, type }: ResidentAction) => {
      // Genuine links, as our emails carry them, for the case (only a confirmed follow would
      // rightly record something: its link stays forged). The case is not resolved: no reopening, no survey.
      const genuine = token === 'genuine' && !(action === 'follow' && method === 'POST');
      const caseLinkToken = () => new URL(caseLinkUrl(reference, action as 'reopen' | 'survey' | 'follow', Number(expires), action === 'follow' ? email : undefined)).searchParams.get('token')!;
      const signed = action === 'followers' ? trackingToken(reference) : ['reopen', 'survey', 'follow'].includes(action) ? caseLinkToken() : 'none';
      const query = new URLSearchParams({ ...(token === undefined ? {} : { token: genuine ? signed : token }), expires, email, lang });
      const url = `${intake()}/track/${encodeURIComponent(input)}/${encodeURIComponent(action)}?${query}`;
      const body = type === 'application/json' ? JSON.stringify(Object.fromEntries(form)) : new URLSearchParams(form).toString();
      return fetch(url, method === 'POST' ? { method, headers: type ? { 'content-type': type } : {}, body } : {});
    };
    // Found by this test: a genuine "not fixed" confirmation without a content type (so without a body) was a 500.
    await fuzz(request, send, [{ reference, action: 'reopen', method: 'POST', token: 'genuine', expires: String(now + 86_400), email: '', lang: 'en', form: [], type: undefined }]);
    expect(await written()).toBe(before);
  });

  it('answers any request for Open311 XML without a 5xx, and always in well-formed XML', async () => {
    const reference = openCase;
    const fixed = ['/open311/v2/requests.xml', '/open311/v2/services.xml', '/open311/v2/servicerequestupdates.xml', '/open311/v2/discovery.xml'];
    const segment = fc.oneof(
      fc.constantFrom(reference, `${reference}~${trackingToken(reference)}`, `${reference}~`, 'STREETLIGHT', '100-000-001', '%', '%E0%A4%A', '%00', '%C0%AE', '..', '%2F'),
      fc.string({ unit: 'binary', maxLength: 30 }).map(encodeURIComponent),
    );
    const path = fc.oneof(fc.constantFrom(...fixed), fc.tuple(fc.constantFrom('tokens', 'requests', 'services'), segment).map(([collection, id]) => `/open311/v2/${collection}/${id}.xml`));
    const field = fc.oneof(fc.constantFrom('start_date', 'end_date', 'status', 'service_code', 'service_request_id', 'page', 'page_size', 'extensions', 'jurisdiction_id'), fc.string({ maxLength: 8 }));
    const value = fc.oneof(fc.string({ unit: 'binary', maxLength: 30 }), fc.constantFrom(reference, `${reference},100-000-001`, '2026-01-01T00:00:00Z', 'open,closed', '-1', '1e309', 'true', 'demo-city'));
    await fuzz(
      fc.tuple(path, fc.array(fc.tuple(field, value), { maxLength: 6 })),
      ([p, query]) => fetch(`${intake()}${p}?${new URLSearchParams(query)}`),
      [],
      ([p], response, body) => {
        const xml = (response.headers.get('content-type') ?? '').includes('xml');
        // Our routes answer in the format asked for, errors included; a path no route matches gets the framework's 404.
        if (fixed.includes(p) && !xml) throw new Error(`${p} answered ${response.headers.get('content-type')}: ${body.slice(0, 300)}`);
        if (xml && !isWellFormedXml(body)) throw new Error(`not well-formed XML: ${body.slice(0, 500)}`);
      },
    );
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
