import type { Channel } from '@caseline/case-contracts';
import { CITY_PALETTE, escapeHtml } from '@caseline/service-kit';
import { type AreaTypes, type BreakdownRow, CHANNELS, dayIn, type Figures, type FiguresFilter, type FiguresReport } from '@caseline/statistics-domain';
import { areaMap, CHART_COLOURS, columnChart, legend, lineChart, type MapArea, type Shade, shadeClass, shadeFill, shadeLegend, shareBars, SHADES, textOnShade } from './charts';
import {
  addDays,
  change,
  count,
  csvLink,
  type CsvTable,
  days,
  decimal,
  drillDown,
  duration,
  earlier,
  filterParams,
  formatDay,
  formatMoment,
  formatShortDay,
  lastYearOf,
  later,
  type Links,
  type Measure,
  mondayOf,
  NONE,
  percent,
  signedPercent,
  withQuery,
} from './format';

// CitiStat, the city's performance dashboard, as pure functions: a FiguresReport in, a whole HTML5
// document out. No client script and nothing fetched: charts and the map are inline SVG, the filter
// is a GET form. Every value that reaches the page goes through escapeHtml.

/** Every colour pair of the page, text on background; statistics tests hold each to WCAG AA. */
export const PALETTE = {
  ...CITY_PALETTE,
} as const satisfies Record<string, { fg: string; bg: string }>;

const P = PALETTE;
const shadeRules = (Object.keys(SHADES) as Shade[])
  .flatMap((shade) => [0, 1, 2, 3, 4, 5].map((k) => `.shade-${shade}-${k}{background:${shadeFill(shade, k)};color:${textOnShade(k)}}`))
  .join('\n');

