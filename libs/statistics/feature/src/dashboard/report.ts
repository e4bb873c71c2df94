import { escapeHtml } from '@caseline/service-kit';
import type { FiguresReport } from '@caseline/statistics-domain';
import { change, filterParams, formatDay, lastYearOf, type Links, signedPercent, withQuery } from './format';
import { asOfLine, breakdownTable, countLink, type DashboardOptions, describeFilter, headlineTiles, page, section, table, trendChart, typesTable } from './render';

/** The dashboard's options (so one caller can serve both); the report has no map or quick periods, so ignores areaShapes, shade and today. */
export type WeeklyReportOptions = DashboardOptions;

/**
 * The printable report of the weekly CitiStat meeting: A4 portrait, one section per page, no form.
 * The same figures as the dashboard, with the departments most overdue first.
 */
export function renderWeeklyReport(report: FiguresReport, options: WeeklyReportOptions): string {
  const links: Links = { filter: report.filter, basePath: options.basePath, apiPath: options.apiPath };
  const title = `CitiStat weekly report, ${formatDay(report.filter.from)} – ${formatDay(report.filter.to)}`;
  const lastYear = { ...links, filter: lastYearOf(report.filter) };
  const comparison = (['received', 'resolved'] as const)
    .map(
      (measure) =>
        `<tr><th scope="row">${measure === 'received' ? 'Received' : 'Resolved'}</th><td>${countLink(links, report.city[measure], measure)}</td><td>${countLink(lastYear, report.lastYear[measure], measure)}</td><td>${escapeHtml(signedPercent(change(report.city[measure], report.lastYear[measure])))}</td></tr>`,
    )
    .join('');
  const byOverdue = [...report.departments].sort((a, b) => b.backlog.overdue - a.backlog.overdue || b.backlog.open - a.backlog.open || a.name.localeCompare(b.name));
  const dashboard = escapeHtml(withQuery(options.basePath, filterParams(report.filter)));
  const body = `<h1>${escapeHtml(title)}</h1>
<p class="kicker">${escapeHtml(describeFilter(report.filter, options))}. ${asOfLine(report.asOf, options.timeZone)}</p>
<p class="no-print">Print this page (Ctrl+P or ⌘P) for the meeting: each section starts on a new A4 page.</p>
${section(
  'headline',
  'Headline figures',
  `${table('This period against the same days last year', ['', 'This period', 'Same days last year', 'Change'], comparison)}
${headlineTiles(report, links)}`,
  { className: 'page' },
)}
${section('departments', 'Departments, most overdue first', breakdownTable(byOverdue, report.city, links, 'department', 'Figures per department, most overdue first'), { className: 'page' })}
${section('trend', 'Weekly trend', trendChart(report, links, true), { className: 'page' })}
${section('types', 'Top request types per area', typesTable(report.topTypesByArea, links), { className: 'page' })}`;
  return page({
    title,
    nonce: options.nonce,
    nav: `<a href="${dashboard}">Back to the dashboard</a>`,
    body,
    footer: asOfLine(report.asOf, options.timeZone),
  });
}
