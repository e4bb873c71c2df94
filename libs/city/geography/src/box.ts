/** An axis-aligned bounding box in degrees (x = longitude, y = latitude). */
export interface Box {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

/** The bounding box of some rings of [long, lat] positions. */
export function boxOfRings(rings: number[][][]): Box {
  const box = { minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity };
  for (const ring of rings) {
    for (const [x, y] of ring) {
      box.minX = Math.min(box.minX, x);
      box.minY = Math.min(box.minY, y);
      box.maxX = Math.max(box.maxX, x);
      box.maxY = Math.max(box.maxY, y);
    }
  }
  return box;
}
