import { isIdempotencyKey, requestFingerprint } from './idempotency-keys';

describe('Idempotency-Key', () => {
  it('fingerprints a request by its content, not by the order of its members', () => {
    const one = requestFingerprint({ serviceCode: 'STREETLIGHT', location: { lat: 40.7, long: -73.9 }, reporter: undefined });
    const same = requestFingerprint({ location: { long: -73.9, lat: 40.7 }, serviceCode: 'STREETLIGHT' });
    const other = requestFingerprint({ serviceCode: 'STREETLIGHT', location: { lat: 40.7, long: -73.8 } });
    expect(one.equals(same)).toBe(true);
    expect(one.equals(other)).toBe(false);
  });

  it('accepts 1 to 255 visible ASCII characters as a key', () => {
    expect(isIdempotencyKey('3f1c2a9e-7b4d-4e0a-9c1b-2d3e4f5a6b7c')).toBe(true);
    expect(isIdempotencyKey('')).toBe(false);
    expect(isIdempotencyKey('has space')).toBe(false);
    expect(isIdempotencyKey('x'.repeat(256))).toBe(false);
  });
});
