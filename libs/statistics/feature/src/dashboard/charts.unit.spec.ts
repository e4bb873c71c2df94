import { areaMap, CHART_COLOURS, columnChart, lineChart, niceScale, SHADES, shadeClass, shadeLegend, shareBars, textOnShade } from './charts';
import { contrast } from './sample-report.fixture';

describe('chart helpers', () => {
  it('picks an axis of round numbers', () => {
    expect(niceScale(0)).toEqual({ top: 4, step: 1 });
    expect(niceScale(3)).toEqual({ top: 3, step: 1 });
    expect(niceScale(905)).toEqual({ top: 1000, step: 250 });
    expect(niceScale(1900)).toEqual({ top: 2000, step: 500 });
  });

  it('shades in five equal steps of the largest value, none for nothing', () => {
    expect([0, 1, 410, 411, 1640, 2050].map((v) => shadeClass(v, 2050))).toEqual([0, 1, 1, 2, 4, 5]);
    expect(shadeClass(0, 0)).toBe(0);
    expect(shadeLegend('received', 2050).map((item) => item.label)).toEqual(['None', '1–410', '411–820', '821–1230', '1231–1640', '1641–2050']);
    // Few cases: only the steps whole numbers can fall in.
    expect(shadeLegend('overdue', 3).map((item) => item.label)).toEqual(['None', '1', '2', '3']);
    expect(shadeLegend('overdue', 0).map((item) => item.label)).toEqual(['None']);
  });

  it('keeps text readable on every shade, and marks visible on white', () => {
    for (const ramp of Object.values(SHADES)) ramp.forEach((fill, i) => expect(contrast(textOnShade(i + 1), fill)).toBeGreaterThanOrEqual(4.5));
    for (const mark of [CHART_COLOURS.received, CHART_COLOURS.resolved, CHART_COLOURS.bar, CHART_COLOURS.axis]) expect(contrast(mark, '#ffffff')).toBeGreaterThanOrEqual(3);
    expect(contrast(CHART_COLOURS.text, '#ffffff')).toBeGreaterThanOrEqual(4.5);
  });

  it('projects areas fitted to their box, with longitude shrunk by the cosine of the latitude', () => {
    // One degree square at 60° north is half as wide as it is tall.
    const svg = areaMap({ id: 'm', title: 'T', description: 'D', areas: [{ id: 'a', name: 'A', rings: [[[10, 60], [11, 60], [11, 61], [10, 61], [10, 60]]], fill: '#ffffff', textColour: '#000000', href: '/x', label: 'A: 1' }] });
    const numbers = / d="([^"]+)"/.exec(svg)![1].match(/-?\d+(\.\d+)?/g)!.map(Number);
    const xs = numbers.filter((_, i) => i % 2 === 0);
    const ys = numbers.filter((_, i) => i % 2 === 1);
    const [width, height] = [Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys)];
    expect(width / height).toBeCloseTo(Math.cos((60.5 * Math.PI) / 180), 2);
    expect(Math.min(...ys)).toBeCloseTo(8); // north is up, at the padding
    expect(svg).toContain('<a href="/x" aria-label="A: 1"><title>A: 1</title>');
    expect(areaMap({ id: 'm', title: 'T', description: 'D', areas: [] })).toBe('');
  });

  it('draws lines, columns and bars for any data, one point or none', () => {
    const one = lineChart({ id: 'l', title: 'T', description: 'D', labels: ['Jan 5'], series: [{ name: 'S', colour: '#000000', dash: '', values: [3] }] });
    expect(one).toMatch(/<polyline points="[\d.]+,[\d.]+"/);
    const columns = columnChart({ id: 'c', title: 'T', description: 'D', bars: [{ label: 'Over four weeks and more', value: 0 }] });
    const bars = shareBars({ id: 'b', title: 'T', description: 'D', bars: [{ label: 'X', share: null, valueLabel: '—' }] });
    for (const svg of [one, columns, bars]) expect(svg).not.toMatch(/NaN|Infinity|undefined/);
  });
});
