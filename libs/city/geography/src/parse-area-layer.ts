import { Area, AreaFeature, AreaLayer, AreaLayerSpec } from './area-layer';
import { GeographyError } from './geography-error';
import { isJsonObject as isObject, JsonObject, JsonWithLines, parseJsonWithLines } from './json-with-lines';

/** A property value as text: strings as they are, numbers and booleans as String() writes them, anything else as JSON. */
const asText = (value: unknown): string => (typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value));

/**
 * Reads one layer from the text of a GeoJSON FeatureCollection of Polygon and MultiPolygon
 * features. Anything that would make lookups wrong or ambiguous is refused with a GeographyError
 * naming the source, the line of the offending part and the feature (0-based, like rings and
 * positions), e.g. `council-districts.geojson:123: feature 4 (district "7"): ring 0 is not closed`.
 */
export function parseAreaLayer(spec: AreaLayerSpec, text: string, source: string): AreaLayer {
  return new AreaLayer(spec.layer, new LayerReader(spec, parseJsonWithLines(text, source), source).features());
}

class LayerReader {
  constructor(
    private readonly spec: AreaLayerSpec,
    private readonly json: JsonWithLines,
    private readonly source: string,
  ) {}

  features(): AreaFeature[] {
    const collection = this.json.value;
    if (!isObject(collection) || collection.type !== 'FeatureCollection' || !Array.isArray(collection.features)) {
      throw this.error('not a GeoJSON FeatureCollection (an object with "type": "FeatureCollection" and a "features" array)', collection);
    }
    const features: unknown[] = collection.features;
    if (features.length === 0) throw this.error(`the layer "${this.spec.layer}" has no features`, features);
    const firstWithId = new Map<string, number>();
    return features.map((feature, index) => {
      if (!isObject(feature) || feature.type !== 'Feature') throw this.error(`feature ${index} is not a GeoJSON Feature (an object with "type": "Feature")`, feature, features);
      const area = this.area(feature, index);
      const label = `feature ${index} (${this.spec.idProperty} "${area.id}")`;
      const earlier = firstWithId.get(area.id);
      if (earlier !== undefined) throw this.error(`${label}: ${this.spec.idProperty} "${area.id}" is already the id of feature ${earlier}; ids must be unique in a layer`, feature);
      firstWithId.set(area.id, index);
      return { area, polygons: this.polygons(feature, label) };
    });
  }

  private area(feature: JsonObject, index: number): Area {
    const properties = isObject(feature.properties) ? feature.properties : {};
    const id = properties[this.spec.idProperty];
    if (!((typeof id === 'string' && id.trim() !== '') || (typeof id === 'number' && Number.isFinite(id)))) {
      throw this.error(`feature ${index}: the id property "${this.spec.idProperty}" is missing or empty`, feature);
    }
    const name = this.spec.nameProperty === undefined ? undefined : properties[this.spec.nameProperty];
    const kept = (this.spec.properties ?? []).filter((key) => properties[key] !== undefined && properties[key] !== null);
    return {
      layer: this.spec.layer,
      id: String(id),
      name: name === undefined || name === null ? String(id) : asText(name),
      properties: Object.fromEntries(kept.map((key) => [key, asText(properties[key])])),
    };
  }

  /** The feature's polygons, each checked ring by ring. */
  private polygons(feature: JsonObject, label: string): number[][][][] {
    const geometry = feature.geometry;
    if (!isObject(geometry) || (geometry.type !== 'Polygon' && geometry.type !== 'MultiPolygon')) {
      const found = isObject(geometry) ? `type ${JSON.stringify(geometry.type) ?? 'none'}` : 'no geometry';
      throw this.error(`${label}: geometry must be a Polygon or MultiPolygon, found ${found}`, geometry, feature);
    }
    const multi = geometry.type === 'MultiPolygon';
    const coordinates = geometry.coordinates;
    if (!Array.isArray(coordinates) || coordinates.length === 0) throw this.error(`${label}: the ${geometry.type} has no coordinates`, coordinates, geometry);
    const polygons: unknown[] = multi ? coordinates : [coordinates];
    return polygons.map((rings, p) => {
      if (!Array.isArray(rings) || rings.length === 0) throw this.error(`${label}: ${multi ? `polygon ${p}` : 'the polygon'} has no rings`, rings, coordinates);
      return rings.map((ring: unknown, r) => this.ring(ring, `${label}: ${multi ? `polygon ${p}, ` : ''}ring ${r}`, rings));
    });
  }

  /** A ring: at least 4 [long, lat] positions in range, the last repeating the first. */
  private ring(ring: unknown, where: string, parent: unknown[]): number[][] {
    if (!Array.isArray(ring)) throw this.error(`${where} is not an array of positions`, ring, parent);
    if (ring.length < 4) throw this.error(`${where} has ${ring.length} position(s); a closed ring needs at least 4`, ring);
    ring.forEach((position: unknown, k) => {
      if (!Array.isArray(position) || position.length < 2 || !position.every((n) => typeof n === 'number' && Number.isFinite(n))) {
        throw this.error(`${where}, position ${k} is not a [long, lat] pair of finite numbers`, position, ring);
      }
      const [long, lat] = position as number[];
      if (Math.abs(long) > 180 || Math.abs(lat) > 90) {
        throw this.error(`${where}, position ${k} [${long}, ${lat}] is out of range (long within ±180, lat within ±90)`, position);
      }
    });
    const [first, last] = [ring[0] as number[], ring[ring.length - 1] as number[]];
    if (first[0] !== last[0] || first[1] !== last[1]) throw this.error(`${where} is not closed (its last position must repeat its first)`, ring);
    return ring as number[][];
  }

  /**
   * An error pointing at the line where the offending feature, ring or position starts: the first
   * of `nodes` that is an object or array (a bad value, e.g. a string, has no line; its parent has).
   */
  private error(reason: string, ...nodes: unknown[]): GeographyError {
    const node = nodes.find((candidate): candidate is object => typeof candidate === 'object' && candidate !== null);
    return new GeographyError(this.source, reason, { line: node && this.json.lineOf(node) });
  }
}
