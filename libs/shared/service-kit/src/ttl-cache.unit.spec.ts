import { TtlCache } from './ttl-cache';

describe('TtlCache', () => {
  it('serves a value for its time to live, then loads again', async () => {
    let now = 0;
    let loads = 0;
    const cache = new TtlCache<number>(1000, 10, () => now);
    const load = async () => ++loads;
    expect(await cache.get('a', load)).toBe(1);
    expect(await cache.get('a', load)).toBe(1);
    now = 1001;
    expect(await cache.get('a', load)).toBe(2);
  });

  it('shares one load between concurrent misses, and keeps neither failures nor undefined', async () => {
    let loads = 0;
    const cache = new TtlCache<number | undefined>(1000);
    const [a, b] = await Promise.all([cache.get('k', async () => ++loads), cache.get('k', async () => ++loads)]);
    expect([a, b, loads]).toEqual([1, 1, 1]);
    await cache.get('missing', async () => undefined);
    expect(await cache.get('missing', async () => 7)).toBe(7);
    await expect(cache.get('broken', async () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await cache.get('broken', async () => 8)).toBe(8);
  });

  it('keeps at most maxEntries, and is off at a zero time to live', async () => {
    const cache = new TtlCache<number>(1000, 1);
    await cache.get('a', async () => 1);
    await cache.get('b', async () => 2);
    expect(await cache.get('a', async () => 3)).toBe(3);
    let loads = 0;
    const off = new TtlCache<number>(0);
    await off.get('a', async () => ++loads);
    await off.get('a', async () => ++loads);
    expect(loads).toBe(2);
  });
});
