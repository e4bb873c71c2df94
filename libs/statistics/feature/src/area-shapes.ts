import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cityConfigDir } from '@caseline/city-config';
import { AREA_LAYERS } from '@caseline/statistics-domain';

export interface AreaShape {
  id: string;
  name: string;
  /** Outer rings of the area's polygons, [long, lat], thinned to at most MAX_POINTS each. */
  rings: [number, number][][];
}

const MAX_POINTS = 120;
const thin = (ring: [number, number][]): [number, number][] => {
  const step = Math.ceil(ring.length / MAX_POINTS);
  return step <= 1 ? ring : ring.filter((_, index) => index % step === 0 || index === ring.length - 1);
};

interface Feature {
  properties?: Record<string, unknown>;
  geometry?: { type: string; coordinates: unknown };
}

/**
 * The shapes of the area layer the figures are kept by (the first of AREA_LAYERS the city's
 * areas.json lists), for the dashboard's map. None when the city has no such layer: imported
 * histories from other cities' districts are then shown as a table.
 */
export function loadAreaShapes(dir = cityConfigDir()): AreaShape[] {
  const manifestPath = join(dir, 'areas.json');
  if (!existsSync(manifestPath)) return [];
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { layers: { layer: string; file: string; idProperty: string; nameProperty?: string }[] };
  const spec = AREA_LAYERS.map((name) => manifest.layers.find((layer) => layer.layer === name)).find(Boolean);
  if (!spec) return [];
  const collection = JSON.parse(readFileSync(join(dir, spec.file), 'utf8')) as { features: Feature[] };
  return collection.features.map((feature) => {
    const id = String(feature.properties?.[spec.idProperty] ?? '');
    const polygons = (feature.geometry?.type === 'MultiPolygon' ? feature.geometry.coordinates : [feature.geometry?.coordinates]) as [number, number][][][];
    return { id, name: String(feature.properties?.[spec.nameProperty ?? spec.idProperty] ?? id), rings: polygons.map((rings) => thin(rings[0])) };
  });
}