/** The one stylesheet of both pages, inline with the page's CSP nonce; readable from 320px wide up, and printable on A4. */
export const STYLES = `
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;font-size:1rem;line-height:1.5;color:${P.text.fg};background:${P.text.bg}}
a{color:${P.link.fg};text-decoration:underline;text-underline-offset:.15em}
a:hover{text-decoration-thickness:.15em}
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,summary:focus-visible,.scroll:focus-visible,main:focus-visible{outline:3px solid ${P.focus.fg};outline-offset:2px;background:${P.focus.bg};color:${P.focus.fg};box-shadow:0 0 0 5px ${P.focus.bg}}
input:focus-visible,select:focus-visible,.scroll:focus-visible{background:${P.text.bg}}
main:focus-visible{background:none;box-shadow:none;outline-offset:-3px}
svg a:focus-visible{outline:none;box-shadow:none}
svg a:focus-visible path{stroke:${P.focus.fg};stroke-width:4}
.skip{position:absolute;left:.5rem;top:-10rem;z-index:10;padding:.5rem 1rem;background:${P.focus.bg};color:${P.focus.fg};font-weight:700}
.skip:focus,.skip:focus-visible{top:.5rem}
.top{background:${P.header.bg};color:${P.header.fg}}
.bar{max-width:76rem;margin:0 auto;padding:.75rem 1rem;display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;justify-content:space-between}
.brand{font-weight:700;font-size:1.25rem}
.top a{color:${P.header.fg};font-weight:600;padding:.25rem .125rem}
.top a:focus-visible{color:${P.focus.fg}}
main{display:block;max-width:76rem;margin:0 auto;padding:1rem 1rem 2rem}
h1{font-size:1.6rem;line-height:1.25;margin:.5rem 0 .25rem}
h2{font-size:1.3rem;line-height:1.3;margin:2rem 0 .5rem}
h3{font-size:1rem;margin:0}
p{margin:.5rem 0}
.kicker{color:${P.muted.fg};margin:0 0 1rem}
.head{display:flex;flex-wrap:wrap;gap:.25rem 1rem;align-items:baseline;justify-content:space-between}
.head h2{margin-bottom:.25rem}
.filters{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,11rem),1fr));gap:.75rem 1rem;align-items:end;margin:1rem 0 .5rem;padding:1rem;background:${P.panelText.bg};border-radius:.5rem}
label{display:block;font-weight:700;margin-bottom:.25rem}
input[type=date],select{display:block;width:100%;font:inherit;padding:.45rem .5rem;color:${P.text.fg};background:${P.text.bg};border:2px solid ${P.text.fg};border-radius:.25rem}
button{font:inherit;font-weight:700;padding:.55rem 1.25rem;color:${P.button.fg};background:${P.button.bg};border:2px solid ${P.button.bg};border-radius:.25rem;cursor:pointer}
.quick{display:flex;flex-wrap:wrap;gap:.25rem 1rem;margin:.5rem 0;padding:0;list-style:none}
.quick li:first-child{font-weight:700}
[aria-current]{font-weight:700}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,14rem),1fr));gap:.75rem;margin:0;padding:0;list-style:none}
.tile{padding:.75rem 1rem;background:${P.panelText.bg};border-top:4px solid ${P.header.bg};border-radius:.25rem .25rem .5rem .5rem}
.tile a{color:${P.panelLink.fg}}
.big{font-size:1.75rem;line-height:1.2;font-weight:700;margin:.25rem 0;font-variant-numeric:tabular-nums}
.big small{font-size:.95rem;font-weight:600;color:${P.panelMuted.fg}}
.sub{font-size:.925rem;color:${P.panelMuted.fg};margin:.15rem 0}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,32rem),1fr));gap:0 2.5rem}
figure{margin:0}
figcaption{color:${P.muted.fg};font-size:.95rem}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
.chart .scroll>svg{display:block;width:100%;min-width:28rem;height:auto}
.chart.wide .scroll>svg{min-width:40rem}
.map>svg{display:block;width:100%;max-width:48rem;height:auto}
details{margin:.5rem 0 1rem}
summary{cursor:pointer;color:${P.link.fg};font-weight:600;padding:.25rem 0}
.legend{display:flex;flex-wrap:wrap;gap:.25rem 1.25rem;margin:.5rem 0;padding:0;list-style:none;font-size:.925rem}
.legend svg{width:1.5rem;height:1rem;margin-right:.35rem;vertical-align:-.15rem}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums;font-size:.95rem}
caption{text-align:left;font-weight:700;padding:.25rem 0}
th,td{padding:.4rem .6rem;border-bottom:1px solid #d5dae1;text-align:right;white-space:nowrap}
thead th{vertical-align:bottom;background:${P.panelText.bg};white-space:normal}
th.text,th[scope=row],th[scope=rowgroup]{text-align:left;white-space:normal;min-width:8rem}
th[scope=rowgroup]{vertical-align:top}
tfoot th,tfoot td{font-weight:700;border-top:2px solid ${P.text.fg}}
.empty{padding:.75rem 1rem;background:${P.panelText.bg};color:${P.panelText.fg};border-radius:.5rem}
.areas{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,10rem),1fr));gap:.5rem;margin:.5rem 0;padding:0;list-style:none}
.areas a{display:block;padding:.6rem .75rem;border:1px solid ${CHART_COLOURS.outline};border-radius:.35rem;color:inherit;text-decoration:none}
.areas a span{text-decoration:underline}
.areas strong{display:block;font-size:1.3rem;font-variant-numeric:tabular-nums}
${shadeRules}
footer{max-width:76rem;margin:0 auto;padding:1rem 1rem 2rem;color:${P.muted.fg};border-top:1px solid #d5dae1;font-size:.95rem}
.visually-hidden{position:absolute!important;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
@media (prefers-reduced-motion:reduce){*{transition:none!important;animation:none!important}}
@page{size:A4 portrait;margin:14mm 12mm}
@media print{
html{font-size:9.5pt}
.skip,.top,.no-print,.filters,.quick,details summary{display:none}
main,footer{max-width:none;padding:0}
a,.tile a{color:inherit;text-decoration:none}
.tiles{grid-template-columns:repeat(3,1fr);gap:2mm}
.tile{border:1px solid ${CHART_COLOURS.outline};border-top-width:3px;break-inside:avoid}
.big{font-size:1.5rem}
.chart .scroll>svg,.chart.wide .scroll>svg{min-width:0}
.page + .page{break-before:page}
h2{margin-top:0}
table{font-size:8.5pt}
thead{display:table-header-group}
tr,figure{break-inside:avoid}
}
`.trim();

