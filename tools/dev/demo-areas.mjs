// Generates the demo city's area layers (config/demo-city/areas.json and areas/*.geojson) from
// New York City's community districts: the districts themselves, 10 invented council districts and
// one invented service zone per borough, both made of whole community districts.
//
//   node tools/dev/demo-areas.mjs [path/to/nyc-community-districts.geojson]
//
// The default source is ../shared/data/nyc-community-districts.geojson beside the repository.
// Polygons are simplified (Douglas–Peucker) and rounded so the three files stay small.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const sourceFile = resolve(process.argv[2] ?? join(repo, '../shared/data/nyc-community-districts.geojson'));
const cityDir = join(repo, 'config/demo-city');

// About 33 m north–south and 25 m east–west in New York: invisible at street-map zoom, and it
// removes roughly nine vertices in ten. Five decimals are about a metre.
const TOLERANCE = 0.0003;
const DECIMALS = 5;

// The first digit of a community district code (boro_cd) is the borough.
const BOROUGHS = {
  1: { name: 'Manhattan', zone: 'MN', crewYard: 'Gansevoort Street Crew Yard' },
  2: { name: 'Bronx', zone: 'BX', crewYard: 'Harlem River Crew Yard' },
  3: { name: 'Brooklyn', zone: 'BK', crewYard: 'Gowanus Crew Yard' },
  4: { name: 'Queens', zone: 'QN', crewYard: 'Maspeth Crew Yard' },
  5: { name: 'Staten Island', zone: 'SI', crewYard: 'Fresh Kills Crew Yard' },
};

// Invented council districts 1–10 with invented members: neighbouring community districts of one
// borough, mostly consecutive numbers, each park or airport (joint interest area) together with
// districts it borders, so that every council district is one piece.
const COUNCIL_DISTRICTS = [
  { member: 'Maria Delgado', districts: [101, 102, 103, 104, 105, 106] },
  { member: 'Jonathan Whitfield', districts: [107, 108, 109, 110, 111, 112, 164] },
  { member: 'Aisha Thompson', districts: [201, 202, 203, 204, 205, 206, 207, 208] },
  { member: 'Rafael Ortiz', districts: [209, 210, 211, 212, 226, 227, 228] },
  { member: 'Grace Liu', districts: [301, 302, 303, 304, 305, 306, 307] },
  { member: 'Samuel Okafor', districts: [308, 309, 314, 316, 317, 355] },
  { member: 'Rebecca Goldstein', districts: [310, 311, 312, 313, 315, 318, 356] },
  { member: 'Priya Raman', districts: [401, 402, 403, 404, 405, 406, 407, 480, 481, 482] },
  { member: 'Michael Kowalski', districts: [408, 409, 410, 411, 412, 413, 414, 483, 484] },
  { member: 'Teresa Russo', districts: [501, 502, 503, 595] },
];

// Community boards are numbered 1–18 within a borough; higher numbers are joint interest areas
// (large parks and airports) that belong to no community board.
const isJointInterestArea = (code) => Number(code.slice(1)) > 18;

/** Squared distance from p to the segment a–b, in degrees². */
function segmentDistance2([px, py], [ax, ay], [bx, by]) {
  const [dx, dy] = [bx - ax, by - ay];
  const length2 = dx * dx + dy * dy;
  const t = length2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / length2));
  const [ex, ey] = [px - (ax + t * dx), py - (ay + t * dy)];
  return ex * ex + ey * ey;
}

/** Douglas–Peucker on the open path points[first..last]: marks the positions to keep. */
function markKept(points, first, last, tolerance2, keep) {
  let [farthest, farthestDistance2] = [-1, tolerance2];
  for (let i = first + 1; i < last; i++) {
    const distance2 = segmentDistance2(points[i], points[first], points[last]);
    if (distance2 > farthestDistance2) [farthest, farthestDistance2] = [i, distance2];
  }
  if (farthest < 0) return;
  keep[farthest] = true;
  markKept(points, first, farthest, tolerance2, keep);
  markKept(points, farthest, last, tolerance2, keep);
}

/**
 * A closed ring simplified: split at its first position and the position farthest from it (a
 * closed ring has no segment to measure against), then Douglas–Peucker on both halves.
 */
function simplifyRing(ring, tolerance) {
  const fromStart2 = ([x, y]) => (x - ring[0][0]) ** 2 + (y - ring[0][1]) ** 2;
  let opposite = 0;
  for (let i = 1; i < ring.length; i++) if (fromStart2(ring[i]) > fromStart2(ring[opposite])) opposite = i;
  const keep = ring.map((_, i) => i === 0 || i === opposite || i === ring.length - 1);
  markKept(ring, 0, opposite, tolerance * tolerance, keep);
  markKept(ring, opposite, ring.length - 1, tolerance * tolerance, keep);
  return ring.filter((_, i) => keep[i]);
}

