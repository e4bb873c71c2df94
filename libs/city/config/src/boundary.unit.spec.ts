import { boundaryContains, validateBoundary } from './boundary';
import { loadCityConfig } from './city-config';

describe('city boundary', () => {
  const square = validateBoundary({ type: 'Polygon', coordinates: [[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]], [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]]] });

  it('contains points inside the outer ring and outside its holes', () => {
    expect(boundaryContains(square, { long: 1, lat: 1 })).toBe(true);
    expect(boundaryContains(square, { long: 5, lat: 5 })).toBe(false); // in the hole
    expect(boundaryContains(square, { long: 11, lat: 5 })).toBe(false);
  });

  it('takes a Feature or a MultiPolygon, and refuses anything else with the reason', () => {
    const multi = validateBoundary({ type: 'Feature', geometry: { type: 'MultiPolygon', coordinates: [[[[0, 0], [1, 0], [1, 1], [0, 0]]], [[[5, 5], [6, 5], [6, 6], [5, 5]]]] } });
    expect(boundaryContains(multi, { long: 5.8, lat: 5.2 })).toBe(true);
    expect(() => validateBoundary({ type: 'Point', coordinates: [1, 2] })).toThrow(/Polygon or MultiPolygon/);
    expect(() => validateBoundary({ type: 'Polygon', coordinates: [[[0, 0], [1, 'x']]] })).toThrow(/closed rings/);
  });

  it('the demo city holds Manhattan, Staten Island and Queens, not Newark or Los Angeles', () => {
    const { boundary } = loadCityConfig();
    expect(boundary).toBeDefined();
    for (const inside of [{ lat: 40.7484, long: -73.9857 }, { lat: 40.58, long: -74.15 }, { lat: 40.72, long: -73.8 }]) expect(boundaryContains(boundary!, inside)).toBe(true);
    for (const outside of [{ lat: 40.7357, long: -74.1724 }, { lat: 34.0522, long: -118.2437 }]) expect(boundaryContains(boundary!, outside)).toBe(false);
  });
});
