import { escapeHtml } from '@caseline/service-kit';

// Charts as inline SVG drawn on the server: no script, no fetch, no inline style attributes (the
// page's CSP allows only its own stylesheet), colours as presentation attributes. Every chart has a
// <title> and <desc>; the page puts the numbers next to it as a table.

/** Colours of marks on white; each at least 3:1 against it (WCAG 1.4.11), text colours 4.5:1. */
export const CHART_COLOURS = {
  received: '#0a4b9c',
  resolved: '#a64d00',
  bar: '#0a4b9c',
  text: '#1b1b1b',
  axis: '#4d4d4d',
  grid: '#d5dae1',
  outline: '#4d4d4d',
} as const;

export type Shade = 'received' | 'overdue';

/** Five classes from few to many, per measure; class 0 (none) is the panel grey. */
export const SHADES: Record<Shade, readonly string[]> = {
  received: ['#deebf7', '#9ecae1', '#6baed6', '#4292c6', '#08519c'],
  overdue: ['#fdd0a2', '#fdae6b', '#fd8d3c', '#e6550d', '#a63603'],
};
export const NO_SHADE = '#f4f6f9';
/** Text on a shade: dark on the four light classes, white on the darkest (all at least 4.5:1). */
export const textOnShade = (shadeClass: number): string => (shadeClass === 5 ? '#ffffff' : CHART_COLOURS.text);

/** Which class (1..5, equal steps of the largest value) a value falls in; 0 for nothing. */
export const shadeClass = (value: number, max: number): number => (value <= 0 || max <= 0 ? 0 : Math.min(5, Math.ceil((value / max) * 5)));
export const shadeFill = (shade: Shade, shadeClassOf: number): string => (shadeClassOf === 0 ? NO_SHADE : SHADES[shade][shadeClassOf - 1]);

/** The legend of the shading: one entry per class that whole numbers can fall in. */
export function shadeLegend(shade: Shade, max: number): LegendItem[] {
  const items: LegendItem[] = [{ colour: NO_SHADE, label: 'None' }];
  for (let step = 1; step <= 5 && max > 0; step++) {
    const low = Math.floor((max * (step - 1)) / 5) + 1;
    const high = Math.floor((max * step) / 5);
    if (low <= high) items.push({ colour: SHADES[shade][step - 1], label: low === high ? `${low}` : `${low}–${high}` });
  }
  return items;
}

export interface LegendItem {
  colour: string;
  label: string;
  /** A line (with this dash pattern, '' for solid) instead of a filled box. */
  dash?: string;
}

/** An HTML legend: swatches are decorative, the words carry the meaning. */
export const legend = (items: LegendItem[], label: string): string =>
  `<ul class="legend" aria-label="${escapeHtml(label)}">${items
    .map(
      ({ colour, label: text, dash }) =>
        `<li><svg viewBox="0 0 24 16" aria-hidden="true" focusable="false">${
          dash === undefined
            ? `<rect x="1" y="1" width="22" height="14" fill="${colour}" stroke="${CHART_COLOURS.outline}"/>`
            : `<line x1="1" y1="8" x2="23" y2="8" stroke="${colour}" stroke-width="3"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`
        }</svg>${escapeHtml(text)}</li>`,
    )
    .join('')}</ul>`;

const r = (n: number): number => Math.round(n * 10) / 10;

