import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Area, AreaLayer, AreaLayerSpec } from './area-layer';
import { GeographyError } from './geography-error';
import { isJsonObject, JsonObject, JsonWithLines, parseJsonWithLines } from './json-with-lines';
import { parseAreaLayer } from './parse-area-layer';
import { Point } from './point-in-polygon';

/** areas.json: the city's area layers, each a GeoJSON file relative to the manifest's directory. */
export interface AreasManifest {
  layers: ManifestLayer[];
}

type ManifestLayer = AreaLayerSpec & { file: string };

/** All of a city's area layers; a point is located in each of them at once. */
export class Geography {
  readonly layers: readonly AreaLayer[];
  private readonly byName: ReadonlyMap<string, AreaLayer>;

  constructor(layers: AreaLayer[]) {
    this.byName = new Map(layers.map((layer) => [layer.layer, layer]));
    if (this.byName.size !== layers.length) throw new Error(`Layer names must be unique: ${layers.map((layer) => layer.layer).join(', ')}`);
    this.layers = Object.freeze([...layers]);
  }

  layer(name: string): AreaLayer | undefined {
    return this.byName.get(name);
  }

  /** Layer name -> the area holding the point, only for the layers where it falls in one. */
  locate(point: Point): Record<string, Area> {
    const found: Record<string, Area> = {};
    for (const layer of this.layers) {
      const area = layer.locate(point);
      if (area) found[layer.layer] = area;
    }
    return found;
  }
}

/**
 * Reads `dir/areas.json` and each layer file it lists (relative to dir). A city without a manifest
 * simply has no areas; any other problem throws a GeographyError naming the file and line to fix,
 * so a broken configuration fails at start instead of misfiling cases.
 */
export function loadGeography(dir: string, manifestFile = 'areas.json'): Geography {
  const manifestPath = join(dir, manifestFile);
  if (!existsSync(manifestPath)) return new Geography([]);
  const manifest = parseJsonWithLines(readText(manifestPath, (reason) => new GeographyError(manifestPath, reason)), manifestPath);
  const layers = manifestLayers(manifest, manifestPath).map(({ layer: { file, ...spec }, line }) => {
    const path = join(dir, file);
    const text = readText(path, (reason) => new GeographyError(manifestPath, `layer "${spec.layer}": ${reason}`, { line }));
    return parseAreaLayer(spec, text, path);
  });
  return new Geography(layers);
}

function readText(path: string, error: (reason: string) => GeographyError): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (cause) {
    throw error(`${path} cannot be read: ${(cause as Error).message}`);
  }
}

interface ManifestEntry {
  layer: ManifestLayer;
  /** Where the entry starts in the manifest, for errors about the layer file it names. */
  line?: number;
}

const LAYER_KEYS = ['layer', 'file', 'idProperty', 'nameProperty', 'properties'];
const isName = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';

/** The manifest's layers, checked entry by entry; layer names must be unique. */
function manifestLayers(json: JsonWithLines, source: string): ManifestEntry[] {
  const manifest = json.value;
  if (!isJsonObject(manifest) || !Array.isArray(manifest.layers)) {
    throw new GeographyError(source, 'expected an object with a "layers" array', { line: isJsonObject(manifest) ? json.lineOf(manifest) : 1 });
  }
  const layers: unknown[] = manifest.layers;
  const firstWithName = new Map<string, number>();
  return layers.map((entry, index) => {
    const line = json.lineOf(isJsonObject(entry) ? entry : layers);
    const fail = (reason: string) => new GeographyError(source, `layers[${index}]: ${reason}`, { line });
    const layer = manifestLayer(entry, fail);
    const earlier = firstWithName.get(layer.layer);
    if (earlier !== undefined) throw fail(`the layer "${layer.layer}" is already listed as layers[${earlier}]; layer names must be unique`);
    firstWithName.set(layer.layer, index);
    return { layer, line };
  });
}

/** One manifest entry; unknown keys are refused so that a misspelt one is not silently ignored. */
function manifestLayer(entry: unknown, fail: (reason: string) => GeographyError): ManifestLayer {
  if (!isJsonObject(entry)) throw fail('expected an object with layer, file and idProperty');
  const unknown = Object.keys(entry).filter((key) => !LAYER_KEYS.includes(key));
  if (unknown.length > 0) throw fail(`unknown key(s) ${unknown.join(', ')}; a layer has ${LAYER_KEYS.join(', ')}`);
  const { nameProperty, properties } = entry;
  if (nameProperty !== undefined && !isName(nameProperty)) throw fail('"nameProperty" must be a non-empty string when given');
  if (properties !== undefined && !(Array.isArray(properties) && properties.every(isName))) throw fail('"properties" must be an array of property names when given');
  return { layer: requiredName(entry, 'layer', fail), file: requiredName(entry, 'file', fail), idProperty: requiredName(entry, 'idProperty', fail), nameProperty, properties };
}

function requiredName(entry: JsonObject, key: string, fail: (reason: string) => GeographyError): string {
  const value = entry[key];
  if (!isName(value)) throw fail(`"${key}" must be a non-empty string`);
  return value;
}
