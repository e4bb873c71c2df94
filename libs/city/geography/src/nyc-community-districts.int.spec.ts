import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AreaLayer } from './area-layer';
import { parseAreaLayer } from './parse-area-layer';
import { Point, pointInPolygon } from './point-in-polygon';

// Real data beside the repository: NYC's 71 community districts (boro_cd "410" = borough 4,
// district 10) and one day of NYC 311 requests, each with the community board NYC assigned it.
const sharedData = resolve(__dirname, '../../../../../shared/data');
const DISTRICTS_FILE = join(sharedData, 'nyc-community-districts.geojson');
const REQUESTS_FILE = join(sharedData, 'nyc-311-2018-10-21.csv');

const BOROUGH_DIGITS: Record<string, string> = { MANHATTAN: '1', BRONX: '2', BROOKLYN: '3', QUEENS: '4', 'STATEN ISLAND': '5' };
// Boards are numbered 1–18 within a borough; higher district numbers are joint interest areas
// (large parks, airports) that belong to no board.
const isJointInterestArea = (code: string) => Number(code.slice(1)) > 18;

interface DistrictFeature {
  properties: { boro_cd: string };
  geometry: { type: 'Polygon'; coordinates: number[][][] } | { type: 'MultiPolygon'; coordinates: number[][][][] };
}

const polygonsOf = ({ geometry }: DistrictFeature): number[][][][] => (geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates);

/** RFC 4180: quoted fields may hold commas, doubled quotes and line breaks; a BOM may lead. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  const row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char !== '"') field += char;
      else if (text[i + 1] === '"') field += text[++i];
      else quoted = false;
    } else if (char === '"') {
      quoted = true;
    } else if (char === ',' || char === '\n') {
      row.push(field);
      field = '';
      if (char === '\n') rows.push(row.splice(0));
    } else if (char !== '\r') {
      field += char;
    }
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

type Classified = { point: Point; code: string } | { excluded: string };

function locationOf(row: Record<string, string>): Point | undefined {
  const [lat, long] = [row.Latitude, row.Longitude].map((value) => (value.trim() === '' ? Number.NaN : Number(value)));
  return Number.isFinite(lat) && Number.isFinite(long) ? { lat, long } : undefined;
}

/** The row's location and the boro_cd of its community board, or why it cannot be compared. */
function classify(row: Record<string, string>): Classified {
  const point = locationOf(row);
  if (!point) return { excluded: 'no latitude/longitude' };
  const board = /^(\d{2}) (MANHATTAN|BRONX|BROOKLYN|QUEENS|STATEN ISLAND)$/.exec(row['Community Board']);
  if (!board) return { excluded: /unspecified/i.test(row['Community Board']) ? 'board unspecified' : `unrecognised board "${row['Community Board']}"` };
  const code = BOROUGH_DIGITS[board[2]] + board[1];
  if (Number(board[1]) < 1 || isJointInterestArea(code)) return { excluded: 'board number outside 01–18 (joint interest area)' };
  return { point, code };
}

/** Metres from the point to the nearest edge of the polygons (local flat-earth approximation). */
function metresToEdge(point: Point, polygons: number[][][][]): number {
  const [mx, my] = [111_320 * Math.cos((point.lat * Math.PI) / 180), 110_540];
  let nearest = Infinity;
  for (const ring of polygons.flat()) {
    for (let i = 1; i < ring.length; i++) {
      const [ax, ay, bx, by] = [(ring[i - 1][0] - point.long) * mx, (ring[i - 1][1] - point.lat) * my, (ring[i][0] - point.long) * mx, (ring[i][1] - point.lat) * my];
      const [dx, dy] = [bx - ax, by - ay];
      const t = dx === 0 && dy === 0 ? 0 : Math.max(0, Math.min(1, -(ax * dx + ay * dy) / (dx * dx + dy * dy)));
      nearest = Math.min(nearest, Math.hypot(ax + t * dx, ay + t * dy));
    }
  }
  return nearest;
}

const tally = (keys: string[]): Record<string, number> => keys.reduce<Record<string, number>>((counts, key) => ({ ...counts, [key]: (counts[key] ?? 0) + 1 }), {});

/** A deterministic pseudo-random sequence in [0, 1), so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
}

/** Lookups per second over `points`, repeated for about half a second. */
function lookupsPerSecond(layer: AreaLayer, points: Point[]): number {
  let lookups = 0;
  const start = performance.now();
  while (performance.now() - start < 500) {
    for (const point of points) layer.locate(point);
    lookups += points.length;
  }
  return Math.round((lookups / (performance.now() - start)) * 1000);
}