/** An axis top and step for about four gridlines of whole numbers. */
export function niceScale(max: number): { top: number; step: number } {
  if (max <= 0) return { top: 4, step: 1 };
  const raw = max / 4;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = Math.max(1, ([1, 2, 2.5, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude);
  return { top: step * Math.ceil(max / step), step };
}

const svgOpen = (id: string, title: string, description: string, width: number, height: number, role = ' role="img"') =>
  `<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}"${role} aria-labelledby="${id}-title ${id}-desc" focusable="false" font-family="system-ui,sans-serif" font-size="14" fill="${CHART_COLOURS.text}">` +
  `<title id="${id}-title">${escapeHtml(title)}</title><desc id="${id}-desc">${escapeHtml(description)}</desc>`;

const text = (x: number, y: number, content: string, anchor: 'start' | 'middle' | 'end' = 'middle', extra = '') =>
  `<text x="${r(x)}" y="${r(y)}" text-anchor="${anchor}"${extra}>${escapeHtml(content)}</text>`;

/** Cuts a label to `max` characters with an ellipsis. */
const clip = (label: string, max: number): string => (label.length > max ? `${label.slice(0, max - 1)}…` : label);

/** Horizontal gridlines with their values, for a plot between `left`..`right` and `top`..`bottom`. */
function gridlines(scale: { top: number; step: number }, left: number, right: number, y: (v: number) => number): string {
  const lines: string[] = [];
  for (let v = 0; v <= scale.top; v += scale.step) {
    lines.push(`<line x1="${left}" x2="${right}" y1="${r(y(v))}" y2="${r(y(v))}" stroke="${v === 0 ? CHART_COLOURS.axis : CHART_COLOURS.grid}"/>`);
    lines.push(text(left - 6, y(v) + 4, v.toLocaleString('en-US'), 'end'));
  }
  return lines.join('');
}

export interface LineSeries {
  name: string;
  colour: string;
  /** '' for a solid line. */
  dash: string;
  values: number[];
}

const MARKERS = [
  (x: number, y: number, colour: string) => `<circle cx="${r(x)}" cy="${r(y)}" r="3.5" fill="${colour}"/>`,
  (x: number, y: number, colour: string) => `<rect x="${r(x - 3.5)}" y="${r(y - 3.5)}" width="7" height="7" fill="${colour}"/>`,
];

/** Lines over time (the weekly trend): one per series, told apart by colour, dash and marker. */
export function lineChart(o: { id: string; title: string; description: string; labels: string[]; series: LineSeries[] }): string {
  const [width, height] = [880, 260];
  const [left, right, top, bottom] = [52, width - 30, 12, height - 30];
  const n = o.labels.length;
  const scale = niceScale(Math.max(0, ...o.series.flatMap((s) => s.values)));
  const x = (i: number) => (n <= 1 ? (left + right) / 2 : left + (i * (right - left)) / (n - 1));
  const y = (v: number) => bottom - (v / scale.top) * (bottom - top);
  const every = Math.ceil(n / 12);
  const labels = o.labels.map((label, i) => (i % every === 0 ? text(x(i), height - 10, label) : '')).join('');
  const lines = o.series
    .map((s, index) => {
      const points = s.values.map((v, i) => `${r(x(i))},${r(y(v))}`).join(' ');
      const marker = MARKERS[index % MARKERS.length];
      const markers = n <= 27 ? s.values.map((v, i) => marker(x(i), y(v), s.colour)).join('') : '';
      return `<g aria-hidden="true"><polyline points="${points}" fill="none" stroke="${s.colour}" stroke-width="2.5" stroke-linejoin="round"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>${markers}</g>`;
    })
    .join('');
  return `${svgOpen(o.id, o.title, o.description, width, height)}${gridlines(scale, left, right, y)}${labels}${lines}</svg>`;
}

/** Upright bars, one per category (the age of the backlog), each with its value on top. */
export function columnChart(o: { id: string; title: string; description: string; bars: { label: string; value: number }[] }): string {
  const [width, height] = [640, 240];
  const [left, right, top, bottom] = [52, width - 12, 22, height - 46];
  const scale = niceScale(Math.max(0, ...o.bars.map((b) => b.value)));
  const band = (right - left) / Math.max(1, o.bars.length);
  const y = (v: number) => bottom - (v / scale.top) * (bottom - top);
  const maxChars = Math.max(4, Math.floor(band / 8));
  const bars = o.bars
    .map(({ label, value }, i) => {
      const centre = left + band * (i + 0.5);
      const barWidth = Math.min(band * 0.6, 72);
      const words = label.split(' ');
      // Long labels take two lines: as many words as fit on the first.
      let first = '';
      while (words.length && `${first} ${words[0]}`.trim().length <= maxChars) first = `${first} ${words.shift()}`.trim();
      const lines = first ? [first, words.join(' ')] : [words.join(' ')];
      return (
        `<rect x="${r(centre - barWidth / 2)}" y="${r(y(value))}" width="${r(barWidth)}" height="${r(bottom - y(value))}" fill="${CHART_COLOURS.bar}"/>` +
        text(centre, y(value) - 6, value.toLocaleString('en-US'), 'middle', ' font-weight="600"') +
        lines.filter(Boolean).map((line, k) => text(centre, bottom + 19 + k * 16, clip(line, maxChars))).join('')
      );
    })
    .join('');
  return `${svgOpen(o.id, o.title, o.description, width, height)}${gridlines(scale, left, right, y)}${bars}</svg>`;
}

/** Sideways bars of a share (0..1), one row per label: deadline compliance per department. */
export function shareBars(o: { id: string; title: string; description: string; bars: { label: string; share: number | null; valueLabel: string }[] }): string {
  const rowHeight = 28;
  const width = 640;
  const [labelRight, left, right, top] = [216, 224, width - 64, 8];
  const height = top + o.bars.length * rowHeight + 24;
  const bottom = height - 24;
  const x = (share: number) => left + share * (right - left);
  const ticks = [0, 0.25, 0.5, 0.75, 1]
    .map((t) => `<line x1="${r(x(t))}" x2="${r(x(t))}" y1="${top}" y2="${bottom}" stroke="${t === 0 ? CHART_COLOURS.axis : CHART_COLOURS.grid}"/>` + text(x(t), height - 6, `${t * 100}%`))
    .join('');
  const bars = o.bars
    .map(({ label, share, valueLabel }, i) => {
      const middle = top + i * rowHeight + rowHeight / 2;
      const bar = share === null ? '' : `<rect x="${left}" y="${r(middle - 9)}" width="${r(x(share) - left)}" height="18" fill="${CHART_COLOURS.bar}"/>`;
      return text(labelRight, middle + 5, clip(label, 27), 'end') + bar + text((share === null ? left : x(share)) + 6, middle + 5, valueLabel, 'start', ' font-weight="600"');
    })
    .join('');
  return `${svgOpen(o.id, o.title, o.description, width, height)}${ticks}${bars}</svg>`;
}

export interface MapArea {
  id: string;
  name: string;
  /** Outer boundary and holes, [longitude, latitude] pairs as in GeoJSON. */
  rings: [number, number][][];
  fill: string;
  textColour: string;
  href: string;
  /** What a screen reader and the tooltip say: "Brooklyn: 120 received". */
  label: string;
}

/** The signed area and centroid of a ring in screen coordinates. */
function centroid(ring: [number, number][]): { area: number; x: number; y: number } {
  let [area, cx, cy] = [0, 0, 0];
  ring.forEach(([x0, y0], i) => {
    const [x1, y1] = ring[(i + 1) % ring.length];
    const cross = x0 * y1 - x1 * y0;
    area += cross;
    cx += (x0 + x1) * cross;
    cy += (y0 + y1) * cross;
  });
  area /= 2;
  if (Math.abs(area) < 1e-9) {
    const xs = ring.map((p) => p[0]);
    const ys = ring.map((p) => p[1]);
    return { area: 0, x: (Math.min(...xs) + Math.max(...xs)) / 2, y: (Math.min(...ys) + Math.max(...ys)) / 2 };
  }
  return { area: Math.abs(area), x: cx / (6 * area), y: cy / (6 * area) };
}

/**
 * The areas as a map: an equirectangular projection fitted to their bounding box, with x scaled by
 * the cosine of the middle latitude so shapes keep their proportions. Each area is a link.
 */
export function areaMap(o: { id: string; title: string; description: string; areas: MapArea[] }): string {
  const points = o.areas.flatMap((a) => a.rings.flat());
  if (points.length === 0) return '';
  const [width, maxHeight, pad] = [640, 560, 8];
  const longs = points.map((p) => p[0]);
  const lats = points.map((p) => p[1]);
  const [west, east, south, north] = [Math.min(...longs), Math.max(...longs), Math.min(...lats), Math.max(...lats)];
  const xScale = Math.cos((((south + north) / 2) * Math.PI) / 180);
  const spanX = Math.max((east - west) * xScale, 1e-9);
  const spanY = Math.max(north - south, 1e-9);
  const scale = Math.min((width - 2 * pad) / spanX, (maxHeight - 2 * pad) / spanY);
  const height = Math.ceil(spanY * scale + 2 * pad);
  const offsetX = (width - spanX * scale) / 2;
  const project = ([long, lat]: [number, number]): [number, number] => [offsetX + (long - west) * xScale * scale, pad + (north - lat) * scale];

  const shapes: string[] = [];
  const labels: string[] = [];
  for (const area of o.areas) {
    const rings = area.rings.map((ring) => ring.map(project));
    const d = rings.map((ring) => `M${ring.map(([x, y]) => `${r(x)} ${r(y)}`).join('L')}Z`).join('');
    shapes.push(
      `<a href="${escapeHtml(area.href)}" aria-label="${escapeHtml(area.label)}"><title>${escapeHtml(area.label)}</title>` +
        `<path d="${d}" fill="${area.fill}" fill-rule="evenodd" stroke="${CHART_COLOURS.outline}" stroke-width="1" data-area="${escapeHtml(area.id)}"/></a>`,
    );
    // A name goes on the largest ring, when it fits inside that ring's box.
    const largest = rings.reduce<[number, number][] | undefined>((best, ring) => (!best || centroid(ring).area > centroid(best).area ? ring : best), undefined);
    if (!largest) continue;
    const xs = largest.map((p) => p[0]);
    const ys = largest.map((p) => p[1]);
    const name = clip(area.name, 22);
    if (Math.max(...xs) - Math.min(...xs) >= name.length * 6.5 + 6 && Math.max(...ys) - Math.min(...ys) >= 18) {
      const c = centroid(largest);
      labels.push(text(c.x, c.y + 4, name, 'middle', ` font-size="11" font-weight="600" fill="${area.textColour}"`));
    }
  }
  return `${svgOpen(o.id, o.title, o.description, width, height, ' role="group"')}${shapes.join('')}<g aria-hidden="true" pointer-events="none">${labels.join('')}</g></svg>`;
}
