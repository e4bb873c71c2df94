import type { BreakdownRow, Figures, FiguresReport } from '@caseline/statistics-domain';
import type { AreaShape, DashboardOptions } from './render';

// Test data for the dashboard's specs (and for looking at the page): a plausible city for eight
// weeks, and an empty one. Not used by production code.

const AGES = ['Under 1 day', '1 to 3 days', '3 to 7 days', '1 to 4 weeks', 'Over 4 weeks'];

/** Figures with every count at zero and every median unknown, then `overrides`. */
export function figures(overrides: Partial<Figures> = {}): Figures {
  return {
    received: 0,
    receivedByChannel: { web: 0, mobile: 0, phone: 0, email: 0, ivr: 0, 'in-person': 0, api: 0, system: 0 },
    resolved: 0,
    timeToFirstAction: { cases: 0, medianHours: null, p90Hours: null },
    timeToResolve: { cases: 0, medianHours: null, p90Hours: null },
    deadline: { resolvedWithDeadline: 0, late: 0, compliance: null },
    backlog: { open: 0, overdue: 0, age: AGES.map((label) => ({ label, open: 0 })) },
    firstContactResolution: { cases: 0, share: null },
    repeatContacts: { cases: 0, perOriginal: null },
    referrals: { referred: 0, meanHops: null },
    reopenRate: null,
    satisfaction: { answers: 0, mean: null },
    ...overrides,
  };
}

/** Busy-looking figures that scale with `received`. */
function busy(received: number, overdue: number, compliance: number): Figures {
  const resolved = Math.round(received * 0.9);
  const withDeadline = Math.round(resolved * 0.8);
  const open = Math.round(received * 0.25);
  return figures({
    received,
    receivedByChannel: { web: Math.round(received * 0.4), mobile: Math.round(received * 0.25), phone: received - Math.round(received * 0.4) - Math.round(received * 0.25) - 3, email: 0, ivr: 0, 'in-person': 3, api: 0, system: 0 },
    resolved,
    timeToFirstAction: { cases: resolved, medianHours: 3.2, p90Hours: 30 },
    timeToResolve: { cases: resolved, medianHours: 108, p90Hours: 400 },
    deadline: { resolvedWithDeadline: withDeadline, late: Math.round(withDeadline * (1 - compliance)), compliance },
    backlog: { open, overdue, age: AGES.map((label, i) => ({ label, open: Math.round((open * [4, 3, 2, 1, 0.5][i]) / 10.5) })) },
    firstContactResolution: { cases: Math.round(received * 0.12), share: 0.12 },
    repeatContacts: { cases: Math.round(received * 0.08), perOriginal: 0.087 },
    referrals: { referred: Math.round(received * 0.05), meanHops: 1.3 },
    reopenRate: 0.021,
    satisfaction: { answers: Math.round(received * 0.1), mean: 4.1 },
  });
}

const row = (id: string, name: string, data: Figures): BreakdownRow => ({ ...data, id, name });

export const DEPARTMENTS = [
  { id: 'DOT', name: 'Department of Transportation' },
  { id: 'DSNY', name: 'Sanitation' },
  { id: 'DEP', name: 'Environmental Protection' },
  { id: 'PARKS', name: 'Parks & Recreation' },
  { id: 'HPD', name: 'Housing Preservation' },
];

export const AREAS = [
  { id: 'MN', name: 'Manhattan' },
  { id: 'BX', name: 'Bronx' },
  { id: 'BK', name: 'Brooklyn' },
  { id: 'QN', name: 'Queens' },
  { id: 'SI', name: 'Staten Island' },
];

export const SERVICES = [
  { code: 'POTHOLE', name: 'Pothole' },
  { code: 'STREETLIGHT', name: 'Streetlight out' },
  { code: 'MISSED', name: 'Missed collection' },
  { code: 'NOISE', name: 'Noise' },
  { code: 'TREE', name: 'Fallen tree' },
];

/** Rough outlines of the five boroughs ([long, lat]); Manhattan has a hole (the park). */
export const SHAPES: AreaShape[] = [
  { id: 'MN', name: 'Manhattan', rings: [[[-74.02, 40.7], [-73.97, 40.71], [-73.93, 40.8], [-73.91, 40.87], [-73.93, 40.88], [-74.01, 40.76], [-74.02, 40.7]], [[-73.98, 40.765], [-73.95, 40.797], [-73.958, 40.8], [-73.982, 40.768], [-73.98, 40.765]]] },
  { id: 'BX', name: 'Bronx', rings: [[[-73.93, 40.8], [-73.78, 40.81], [-73.78, 40.9], [-73.91, 40.92], [-73.93, 40.88], [-73.91, 40.87], [-73.93, 40.8]]] },
  { id: 'BK', name: 'Brooklyn', rings: [[[-74.04, 40.64], [-74.02, 40.7], [-73.97, 40.71], [-73.93, 40.69], [-73.86, 40.66], [-73.87, 40.58], [-74.01, 40.57], [-74.04, 40.64]]] },
  { id: 'QN', name: 'Queens', rings: [[[-73.97, 40.71], [-73.93, 40.8], [-73.78, 40.81], [-73.7, 40.75], [-73.74, 40.6], [-73.87, 40.58], [-73.86, 40.66], [-73.93, 40.69], [-73.97, 40.71]]] },
  { id: 'SI', name: 'Staten Island', rings: [[[-74.26, 40.5], [-74.05, 40.6], [-74.07, 40.65], [-74.2, 40.65], [-74.26, 40.55], [-74.26, 40.5]]] },
];

