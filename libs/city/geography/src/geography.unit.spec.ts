import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Geography, loadGeography } from './geography';
import { parseAreaLayer } from './parse-area-layer';

const square = (x: number, y: number, size: number) => [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]];
const squares = (property: string, ...cells: [string, number, number, number][]) =>
  JSON.stringify({ type: 'FeatureCollection', features: cells.map(([id, x, y, size]) => ({ type: 'Feature', properties: { [property]: id, name: `Area ${id}` }, geometry: { type: 'Polygon', coordinates: [square(x, y, size)] } })) });

/** A manifest with one layer entry per line: entry i is on line i + 2. */
const manifest = (...entries: unknown[]) => ['{"layers": [', entries.map((entry) => JSON.stringify(entry)).join(',\n'), ']}'].join('\n');

const districts = { layer: 'district', file: 'areas/districts.geojson', idProperty: 'district', nameProperty: 'name' };
const zones = { layer: 'zone', file: 'areas/zones.geojson', idProperty: 'zone' };

describe('loadGeography', () => {
  let dir: string;
  const write = (file: string, text: string) => writeFileSync(join(dir, file), text);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'caseline-geography-'));
    mkdirSync(join(dir, 'areas'));
    write('areas/districts.geojson', squares('district', ['1', 0, 0, 1], ['2', 1, 0, 1]));
    write('areas/zones.geojson', squares('zone', ['east', 1, 0, 5]));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('loads the layers of the manifest, in order, and locates a point in each', () => {
    write('areas.json', manifest(districts, zones));
    const geography = loadGeography(dir);
    expect(geography.layers.map((layer) => layer.layer)).toEqual(['district', 'zone']);
    expect(geography.layer('zone')?.size).toBe(1);
    expect(geography.layer('ward')).toBeUndefined();
    expect(geography.locate({ long: 1.5, lat: 0.5 })).toEqual({
      district: { layer: 'district', id: '2', name: 'Area 2', properties: {} },
      zone: { layer: 'zone', id: 'east', name: 'east', properties: {} },
    });
    expect(geography.locate({ long: 0.5, lat: 0.5 })).toEqual({ district: expect.objectContaining({ id: '1' }) }); // in no zone
    expect(geography.locate({ long: -5, lat: 0.5 })).toEqual({});
  });

  it('takes another manifest name', () => {
    write('zones-only.json', manifest(zones));
    expect(loadGeography(dir, 'zones-only.json').layers.map((layer) => layer.layer)).toEqual(['zone']);
  });

  it('gives a city without a manifest no areas', () => {
    const geography = loadGeography(dir);
    expect(geography.layers).toEqual([]);
    expect(geography.locate({ long: 0.5, lat: 0.5 })).toEqual({});
  });

  it.each([
    ['a syntax error', '{"layers": [\n  {"layer": "x",}\n]}', 2, 17, 'expected a property name in double quotes, found \'}\''],
    ['no layers array', '{"layer": []}', 1, undefined, 'expected an object with a "layers" array'],
    ['an entry that is not an object', manifest(districts, 'zones'), 1, undefined, 'layers[1]: expected an object with layer, file and idProperty'],
    ['a missing idProperty', manifest(districts, { layer: 'zone', file: 'areas/zones.geojson' }), 3, undefined, 'layers[1]: "idProperty" must be a non-empty string'],
    ['an empty layer name', manifest({ ...districts, layer: ' ' }), 2, undefined, 'layers[0]: "layer" must be a non-empty string'],
    ['a missing file', manifest({ ...districts, file: undefined }), 2, undefined, 'layers[0]: "file" must be a non-empty string'],
    ['a misspelt key', manifest({ ...districts, nameProprety: 'name' }), 2, undefined, 'layers[0]: unknown key(s) nameProprety; a layer has layer, file, idProperty, nameProperty, properties'],
    ['a bad nameProperty', manifest({ ...districts, nameProperty: 3 }), 2, undefined, 'layers[0]: "nameProperty" must be a non-empty string when given'],
    ['bad properties', manifest({ ...districts, properties: 'borough' }), 2, undefined, 'layers[0]: "properties" must be an array of property names when given'],
    ['a duplicate layer name', manifest(districts, zones, { ...zones, layer: 'district' }), 4, undefined, 'layers[2]: the layer "district" is already listed as layers[0]; layer names must be unique'],
  ])('refuses a manifest with %s, naming it and the line', (_, text, line, column, reason) => {
    write('areas.json', text);
    const source = join(dir, 'areas.json');
    const where = [source, line, column].filter((part) => part !== undefined).join(':');
    expect(() => loadGeography(dir)).toThrow(expect.objectContaining({ name: 'GeographyError', source, line, message: `${where}: ${reason}` }));
  });

  it('refuses a manifest naming a layer file that is not there, at the line naming it', () => {
    write('areas.json', manifest(districts, { ...zones, file: 'areas/wards.geojson' }));
    const source = join(dir, 'areas.json');
    const message = `${source}:3: layer "zone": ${join(dir, 'areas/wards.geojson')} cannot be read: ENOENT`;
    expect(() => loadGeography(dir)).toThrow(expect.objectContaining({ source, line: 3, message: expect.stringContaining(message) }));
  });

  it('names the layer file when the file itself is wrong', () => {
    write('areas.json', manifest(districts, zones));
    write('areas/zones.geojson', '{"type": "FeatureCollection",\n"features": []}');
    const source = join(dir, 'areas/zones.geojson');
    expect(() => loadGeography(dir)).toThrow(expect.objectContaining({ source, line: 2, message: `${source}:2: the layer "zone" has no features` }));
  });
});

describe('Geography', () => {
  it('refuses two layers of the same name', () => {
    const layer = () => parseAreaLayer({ layer: 'zone', idProperty: 'zone' }, squares('zone', ['a', 0, 0, 1]), 'zones.geojson');
    expect(() => new Geography([layer(), layer()])).toThrow('Layer names must be unique: zone, zone');
  });
});
