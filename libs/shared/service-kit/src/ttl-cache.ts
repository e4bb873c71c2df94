/**
 * A small in-memory cache: each value is served for `ttlMs` after it was loaded, at most `maxEntries`
 * kept (the least recently used go first). For views read far more often than they change, where
 * being `ttlMs` behind is acceptable; concurrent misses of one key share a single load.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: Promise<V>; expires: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The cached value, or `load()`'s; a load that fails or yields undefined is not kept. */
  get(key: string, load: () => Promise<V>): Promise<V> {
    if (this.ttlMs <= 0) return load();
    const hit = this.entries.get(key);
    if (hit && hit.expires > this.now()) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.value;
    }
    const value = load();
    this.entries.set(key, { value, expires: this.now() + this.ttlMs });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    value.then(
      (loaded) => loaded === undefined && this.entries.delete(key),
      () => this.entries.delete(key),
    );
    return value;
  }
}
