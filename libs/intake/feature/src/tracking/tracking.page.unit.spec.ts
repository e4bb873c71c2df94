import { createHash } from 'node:crypto';
import type { CaseEvent, CaseEventEnvelope } from '@caseline/case-contracts';
import { escapeHtml, type CaseLog } from '@caseline/service-kit';
import type { PersonalDataVault } from '@caseline/personal-data';
import { chooseLanguage, languageFromAcceptLanguage } from './i18n';
import { PublicCases, toPublicCase } from './public-case';
import {
  PALETTE,
  renderCasePage,
  renderErrorPage,
  renderInvalidReferencePage,
  renderLookupPage,
  renderNotFoundPage,
  TRACKING_HEADERS,
} from './tracking.page';

const REFERENCE = '100-000-019';
const TOKEN = 'tok&en"<x>';

let version = 0;
const envelope = (event: CaseEvent, at: string): CaseEventEnvelope => ({
  eventId: `e-${++version}`,
  caseId: 'case-1',
  caseVersion: version,
  type: event.type,
  schemaVersion: 1,
  data: event.data,
  metadata: { actor: { kind: 'service', id: 'x', name: 'X' }, at, correlationId: 'case-1' },
  globalPosition: String(version),
  recordedAt: at,
});

// Everything in here that is personal or internal must never reach a public page.
const SECRETS = ['Ana Diaz', 'ana.secret@example.org', 'ANA.SECRET', '555-0100', 'a***@example.org', 'streets-lighting', 'WO-000123', 'DOT work-order system', '422 Unprocessable', 'SMTP 550', 'CREW-NOTE'];

const reported = (overrides: Partial<Extract<CaseEvent, { type: 'CaseReported' }>['data']> = {}): CaseEvent => ({
  type: 'CaseReported',
  data: {
    reference: REFERENCE,
    serviceCode: 'STREETLIGHT',
    serviceName: 'Streetlight out',
    description: 'The light on the corner is dark',
    location: { lat: 40.7484, long: -73.9857, address: '350 5th Ave' },
    channel: 'web',
    reporter: { name: 'Ana Diaz', email: 'ana.secret@example.org', phone: '+1 212-555-0100', language: 'es' },
    ...overrides,
  },
});

const fullHistory = (): CaseEventEnvelope[] => [
  // 03:30 UTC on the 15th is still the 14th in New York.
  envelope(reported(), '2026-01-15T03:30:00.000Z'),
  envelope({ type: 'ResidentNotified', data: { notificationId: 'n-1', purpose: 'received', channel: 'email', recipient: 'a***@example.org' } }, '2026-01-15T03:30:05.000Z'),
  envelope(
    {
      type: 'CaseRouted',
      data: {
        department: 'DOT',
        departmentName: 'Department of Transportation',
        priority: 'normal',
        dueAt: '2026-07-01T02:00:00.000Z',
        rule: { id: 'streets-lighting', version: 3, description: 'Streetlights go to DOT' },
        matched: { serviceCode: 'STREETLIGHT' },
      },
    },
    '2026-01-15T03:30:01.000Z',
  ),
  envelope({ type: 'WorkOrderRefused', data: { department: 'DOT', system: 'DOT work-order system', reason: '422 Unprocessable Content' } }, '2026-01-15T03:31:00.000Z'),
  envelope({ type: 'WorkOrderCreated', data: { department: 'DOT', system: 'DOT work-order system', workOrderId: 'WO-000123' } }, '2026-01-15T04:00:00.000Z'),
  envelope(
    {
      type: 'WorkOrderStatusChanged',
      data: { department: 'DOT', workOrderId: 'WO-000123', status: 'scheduled', departmentStatus: 'SCHED', note: 'CREW-NOTE ring Ana', scheduledFor: '2026-01-20T15:00:00.000Z' },
    },
    '2026-01-16T14:00:00.000Z',
  ),
  envelope({ type: 'ResidentNotificationFailed', data: { notificationId: 'n-2', purpose: 'received', channel: 'email', reason: 'SMTP 550' } }, '2026-01-16T14:01:00.000Z'),
];

const pageOf = (history: CaseEventEnvelope[], language: 'en' | 'es') => renderCasePage(toPublicCase(history)!, { language, token: TOKEN });
const plain = (html: string) => html.replace(/\u202f|&nbsp;/g, ' ');

