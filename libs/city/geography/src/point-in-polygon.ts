/** A place in WGS 84 degrees. */
export interface Point {
  lat: number;
  long: number;
}

/**
 * Whether the edge (x1, y1)–(x2, y2) crosses the ray cast east from (long, lat). Half-open in
 * latitude (an edge holds its lower end, not its upper one), so a ray through a shared vertex is
 * counted once. Every point-in-polygon answer in Caseline comes from this one test, which is what
 * lets the banded index promise the same answers as the plain scan below.
 */
export function crossesEastRay(x1: number, y1: number, x2: number, y2: number, long: number, lat: number): boolean {
  return y1 > lat !== y2 > lat && long < ((x2 - x1) * (lat - y1)) / (y2 - y1) + x1;
}

/**
 * Even-odd ray casting over all rings of one polygon (the outer ring, then its holes), positions
 * in GeoJSON order [long, lat]: inside the outer ring and outside every hole. A point exactly on an
 * edge may go either way. Scans every edge; AreaLayer uses an index for large layers.
 */
export function pointInPolygon(rings: number[][][], point: Point): boolean {
  let inside = false;
  for (const ring of rings) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      if (crossesEastRay(ring[i][0], ring[i][1], ring[j][0], ring[j][1], point.long, point.lat)) inside = !inside;
    }
  }
  return inside;
}
