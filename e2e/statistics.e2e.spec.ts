import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, chromium } from 'playwright-core';
import type { FiguresReport } from '@caseline/statistics-domain';
import { waitFor } from '@caseline/testing';
import { ARTIFACTS, chromiumPath } from './browser';
import { streetlightReport, withWholeSystem } from './case-api';

/** Today in the demo city (America/New_York): the figures' days are its local days. */
const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());

/*
 * The statistics service on the whole running system: cases reported through intake reach the
 * figures (the projection follows the log), the numbers lead to the cases behind them, tables export
 * as CSV, bad filters get a clear 400, and the dashboard and the weekly report render in a real
 * headless Chromium (screenshots in test-artifacts/), with nothing personal anywhere.
 */
describe('the city’s figures (statistics service)', () => {
  const the = withWholeSystem(['statistics']);
  const email = `stats.${randomUUID()}@example.org`;
  const references: string[] = [];
  const url = (path: string) => `${the.system.url('statistics')}${path}`;
  const asSupervisor = (path: string) => the.system.fetchAs('sam.supervisor', url(path));

  beforeAll(async () => {
    for (let i = 0; i < 3; i++) references.push((await the.api.submit(streetlightReport(email))).reference);
    // Routed, so they count for their department.
    for (const reference of references) await the.api.waitForHistory(reference, ['CaseReported', 'CaseRouted'], `${reference} routed`);
  });

  it('counts the cases reported today, for their department, and lists them behind the number', async () => {
    const day = today();
    const cases = await waitFor(async () => {
      const response = await asSupervisor(`/v1/statistics/cases?measure=received&from=${day}&to=${day}&limit=1000`);
      const body = (await response.json()) as { cases: { reference: string; departmentName: string; status: string }[] };
      return references.every((reference) => body.cases.some((c) => c.reference === reference && c.departmentName !== '')) && body.cases;
    }, 'the projection to count the new cases');
    const ours = cases.filter((c) => references.includes(c.reference));
    expect(new Set(ours.map((c) => c.status))).toEqual(new Set(['open']));
    const report = (await (await asSupervisor(`/v1/statistics/figures?from=${day}&to=${day}`)).json()) as FiguresReport;
    expect(report.city.received).toBeGreaterThanOrEqual(3);
    expect(report.city.receivedByChannel.web).toBeGreaterThanOrEqual(3);
    const department = report.departments.find((row) => row.name === ours[0].departmentName);
    expect(department?.received).toBeGreaterThanOrEqual(3);
    expect(report.asOf.events).toBeGreaterThan(0);
    expect(JSON.stringify(report)).not.toContain(email);
    expect(JSON.stringify(cases)).not.toContain(email);
  });

  it('exports any table and the cases behind a number as CSV', async () => {
    const day = today();
    const table = await asSupervisor(`/v1/statistics/figures.csv?table=departments&from=${day}&to=${day}`);
    expect(table.status).toBe(200);
    expect(table.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(table.headers.get('content-disposition')).toMatch(/attachment; filename="caseline-departments-/);
    const list = await (await asSupervisor(`/v1/statistics/cases?measure=received&from=${day}&to=${day}&format=csv`)).text();
    expect(list.split('\r\n')[0]).toMatch(/^reference,service,serviceName,department/);
    for (const reference of references) expect(list).toContain(reference);
    expect(list).not.toContain(email);
  });

  it.each([
    ['/v1/statistics/figures?from=2026-02-30', 'from', 'isDate'],
    ['/v1/statistics/figures?from=2026-03-02&to=2026-03-01', 'from', 'notAfterTo'],
    ['/v1/statistics/figures?from=2020-01-01&to=2026-01-01', 'to', 'maxPeriod'],
    ['/v1/statistics/figures?department=%3Cscript%3E', 'department', 'isCode'],
    ['/v1/statistics/cases?measure=everything', 'measure', 'isIn'],
    ['/v1/statistics/cases?limit=0', 'limit', 'range'],
    ['/v1/statistics/cases?after=nonsense', 'after', 'isCursor'],
    ['/v1/statistics/figures.csv?table=secrets', 'table', 'isIn'],
  ])('%s → 400 naming %s (%s)', async (path, field, rule) => {
    const response = await asSupervisor(path);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const problem = (await response.json()) as { errors: { field: string; rule: string }[] };
    expect(problem.errors).toContainEqual(expect.objectContaining({ field, rule }));
  });

  describe('in a real browser', () => {
    let browser: Browser;
    const problems: string[] = [];

    beforeAll(async () => {
      mkdirSync(ARTIFACTS, { recursive: true });
      browser = await chromium.launch({ executablePath: chromiumPath() });
    });
    afterAll(() => browser?.close());

    it('shows the dashboard with charts, the map of areas and linked numbers, on the city’s own page only', async () => {
      // Staff reach it through the city's sign-in proxy, which adds their token (ADR 0016).
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, extraHTTPHeaders: await the.system.as('sam.supervisor') });
      context.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
      context.on('request', (request) => !request.url().startsWith(the.system.url('statistics')) && problems.push(`fetched ${request.url()}`));
      const page = await context.newPage();
      const day = today();
      const response = await page.goto(url(`/statistics?from=${day}&to=${day}`));
      expect(response?.status()).toBe(200);
      expect(await page.getAttribute('html', 'lang')).toBe('en');
      await expect(page.locator('h2', { hasText: 'Headline figures' }).count()).resolves.toBe(1);
      // The demo city's ten council districts, each a shape linking to its own figures.
      expect(await page.locator('svg a path, svg a polygon').count()).toBeGreaterThanOrEqual(10);
      expect(await page.locator(`a[href*="/v1/statistics/cases"][href*="measure=received"]`).count()).toBeGreaterThan(0);
      expect(await page.locator(`a[href*="/v1/statistics/figures.csv"]`).count()).toBeGreaterThanOrEqual(3);
      expect(await page.content()).not.toContain(email);
      await page.screenshot({ path: join(ARTIFACTS, 'statistics-dashboard.png'), fullPage: true });

      const report = await page.goto(url('/statistics/report'));
      expect(report?.status()).toBe(200);
      await expect(page.locator('h1').innerText()).resolves.toMatch(/CitiStat weekly report/);
      await page.emulateMedia({ media: 'print' });
      await page.screenshot({ path: join(ARTIFACTS, 'statistics-weekly-report.png'), fullPage: true });
      await context.close();
      expect(problems).toEqual([]);
    });

    it('asks who you are without a token, and refuses someone without the permission', async () => {
      expect((await fetch(url('/statistics'))).status).toBe(401);
      expect((await the.system.fetchAs('prometheus', url('/statistics'))).status).toBe(403);
    });
  });
});