describe('public case view', () => {
  it('keeps the reporter’s contact, recipients, rule ids, work orders and system names out', () => {
    const view = toPublicCase(fullHistory())!;
    const everything = JSON.stringify(view) + pageOf(fullHistory(), 'en') + pageOf(fullHistory(), 'es');
    for (const secret of SECRETS) expect(everything.toLowerCase()).not.toContain(secret.toLowerCase());
    expect(view).toMatchObject({
      reference: REFERENCE,
      status: 'scheduled',
      serviceName: 'Streetlight out',
      description: 'The light on the corner is dark',
      department: 'Department of Transportation',
      expectedAt: '2026-07-01T02:00:00.000Z',
      reportedAt: '2026-01-15T03:30:00.000Z',
      updatedAt: '2026-01-16T14:01:00.000Z',
      location: { lat: 40.7484, long: -73.9857, address: '350 5th Ave' },
      language: 'es',
    });
    expect(Object.keys(view)).not.toContain('reporter');
    expect(view.events).toHaveLength(fullHistory().length);
  });

  it('is nothing for a case with no events', () => {
    expect(toPublicCase([])).toBeUndefined();
  });

  it('says how a resolved case ended, with the department’s note the resident was also emailed', () => {
    const history = [
      ...fullHistory(),
      envelope({ type: 'CaseResolved', data: { resolution: 'fixed', note: 'Lamp replaced' } }, '2026-01-20T16:00:00.000Z'),
    ];
    const view = toPublicCase(history)!;
    expect(view.status).toBe('resolved');
    expect(view.resolvedAt).toBe('2026-01-20T16:00:00.000Z');
    expect(view.events.at(-1)!.what).toEqual({
      en: 'Resolved: the problem was fixed. The department says: “Lamp replaced”',
      es: 'Resuelta: el problema fue reparado. El departamento informa: «Lamp replaced»',
    });
    expect(pageOf(history, 'es')).toContain('badge-resolved">Resuelta</strong>');
  });
});