describe('NYC community districts against one day of NYC 311 requests', () => {
  const geojson = readFileSync(DISTRICTS_FILE, 'utf8');
  const layer = parseAreaLayer({ layer: 'community-district', idProperty: 'boro_cd' }, geojson, 'nyc-community-districts.geojson');
  const features = (JSON.parse(geojson) as { features: DistrictFeature[] }).features;
  const [header, ...records] = parseCsv(readFileSync(REQUESTS_FILE, 'utf8'));
  const rows = records.map((fields) => Object.fromEntries(header.map((name, i) => [name, fields[i]])));
  const classified = rows.map(classify);
  const compared = classified.filter((row): row is { point: Point; code: string } => 'code' in row);
  const located = rows.flatMap((row) => locationOf(row) ?? []);
  const next = random(2018);
  const randomPoints = Array.from({ length: 10_000 }, () => ({ long: -74.26 + 0.56 * next(), lat: 40.49 + 0.43 * next() })); // the city's bounding box

  it('reads all 71 districts and every CSV row whole', () => {
    expect(layer.size).toBe(71);
    expect(header).toEqual(expect.arrayContaining(['Community Board', 'Latitude', 'Longitude']));
    expect(records.filter((fields) => fields.length !== header.length)).toEqual([]);
  });

  it('gives the same answer as a brute-force scan of every polygon, on 10,000 random points and every 311 location', () => {
    const bruteForce = (point: Point) => features.find((feature) => polygonsOf(feature).some((rings) => pointInPolygon(rings, point)))?.properties.boro_cd;
    const points = [...randomPoints, ...located];
    const disagreements = points.filter((point) => layer.locate(point)?.id !== bruteForce(point));
    expect(disagreements).toEqual([]);
    // Not a vacuous check: about a third of the bounding box is city land (the rest is water and New Jersey).
    expect(randomPoints.filter((point) => layer.locate(point)).length).toBeGreaterThan(3_000);
  });

  it("puts at least 99% of located requests in the district of their own community board", () => {
    const results = compared.map(({ point, code }) => ({ point, code, assigned: layer.locate(point)?.id }));
    const disagreeing = results.filter(({ code, assigned }) => assigned !== code);
    const agreeing = results.length - disagreeing.length;
    const percent = (100 * agreeing) / results.length;

    const byFeature = new Map(features.map((feature) => [feature.properties.boro_cd, feature]));
    const whereInstead = ({ code, assigned }: { code: string; assigned?: string }) =>
      assigned === undefined ? 'in no district' : isJointInterestArea(assigned) ? 'in a joint interest area (park, airport)' : assigned[0] === code[0] ? 'in another district of the same borough' : 'in another borough';
    const howFar = ({ point, code }: { point: Point; code: string }) => {
      const metres = metresToEdge(point, polygonsOf(byFeature.get(code)!));
      // Street centre lines are district boundaries, so a request geocoded to a boundary street or
      // intersection sits on the line (within a few metres), where either side is a fair answer.
      return metres <= 5 ? 'on the boundary (≤ 5 m from its board’s district)' : metres <= 150 ? '5–150 m from its board’s district' : '> 150 m from its board’s district';
    };
    const excluded = tally(classified.flatMap((row) => ('excluded' in row ? [row.excluded] : [])));

    console.log(
      [
        'NYC 311 (2018-10-21) against community districts:',
        `  rows ${rows.length}, located ${located.length}, compared ${results.length}, agreeing ${agreeing} (${percent.toFixed(2)}%)`,
        `  excluded ${rows.length - results.length}: ${JSON.stringify(excluded)}`,
        `  disagreeing ${disagreeing.length}, where: ${JSON.stringify(tally(disagreeing.map(whereInstead)))}`,
        `  disagreeing, distance: ${JSON.stringify(tally(disagreeing.map(howFar)))}`,
        `  lookups/s (one core): ${lookupsPerSecond(layer, located).toLocaleString('en-US')} on the 311 locations, ${lookupsPerSecond(layer, randomPoints).toLocaleString('en-US')} on random points in the city's bounding box`,
      ].join('\n'),
    );
    expect(percent).toBeGreaterThanOrEqual(99);
  });
});