const round = (n) => Number(n.toFixed(DECIMALS));

/** Rounded positions without the repeats rounding can create (the closing position stays). */
function roundRing(ring) {
  const rounded = ring.map(([long, lat]) => [round(long), round(lat)]);
  return rounded.filter((p, i) => i === 0 || p[0] !== rounded[i - 1][0] || p[1] !== rounded[i - 1][1]);
}

/**
 * A valid simplified ring: closed, with at least 4 positions. Small rings (islets, narrow holes)
 * would collapse at the full tolerance, so they are retried with a finer one.
 */
function simplifyValidRing(ring) {
  const rounded = roundRing(ring);
  for (let tolerance = TOLERANCE; tolerance > 1e-7; tolerance /= 2) {
    const simplified = simplifyRing(rounded, tolerance);
    if (simplified.length >= 4) return simplified;
  }
  return rounded;
}

/** The feature's polygons (outer ring, then holes), whatever its geometry type, simplified. */
function simplifiedPolygons(geometry) {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  return polygons.map((rings) => rings.map(simplifyValidRing));
}

const geometryOf = (polygons) => (polygons.length === 1 ? { type: 'Polygon', coordinates: polygons[0] } : { type: 'MultiPolygon', coordinates: polygons });

function communityDistricts(collection) {
  return collection.features
    .map((feature) => {
      const code = String(feature.properties.boro_cd);
      const borough = BOROUGHS[code[0]];
      if (!borough) throw new Error(`${sourceFile}: boro_cd "${code}" starts with no borough digit 1–5`);
      const number = Number(code.slice(1));
      const kind = isJointInterestArea(code) ? 'Joint Interest Area' : 'Community District';
      return { code, borough, name: `${borough.name} ${kind} ${number}`, polygons: simplifiedPolygons(feature.geometry) };
    })
    .sort((a, b) => Number(a.code) - Number(b.code));
}

const feature = (properties, polygons) => ({ type: 'Feature', properties, geometry: geometryOf(polygons) });

/** Refuses a source whose districts are not exactly those the council districts are made of. */
function checkCouncilDistrictsCover(districts) {
  const listed = COUNCIL_DISTRICTS.flatMap((council) => council.districts.map(String)).sort();
  const found = districts.map((d) => d.code).sort();
  if (listed.join() !== found.join()) throw new Error(`${sourceFile}: expected community districts ${listed.join(' ')}, found ${found.join(' ')}; update COUNCIL_DISTRICTS`);
}

function councilDistricts(districts) {
  checkCouncilDistrictsCover(districts);
  return COUNCIL_DISTRICTS.map(({ member, districts: codes }, index) => {
    const number = index + 1;
    return feature(
      { district: String(number), name: `Council District ${number}`, councilMember: member, councilMemberEmail: `district${number}@council.demo-city.caseline.local` },
      districts.filter((d) => codes.includes(Number(d.code))).flatMap((d) => d.polygons),
    );
  });
}

function serviceZones(districts) {
  return Object.values(BOROUGHS).map((borough) =>
    feature({ zone: borough.zone, name: `${borough.name} service zone`, crewYard: borough.crewYard }, districts.filter((d) => d.borough === borough).flatMap((d) => d.polygons)),
  );
}

/** One feature per line: small diffs when regenerated, and error lines that point at a feature. */
const featureCollectionText = (features) => `{"type":"FeatureCollection","features":[\n${features.map((f) => JSON.stringify(f)).join(',\n')}\n]}\n`;

const manifest = {
  layers: [
    { layer: 'community-district', file: 'areas/community-districts.geojson', idProperty: 'district', nameProperty: 'name', properties: ['borough'] },
    { layer: 'council-district', file: 'areas/council-districts.geojson', idProperty: 'district', nameProperty: 'name', properties: ['councilMember', 'councilMemberEmail'] },
    { layer: 'service-zone', file: 'areas/service-zones.geojson', idProperty: 'zone', nameProperty: 'name', properties: ['crewYard'] },
  ],
};

const districts = communityDistricts(JSON.parse(readFileSync(sourceFile, 'utf8')));
const layers = {
  'areas/community-districts.geojson': districts.map((d) => feature({ district: d.code, name: d.name, borough: d.borough.name }, d.polygons)),
  'areas/council-districts.geojson': councilDistricts(districts),
  'areas/service-zones.geojson': serviceZones(districts),
};
mkdirSync(join(cityDir, 'areas'), { recursive: true });
for (const [file, features] of Object.entries(layers)) {
  const text = featureCollectionText(features);
  writeFileSync(join(cityDir, file), text);
  console.log(`${relative(repo, join(cityDir, file))}: ${features.length} features, ${(text.length / 1024).toFixed(0)} KiB`);
}
writeFileSync(join(cityDir, 'areas.json'), `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`${relative(repo, join(cityDir, 'areas.json'))}: ${manifest.layers.length} layers`);