describe('tracking pages', () => {
  it('escapes everything that came from a person or a department', () => {
    const history = [
      envelope(
        reported({
          serviceName: 'Light <b>out</b>',
          description: '<script>alert("x")</script> & \'quoted\'',
          location: { address: '"><img src=x onerror=alert(1)>' },
        }),
        '2026-01-15T03:30:00.000Z',
      ),
    ];
    for (const language of ['en', 'es'] as const) {
      const html = pageOf(history, language);
      expect(html).not.toMatch(/<script|<img|<b>/i);
      expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39;');
      expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
      // The token goes into the language link escaped and URL-encoded, never raw.
      expect(html).not.toContain(TOKEN);
      expect(html).toContain(`href="?token=tok%26en%22%3Cx%3E&amp;lang=${language === 'en' ? 'es' : 'en'}"`);
    }
    expect(renderInvalidReferencePage('en', '<svg onload=alert(1)>')).toContain('value="&lt;svg onload=alert(1)&gt;"');
    expect(renderLookupPage('en', { reference: '"><x', email: '<e>', error: 'notFound' })).not.toMatch(/<x|<e>/);
    expect(escapeHtml(`<>&"'`)).toBe('&lt;&gt;&amp;&quot;&#39;');
  });

  it('speaks English and Spanish, with lang set and a link to the other language', () => {
    const en = pageOf(fullHistory(), 'en');
    const es = pageOf(fullHistory(), 'es');
    expect(en).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(es).toMatch(/^<!doctype html>\n<html lang="es">/);
    expect(en).toContain('<strong class="badge badge-scheduled">Scheduled</strong>');
    expect(es).toContain('<strong class="badge badge-scheduled">Programada</strong>');
    expect(en).toContain('Assigned to Department of Transportation.');
    expect(es).toContain('Asignada a Department of Transportation.');
    expect(en).toContain('lang="es" hreflang="es">Español</a>');
    expect(es).toContain('lang="en" hreflang="en">English</a>');
    expect(es).toContain('Saltar al contenido principal');
    expect(es).not.toContain('What happened');
    expect(renderLookupPage('es')).toContain('<html lang="es">');
    expect(renderNotFoundPage('es')).toContain('No encontramos esa solicitud');
    expect(renderErrorPage('en')).toContain('Something went wrong');
  });

  it('writes every date in New York time, in the page’s language, with a machine-readable datetime', () => {
    const en = plain(pageOf(fullHistory(), 'en'));
    const es = plain(pageOf(fullHistory(), 'es'));
    // Reported 2026-01-15T03:30Z = 10:30 PM on January 14 in New York (EST).
    expect(en).toContain('<time datetime="2026-01-15T03:30:00.000Z">January 14, 2026 at 10:30 PM EST</time>');
    expect(es).toContain('<time datetime="2026-01-15T03:30:00.000Z">14 de enero de 2026 a las 10:30 p.m. EST</time>');
    // Due 2026-07-01T02:00Z is still June 30 in New York (EDT).
    expect(en).toContain('<time datetime="2026-07-01T02:00:00.000Z">Tuesday, June 30, 2026</time>');
    expect(es).toContain('<time datetime="2026-07-01T02:00:00.000Z">martes, 30 de junio de 2026</time>');
    expect(en).toContain('The work is scheduled for Tuesday, January 20, 2026.');
    expect(es).toContain('El trabajo está programado para el martes, 20 de enero de 2026.');
  });

  it('lists what happened as an ordered timeline, oldest first', () => {
    const html = pageOf(fullHistory(), 'en');
    const timeline = /<ol class="timeline">([\s\S]*?)<\/ol>/.exec(html)![1];
    const stamps = [...timeline.matchAll(/<time datetime="([^"]+)"/g)].map((m) => m[1]);
    expect(stamps).toEqual(fullHistory().map((e) => e.metadata.at));
    expect(timeline).toContain('Request “Streetlight out” received on the web.');
    expect(timeline).toContain('We sent you a confirmation by email.');
  });

  it('pins the place: coordinates and an OpenStreetMap link, or the address alone', () => {
    const html = pageOf(fullHistory(), 'en');
    expect(html).toContain('href="https://www.openstreetmap.org/?mlat=40.748400&amp;mlon=-73.985700#map=18/40.748400/-73.985700"');
    expect(html).toContain('Latitude 40.74840, longitude −73.98570');
    expect(html).toMatch(/<svg[^>]*aria-hidden="true"/);
    const addressOnly = pageOf([envelope(reported({ location: { address: '1 Main St & 2nd' } }), '2026-01-15T03:30:00.000Z')], 'es');
    expect(addressOnly).toContain('1 Main St &amp; 2nd');
    expect(addressOnly).toContain('https://www.openstreetmap.org/search?query=1%20Main%20St%20%26%202nd');
    expect(addressOnly).toContain('Aún sin asignar');
  });

  it('sends the security headers, and the CSP allows exactly the inline stylesheet it serves', () => {
    expect(TRACKING_HEADERS).toMatchObject({ 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer', 'Cache-Control': 'no-store' });
    const csp = TRACKING_HEADERS['Content-Security-Policy'];
    expect(csp).toMatch(/^default-src 'none';/);
    expect(csp).toContain("img-src 'self' data:");
    expect(csp).toContain("form-action 'self'");
    for (const html of [pageOf(fullHistory(), 'en'), renderLookupPage('es'), renderNotFoundPage('en'), renderInvalidReferencePage('es', '1')]) {
      const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]);
      expect(styles).toHaveLength(1);
      expect(csp).toContain(`'sha256-${createHash('sha256').update(styles[0]).digest('base64')}'`);
      expect(html).not.toMatch(/\sstyle=|<script|\son[a-z]+=/i);
    }
  });
});

