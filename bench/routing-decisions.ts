/**
 * Routing decisions on the real NYC community districts (issue 4): each decision places the case
 * (point in area, through the spatial index) and applies the demo city's rules and calendars — the
 * whole of the routing service's decision, without I/O. Baseline in the same run: the same lookups
 * by scanning every district's polygons, as a service without a spatial index would.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { calendarOf, loadCityConfig } from '@caseline/city-config';
import { Geography, parseAreaLayer, Point, pointInPolygon } from '@caseline/city-geography';
import { routeCase } from '@caseline/routing-domain';
import { percentile } from './case-events';

const sharedData = resolve(__dirname, '../../shared/data');

/** Every located request of one day of NYC 311 (the CSV's last column is "(lat, long)"). */
function nycRequestPoints(): Point[] {
  const lines = readFileSync(join(sharedData, 'nyc-311-2018-10-21.csv'), 'utf8').split('\n');
  return lines.flatMap((line) => {
    const found = /"\((-?\d+\.\d+), (-?\d+\.\d+)\)"\s*$/.exec(line);
    return found ? [{ lat: Number(found[1]), long: Number(found[2]) }] : [];
  });
}


export interface RoutingDecisionFigures {
  points: number;
  decisions: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  scanPerSecond: number;
  /** Requests the index placed in a district, and the scan too: they must agree. */
  placed: number;
  scanPlaced: number;
}

export function measureRoutingDecisions(rounds = 5): RoutingDecisionFigures {
  const city = loadCityConfig(resolve(__dirname, '../config/demo-city'));
  const geojson = readFileSync(join(sharedData, 'nyc-community-districts.geojson'), 'utf8');
  const districts = parseAreaLayer({ layer: 'community-district', idProperty: 'boro_cd' }, geojson, 'nyc-community-districts.geojson');
  const geography = new Geography([districts]);
  const points = nycRequestPoints();
  const services = city.services;
  const clock = { start: new Date('2026-11-25T17:00:00Z'), calendarOf: (department: string) => calendarOf(city, department) };

  // One decision: where the case lies, then the first matching rule and its deadline.
  const decide = (point: Point, index: number) => {
    const service = services[index % services.length];
    const areas = Object.fromEntries(Object.entries(geography.locate(point)).map(([layer, area]) => [layer, area.id]));
    return routeCase(city.routing, { serviceCode: service.code, group: service.group, channel: 'web', areas, answers: {}, description: 'The streetlight on the corner is out' }, clock);
  };
  points.slice(0, 2000).forEach(decide); // warm-up (JIT), not counted

  const durations: number[] = [];
  const started = process.hrtime.bigint();
  for (let round = 0; round < rounds; round++) {
    points.forEach((point, index) => {
      const before = process.hrtime.bigint();
      decide(point, index);
      durations.push(Number(process.hrtime.bigint() - before) / 1e6);
    });
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  durations.sort((a, b) => a - b);

  // Baseline: the same point lookups by testing every polygon of every district.
  const polygons = JSON.parse(geojson).features.map((f: { geometry: { type: string; coordinates: number[][][] | number[][][][] } }) =>
    f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates,
  ) as number[][][][][];
  const scanStarted = process.hrtime.bigint();
  let scanPlaced = 0;
  for (const point of points) if (polygons.some((parts) => parts.some((rings) => pointInPolygon(rings, point)))) scanPlaced++;
  const scanSeconds = Number(process.hrtime.bigint() - scanStarted) / 1e9;

  return {
    points: points.length,
    decisions: durations.length,
    perSecond: durations.length / seconds,
    p50Ms: percentile(durations, 50),
    p99Ms: percentile(durations, 99),
    scanPerSecond: points.length / scanSeconds,
    placed: points.filter((point) => districts.locate(point)).length,
    scanPlaced,
  };
}

export const describeRoutingDecisions = (r: RoutingDecisionFigures) =>
  `routing decisions (NYC community districts, ${r.points} located requests × rounds): ${r.perSecond.toFixed(0)}/s, p50 ${(r.p50Ms * 1000).toFixed(0)} µs, p99 ${(r.p99Ms * 1000).toFixed(0)} µs; ` +
  `point lookups by scanning every polygon (no index): ${r.scanPerSecond.toFixed(0)}/s; placed in a district: ${r.placed} by the index, ${r.scanPlaced} by the scan`;

if (require.main === module) console.log(describeRoutingDecisions(measureRoutingDecisions()));
