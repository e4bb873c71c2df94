import { pointInPolygon } from '@caseline/city-geography';

/** The city limits: a GeoJSON Polygon or MultiPolygon (outer rings and holes), longitude first. */
export interface Boundary {
  type: 'Polygon' | 'MultiPolygon';
  coordinates: number[][][] | number[][][][];
}

type Ring = number[][];

/** Within the city limits: inside an outer ring and none of its holes (a point exactly on the line may go either way). */
export function boundaryContains(boundary: Boundary, point: { lat: number; long: number }): boolean {
  const polygons = boundary.type === 'Polygon' ? [boundary.coordinates as Ring[]] : (boundary.coordinates as Ring[][]);
  return polygons.some((polygon) => pointInPolygon(polygon, point));
}

/** Checks a boundary read from a file, so a broken one fails at start with the reason. */
export function validateBoundary(value: unknown): Boundary {
  const geometry = (value as { type?: string; geometry?: unknown })?.type === 'Feature' ? (value as { geometry: unknown }).geometry : value;
  const { type, coordinates } = (geometry ?? {}) as Partial<Boundary>;
  const polygons = type === 'Polygon' ? [coordinates] : type === 'MultiPolygon' ? coordinates : undefined;
  const ringsOk = Array.isArray(polygons) && polygons.length > 0 &&
    polygons.every((rings) => Array.isArray(rings) && rings.length > 0 && (rings as unknown[]).every((ring) => Array.isArray(ring) && ring.length >= 4 && ring.every((p) => Array.isArray(p) && p.length >= 2 && p.every((n) => typeof n === 'number' && Number.isFinite(n)))));
  if (!ringsOk) throw new Error('boundary.geojson must be a GeoJSON Polygon or MultiPolygon (or a Feature of one) with closed rings of [long, lat] numbers');
  return { type: type!, coordinates: coordinates! } as Boundary;
}
