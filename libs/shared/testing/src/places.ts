import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Geography, loadGeography } from '@caseline/city-geography';

/**
 * Places for reports that must stay separate cases: routing links a report of the same kind within
 * a few dozen metres of an open case as its duplicate (config/demo-city/duplicates.json), so each
 * call gives the next point of a 100 × 100 grid over lower Manhattan and Brooklyn, about 65 m apart.
 * The spec files of one run share a database, and each has its own module registry, so the position
 * in the grid is kept in a file: no two calls of a run get the same place (until 10,000 calls).
 */
const counterFile = join(tmpdir(), 'caseline-distinct-place');

function nextIndex(): number {
  let index = 0;
  try {
    index = Number(readFileSync(counterFile, 'utf8')) || 0;
  } catch {
    // first call on this machine
  }
  writeFileSync(counterFile, String(index + 1));
  return index;
}

let councilDistricts: Geography | undefined;

/**
 * The next grid point inside one of the demo city's council districts: about a tenth of the grid is
 * the East River, where a case has no district (and a test of district digests nothing to find).
 */
export function distinctPlace(): { lat: number; long: number } {
  councilDistricts ??= loadGeography(join(__dirname, '../../../../config/demo-city'));
  for (;;) {
    const place = gridPlace(nextIndex());
    if (councilDistricts.locate(place)['council-district']) return place;
  }
}

/** The index-th point of the grid (a load generator keeps its own index, in memory). */
export function gridPlace(index: number): { lat: number; long: number } {
  const row = index % 100;
  const column = Math.floor(index / 100) % 100;
  return { lat: Number((40.68 + row * 0.0006).toFixed(6)), long: Number((-73.99 + column * 0.0008).toFixed(6)) };
}
