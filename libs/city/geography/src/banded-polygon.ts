import { Box, boxOfRings } from './box';
import { crossesEastRay } from './point-in-polygon';

/**
 * One polygon (outer ring and holes) prepared for many point tests. Its edges are bucketed into
 * horizontal bands of equal height (a y-slab index): an edge is copied into every band its latitude
 * range touches, so a ray cast at latitude `lat` only needs the edges of the one band holding `lat`
 * instead of all the polygon's edges. Answers are exactly those of pointInPolygon: the same edges
 * that could cross are tested with the same crossesEastRay.
 */
export class BandedPolygon {
  readonly box: Box;
  private readonly bandHeight: number;
  private readonly bandCount: number;
  /** Band b holds the edges from bandStart[b] to bandStart[b + 1] (exclusive) in `edges`. */
  private readonly bandStart: Uint32Array;
  /** x1, y1, x2, y2 of each edge, band after band; an edge spanning bands appears in each. */
  private readonly edges: Float64Array;

  constructor(rings: number[][][]) {
    this.box = boxOfRings(rings);
    const edges = slantedEdges(rings);
    this.bandCount = chooseBandCount(edges, this.box);
    // A flat polygon (one latitude throughout) has no slanted edges, so any non-zero height works.
    this.bandHeight = (this.box.maxY - this.box.minY) / this.bandCount || 1;
    this.bandStart = new Uint32Array(this.bandCount + 1);
    this.edges = this.fillBands(edges);
  }

  contains(long: number, lat: number): boolean {
    // crossesEastRay needs minY <= lat < maxY of some edge, so outside this range nothing crosses
    // (and NaN ends here too).
    if (!(lat >= this.box.minY && lat < this.box.maxY)) return false;
    const band = this.bandOf(lat);
    const edges = this.edges;
    let inside = false;
    for (let e = this.bandStart[band] * 4, end = this.bandStart[band + 1] * 4; e < end; e += 4) {
      if (crossesEastRay(edges[e], edges[e + 1], edges[e + 2], edges[e + 3], long, lat)) inside = !inside;
    }
    return inside;
  }

  /**
   * Monotone in lat, so an edge with minY <= lat <= maxY is always filed in bandOf(lat): it was
   * filed in every band from bandOf(minY) to bandOf(maxY).
   */
  private bandOf(y: number): number {
    return Math.min(this.bandCount - 1, Math.floor((y - this.box.minY) / this.bandHeight));
  }

  /** Counting sort of edges into bands: count per band, prefix sums, then copy. */
  private fillBands(edges: number[]): Float64Array {
    const spans = (e: number): [number, number] => {
      const [y1, y2] = [edges[e + 1], edges[e + 3]];
      return [this.bandOf(Math.min(y1, y2)), this.bandOf(Math.max(y1, y2))];
    };
    for (let e = 0; e < edges.length; e += 4) {
      const [first, last] = spans(e);
      for (let band = first; band <= last; band++) this.bandStart[band + 1]++;
    }
    for (let band = 0; band < this.bandCount; band++) this.bandStart[band + 1] += this.bandStart[band];
    const filled = new Float64Array(this.bandStart[this.bandCount] * 4);
    const next = this.bandStart.slice(0, this.bandCount);
    for (let e = 0; e < edges.length; e += 4) {
      const [first, last] = spans(e);
      for (let band = first; band <= last; band++) {
        const at = next[band]++ * 4;
        for (let k = 0; k < 4; k++) filled[at + k] = edges[e + k];
      }
    }
    return filled;
  }
}

/**
 * x1, y1, x2, y2 of every edge, in the order pointInPolygon visits them (position i, then the one
 * before it) so the arithmetic is identical. Horizontal edges are left out: they never cross.
 */
function slantedEdges(rings: number[][][]): number[] {
  const edges: number[] = [];
  for (const ring of rings) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      if (ring[i][1] !== ring[j][1]) edges.push(ring[i][0], ring[i][1], ring[j][0], ring[j][1]);
    }
  }
  return edges;
}

/**
 * Bands about as tall as an average edge, so a band holds little more than the few edges a
 * horizontal line crosses there. It also bounds the index whatever the shape: an edge of height dy
 * is copied into at most dy / bandHeight + 2 bands, and the dy sum to edgeCount × bandHeight, so
 * there are at most 3 × edgeCount copies (fewer when the edge count caps the band count).
 */
function chooseBandCount(edges: number[], box: Box): number {
  const edgeCount = edges.length / 4;
  let totalHeight = 0;
  for (let e = 0; e < edges.length; e += 4) totalHeight += Math.abs(edges[e + 3] - edges[e + 1]);
  if (edgeCount === 0 || totalHeight === 0) return 1;
  return Math.max(1, Math.min(edgeCount, Math.round((box.maxY - box.minY) / (totalHeight / edgeCount))));
}
