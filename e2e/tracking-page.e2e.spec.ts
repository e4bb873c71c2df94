import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import { formatReference } from '@caseline/intake-domain';
import { trackingToken } from '@caseline/service-kit';
import { waitFor } from '@caseline/testing';
import { ARTIFACTS, chromiumPath } from './browser';
import { streetlightReport, withWholeSystem } from './case-api';

// The public tracking page in a real headless Chromium (Debian's `chromium`, found or installed by
// tools/dev/chromium.sh), on a phone-sized screen. Without a browser this fails; it never skips.

const PHONE = { width: 360, height: 740 };

/** What has keyboard focus, and whether a sighted keyboard user can see it. */
const focused = (page: Page) =>
  page.locator(':focus').evaluate((element) => {
    const view = element.ownerDocument.defaultView;
    const style = view.getComputedStyle(element);
    const box = element.getBoundingClientRect();
    return {
      tag: element.tagName.toLowerCase() as string,
      id: element.id as string,
      text: (element.textContent ?? '').trim() as string,
      href: element.getAttribute('href') as string | null,
      outline: `${style.outlineStyle} ${style.outlineWidth}`,
      onScreen: box.width > 0 && box.height > 0 && box.top >= 0 && box.left >= 0 && box.bottom <= view.innerHeight && box.right <= view.innerWidth,
    };
  });

