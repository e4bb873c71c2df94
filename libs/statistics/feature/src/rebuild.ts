import type { CaseEventEnvelope } from '@caseline/case-contracts';
import type { Sql } from '@caseline/event-store';
import type { DayOf } from '@caseline/statistics-domain';
import { checkpointOf, FIGURES, forgetCases, lockProjection, projectEvents, projectNextBatch, saveCheckpoint, tableOf } from './projection';
import { FIGURES_TABLES } from './statistics.migrations';

/** A connection the rebuild can run transactions on (a pg Client: BEGIN … COMMIT). */
export interface RebuildConnection extends Sql {
  transaction<T>(work: (sql: Sql) => Promise<T>): Promise<T>;
}

/** A RebuildConnection on one client of the pg driver (the ops CLI's, the benchmark's). */
export function clientConnection(client: { query(text: string, parameters?: unknown[]): Promise<{ rows: unknown[] }> }): RebuildConnection {
  const query = async <Row>(text: string, parameters?: unknown[]) => (await client.query(text, parameters)).rows as Row[];
  return {
    query,
    async transaction(work) {
      await client.query('BEGIN');
      try {
        const value = await work({ query });
        await client.query('COMMIT');
        return value;
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    },
  };
}

export interface RebuildProgress {
  events: number;
  /** An estimate: events in the log after the rebuild's starting point when it began. */
  total: number;
  elapsedMs: number;
}

export interface RebuildOptions {
  dayOf: DayOf;
  /** Refold only the cases with events recorded at or after this time (ISO); the rest are copied from the live tables. */
  since?: string;
  /** The role the live service reads and writes the tables as (it gets the same rights on the new ones). */
  serviceRole: string;
  batchSize?: number;
  onProgress?: (progress: RebuildProgress) => void;
}

export interface RebuildResult {
  events: number;
  refolded: number;
  elapsedMs: number;
}

const REBUILD = `${FIGURES}:rebuild`;

/**
 * Rebuilds the figures read model into fresh tables while the live projection keeps running, then
 * swaps them in, in one transaction, once they have caught up with the log: the live projection
 * waits on its lock for that moment and goes on from the rebuild's checkpoint. Readers see the old
 * tables or the new ones, never a half-built one.
 */
export async function rebuildFigures(db: RebuildConnection, options: RebuildOptions): Promise<RebuildResult> {
  const started = Date.now();
  const batchSize = options.batchSize ?? 2000;
  const fresh = (name: string) => tableOf(name, '_rebuild');
  for (const name of FIGURES_TABLES) {
    await db.query(`DROP TABLE IF EXISTS ${fresh(name)}`);
    await db.query(`CREATE TABLE ${fresh(name)} (LIKE ${tableOf(name, '')} INCLUDING ALL)`);
    await db.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${fresh(name)} TO ${options.serviceRole}`);
  }
  await db.query('DELETE FROM statistics.checkpoints WHERE projection = $1', [REBUILD]);
  const refolded = options.since === undefined ? 0 : await startFromLive(db, options.since, options.dayOf, batchSize);

  const start = await checkpointOf(db, REBUILD);
  const [{ total }] = await db.query<{ total: string }>('SELECT count(*) AS total FROM case_log.events WHERE global_position > $1', [start.globalPosition]);
  let events = 0;
  const report = () => options.onProgress?.({ events, total: Number(total), elapsedMs: Date.now() - started });
  for (;;) {
    const applied = await db.transaction((sql) => projectNextBatch(sql, REBUILD, '_rebuild', options.dayOf, batchSize));
    events += applied;
    report();
    if (applied < batchSize) break;
  }
  await db.transaction(async (sql) => {
    // The live projection stops at a batch boundary; what it would have applied, the rebuild applies now.
    await lockProjection(sql, FIGURES);
    for (let applied = batchSize; applied === batchSize; ) {
      applied = await projectNextBatch(sql, REBUILD, '_rebuild', options.dayOf, batchSize);
      events += applied;
    }
    for (const name of FIGURES_TABLES) {
      const table = name;
      await sql.query(`ALTER TABLE ${tableOf(table, '')} RENAME TO ${table}_replaced`);
      await sql.query(`ALTER TABLE ${fresh(table)} RENAME TO ${table}`);
      await sql.query(`DROP TABLE statistics.${table}_replaced`);
    }
    await saveCheckpoint(sql, FIGURES, await checkpointOf(sql, REBUILD));
    await sql.query('DELETE FROM statistics.checkpoints WHERE projection = $1', [REBUILD]);
  });
  report();
  return { events, refolded, elapsedMs: Date.now() - started };
}

/**
 * A rebuild from a point in time: the fresh tables start as a copy of the live ones (at the live
 * checkpoint), and every case with an event recorded since then is forgotten and folded again from
 * its first event. Returns how many cases were refolded.
 */
async function startFromLive(db: RebuildConnection, since: string, dayOf: DayOf, batchSize: number): Promise<number> {
  return db.transaction(async (sql) => {
    await lockProjection(sql, FIGURES);
    for (const name of FIGURES_TABLES) await sql.query(`INSERT INTO ${tableOf(name, '_rebuild')} SELECT * FROM ${tableOf(name, '')}`);
    const live = await checkpointOf(sql, FIGURES);
    await saveCheckpoint(sql, REBUILD, live);
    const upToLive = `(transaction_id, global_position) <= ($1::xid8, $2::bigint)`;
    const touched = await sql.query<{ case_id: string }>(`SELECT DISTINCT case_id FROM case_log.events WHERE recorded_at >= $3 AND ${upToLive}`, [live.transactionId, live.globalPosition, since]);
    const caseIds = touched.map((row) => row.case_id);
    for (let from = 0; from < caseIds.length; from += batchSize) {
      const batch = caseIds.slice(from, from + batchSize);
      await forgetCases(sql, batch, '_rebuild', dayOf);
      const events = await sql.query<CaseEventEnvelope & { case_version: number }>(
        `SELECT event_id AS "eventId", case_id AS "caseId", case_version AS "caseVersion", type, schema_version AS "schemaVersion", data, metadata
           FROM case_log.events WHERE case_id = ANY($3::uuid[]) AND ${upToLive} ORDER BY case_id, case_version`,
        [live.transactionId, live.globalPosition, batch],
      );
      await projectEvents(sql, events, '_rebuild', dayOf);
    }
    return caseIds.length;
  });
}