/** Eight weeks of a busy city, narrowed to nothing unless `filter` says so. */
export function sampleReport(overrides: Partial<FiguresReport> = {}): FiguresReport {
  const departments = [
    row('DOT', 'Department of Transportation', busy(1840, 96, 0.81)),
    row('DSNY', 'Sanitation', busy(2410, 41, 0.93)),
    row('DEP', 'Environmental Protection', busy(720, 58, 0.74)),
    row('PARKS', 'Parks & Recreation', busy(388, 12, 0.88)),
    row('HPD', 'Housing Preservation', busy(1102, 130, 0.62)),
  ];
  const areas = [row('MN', 'Manhattan', busy(1510, 70, 0.86)), row('BX', 'Bronx', busy(1240, 95, 0.78)), row('BK', 'Brooklyn', busy(2050, 88, 0.83)), row('QN', 'Queens', busy(1380, 64, 0.85)), row('SI', 'Staten Island', busy(280, 20, 0.9))];
  const city = busy(6460, 337, 0.83);
  return {
    filter: { from: '2026-01-05', to: '2026-03-01' },
    asOf: { updatedAt: '2026-03-02T06:15:00.000Z', events: 184_532 },
    city,
    lastYear: { received: 5890, resolved: 5602 },
    departments,
    areas,
    trendSpan: 'week',
    trend: Array.from({ length: 8 }, (_, i) => ({
      week: `2026-${['01-05', '01-12', '01-19', '01-26', '02-02', '02-09', '02-16', '02-23'][i]}`,
      received: [760, 812, 905, 780, 840, 799, 870, 894][i],
      resolved: [690, 760, 801, 810, 790, 745, 812, 830][i],
      resolvedLate: [110, 98, 140, 120, 131, 101, 96, 104][i],
    })),
    topTypesByArea: areas.map((area, i) => ({
      id: area.id,
      name: area.name,
      types: SERVICES.slice(0, 3).map((service, k) => ({ code: service.code, name: service.name, received: Math.round(area.received / (3 + k + i / 2)), lastYear: Math.round(area.received / (3.2 + k)) })),
    })),
    ...overrides,
  };
}

/** A period without a single case. */
export const emptyReport = (): FiguresReport => ({
  filter: { from: '2026-03-02', to: '2026-03-08' },
  asOf: { updatedAt: null, events: 0 },
  city: figures(),
  lastYear: { received: 0, resolved: 0 },
  departments: [],
  areas: [],
  trend: [],
  trendSpan: 'week',
  topTypesByArea: [],
});

export const sampleOptions = (overrides: Partial<DashboardOptions> = {}): DashboardOptions => ({
  basePath: '/statistics',
  apiPath: '/v1/statistics',
  departments: DEPARTMENTS,
  areas: AREAS,
  services: SERVICES,
  areaShapes: SHAPES,
  nonce: 'n0nce-abc',
  today: '2026-03-04',
  ...overrides,
});

/** Every link of a page, unescaped, as URLs (relative ones on a dummy origin). */
export const linksIn = (html: string): URL[] =>
  [...html.matchAll(/href="([^"]*)"/g)].map((m) => new URL(m[1].replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'), 'http://citistat.test'));

/** A URL's path and query, as the page wrote it. */
export const pathOf = (url: URL): string => `${url.pathname}${url.search}`;

/** The text of an element's HTML: tags dropped, spaces squeezed. */
export const textOf = (html: string): string => html.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();

/** What a headline tile shows in large type. */
export function tileValue(html: string, title: string): string | undefined {
  const match = new RegExp(`<h3>${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}</h3><p class="big">(.*?)</p>`).exec(html);
  return match ? textOf(match[1]) : undefined;
}

/** The HTML of one section of a page, by its heading's id. */
export function sectionOf(html: string, id: string): string {
  const start = html.indexOf(`<section aria-labelledby="${id}"`);
  if (start < 0) throw new Error(`no section ${id}`);
  return html.slice(start, html.indexOf('</section>', start));
}

/** WCAG 2.x contrast ratio of two #rrggbb colours. */
export function contrast(a: string, b: string): number {
  const luminance = (hex: string) => {
    const [r, g, bl] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light + 0.05) / (dark + 0.05);
}