describe('the public tracking page, in a real browser on a phone', () => {
  let browser: Browser;
  let context: BrowserContext;
  const problems: string[] = [];

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: chromiumPath() });
    // An English-speaking browser: the Spanish page must come from the reporter's own choice.
    context = await browser.newContext({ viewport: PHONE, locale: 'en-US', isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    // CSP violations and script errors; and any fetch besides the page itself (no favicon, image,
    // font or third-party request: the page stands alone).
    context.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) problems.push(message.text());
    });
    context.on('weberror', (error) => problems.push(error.error().message));
    context.on('request', (request) => {
      if (request.resourceType() !== 'document') problems.push(`${request.resourceType()} ${request.url()}`);
    });
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 10 * 60_000);

  const the = withWholeSystem();

  afterAll(async () => {
    await browser?.close();
  });

  const reportInSpanish = async (email: string, location?: { lat: number; long: number }) => {
    const response = await the.api.report({
      ...streetlightReport(email),
      ...(location ? { location } : {}),
      description: 'La luz de la esquina está apagada <b>desde el lunes</b>',
      reporter: { name: 'Lucía Pérez', email, phone: '+1 212 555 0199', language: 'es' },
    });
    expect(response.status).toBe(201);
    return (await response.json()) as { reference: string; trackingUrl: string };
  };

  it('shows a resident their case in their language, with the department, the history and a map pin, and nothing personal', async () => {
    const email = `lucia.${randomUUID()}@example.org`;
    const { reference, trackingUrl } = await reportInSpanish(email, { lat: 40.758, long: -73.9855 }); // Times Square: a light no other spec reports
    expect(trackingUrl).toMatch(new RegExp(`^${the.system.url('intake')}/track/${reference}\\?token=[\\w-]{22}$`));
    await the.api.waitForHistory(reference, ['CaseRouted', 'WorkOrderCreated'], 'the case to be routed');

    const page = await context.newPage();
    const response = (await page.goto(trackingUrl))!;
    expect(response.status()).toBe(200);
    const headers = response.headers();
    expect(headers['content-type']).toBe('text/html; charset=utf-8');
    expect(headers['content-security-policy']).toMatch(/^default-src 'none'; style-src 'sha256-[^']+'; img-src 'self' data:; form-action 'self'/);
    expect(headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'cache-control': 'no-store', 'content-language': 'es' });

    // Spanish, because the resident reported in Spanish, though this browser asks for English.
    expect(await page.getAttribute('html', 'lang')).toBe('es');
    await expect(page.title()).resolves.toContain(`Solicitud ${reference}`);
    expect(await page.locator('h1').innerText()).toBe(`Solicitud ${reference}`);
    expect(await page.locator('.badge').innerText()).toBe('Asignada');
    expect(await page.locator('.facts').innerText()).toContain('Department of Transportation');
    expect(await page.locator('.facts').innerText()).toContain('Fecha prevista');
    const timeline = page.locator('ol.timeline > li');
    expect(await timeline.count()).toBeGreaterThanOrEqual(3);
    expect(await timeline.nth(0).locator('p').innerText()).toBe('Solicitud «Streetlight out» recibida en la web.');
    expect(await page.locator('ol.timeline').innerText()).toContain('Asignada a Department of Transportation.');
    expect(await timeline.locator('time[datetime]').count()).toBe(await timeline.count());
    expect(await page.locator('.description').innerText()).toBe('La luz de la esquina está apagada <b>desde el lunes</b>');
    const map = page.getByRole('link', { name: /Ver en el mapa/ });
    expect(await map.getAttribute('href')).toBe('https://www.openstreetmap.org/?mlat=40.758000&mlon=-73.985500#map=18/40.758000/-73.985500');
    expect(await page.locator('.coords').innerText()).toBe('Latitud 40.75800, longitud −73.98550');

    // Nothing personal, in the HTML as served and as rendered.
    for (const html of [await response.text(), await page.content()]) {
      for (const secret of [email, email.split('@')[0], 'Lucía', 'Pérez', '555 0199', '***']) expect(html).not.toContain(secret);
    }

    // The inline stylesheet is allowed by its CSP hash (so it applied), nothing was blocked, and a
    // 360px-wide phone needs no sideways scrolling.
    expect(await page.locator('.badge').evaluate((badge) => badge.ownerDocument.defaultView.getComputedStyle(badge).borderTopWidth)).toBe('2px');
    expect(await page.locator('html').evaluate((html) => html.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    expect(await page.locator('input:not([type=hidden])').evaluateAll((inputs) => inputs.filter((input) => input.labels.length === 0).length)).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, 'tracking-page.png'), fullPage: true });

    // Keyboard: the first Tab lands on a visible skip link with a visible focus ring; Enter moves to the content.
    await page.keyboard.press('Tab');
    const skip = await focused(page);
    expect(skip).toMatchObject({ tag: 'a', href: '#main', text: 'Saltar al contenido principal', onScreen: true });
    expect(skip.outline).toBe('solid 3px');
    await page.keyboard.press('Enter');
    expect((await focused(page)).id).toBe('main');
    await page.keyboard.press('Shift+Tab');
    const languageLink = await focused(page);
    expect(languageLink).toMatchObject({ tag: 'a', text: 'English', onScreen: true });
    expect(languageLink.outline).toBe('solid 3px');

    // The language switch keeps the token and turns the page into English.
    await page.getByRole('link', { name: 'English' }).click();
    await page.waitForURL(/lang=en/);
    expect(page.url()).toContain(`token=${trackingToken(reference)}`);
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.locator('.badge').innerText()).toBe('Assigned');
    expect(await page.locator('#happened').innerText()).toBe('What happened');
    expect(await page.locator('ol.timeline').innerText()).toContain('Assigned to Department of Transportation.');

    // When the department completes the work, the page says so.
    const orders = (await (await fetch(`${the.system.url('department-simulator')}/work-orders`)).json()) as { id: string; caseReference: string }[];
    const order = orders.find((o) => o.caseReference === reference)!;
    await fetch(`${the.system.url('department-simulator')}/work-orders/${order.id}/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'completed', note: 'Lamp replaced' }),
    });
    await waitFor(async () => (await the.api.find(reference)).status === 'resolved', 'the case to be resolved');
    // The public view may be up to PUBLIC_VIEW_CACHE_MS (1 s) behind the log.
    await waitFor(async () => {
      await page.reload();
      return (await page.locator('.badge').innerText()) === 'Resolved';
    }, 'the page to show the case resolved');
    expect(await page.locator('ol.timeline').innerText()).toContain('Resolved: the problem was fixed. The department says: “Lamp replaced”');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('finds a case from the lookup form with its reference number and the reporter’s email', async () => {
    const email = `marta.${randomUUID()}@example.org`;
    const { reference } = await reportInSpanish(email);

    const page = await context.newPage();
    const response = (await page.goto(`${the.system.url('intake')}/track`))!;
    expect(response.status()).toBe(200);
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    // Typed the way people type it: no dashes, and the email in other capitals.
    await page.getByLabel('Reference number').fill(reference.replace(/-/g, ''));
    await page.getByLabel('Email address you reported with').fill(email.toUpperCase());
    await page.getByRole('button', { name: 'Show my request' }).click();
    await page.waitForURL(new RegExp(`/track/${reference}\\?token=`));
    expect(await page.locator('h1').innerText()).toBe(`Solicitud ${reference}`);
    expect(await page.content()).not.toContain(email);

    // Another email: the same "not found" answer as for a case that does not exist.
    await page.goto(`${the.system.url('intake')}/track?lang=es`);
    await page.getByLabel('Número de referencia').fill(reference);
    await page.getByLabel('Correo electrónico con el que hizo el reporte').fill('someone.else@example.org');
    await page.getByRole('button', { name: 'Ver mi solicitud' }).click();
    await expect(page.getByRole('alert').innerText()).resolves.toContain('No encontramos una solicitud con ese número de referencia y ese correo electrónico');
    expect(await page.getAttribute('html', 'lang')).toBe('es');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('answers a wrong token exactly like a case that does not exist, and explains a malformed reference', async () => {
    const { reference } = await reportInSpanish(`nora.${randomUUID()}@example.org`);
    const intake = the.system.url('intake');

    const page = await context.newPage();
    const wrong = (await page.goto(`${intake}/track/${reference}?token=${'x'.repeat(22)}`))!;
    expect(wrong.status()).toBe(404);
    expect(await page.locator('h1').innerText()).toBe('We could not find that request');
    expect(await page.content()).not.toContain('Streetlight');
    const missingToken = await fetch(`${intake}/track/${reference}`, { headers: { 'accept-language': 'en' } });
    const unknown = formatReference(99_999_998);
    const noSuchCase = await fetch(`${intake}/track/${unknown}?token=${trackingToken(unknown)}`, { headers: { 'accept-language': 'en' } });
    expect([missingToken.status, noSuchCase.status]).toEqual([404, 404]);
    const notFound = await noSuchCase.text();
    expect(await missingToken.text()).toBe(notFound);
    expect(await wrong.text()).toBe(notFound);

    for (const malformed of ['12345', reference.slice(0, -1) + ((Number(reference.at(-1)) + 1) % 10)]) {
      const answer = await fetch(`${intake}/track/${malformed}?token=abc`);
      expect(answer.status).toBe(400);
      expect(answer.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await answer.text()).toContain('nine digits, like 100-000-123');
    }
    await page.close();
  });

  it('redirects the form’s POST and GET lookups to the tokenized page with 303', async () => {
    const email = `omar.${randomUUID()}@example.org`;
    const { reference, trackingUrl } = await reportInSpanish(email);
    const intake = the.system.url('intake');
    const posted = await fetch(`${intake}/track`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ reference, email, lang: 'en' }).toString(),
    });
    expect(posted.status).toBe(303);
    expect(posted.headers.get('location')).toBe(`/track/${reference}?token=${trackingToken(reference)}&lang=en`);
    expect(trackingUrl).toBe(`${intake}/track/${reference}?token=${trackingToken(reference)}`);

    const viaGet = await fetch(`${intake}/track?${new URLSearchParams({ reference: reference.replace(/-/g, ' '), token: trackingToken(reference) })}`, { redirect: 'manual' });
    expect(viaGet.status).toBe(303);
    expect(viaGet.headers.get('location')).toBe(`/track/${reference}?token=${trackingToken(reference)}`);

    const missing = await fetch(`${intake}/track`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'reference=&email=' });
    expect(missing.status).toBe(400);
    expect(missing.headers.get('content-type')).toBe('text/html; charset=utf-8');
  });
});
