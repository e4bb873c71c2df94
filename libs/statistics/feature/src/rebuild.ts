import type { Client, PoolClient } from 'pg';
import type { CaseEventEnvelope } from '@caseline/case-contracts';
import { CasePosition, CASES_START, LOG_START, logEnd, LogPosition, readLog, readLogByCase, Sql } from '@caseline/event-store';
import type { DayOf } from '@caseline/statistics-domain';
import { copyThrough, CopyRows } from './copy-rows';
import { checkpointOf, FactsCache, FIGURES, forgetCases, Labels, lockProjection, PendingChanges, projectEvents, projectNextBatch, saveCheckpoint, storedFacts, tableOf } from './projection';
import { FIGURES_TABLES } from './statistics.migrations';

/** A connection the rebuild can run transactions on (a pg Client: BEGIN … COMMIT) and COPY rows through. */
export interface RebuildConnection extends Sql {
  transaction<T>(work: (sql: Sql) => Promise<T>): Promise<T>;
  copy: CopyRows;
}

/** A RebuildConnection on one client of the pg driver (the ops CLI's, the benchmark's). */
export function clientConnection(client: Client | PoolClient): RebuildConnection {
  const query = async <Row>(text: string, parameters?: unknown[]) => (await client.query(text, parameters)).rows as Row[];
  return {
    query,
    copy: copyThrough(client),
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
  /** How many rows of differences a rebuild from the start holds in memory before it writes them (default MAX_DIFFERENCES). */
  maxDifferences?: number;
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
/** The index whose order a rebuilt table's rows are put in. */
const CLUSTERED_BY: Record<string, string> = { cases: 'cases_reported' };
/** How many rows of differences (about 150 bytes each) a rebuild from the start holds before it writes them. */
const MAX_DIFFERENCES = 1_500_000;

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
 * tables or the new ones, never a half-built one. From the start, it reads the log case by case (each
 * case folded once, whole, its rows copied in) up to the log's end when it began, then what came in
 * meanwhile in commit order; from a point in time, it refolds the cases touched since.
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
  // An estimate for the progress bar: the events in the log after a position.
  const eventsAfter = async (position: LogPosition) =>
    Number((await db.query<{ total: string }>('SELECT count(*) AS total FROM case_log.events WHERE global_position > $1', [position.globalPosition]))[0].total);
  let total = 0;
  let events = 0;
  const report = () => options.onProgress?.({ events, total, elapsedMs: Date.now() - started });
  const labels = new Labels();
  let refolded = 0;
  if (options.since === undefined) {
    total = await eventsAfter(LOG_START);
    events = await foldWholeCases(db, { ...options, batchSize, labels }, (folded) => ((events = folded), report()));
  } else {
    refolded = await startFromLive(db, options.since, options.dayOf, batchSize);
  }

  // Then, in commit order, what came in meanwhile (or, from a point in time, all since the live
  // checkpoint). Alone on the fresh tables, the rebuild keeps what it folded in memory and writes it
  // every FLUSH_EVENTS events (rows and checkpoint in one transaction); the facts it wrote it remembers.
  const start = await checkpointOf(db, REBUILD);
  if (options.since !== undefined) total = await eventsAfter(start);
  const cache = new FactsCache(FLUSH_EVENTS * 4);
  let pending = new PendingChanges(labels);
  let position: LogPosition = start;
  let projected = start.events;
  let unwritten = 0;
  for (;;) {
    const batch = await readLog(db, position, batchSize);
    const caseIds = [...new Set(batch.events.map((event) => event.caseId))];
    pending.fold(await storedFacts(db, caseIds, '_rebuild', cache), batch.events, options.dayOf, cache);
    position = batch.position;
    events += batch.events.length;
    projected += batch.events.length;
    unwritten += batch.events.length;
    const caughtUp = batch.events.length < batchSize;
    if (unwritten >= FLUSH_EVENTS || caughtUp) {
      const written = pending;
      const checkpoint = { ...position, events: projected };
      await db.transaction(async (sql) => {
        await written.write(sql, '_rebuild');
        await saveCheckpoint(sql, REBUILD, checkpoint);
      });
      pending = new PendingChanges(labels);
      unwritten = 0;
      report();
    }
    if (caughtUp) break;
  }
  // Indexes built once over the full tables, and the rows' statistics, before the swap (not in a
  // transaction: VACUUM). The cases, filled case by case, are first put in the order they were
  // reported (CLUSTER): the open ones, mostly recent, then lie together, as they do in the live table.
  for (const name of FIGURES_TABLES) {
    const secondary = indexes.get(name)!.filter((i) => !i.primaryKey);
    const order = secondary.find((index) => index.name === CLUSTERED_BY[name]);
    for (const index of order ? [order, ...secondary.filter((i) => i !== order)] : secondary) {
      await db.query(index.definition.replace(`INDEX ${index.name} ON ${tableOf(name, '')} `, `INDEX ${index.name}_next ON ${fresh(name)} `));
      if (index === order) await db.query(`CLUSTER ${fresh(name)} USING ${index.name}_next`);
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
 * A rebuild from the start: the log up to its end now (logEnd), read case by case, each case folded
 * once, whole — no case's facts read back, no figure taken away and added again. Pages are read ahead
 * while the last one is folded. Written every FLUSH_EVENTS events; the checkpoint is the end it read
 * to, where the rebuild goes on in commit order. Returns how many events it folded.
 */
async function foldWholeCases(
  db: RebuildConnection,
  { dayOf, batchSize, labels, maxDifferences = MAX_DIFFERENCES }: { dayOf: DayOf; batchSize: number; labels: Labels; maxDifferences?: number },
  onFlush: (events: number) => void,
): Promise<number> {
  const upTo = await logEnd(db);
  const read = (after: CasePosition) => {
    const page = readLogByCase(db, upTo, after, batchSize);
    page.catch(() => undefined); // awaited in turn; a failure surfaces there
    return page;
  };
  let next = read(CASES_START);
  let held: CaseEventEnvelope[] = [];
  const pending = new PendingChanges(labels);
  let differencesWritten = false;
  let events = 0;
  let unwritten = 0;
  for (;;) {
    const page = await next;
    const done = page.length < batchSize;
    if (!done) next = read(page[page.length - 1]);
    // The page's last case may go on in the next page: it waits for it.
    const ready = [...held, ...page];
    let cut = ready.length;
    if (!done) while (cut > 0 && ready[cut - 1].caseId === page[page.length - 1].caseId) cut--;
    held = ready.slice(cut);
    pending.fold(new Map(), ready.slice(0, cut), dayOf);
    events += cut;
    unwritten += cut;
    // The differences stay in memory — no figure's row written twice — unless they grow too many.
    const full = pending.differences >= maxDifferences;
    if (unwritten >= FLUSH_EVENTS || full || done) {
      await pending.copyCases(db.copy, db, '_rebuild');
      if (full || done) {
        if (differencesWritten) await pending.writeDifferences(db, '_rebuild');
        else await pending.copyDifferences(db.copy, '_rebuild');
        differencesWritten = true;
      }
      unwritten = 0;
      onFlush(events);
    }
    if (done) break;
  }
  await saveCheckpoint(db, REBUILD, { ...upTo, events });
  return events;
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
