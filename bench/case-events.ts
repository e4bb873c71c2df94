import type { Pool } from 'pg';
import { waitFor } from '@caseline/testing';

export const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/** When each case got its `from` event and its `to` event, once every one of them has both. */
export async function eventPairs(pool: Pool, ids: string[], from: string, to: string, timeoutMs: number): Promise<{ from: Date; to: Date }[]> {
  return waitFor(async () => {
    const { rows } = await pool.query<{ from: Date; to: Date }>(
      `SELECT a.recorded_at AS "from", b.recorded_at AS "to" FROM case_log.events a
         JOIN case_log.events b ON b.case_id = a.case_id AND b.type = $3
        WHERE a.type = $2 AND a.case_id = ANY($1::uuid[])`,
      [ids, from, to],
    );
    return rows.length === ids.length && rows;
  }, `${ids.length} × ${from} → ${to}`, timeoutMs);
}
