/**
 * Durations are kept as histograms, so a median or a 90th percentile over any period adds up from
 * daily rows instead of sorting every case. Bucket 0 holds everything under a minute; bucket b ≥ 1
 * holds [GROWTH^(b-1), GROWTH^b) minutes: each bucket is 5% wider than the one before, so a
 * percentile read from them is within 5% of the exact one (docs/statistics.md).
 */
export const GROWTH = 1.05;

export function durationBucket(fromIso: string, toIso: string): number {
  const minutes = (Date.parse(toIso) - Date.parse(fromIso)) / 60_000;
  return minutes < 1 ? 0 : 1 + Math.floor(Math.log(minutes) / Math.log(GROWTH));
}

/** Counts per bucket, index = bucket; shorter arrays are zero beyond their end. */
export type Histogram = number[];

export function addHistograms(target: Histogram, other: readonly number[], sign = 1): Histogram {
  for (let bucket = 0; bucket < other.length; bucket++) target[bucket] = (target[bucket] ?? 0) + sign * (other[bucket] ?? 0);
  for (let bucket = 0; bucket < target.length; bucket++) target[bucket] ??= 0;
  return target;
}

const bucketStart = (bucket: number): number => (bucket === 0 ? 0 : GROWTH ** (bucket - 1));

/**
 * The duration (in hours) below which a share `q` of the counted cases fall, interpolated inside
 * its bucket (linearly; buckets are narrow). Null when nothing was counted.
 */
export function percentileHours(histogram: readonly number[], q: number): number | null {
  const total = histogram.reduce((sum, count) => sum + count, 0);
  if (total === 0) return null;
  const rank = q * total;
  let below = 0;
  for (let bucket = 0; bucket < histogram.length; bucket++) {
    const count = histogram[bucket];
    if (count > 0 && below + count >= rank) {
      const start = bucketStart(bucket);
      const end = bucket === 0 ? 1 : GROWTH ** bucket;
      return (start + ((rank - below) / count) * (end - start)) / 60;
    }
    below += count;
  }
  return bucketStart(histogram.length) / 60;
}