import type { AreaShape } from '../area-shapes';
export type { AreaShape };

export interface DashboardOptions {
  /** Where the dashboard is served, e.g. /statistics; its filter form and links point here. */
  basePath: string;
  /** Where the figures API is, e.g. /v1/statistics: drill-downs and CSV files. */
  apiPath: string;
  departments: { id: string; name: string }[];
  areas: { id: string; name: string }[];
  services: { code: string; name: string }[];
  /** The areas' boundaries; without them the page shows a shaded grid of areas. */
  areaShapes?: AreaShape[];
  /** What the map is shaded by (?shade=overdue); received by default. */
  shade?: Shade;
  /** The CSP nonce of this response, for the page's one inline stylesheet. */
  nonce: string;
  /** The city's time zone, for "as of" and today's date; America/New_York by default. */
  timeZone?: string;
  /** Today in the city (YYYY-MM-DD), for the quick periods; by default the day the figures are as of, else the filter's last day. */
  today?: string;
}

/** Headers of both pages: only our own stylesheet (by this response's nonce), forms only to us. */
export const dashboardHeaders = (nonce: string): Record<string, string> => ({
  'Content-Security-Policy': `default-src 'none'; style-src 'nonce-${nonce}'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  'X-Frame-Options': 'DENY',
});

const DEFAULT_TIME_ZONE = 'America/New_York';

const CHANNEL_NAMES: Record<Channel, string> = {
  web: 'Web',
  mobile: 'Mobile app',
  phone: 'Phone',
  email: 'Email',
  ivr: 'Phone menu',
  'in-person': 'In person',
  api: 'Partners (API)',
  system: 'City systems',
};

// ---- Pieces shared by the dashboard and the weekly report ----

/** A count of cases, linked to the list of those cases. */
export const countLink = (links: Links, value: number, measure: Measure, narrower: Partial<FiguresFilter> = {}): string =>
  `<a href="${escapeHtml(drillDown(links, measure, narrower))}">${count(value)}</a>`;

/** A link to this dashboard, with the active filter narrowed (or changed) and any extra parameters. */
export const dashboardLink = (links: Links, narrower: Partial<FiguresFilter>, extra: Record<string, string | undefined> = {}): string =>
  withQuery(links.basePath, { ...filterParams({ ...links.filter, ...narrower }), ...extra });

/** Request types as the id/name pairs the other lists are. */
const serviceItems = (services: DashboardOptions['services']) => services.map(({ code, name }) => ({ id: code, name }));

const nameIn = (list: { id: string; name: string }[], id: string | undefined): string | undefined => (id === undefined ? undefined : (list.find((item) => item.id === id)?.name ?? id));

/** The period and what it is narrowed to: "Jan 5, 2026 – Jan 11, 2026 · Parks · Brooklyn". */
export function describeFilter(filter: FiguresFilter, options: Pick<DashboardOptions, 'departments' | 'areas' | 'services'>): string {
  const parts = [`${formatDay(filter.from)} – ${formatDay(filter.to)}`, nameIn(options.departments, filter.department), nameIn(options.areas, filter.area), nameIn(serviceItems(options.services), filter.service)];
  return parts.filter(Boolean).join(' · ');
}

/** The "as of" line of the footer. */
export function asOfLine(asOf: FiguresReport['asOf'], timeZone = DEFAULT_TIME_ZONE): string {
  if (!asOf.updatedAt) return 'These figures have not been computed yet.';
  return `Figures as of <time datetime="${escapeHtml(asOf.updatedAt)}">${escapeHtml(formatMoment(asOf.updatedAt, timeZone))}</time> (${escapeHtml(timeZone.replace(/_/g, ' '))} time), from ${count(asOf.events)} events.`;
}

/** A whole page: `nav`, `body` and `footer` are HTML the caller escaped. */
export function page(o: { title: string; nonce: string; nav: string; body: string; footer: string }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
<meta name="color-scheme" content="light">
<title>${escapeHtml(o.title)} · CitiStat</title>
<link rel="icon" href="data:,">
<style nonce="${escapeHtml(o.nonce)}">${STYLES}</style>
</head>
<body>
<a class="skip" href="#main">Skip to main content</a>
<header class="top"><div class="bar"><span class="brand">CitiStat · 311</span><nav aria-label="Pages">${o.nav}</nav></div></header>
<main id="main" tabindex="-1">
${o.body}
</main>
<footer><p>${o.footer}</p></footer>
</body>
</html>
`;
}

/** A section with its heading (and, for tables, a CSV link beside it). */
export const section = (id: string, title: string, content: string, o: { csv?: string; className?: string } = {}): string =>
  `<section aria-labelledby="${id}"${o.className ? ` class="${o.className}"` : ''}>
<div class="head"><h2 id="${id}">${escapeHtml(title)}</h2>${o.csv ? `<a href="${escapeHtml(o.csv)}" download>CSV<span class="visually-hidden"> file of ${escapeHtml(title.toLowerCase())}</span></a>` : ''}</div>
${content}
</section>`;

export const empty = (message: string): string => `<p class="empty">${escapeHtml(message)}</p>`;

/** A table that scrolls sideways on a phone (and can be scrolled with the keyboard); its first `textColumns` columns are words, the rest numbers. */
export const table = (caption: string, head: string[], body: string, foot = '', textColumns = 1): string =>
  `<div class="scroll" tabindex="0" role="region" aria-label="${escapeHtml(caption)}"><table>
<caption class="visually-hidden">${escapeHtml(caption)}</caption>
<thead><tr>${head.map((h, i) => `<th scope="col"${i < textColumns ? ' class="text"' : ''}>${escapeHtml(h)}</th>`).join('')}</tr></thead>
<tbody>${body}</tbody>${foot ? `<tfoot>${foot}</tfoot>` : ''}
</table></div>`;

/** A chart with its text alternative: the same numbers as a table, folded away on screen (`open`: shown). */
export const chart = (svg: string, caption: string, data: string, o: { open?: boolean; wide?: boolean } = {}): string =>
  `<figure class="chart${o.wide ? ' wide' : ''}"><div class="scroll" tabindex="0" role="region" aria-label="${escapeHtml(caption)}">${svg}</div><figcaption>${escapeHtml(caption)}</figcaption>
${o.open ? data : `<details><summary>The numbers behind the chart</summary>${data}</details>`}</figure>`;

const tile = (title: string, value: string, ...notes: string[]): string =>
  `<li class="tile"><h3>${escapeHtml(title)}</h3><p class="big">${value}</p>${notes
    .filter(Boolean)
    .map((note) => `<p class="sub">${note}</p>`)
    .join('')}</li>`;

/** A median duration, with its 90th percentile and how many cases it is of. */
const durationTile = (title: string, figure: Figures['timeToResolve']): string =>
  tile(title, escapeHtml(duration(figure.medianHours)), `90th percentile: ${escapeHtml(duration(figure.p90Hours))}`, `Of ${count(figure.cases)} cases`);

/** This period against the same days a year earlier: "last year 1,204 (+12.5%)". */
const againstLastYear = (links: Links, now: number, before: number, measure: Measure): string =>
  `Same days last year: ${countLink({ ...links, filter: lastYearOf(links.filter) }, before, measure)} (${escapeHtml(signedPercent(change(now, before)))})`;

/** The headline figures as tiles. */
export function headlineTiles(report: FiguresReport, links: Links): string {
  const { city, lastYear } = report;
  const channels = CHANNELS.filter((channel) => (city.receivedByChannel[channel] ?? 0) > 0)
    .map((channel) => `${escapeHtml(CHANNEL_NAMES[channel])} ${count(city.receivedByChannel[channel])}`)
    .join(' · ');
  const tiles = [
    tile('Received', countLink(links, city.received, 'received'), channels),
    tile('Received vs. last year', escapeHtml(signedPercent(change(city.received, lastYear.received))), againstLastYear(links, city.received, lastYear.received, 'received')),
    tile('Resolved', countLink(links, city.resolved, 'resolved'), againstLastYear(links, city.resolved, lastYear.resolved, 'resolved')),
    durationTile('Time to first action, median', city.timeToFirstAction),
    durationTile('Time to resolve, median', city.timeToResolve),
    tile(
      'Deadlines met',
      escapeHtml(percent(city.deadline.compliance)),
      `${countLink(links, city.deadline.late, 'late')} late of ${count(city.deadline.resolvedWithDeadline)} resolved with a deadline`,
    ),
    tile('Overdue now', countLink(links, city.backlog.overdue, 'overdue'), 'Open past their deadline at the end of the period'),
    tile('Open backlog', countLink(links, city.backlog.open, 'backlog'), 'Open at the end of the period'),
    tile('Resolved at first contact', escapeHtml(percent(city.firstContactResolution.share)), `${countLink(links, city.firstContactResolution.cases, 'first-contact')} cases`),
    tile('Repeat contacts', countLink(links, city.repeatContacts.cases, 'repeat'), `${escapeHtml(decimal(city.repeatContacts.perOriginal))} per original case`),
    tile('Referred on', count(city.referrals.referred), `Mean hops: ${escapeHtml(decimal(city.referrals.meanHops))}`),
    tile('Reopened', escapeHtml(percent(city.reopenRate)), 'Share of resolved cases reopened'),
    tile(
      'Satisfaction',
      city.satisfaction.mean === null ? NONE : `${escapeHtml(decimal(city.satisfaction.mean, 1))} <small>of 5</small>`,
      `${count(city.satisfaction.answers)} answers`,
    ),
  ];
  return `<ul class="tiles">${tiles.join('')}</ul>`;
}

/** Departments or areas, one row each, with the city's totals at the foot. */
export function breakdownTable(rows: BreakdownRow[], city: Figures, links: Links, by: 'department' | 'area', caption: string): string {
  if (rows.length === 0) return empty('No cases in this period.');
  const cells = (figures: Figures, narrower: Partial<FiguresFilter>) =>
    [
      countLink(links, figures.received, 'received', narrower),
      countLink(links, figures.resolved, 'resolved', narrower),
      escapeHtml(days(figures.timeToResolve.medianHours)),
      escapeHtml(percent(figures.deadline.compliance)),
      countLink(links, figures.backlog.overdue, 'overdue', narrower),
      countLink(links, figures.backlog.open, 'backlog', narrower),
      escapeHtml(decimal(figures.satisfaction.mean, 1)),
    ]
      .map((cell) => `<td>${cell}</td>`)
      .join('');
  const body = rows
    .map((row) => `<tr><th scope="row"><a href="${escapeHtml(dashboardLink(links, { [by]: row.id }))}">${escapeHtml(row.name)}</a></th>${cells(row, { [by]: row.id })}</tr>`)
    .join('\n');
  const head = [by === 'department' ? 'Department' : 'Area', 'Received', 'Resolved', 'Median days to resolve', 'Deadlines met', 'Overdue', 'Open backlog', 'Satisfaction (of 5)'];
  return table(caption, head, body, `<tr><th scope="row">All</th>${cells(city, {})}</tr>`);
}

/** The most requested types in each area, against the same days last year. */
export function typesTable(areas: AreaTypes[], links: Links): string {
  const withTypes = areas.filter((area) => area.types.length > 0);
  if (withTypes.length === 0) return empty('No cases in this period.');
  const lastYear = { ...links, filter: lastYearOf(links.filter) };
  const body = withTypes
    .map((area) =>
      area.types
        .map((type, i) => {
          const narrower = { area: area.id, service: type.code };
          const areaCell = i === 0 ? `<th scope="rowgroup" rowspan="${area.types.length}">${escapeHtml(area.name)}</th>` : '';
          return `<tr>${areaCell}<th scope="row">${escapeHtml(type.name)}</th><td>${countLink(links, type.received, 'received', narrower)}</td><td>${countLink(lastYear, type.lastYear, 'received', narrower)}</td><td>${escapeHtml(signedPercent(change(type.received, type.lastYear)))}</td></tr>`;
        })
        .join(''),
    )
    .join('\n');
  return table('Top request types per area', ['Area', 'Request type', 'Received', 'Same days last year', 'Change'], body, '', 2);
}

/** The trend: a line chart of received and resolved per week (per month for long periods), and its numbers. */
export function trendChart(report: FiguresReport, links: Links, open = false): string {
  const unit = report.trendSpan;
  if (report.trend.length === 0) return empty(`No ${unit}s in this period.`);
  const series = [
    { name: 'Received', colour: CHART_COLOURS.received, dash: '', values: report.trend.map((p) => p.received) },
    { name: 'Resolved', colour: CHART_COLOURS.resolved, dash: '7 4', values: report.trend.map((p) => p.resolved) },
  ];
  const total = (key: 'received' | 'resolved') => report.trend.reduce((sum, p) => sum + p[key], 0);
  const svg = lineChart({
    id: `trend${open ? '-report' : ''}`,
    title: `Cases received and resolved per ${unit}`,
    description: `${report.trend.length} ${unit}s from ${formatDay(report.trend[0].week)}: ${count(total('received'))} received and ${count(total('resolved'))} resolved in all.`,
    labels: report.trend.map((p) => formatShortDay(p.week)),
    series,
  });
  // The last day of the week or month a point starts (a first point may start mid-way).
  const spanEnd = (start: string) => (unit === 'week' ? addDays(start, 6) : addDays(`${addDays(`${start.slice(0, 7)}-28`, 4).slice(0, 7)}-01`, -1));
  const rows = report.trend
    .map((p) => {
      // A point's cases: its days inside the period.
      const days = { from: later(p.week, report.filter.from), to: earlier(spanEnd(p.week), report.filter.to) };
      return `<tr><th scope="row">${escapeHtml(formatDay(p.week))}</th><td>${countLink(links, p.received, 'received', days)}</td><td>${countLink(links, p.resolved, 'resolved', days)}</td><td>${countLink(links, p.resolvedLate, 'late', days)}</td></tr>`;
    })
    .join('\n');
  const data = table(`Cases per ${unit}`, [unit === 'week' ? 'Week of' : 'Month of', 'Received', 'Resolved', 'Resolved late'], rows);
  return `${legend(
    series.map((s) => ({ colour: s.colour, label: s.name, dash: s.dash })),
    'Lines',
  )}${chart(svg, unit === 'week' ? 'Cases received and resolved per week (weeks start on Monday).' : 'Cases received and resolved per month.', data, { open, wide: true })}`;
}

// ---- The dashboard ----

function filterForm(report: FiguresReport, options: DashboardOptions, links: Links): string {
  const { filter } = report;
  const choice = (name: keyof FiguresFilter, label: string, all: string, items: { id: string; name: string }[]) => {
    const known = items.some((item) => item.id === filter[name]);
    const list = [...items].sort((a, b) => a.name.localeCompare(b.name));
    if (filter[name] && !known) list.unshift({ id: filter[name]!, name: filter[name]! });
    return `<div><label for="f-${name}">${escapeHtml(label)}</label><select id="f-${name}" name="${name}"><option value="">${escapeHtml(all)}</option>${list
      .map((item) => `<option value="${escapeHtml(item.id)}"${item.id === filter[name] ? ' selected' : ''}>${escapeHtml(item.name)}</option>`)
      .join('')}</select></div>`;
  };
  const timeZone = options.timeZone ?? DEFAULT_TIME_ZONE;
  const today = options.today ?? (report.asOf.updatedAt ? dayIn(timeZone)(report.asOf.updatedAt) : filter.to);
  const monday = mondayOf(today);
  const periods: [string, string, string][] = [
    ['Last week', addDays(monday, -7), addDays(monday, -1)],
    ['Last 4 weeks', addDays(monday, -28), addDays(monday, -1)],
    ['This year', `${today.slice(0, 4)}-01-01`, today],
  ];
  const shade = options.shade === 'overdue' ? 'overdue' : undefined;
  const quick = periods
    .map(([label, from, to]) => {
      const current = from === filter.from && to === filter.to ? ' aria-current="true"' : '';
      return `<li><a href="${escapeHtml(dashboardLink(links, { from, to }, { shade }))}"${current}>${escapeHtml(label)}</a></li>`;
    })
    .join('');
  return `<form class="filters" method="get" action="${escapeHtml(options.basePath)}" aria-label="Filter the figures">
<div><label for="f-from">From</label><input type="date" id="f-from" name="from" value="${escapeHtml(filter.from)}" required></div>
<div><label for="f-to">To (included)</label><input type="date" id="f-to" name="to" value="${escapeHtml(filter.to)}" required></div>
${choice('department', 'Department', 'All departments', options.departments)}
${choice('area', 'Area', 'All areas', options.areas)}
${choice('service', 'Request type', 'All request types', serviceItems(options.services))}
${shade ? '<input type="hidden" name="shade" value="overdue">' : ''}<div><button type="submit">Show figures</button></div>
</form>
<ul class="quick" aria-label="Quick periods"><li aria-hidden="true">Quick periods:</li>${quick}</ul>`;
}

function backlogChart(city: Figures, links: Links): string {
  if (city.backlog.open === 0 && city.backlog.age.every((bucket) => bucket.open === 0)) return empty('Nothing open at the end of the period.');
  const svg = columnChart({
    id: 'backlog-age',
    title: 'Open cases by how long they have waited',
    description: city.backlog.age.map((bucket) => `${bucket.label}: ${count(bucket.open)}`).join('; '),
    bars: city.backlog.age.map((bucket) => ({ label: bucket.label, value: bucket.open })),
  });
  const rows = city.backlog.age.map((bucket) => `<tr><th scope="row">${escapeHtml(bucket.label)}</th><td>${count(bucket.open)}</td></tr>`).join('');
  const data = table('Open cases by waiting time', ['Waiting', 'Open'], rows, `<tr><th scope="row">All open</th><td>${countLink(links, city.backlog.open, 'backlog')}</td></tr>`);
  return chart(svg, 'Open cases at the end of the period, by how long they had waited.', data);
}

function complianceChart(report: FiguresReport, links: Links): string {
  const rows = report.departments.filter((row) => row.deadline.resolvedWithDeadline > 0);
  if (rows.length === 0) return empty('No case with a deadline was resolved in this period.');
  const svg = shareBars({
    id: 'compliance',
    title: 'Deadlines met per department',
    description: rows.map((row) => `${row.name}: ${percent(row.deadline.compliance)}`).join('; '),
    bars: rows.map((row) => ({ label: row.name, share: row.deadline.compliance, valueLabel: percent(row.deadline.compliance) })),
  });
  const body = rows
    .map(
      (row) =>
        `<tr><th scope="row">${escapeHtml(row.name)}</th><td>${escapeHtml(percent(row.deadline.compliance))}</td><td>${countLink(links, row.deadline.late, 'late', { department: row.id })}</td><td>${count(row.deadline.resolvedWithDeadline)}</td></tr>`,
    )
    .join('\n');
  const data = table('Deadlines met per department', ['Department', 'Deadlines met', 'Late', 'Resolved with a deadline'], body);
  return chart(svg, 'Share of cases resolved by their deadline, per department.', data);
}

function whereSection(report: FiguresReport, options: DashboardOptions, links: Links): string {
  const shade: Shade = options.shade === 'overdue' ? 'overdue' : 'received';
  const valueOf = (row: BreakdownRow | undefined) => (row ? (shade === 'received' ? row.received : row.backlog.overdue) : 0);
  const rows = new Map(report.areas.map((row) => [row.id, row]));
  const areaLink = (id: string) => dashboardLink(links, { area: id }, { shade: shade === 'overdue' ? 'overdue' : undefined });
  const toggle = (['received', 'overdue'] as Shade[])
    .map((s) => {
      const label = s === 'received' ? 'Cases received' : 'Cases overdue';
      return s === shade ? `<strong aria-current="true">${label}</strong>` : `<a href="${escapeHtml(dashboardLink(links, {}, { shade: s === 'overdue' ? 'overdue' : undefined }))}">${label}</a>`;
    })
    .join(' · ');
  const head = `<p class="no-print">Shade by: ${toggle}. Choose an area to see its figures only.</p>`;
  const shapes = options.areaShapes ?? [];
  const values = shapes.length > 0 ? shapes.map((s) => valueOf(rows.get(s.id))) : report.areas.map(valueOf);
  const max = Math.max(0, ...values);
  const key = legend(shadeLegend(shade, max), `Cases ${shade}`);
  if (shapes.length > 0) {
    const areas: MapArea[] = shapes.map((s) => {
      const value = valueOf(rows.get(s.id));
      const k = shadeClass(value, max);
      return { id: s.id, name: s.name, rings: s.rings, fill: shadeFill(shade, k), textColour: textOnShade(k), href: areaLink(s.id), label: `${s.name}: ${count(value)} ${shade}` };
    });
    const svg = areaMap({
      id: 'map',
      title: `Cases ${shade} per area`,
      description: `${areas.length} areas, darker where more cases were ${shade}; each area links to its own figures.`,
      areas,
    });
    return `${head}<figure class="map">${svg}<figcaption>Cases ${shade} per area; the table of areas below has every figure.</figcaption>${key}</figure>`;
  }
  if (report.areas.length === 0) return empty('No cases in this period.');
  const tiles = report.areas
    .map((row) => {
      const value = valueOf(row);
      return `<li><a class="shade-${shade}-${shadeClass(value, max)}" href="${escapeHtml(areaLink(row.id))}"><span>${escapeHtml(row.name)}</span><strong>${count(value)}</strong>${shade}</a></li>`;
    })
    .join('');
  return `${head}<ul class="areas" aria-label="Cases ${shade} per area">${tiles}</ul>${key}`;
}

const byReceived = (rows: BreakdownRow[]): BreakdownRow[] => [...rows].sort((a, b) => b.received - a.received || a.name.localeCompare(b.name));

/** The CitiStat dashboard: filter, headline figures, charts, map and tables, every count a link to its cases. */
export function renderDashboard(report: FiguresReport, options: DashboardOptions): string {
  const links: Links = { filter: report.filter, basePath: options.basePath, apiPath: options.apiPath };
  const csv = (table: CsvTable) => csvLink(links, table);
  const reportHref = escapeHtml(withQuery(`${options.basePath}/report`, filterParams(report.filter)));
  const body = `<h1>311 performance</h1>
<p class="kicker">${escapeHtml(describeFilter(report.filter, options))}</p>
${filterForm(report, options, links)}
<p><a href="${reportHref}">Printable weekly report for these figures</a></p>
${section('headline', 'Headline figures', headlineTiles(report, links))}
${section('trend', 'Weekly trend', trendChart(report, links), { csv: csv('trend') })}
<div class="charts">
${section('backlog', 'Age of the open backlog', backlogChart(report.city, links))}
${section('compliance', 'Deadlines met per department', complianceChart(report, links), { csv: csv('departments') })}
</div>
${section('where', 'Where the problems are', whereSection(report, options, links), { csv: csv('areas') })}
${section('departments', 'Departments', breakdownTable(byReceived(report.departments), report.city, links, 'department', 'Figures per department'), { csv: csv('departments') })}
${section('areas-table', 'Areas', breakdownTable(byReceived(report.areas), report.city, links, 'area', 'Figures per area'), { csv: csv('areas') })}
${section('types', 'Top request types per area', typesTable(report.topTypesByArea, links), { csv: csv('types') })}`;
  return page({
    title: `311 performance, ${formatDay(report.filter.from)} – ${formatDay(report.filter.to)}`,
    nonce: options.nonce,
    nav: `<a href="${reportHref}">Weekly report</a>`,
    body,
    footer: asOfLine(report.asOf, options.timeZone),
  });
}
