import { BandedPolygon } from './banded-polygon';
import { Box } from './box';
import { PackedRTree } from './packed-r-tree';
import { pointInPolygon } from './point-in-polygon';

/** A deterministic pseudo-random sequence in [0, 1), so failures can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
}

const square = (x: number, y: number, size: number) => [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]];

/** A jagged star around (0, 0): many edges, concave, with long and short edges mixed. */
function star(points: number, next: () => number): number[][] {
  const ring = Array.from({ length: points }, (_, i) => {
    const angle = (2 * Math.PI * i) / points;
    const radius = 5 + 5 * next();
    return [radius * Math.cos(angle), radius * Math.sin(angle)];
  });
  return [...ring, ring[0]];
}

describe('pointInPolygon', () => {
  const withHole = [square(0, 0, 10), square(4, 4, 2)];

  it('is inside the outer ring and outside its holes', () => {
    expect(pointInPolygon(withHole, { long: 1, lat: 1 })).toBe(true);
    expect(pointInPolygon(withHole, { long: 5, lat: 5 })).toBe(false); // in the hole
    expect(pointInPolygon(withHole, { long: 7, lat: 5 })).toBe(true); // beside the hole, same latitude
    expect(pointInPolygon(withHole, { long: 11, lat: 5 })).toBe(false);
    expect(pointInPolygon(withHole, { long: -1, lat: 5 })).toBe(false);
  });

  it('counts a ray through a vertex once', () => {
    const diamond = [[[0, -1], [1, 0], [0, 1], [-1, 0], [0, -1]]];
    expect(pointInPolygon(diamond, { long: -0.5, lat: 0 })).toBe(true); // the ray east passes the vertex (1, 0)
    expect(pointInPolygon(diamond, { long: -2, lat: 0 })).toBe(false); // passes (-1, 0) and (1, 0)
  });

  it('takes rings in either orientation', () => {
    const clockwise = [square(0, 0, 10).reverse()];
    expect(pointInPolygon(clockwise, { long: 5, lat: 5 })).toBe(true);
  });
});

describe('BandedPolygon', () => {
  it('gives exactly the answers of pointInPolygon, on a jagged polygon with holes', () => {
    const next = random(42);
    const rings = [star(2000, next), square(-1, -1, 2), square(2, 2, 1)];
    const banded = new BandedPolygon(rings);
    for (let i = 0; i < 20_000; i++) {
      const point = { long: -12 + 24 * next(), lat: -12 + 24 * next() };
      if (banded.contains(point.long, point.lat) !== pointInPolygon(rings, point)) throw new Error(`disagree at ${JSON.stringify(point)}`);
    }
  });

  it('agrees at vertex latitudes and on the bounding box edges, where bands meet', () => {
    const next = random(7);
    const rings = [star(300, next)];
    const banded = new BandedPolygon(rings);
    const { minX, minY, maxX, maxY } = banded.box;
    const latitudes = [...rings[0].map(([, lat]) => lat), minY, maxY];
    for (const lat of latitudes) {
      for (const long of [minX, maxX, 0, -3, 3]) expect(banded.contains(long, lat)).toBe(pointInPolygon(rings, { long, lat }));
    }
  });

  it('handles a ring with horizontal edges only as empty', () => {
    const flat = new BandedPolygon([[[0, 0], [1, 0], [2, 0], [0, 0]]]);
    expect(flat.contains(0.5, 0)).toBe(false);
  });
});

describe('PackedRTree', () => {
  it('finds exactly the boxes holding a point, edges included', () => {
    const next = random(3);
    const boxes: Box[] = Array.from({ length: 1000 }, () => {
      const [x, y] = [100 * next(), 100 * next()];
      return { minX: x, minY: y, maxX: x + 5 * next(), maxY: y + 5 * next() };
    });
    const tree = new PackedRTree(boxes, 8);
    const probes = [...Array.from({ length: 2000 }, () => ({ x: 105 * next(), y: 105 * next() })), { x: boxes[0].maxX, y: boxes[0].minY }];
    const found: number[] = [];
    for (const { x, y } of probes) {
      const count = tree.search(x, y, found); // one array for all queries, as AreaLayer does
      const expected = boxes.flatMap((b, i) => (x >= b.minX && x <= b.maxX && y >= b.minY && y <= b.maxY ? [i] : []));
      expect(found.slice(0, count).sort((a, b) => a - b)).toEqual(expected);
    }
  });

  it('works with one box and with none', () => {
    const found: number[] = [];
    expect(new PackedRTree([]).search(0, 0, found)).toBe(0);
    expect(new PackedRTree([{ minX: 0, minY: 0, maxX: 1, maxY: 1 }]).search(0.5, 0.5, found)).toBe(1);
    expect(found).toEqual([0]);
  });
});
