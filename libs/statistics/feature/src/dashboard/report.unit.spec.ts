import { renderWeeklyReport } from './report';
import { emptyReport, linksIn, pathOf, sampleOptions, sampleReport, sectionOf, textOf, tileValue } from './sample-report.fixture';

const report = sampleReport({ filter: { from: '2026-02-23', to: '2026-03-01', area: 'BK' } });
const html = renderWeeklyReport(report, sampleOptions());

describe('the CitiStat weekly report', () => {
  it('is titled by its week and has no form', () => {
    expect(html).toContain('<title>CitiStat weekly report, Feb 23, 2026 – Mar 1, 2026 · CitiStat</title>');
    expect(html).toContain('<h1>CitiStat weekly report, Feb 23, 2026 – Mar 1, 2026</h1>');
    expect(textOf(html)).toContain('Feb 23, 2026 – Mar 1, 2026 · Brooklyn.');
    expect(html).not.toMatch(/<form|<input|<select|<script/);
    expect(linksIn(html).map(pathOf)).toContain('/statistics?from=2026-02-23&to=2026-03-01&area=BK');
  });

  it('prints on A4 portrait, one section per page', () => {
    expect(html).toContain('@page{size:A4 portrait');
    expect(html).toContain('.page + .page{break-before:page}');
    expect(html.match(/<section aria-labelledby="[^"]+" class="page">/g)).toHaveLength(4);
  });

  it('shows the headline figures against the same days last year', () => {
    const headline = textOf(sectionOf(html, 'headline'));
    expect(headline).toContain('Received 6,460 5,890 +9.7%');
    expect(headline).toContain('Resolved 5,814 5,602 +3.8%');
    expect(tileValue(html, 'Overdue now')).toBe('337');
    expect(linksIn(html).map(pathOf)).toContain('/v1/statistics/cases?from=2025-02-23&to=2025-03-01&area=BK&measure=resolved');
  });

  it('puts the most overdue departments first', () => {
    const rows = [...sectionOf(html, 'departments').matchAll(/<tr><th scope="row"><a [^>]*>([^<]+)<\/a>/g)].map((m) => m[1]);
    expect(rows).toEqual(['Housing Preservation', 'Department of Transportation', 'Environmental Protection', 'Sanitation', 'Parks &amp; Recreation']);
  });

  it('has the trend chart with its numbers in view, and the top types per area', () => {
    const trend = sectionOf(html, 'trend');
    expect(trend).toContain('<svg viewBox');
    expect(trend).not.toContain('<details>');
    expect(textOf(trend)).toContain('Jan 5, 2026 760 690 110');
    expect(textOf(sectionOf(html, 'types'))).toContain('Manhattan Pothole 503 472 +6.6%');
  });

  it('renders a week without cases cleanly', () => {
    const page = renderWeeklyReport(emptyReport(), sampleOptions());
    expect(page).not.toMatch(/NaN|undefined|null|Infinity/);
    expect(textOf(sectionOf(page, 'headline'))).toContain('Received 0 0 —');
  });
});
