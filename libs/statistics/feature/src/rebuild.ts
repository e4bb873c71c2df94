import type { CaseEventEnvelope } from '@caseline/case-contracts';
import { LogPosition, readLog, Sql } from '@caseline/event-store';
import type { DayOf } from '@caseline/statistics-domain';
import { checkpointOf, FactsCache, FIGURES, forgetCases, lockProjection, PendingChanges, projectEvents, projectNextBatch, saveCheckpoint, storedFacts, tableOf } from './projection';
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
/** How many events a rebuild folds in memory between two writes. */
const FLUSH_EVENTS = 50_000;

interface LiveIndex {
  name: string;
  /** CREATE INDEX … as PostgreSQL prints it. */
  definition: string;
  /** PRIMARY KEY (…), for the primary key's index. */
  primaryKey?: string;
}

/** The indexes of a live table of the read model, as its migrations made them. */
async function indexesOf(db: Sql, table: string): Promise<LiveIndex[]> {
  const rows = await db.query<{ name: string; definition: string; primary_key: string | null }>(
    `SELECT i.relname AS name, pg_get_indexdef(i.oid) AS definition, (SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c WHERE c.conindid = i.oid AND c.contype = 'p') AS primary_key
       FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = 'statistics' AND t.relname = $1 ORDER BY i.relname`,
    [table],
  );
  return rows.map((row) => ({ name: row.name, definition: row.definition, ...(row.primary_key ? { primaryKey: row.primary_key } : {}) }));
}

/**
 * Rebuilds the figures read model into fresh tables while the live projection keeps running, then
 * swaps them in, in one transaction, once they have caught up with the log: the live projection
 * waits on its lock for that moment and goes on from the rebuild's checkpoint. Readers see the old
 * tables or the new ones, never a half-built one.
 */
export async function rebuildFigures(db: RebuildConnection, options: RebuildOptions): Promise<RebuildResult> {
  const started = Date.now();
  const batchSize = options.batchSize ?? 5000;
  const fresh = (name: string) => tableOf(name, '_rebuild');
  const indexes = new Map<string, LiveIndex[]>();
  for (const name of FIGURES_TABLES) {
    indexes.set(name, await indexesOf(db, name));
    await db.query(`DROP TABLE IF EXISTS ${fresh(name)}`);
    // Filled with only its primary key (the projection's upserts need it); the other indexes come when it is full.
    await db.query(`CREATE TABLE ${fresh(name)} (LIKE ${tableOf(name, '')} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED)`);
    for (const index of indexes.get(name)!.filter((i) => i.primaryKey)) await db.query(`ALTER TABLE ${fresh(name)} ADD CONSTRAINT ${index.name}_next ${index.primaryKey}`);
    await db.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${fresh(name)} TO ${options.serviceRole}`);
  }
  await db.query('DELETE FROM statistics.checkpoints WHERE projection = $1', [REBUILD]);
  const refolded = options.since === undefined ? 0 : await startFromLive(db, options.since, options.dayOf, batchSize);

  const start = await checkpointOf(db, REBUILD);
  const [{ total }] = await db.query<{ total: string }>('SELECT count(*) AS total FROM case_log.events WHERE global_position > $1', [start.globalPosition]);
  let events = 0;
  const report = () => options.onProgress?.({ events, total: Number(total), elapsedMs: Date.now() - started });
  // Alone on the fresh tables, the rebuild keeps what it folded in memory and writes it every
  // FLUSH_EVENTS events (rows and checkpoint in one transaction): a day's, a week's and a month's rows
  // are written once per flush, not once per batch; the facts it wrote it remembers.
  const cache = new FactsCache(FLUSH_EVENTS * 4);
  let pending = new PendingChanges();
  let position: LogPosition = start;
  let unwritten = 0;
  for (;;) {
    const batch = await readLog(db, position, batchSize);
    const caseIds = [...new Set(batch.events.map((event) => event.caseId))];
    pending.fold(await storedFacts(db, caseIds, '_rebuild', cache), batch.events, options.dayOf, cache);
    position = batch.position;
    events += batch.events.length;
    unwritten += batch.events.length;
    const caughtUp = batch.events.length < batchSize;
    if (unwritten >= FLUSH_EVENTS || caughtUp) {
      const written = pending;
      await db.transaction(async (sql) => {
        await written.write(sql, '_rebuild');
        await saveCheckpoint(sql, REBUILD, { ...position, events: start.events + events });
      });
      pending = new PendingChanges();
      unwritten = 0;
      report();
    }
    if (caughtUp) break;
  }
  // Indexes built once over the full tables, and the rows' statistics, before the swap (not in a transaction: VACUUM).
  for (const name of FIGURES_TABLES) {
    for (const index of indexes.get(name)!.filter((i) => !i.primaryKey)) {
      await db.query(index.definition.replace(`INDEX ${index.name} ON ${tableOf(name, '')} `, `INDEX ${index.name}_next ON ${fresh(name)} `));
    }
    await db.query(`VACUUM (ANALYZE) ${fresh(name)}`);
  }
  await db.transaction(async (sql) => {
    // The live projection stops at a batch boundary; what it would have applied, the rebuild applies now.
    await lockProjection(sql, FIGURES);
    for (let applied = batchSize; applied === batchSize; ) {
      applied = await projectNextBatch(sql, REBUILD, '_rebuild', options.dayOf, batchSize, cache);
      events += applied;
    }
    for (const name of FIGURES_TABLES) {
      const table = name;
      await sql.query(`ALTER TABLE ${tableOf(table, '')} RENAME TO ${table}_replaced`);
      await sql.query(`ALTER TABLE ${fresh(table)} RENAME TO ${table}`);
      await sql.query(`DROP TABLE statistics.${table}_replaced`);
      // The live tables' own index names again, so the next rebuild finds them as the migrations made them.
      for (const index of indexes.get(table)!) {
        if (index.primaryKey) await sql.query(`ALTER TABLE ${tableOf(table, '')} RENAME CONSTRAINT ${index.name}_next TO ${index.name}`);
        else await sql.query(`ALTER INDEX statistics.${index.name}_next RENAME TO ${index.name}`);
      }
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
