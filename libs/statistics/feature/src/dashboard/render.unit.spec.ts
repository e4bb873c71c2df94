import { SHADES } from './charts';
import { dashboardHeaders, PALETTE, renderDashboard } from './render';
import { contrast, emptyReport, linksIn, pathOf, sampleOptions, sampleReport, sectionOf, SHAPES, textOf, tileValue } from './sample-report.fixture';

const FILTER = { from: '2026-01-05', to: '2026-03-01', service: 'POTHOLE' };
const report = sampleReport({ filter: FILTER });
const html = renderDashboard(report, sampleOptions());
const links = linksIn(html);
const drillDowns = links.filter((url) => url.pathname === '/v1/statistics/cases');

describe('the CitiStat dashboard', () => {
  it('is a whole English page whose one stylesheet carries the nonce, with no script and nothing to fetch', () => {
    expect(html).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html.match(/<style/g)).toHaveLength(1);
    expect(html).toContain('<style nonce="n0nce-abc">');
    expect(html).not.toMatch(/<script|\sstyle="|\ssrc=|https?:\/\//i);
    expect(dashboardHeaders('n0nce-abc')['Content-Security-Policy']).toBe(
      "default-src 'none'; style-src 'nonce-n0nce-abc'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    );
  });

  it('shows the headline figures, durations for people and last year’s comparison', () => {
    expect(tileValue(html, 'Received')).toBe('6,460');
    expect(tileValue(html, 'Resolved')).toBe('5,814');
    expect(tileValue(html, 'Time to first action, median')).toBe('3.2 h');
    expect(tileValue(html, 'Time to resolve, median')).toBe('4.5 days');
    expect(tileValue(html, 'Deadlines met')).toBe('83%');
    expect(tileValue(html, 'Overdue now')).toBe('337');
    expect(tileValue(html, 'Open backlog')).toBe('1,615');
    expect(tileValue(html, 'Resolved at first contact')).toBe('12%');
    expect(tileValue(html, 'Repeat contacts')).toBe('517');
    expect(tileValue(html, 'Referred on')).toBe('323');
    expect(tileValue(html, 'Reopened')).toBe('2.1%');
    expect(tileValue(html, 'Satisfaction')).toBe('4.1 of 5');
    expect(tileValue(html, 'Received vs. last year')).toBe('+9.7%');
    const tiles = textOf(sectionOf(html, 'headline'));
    expect(tiles).toContain('Web 2,584 · Mobile app 1,615 · Phone 2,258 · In person 3');
    expect(tiles).toContain('90th percentile: 16.7 days');
    expect(tiles).toContain('791 late of 4,651 resolved with a deadline');
    expect(tiles).toContain('Same days last year: 5,890 (+9.7%)');
    expect(tiles).toContain('0.09 per original case');
    expect(tiles).toContain('Mean hops: 1.30');
  });

  it('links every count of cases to its drill-down, keeping the active filter', () => {
    const measures = new Set(drillDowns.map((url) => url.searchParams.get('measure')));
    expect([...measures].sort()).toEqual(['backlog', 'first-contact', 'late', 'overdue', 'received', 'repeat', 'resolved']);
    // All keep the filter's request type, but the top types per area, which link to their own.
    const typeLinks = linksIn(sectionOf(html, 'types')).map(pathOf);
    for (const url of drillDowns.filter((link) => !typeLinks.includes(pathOf(link)))) expect(url.searchParams.get('service')).toBe('POTHOLE');
    const paths = drillDowns.map(pathOf);
    expect(paths).toContain('/v1/statistics/cases?from=2026-01-05&to=2026-03-01&service=POTHOLE&measure=received');
    // A department's row narrows to it; an area's to the area; a week to its days; last year to last year's days.
    expect(paths).toContain('/v1/statistics/cases?from=2026-01-05&to=2026-03-01&department=DOT&service=POTHOLE&measure=overdue');
    expect(paths).toContain('/v1/statistics/cases?from=2026-01-05&to=2026-03-01&area=BK&service=POTHOLE&measure=backlog');
    expect(paths).toContain('/v1/statistics/cases?from=2026-01-12&to=2026-01-18&service=POTHOLE&measure=late');
    expect(paths).toContain('/v1/statistics/cases?from=2025-01-05&to=2025-03-01&service=POTHOLE&measure=received');
    // Top types per area: the area and the type (which here replaces the filter's).
    expect(paths).toContain('/v1/statistics/cases?from=2026-01-05&to=2026-03-01&area=MN&service=STREETLIGHT&measure=received');
    // Counts in the tables are links, not bare text.
    expect(sectionOf(html, 'departments')).toContain('>2,410</a>');
  });

  it('gives every table a CSV link with the filter, and links the printable report', () => {
    const paths = links.map(pathOf);
    for (const table of ['departments', 'areas', 'types', 'trend'])
      expect(paths).toContain(`/v1/statistics/figures.csv?table=${table}&from=2026-01-05&to=2026-03-01&service=POTHOLE`);
    for (const id of ['trend', 'departments', 'areas-table', 'types']) expect(sectionOf(html, id)).toMatch(/figures\.csv\?table=/);
    expect(paths).toContain('/statistics/report?from=2026-01-05&to=2026-03-01&service=POTHOLE');
  });

  it('has a GET filter form with a label for every field, the active choices selected, and quick periods', () => {
    expect(html).toContain('<form class="filters" method="get" action="/statistics"');
    for (const id of ['from', 'to', 'department', 'area', 'service']) {
      expect(html).toContain(`<label for="f-${id}">`);
      expect(html).toMatch(new RegExp(`id="f-${id}" name="${id}"`));
    }
    expect(html).toContain('<input type="date" id="f-from" name="from" value="2026-01-05" required>');
    expect(html).toContain('<option value="POTHOLE" selected>Pothole</option>');
    const paths = links.map(pathOf);
    // Today is Wednesday 2026-03-04: last week is Monday 23 Feb to Sunday 1 March.
    expect(paths).toContain('/statistics?from=2026-02-23&to=2026-03-01&service=POTHOLE');
    expect(paths).toContain('/statistics?from=2026-02-02&to=2026-03-01&service=POTHOLE');
    expect(paths).toContain('/statistics?from=2026-01-01&to=2026-03-04&service=POTHOLE');
  });

  it('draws the charts as SVG images with a title and the numbers as a table', () => {
    for (const id of ['trend', 'backlog-age', 'compliance']) {
      expect(html).toContain(`role="img" aria-labelledby="${id}-title ${id}-desc"`);
      expect(html).toMatch(new RegExp(`<title id="${id}-title">[^<]+</title><desc id="${id}-desc">[^<]+</desc>`));
    }
    expect(sectionOf(html, 'trend')).toContain('<th scope="row">Jan 12, 2026</th>');
    expect(textOf(sectionOf(html, 'backlog'))).toContain('Under 1 day 615');
    expect(textOf(sectionOf(html, 'compliance'))).toContain('Housing Preservation 62% 302 794');
  });

  it('maps the areas: one shape per area, shaded by cases received, each a link to the area’s figures', () => {
    const where = sectionOf(html, 'where');
    const shapes = [...where.matchAll(/<a href="([^"]*)" aria-label="([^"]*)"><title>[^<]*<\/title><path d="M[^"]+" fill="(#[0-9a-f]{6})"[^>]*data-area="([^"]+)"/g)];
    expect(shapes.map((m) => m[4])).toEqual(SHAPES.map((shape) => shape.id));
    const fill = Object.fromEntries(shapes.map((m) => [m[4], m[3]]));
    expect(fill.BK).toBe(SHADES.received[4]); // the busiest
    expect(fill.SI).toBe(SHADES.received[0]);
    expect(shapes.find((m) => m[4] === 'BK')![2]).toBe('Brooklyn: 2,050 received');
    expect(shapes.find((m) => m[4] === 'BK')![1]).toBe('/statistics?from=2026-01-05&amp;to=2026-03-01&amp;area=BK&amp;service=POTHOLE');
    expect(where).toContain('fill-rule="evenodd"'); // Manhattan's hole
    expect(textOf(where)).toContain('None 1–410 411–820 821–1230 1231–1640 1641–2050');
    expect(linksIn(where).map(pathOf)).toContain('/statistics?from=2026-01-05&to=2026-03-01&service=POTHOLE&shade=overdue');
  });

  it('shades the map by overdue cases on ?shade=overdue, and keeps that choice in its links and form', () => {
    const overdue = renderDashboard(report, sampleOptions({ shade: 'overdue' }));
    const where = sectionOf(overdue, 'where');
    expect(where).toContain(`fill="${SHADES.overdue[4]}"`);
    expect(where).not.toContain(`fill="${SHADES.received[4]}"`);
    expect(where).toContain('aria-label="Bronx: 95 overdue"');
    expect(linksIn(where).map(pathOf)).toContain('/statistics?from=2026-01-05&to=2026-03-01&area=BX&service=POTHOLE&shade=overdue');
    expect(overdue).toContain('<input type="hidden" name="shade" value="overdue">');
  });

  it('shows a shaded grid of areas when there are no shapes', () => {
    const where = sectionOf(renderDashboard(report, sampleOptions({ areaShapes: undefined })), 'where');
    expect(where).not.toContain('<svg role');
    expect(where.match(/<li><a class="shade-received-\d"/g)).toHaveLength(5);
    expect(where).toContain('<a class="shade-received-5" href="/statistics?from=2026-01-05&amp;to=2026-03-01&amp;area=BK&amp;service=POTHOLE"><span>Brooklyn</span><strong>2,050</strong>received</a>');
  });

  it('lists departments and areas with their figures and the city’s totals', () => {
    const departments = textOf(sectionOf(html, 'departments'));
    expect(departments).toContain('Department Received Resolved Median days to resolve Deadlines met Overdue Open backlog Satisfaction (of 5)');
    expect(departments).toContain('Housing Preservation 1,102 992 4.5 62% 130 276 4.1');
    expect(departments).toContain('All 6,460 5,814 4.5 83% 337 1,615 4.1');
    expect(departments.indexOf('Sanitation')).toBeLessThan(departments.indexOf('Department of Transportation')); // busiest first
    expect(textOf(sectionOf(html, 'areas-table'))).toContain('Staten Island 280 252 4.5 90% 20 70 4.1');
    expect(textOf(sectionOf(html, 'types'))).toContain('Brooklyn Pothole 513 641 −20%');
  });

  it('says when the figures are from', () => {
    expect(html).toContain('Figures as of <time datetime="2026-03-02T06:15:00.000Z">Mar 2, 2026, 1:15 AM</time> (America/New York time), from 184,532 events.');
  });

  it('escapes everything it is given', () => {
    const hostile = '<script>alert("x")</script>';
    const page = renderDashboard(
      sampleReport({
        filter: { from: '2026-01-05', to: '2026-03-01', department: '"><img src=x onerror=alert(1)>' },
        departments: sampleReport().departments.map((row) => ({ ...row, name: hostile })),
        areas: sampleReport().areas.map((row) => ({ ...row, name: hostile })),
        topTypesByArea: [{ id: 'MN', name: hostile, types: [{ code: 'X', name: hostile, received: 1, lastYear: 0 }] }],
        trend: [{ week: '2026-01-05', received: 1, resolved: 1, resolvedLate: 0 }],
      }),
      sampleOptions({ departments: [{ id: 'DOT', name: hostile }], nonce: '"><script>', areaShapes: SHAPES.map((shape) => ({ ...shape, name: hostile })), areas: [], services: [] }),
    );
    expect(page).not.toMatch(/<script|<img/i);
    expect(page).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(page).toContain('<style nonce="&quot;&gt;&lt;script&gt;">');
    // The filter's unknown department is still offered, escaped, and kept in links.
    expect(page).toContain('<option value="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" selected>');
  });

  it('renders a period without cases cleanly', () => {
    const page = renderDashboard(emptyReport(), sampleOptions({ areaShapes: undefined }));
    expect(page).not.toMatch(/NaN|undefined|null|Infinity/);
    expect(tileValue(page, 'Received')).toBe('0');
    expect(tileValue(page, 'Time to resolve, median')).toBe('—');
    expect(tileValue(page, 'Deadlines met')).toBe('—');
    expect(tileValue(page, 'Received vs. last year')).toBe('—');
    expect(tileValue(page, 'Satisfaction')).toBe('—');
    expect(textOf(sectionOf(page, 'departments'))).toContain('No cases in this period.');
    expect(textOf(sectionOf(page, 'trend'))).toContain('No weeks in this period.');
    expect(page).toContain('These figures have not been computed yet.');
    // With shapes but no cases, every area is drawn unshaded.
    const mapped = renderDashboard(emptyReport(), sampleOptions());
    expect(sectionOf(mapped, 'where').match(/fill="#f4f6f9" fill-rule/g)).toHaveLength(SHAPES.length);
  });

  it.each(Object.entries(PALETTE))('colour pair %s has a contrast of at least 4.5:1', (_name, { fg, bg }) => {
    expect(contrast(fg, bg)).toBeGreaterThanOrEqual(4.5);
  });
});
