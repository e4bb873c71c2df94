import { AreaLayerSpec } from './area-layer';
import { parseAreaLayer } from './parse-area-layer';

const spec: AreaLayerSpec = { layer: 'council-district', idProperty: 'district', nameProperty: 'name', properties: ['councilMember', 'seats'] };
const SOURCE = 'council-districts.geojson';

const square = (x: number, y: number, size: number) => [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]];
const polygon = (...rings: number[][][]) => ({ type: 'Polygon', coordinates: rings });
const multiPolygon = (...polygons: number[][][][]) => ({ type: 'MultiPolygon', coordinates: polygons });
const feature = (district: unknown, geometry: unknown, properties: Record<string, unknown> = {}) => ({ type: 'Feature', properties: { district, ...properties }, geometry });

/** A FeatureCollection with one feature per line: feature i is on line i + 2. */
const collection = (...features: unknown[]) => ['{"type": "FeatureCollection", "features": [', features.map((f) => JSON.stringify(f)).join(',\n'), ']}'].join('\n');

const parse = (text: string) => parseAreaLayer(spec, text, SOURCE);

describe('parseAreaLayer', () => {
  it('reads each feature as an area, keeping the listed properties as strings', () => {
    const layer = parse(collection(
      feature('7', polygon(square(0, 0, 1)), { name: 'Council District 7', councilMember: 'Ana Ruiz', seats: 1, ignored: 'x' }),
      feature(8, polygon(square(1, 0, 1))),
    ));
    expect(layer.layer).toBe('council-district');
    expect(layer.size).toBe(2);
    expect(layer.areas()).toEqual([
      { layer: 'council-district', id: '7', name: 'Council District 7', properties: { councilMember: 'Ana Ruiz', seats: '1' } },
      { layer: 'council-district', id: '8', name: '8', properties: {} }, // no name property: the id stands in
    ]);
  });

  it('locates points in polygons with holes and in any part of a MultiPolygon', () => {
    const layer = parse(collection(
      feature('1', polygon(square(0, 0, 10), square(4, 4, 2))),
      feature('2', multiPolygon([square(4, 4, 2)], [square(20, 20, 1)])),
    ));
    expect(layer.locate({ long: 1, lat: 1 })?.id).toBe('1');
    expect(layer.locate({ long: 5, lat: 5 })?.id).toBe('2'); // in 1's hole, which 2 fills
    expect(layer.locate({ long: 20.5, lat: 20.5 })?.id).toBe('2');
    expect(layer.locate({ long: 15, lat: 15 })).toBeUndefined();
    expect(layer.locate({ long: Number.NaN, lat: 5 })).toBeUndefined();
  });

  it('gives overlapping areas to the first in file order', () => {
    const big = feature('big', polygon(square(0, 0, 10)));
    const small = feature('small', polygon(square(2, 2, 2)));
    expect(parse(collection(big, small)).locate({ long: 3, lat: 3 })?.id).toBe('big');
    expect(parse(collection(small, big)).locate({ long: 3, lat: 3 })?.id).toBe('small');
  });

  it('hands out copies and frozen areas, so callers cannot change the layer', () => {
    const layer = parse(collection(feature('1', polygon(square(0, 0, 1)))));
    layer.areas().pop();
    expect(layer.size).toBe(1);
    expect(layer.areas()).toHaveLength(1);
    expect(Object.isFrozen(layer.areas()[0])).toBe(true);
    expect(Object.isFrozen(layer.areas()[0].properties)).toBe(true);
  });

  const ring = square(0, 0, 1);
  it.each([
    ['not a FeatureCollection', '{"type": "Feature"}', 1, 'not a GeoJSON FeatureCollection (an object with "type": "FeatureCollection" and a "features" array)'],
    ['no features', collection(), 1, 'the layer "council-district" has no features'],
    ['a feature that is not a Feature', collection(feature('1', polygon(ring)), { type: 'Point' }), 3, 'feature 1 is not a GeoJSON Feature (an object with "type": "Feature")'],
    ['a missing id', collection(feature('1', polygon(ring)), feature(undefined, polygon(ring))), 3, 'feature 1: the id property "district" is missing or empty'],
    ['an empty id', collection(feature('  ', polygon(ring))), 2, 'feature 0: the id property "district" is missing or empty'],
    ['a duplicate id', collection(feature('7', polygon(ring)), feature('8', polygon(ring)), feature(7, polygon(ring))), 4, 'feature 2 (district "7"): district "7" is already the id of feature 0; ids must be unique in a layer'],
    ['no geometry', collection(feature('7', null)), 2, 'feature 0 (district "7"): geometry must be a Polygon or MultiPolygon, found no geometry'],
    ['a Point', collection(feature('7', { type: 'Point', coordinates: [0, 0] })), 2, 'feature 0 (district "7"): geometry must be a Polygon or MultiPolygon, found type "Point"'],
    ['no coordinates', collection(feature('7', polygon())), 2, 'feature 0 (district "7"): the Polygon has no coordinates'],
    ['a polygon without rings', collection(feature('7', multiPolygon([ring], []))), 2, 'feature 0 (district "7"): polygon 1 has no rings'],
    ['an unclosed ring', collection(feature('7', polygon(ring.slice(0, -1).concat([[0, 0.5]])))), 2, 'feature 0 (district "7"): ring 0 is not closed (its last position must repeat its first)'],
    ['an unclosed hole in a MultiPolygon', collection(feature('7', multiPolygon([ring], [square(5, 5, 3), square(6, 6, 1).slice(0, 4)]))), 2, 'feature 0 (district "7"): polygon 1, ring 1 is not closed (its last position must repeat its first)'],
    ['a ring of 3 positions', collection(feature('7', polygon([[0, 0], [1, 1], [0, 0]]))), 2, 'feature 0 (district "7"): ring 0 has 3 position(s); a closed ring needs at least 4'],
    ['a ring that is not an array', collection(feature('7', polygon('ring' as unknown as number[][]))), 2, 'feature 0 (district "7"): ring 0 is not an array of positions'],
    ['a position that is not numbers', collection(feature('7', polygon([[0, 0], [1, 0], ['1', 1], [0, 0]] as number[][]))), 2, 'feature 0 (district "7"): ring 0, position 2 is not a [long, lat] pair of finite numbers'],
    ['a position with one number', collection(feature('7', polygon([[0, 0], [1], [1, 1], [0, 0]]))), 2, 'feature 0 (district "7"): ring 0, position 1 is not a [long, lat] pair of finite numbers'],
    ['a longitude out of range', collection(feature('7', polygon([[0, 0], [180.5, 0], [1, 1], [0, 0]]))), 2, 'feature 0 (district "7"): ring 0, position 1 [180.5, 0] is out of range (long within ±180, lat within ±90)'],
    ['a latitude out of range', collection(feature('7', polygon([[0, 0], [1, -90.1], [1, 1], [0, 0]]))), 2, 'feature 0 (district "7"): ring 0, position 1 [1, -90.1] is out of range (long within ±180, lat within ±90)'],
  ])('refuses %s, naming the file, line, feature and rule', (_, text, line, reason) => {
    expect(() => parse(text)).toThrow(expect.objectContaining({ name: 'GeographyError', source: SOURCE, line, message: `${SOURCE}:${line}: ${reason}` }));
  });

  it('refuses an infinite coordinate (a number too large for a double)', () => {
    const text = collection(feature('7', polygon(ring))).replace('[1,0]', '[1e999,0]');
    expect(() => parse(text)).toThrow(`${SOURCE}:2: feature 0 (district "7"): ring 0, position 1 is not a [long, lat] pair of finite numbers`);
  });

  it('points at the line of the offending ring or position in a pretty-printed file', () => {
    const text = JSON.stringify({ type: 'FeatureCollection', features: [feature('7', polygon(ring, [[0.2, 0.2], [0.4, 0.2], [0.2, 200], [0.2, 0.2]]))] }, null, 2);
    const expectedLine = text.split('\n').findIndex((line) => line.trim() === '200') - 1; // the position's "[" is a line above its latitude
    expect(() => parse(text)).toThrow(`${SOURCE}:${expectedLine}: feature 0 (district "7"): ring 1, position 2 [0.2, 200] is out of range`);
  });

  it('reports JSON syntax errors with line and column', () => {
    expect(() => parse('{"type": "FeatureCollection",\n "features": [}')).toThrow(`${SOURCE}:2:15: unexpected '}', expected a JSON value`);
  });
});