describe('tracking pages: accessibility checks', () => {
  const pages = {
    case: pageOf(fullHistory(), 'en'),
    lookup: renderLookupPage('en', { error: 'missing' }),
    notFound: renderNotFoundPage('es'),
    invalid: renderInvalidReferencePage('en', '123'),
    error: renderErrorPage('es'),
  };

  it.each(Object.entries(pages))('%s page: one h1, a skip link to main first, every input labelled, unique ids', (_name, html) => {
    expect(html.match(/<h1[\s>]/g)).toHaveLength(1);
    const firstLink = /<a [^>]*>/.exec(html)![0];
    expect(firstLink).toContain('href="#main"');
    expect(html).toContain('<main id="main" tabindex="-1">');
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
    for (const input of html.match(/<input [^>]*>/g) ?? []) {
      if (input.includes('type="hidden"')) continue;
      const id = /\sid="([^"]+)"/.exec(input)?.[1];
      expect(id).toBeDefined();
      expect(html).toContain(`<label for="${id}">`);
    }
    for (const described of html.matchAll(/aria-describedby="([^"]+)"/g)) {
      for (const id of described[1].split(' ')) expect(ids).toContain(id);
    }
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
  });

  // WCAG 2.x relative luminance and contrast ratio.
  const luminance = (hex: string) => {
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const contrast = (a: string, b: string) => {
    const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (light + 0.05) / (dark + 0.05);
  };

  it.each(Object.entries(PALETTE))('colour pair %s has a contrast of at least 4.5:1', (_name, { fg, bg }) => {
    expect(contrast(fg, bg)).toBeGreaterThanOrEqual(4.5);
  });

  it('the focus ring (dark outline on light backgrounds, yellow on the dark header) stands out by at least 3:1', () => {
    for (const background of [PALETTE.text.bg, PALETTE.panelText.bg, PALETTE.error.bg]) expect(contrast(PALETTE.focus.fg, background)).toBeGreaterThanOrEqual(3);
    expect(contrast(PALETTE.focus.bg, PALETTE.header.bg)).toBeGreaterThanOrEqual(3);
  });
});

describe('language choice', () => {
  it('takes ?lang=, then the reporter’s language, then Accept-Language, then English', () => {
    expect(chooseLanguage({ query: 'en', reporter: 'es', acceptLanguage: 'es' })).toBe('en');
    expect(chooseLanguage({ query: 'fr', reporter: 'es', acceptLanguage: 'en' })).toBe('es');
    expect(chooseLanguage({ acceptLanguage: 'es-MX,es;q=0.9' })).toBe('es');
    expect(chooseLanguage({})).toBe('en');
  });

  it('reads Accept-Language by quality, skipping languages we do not speak', () => {
    expect(languageFromAcceptLanguage('fr-CA, es;q=0.8, en;q=0.5')).toBe('es');
    expect(languageFromAcceptLanguage('en;q=0.2, es-US;q=0.9')).toBe('es');
    expect(languageFromAcceptLanguage('es;q=0, en')).toBe('en');
    expect(languageFromAcceptLanguage('de')).toBeUndefined();
    expect(languageFromAcceptLanguage(undefined)).toBeUndefined();
  });
});

describe('PublicCases.matchesReporterEmail', () => {
  // A vault that opens one sealed value (schema 2) and finds every other key destroyed.
  const vault = { open: async (sealed: { k: string }) => (sealed.k === 'live-key' ? { name: 'Ana', email: 'Ana.Sealed@example.org' } : undefined) } as unknown as PersonalDataVault;
  const casesWith = (history: CaseEventEnvelope[]) => new PublicCases({ history: async () => history } as unknown as CaseLog, vault);

  it('matches the reporter’s email whatever its case and surrounding spaces', async () => {
    const cases = casesWith(fullHistory());
    expect(await cases.matchesReporterEmail(REFERENCE, '  Ana.Secret@Example.ORG ')).toBe(true);
    expect(await cases.matchesReporterEmail(REFERENCE, 'someone@example.org')).toBe(false);
    expect(await cases.matchesReporterEmail(REFERENCE, '')).toBe(false);
  });

  it('matches a sealed reporter’s email, and nothing once it is erased', async () => {
    const sealedWith = (k: string) => casesWith([envelope(reported({ reporter: { language: 'en' }, personal: { k, iv: '', ct: '' } }), '2026-01-15T03:30:00.000Z')]);
    expect(await sealedWith('live-key').matchesReporterEmail(REFERENCE, 'ana.sealed@example.org')).toBe(true);
    expect(await sealedWith('destroyed-key').matchesReporterEmail(REFERENCE, 'ana.sealed@example.org')).toBe(false);
  });

  it('matches nothing for a case without an email, or no case at all', async () => {
    expect(await casesWith([envelope(reported({ reporter: { phone: '555' } }), '2026-01-15T03:30:00.000Z')]).matchesReporterEmail(REFERENCE, 'x@example.org')).toBe(false);
    expect(await casesWith([]).matchesReporterEmail(REFERENCE, 'ana.secret@example.org')).toBe(false);
  });
});
