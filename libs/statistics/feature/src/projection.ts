import type { CaseEventEnvelope } from '@caseline/case-contracts';
import { LOG_START, LogPosition, readLog, Sql } from '@caseline/event-store';
import { loadCityConfig } from '@caseline/city-config';
import { copyLines, CopyRows, copyValue } from './copy-rows';
import { CaseFacts, CHANNELS, Contributions, contributionsOf, DAILY_COUNTS, DayOf, dayIn, evolveFacts, SPANS, spanStart } from '@caseline/statistics-domain';

/** The figures read model's name: its checkpoint and its lock. */
export const FIGURES = 'figures';

/** Which copy of the read model's tables: the live one, or the one a rebuild fills before it swaps in. */
export type TableSet = '' | '_rebuild';
export const tableOf = (name: string, set: TableSet): string => `statistics.${name}${set}`;

interface CaseRow {
  case_id: string;
  reference: string;
  source: string;
  service_code: string;
  channel: string;
  department: string;
  area_id: string;
  lat: number | null;
  long: number | null;
  reported_at: string;
  first_action_at: string | null;
  status: string;
  resolved_at: string | null;
  resolution: string | null;
  closed_at: string | null;
  due_at: string | null;
  duplicate_of: string | null;
  referral_hops: number;
  reopened: number;
  escalated: boolean;
  satisfaction: number | null;
}

const CASE_COLUMNS = `case_id uuid, reference text, source text, service_code text, channel text, department text, area_id text, lat float8, long float8,
  reported_at timestamptz, first_action_at timestamptz, status text, resolved_at timestamptz, resolution text, closed_at timestamptz, due_at timestamptz,
  duplicate_of uuid, referral_hops int, reopened int, escalated boolean, satisfaction smallint, first_action_bucket smallint, resolve_bucket smallint`;
const CASE_NAMES = CASE_COLUMNS.split(',').map((column) => column.trim().split(' ')[0]);
const iso = (value: string | Date | null): string | null => (value === null ? null : new Date(value).toISOString());

/** Names are not kept per case (labels holds them); a fold from a stored row keeps the ones events bring. */
const factsOf = (row: CaseRow): CaseFacts => ({
  caseId: row.case_id,
  reference: row.reference,
  source: row.source,
  serviceCode: row.service_code,
  serviceName: '',
  channel: row.channel as CaseFacts['channel'],
  department: row.department,
  departmentName: '',
  areaId: row.area_id,
  areaName: '',
  lat: row.lat,
  long: row.long,
  reportedAt: iso(row.reported_at)!,
  firstActionAt: iso(row.first_action_at),
  status: row.status as CaseFacts['status'],
  resolvedAt: iso(row.resolved_at),
  resolution: row.resolution,
  closedAt: iso(row.closed_at),
  dueAt: iso(row.due_at),
  duplicateOf: row.duplicate_of,
  referralHops: row.referral_hops,
  reopened: row.reopened,
  escalated: row.escalated,
  satisfaction: row.satisfaction,
});

const rowOf = (facts: CaseFacts, contributions: Contributions) => ({
  case_id: facts.caseId,
  reference: facts.reference,
  source: facts.source,
  service_code: facts.serviceCode,
  channel: facts.channel,
  department: facts.department,
  area_id: facts.areaId,
  lat: facts.lat,
  long: facts.long,
  reported_at: facts.reportedAt,
  first_action_at: facts.firstActionAt,
  status: facts.status,
  resolved_at: facts.resolvedAt,
  resolution: facts.resolution,
  closed_at: facts.closedAt,
  due_at: facts.dueAt,
  duplicate_of: facts.duplicateOf,
  referral_hops: facts.referralHops,
  reopened: facts.reopened,
  escalated: facts.escalated,
  satisfaction: facts.satisfaction,
  first_action_bucket: contributions.durations.find((d) => d.measure === 'first-action')?.bucket ?? null,
  resolve_bucket: contributions.durations.find((d) => d.measure === 'resolve')?.bucket ?? null,
});

const DAILY_COLUMNS = [...DAILY_COUNTS, ...CHANNELS.map((channel) => channel.replace('-', '_'))];
const DAILY_KEY = ['span', 'day', 'department', 'area_id', 'service_code'];
const DURATION_COLUMNS = ['span', 'day', 'department', 'area_id', 'measure', 'histogram'];
/** A count's or a channel's place in a row of differences (DAILY_COLUMNS). */
const COLUMN: Record<string, number> = Object.fromEntries([...DAILY_COUNTS.map((count, i) => [count, i]), ...CHANNELS.map((channel, i) => [channel, DAILY_COUNTS.length + i])]);
const WIDTH = DAILY_COLUMNS.length;

/** A row of differences as it is written: its key's columns, then its values (DAILY_KEY + DAILY_COLUMNS, or DURATION_COLUMNS). */
type Row = (string | number | number[])[];

/**
 * The differences a batch makes to the daily tables, summed per key before anything is written.
 * Kept lean, since a rebuild holds up to MAX_DIFFERENCES of them: per span, day and key a place in
 * one array of counts; the key's parts (department, area, type or measure) once per key.
 */
class Deltas {
  private readonly daily = new Map<string, Map<string, Map<string, number>>>(SPANS.map((span) => [span, new Map()]));
  private counts = new Int32Array(WIDTH * 1024);
  private dailySize = 0;
  private readonly durations = new Map<string, Map<string, Map<string, number[]>>>(SPANS.map((span) => [span, new Map()]));
  private durationsSize = 0;
  private readonly keys = new Map<string, string[]>();

  get size(): number {
    return this.dailySize + this.durationsSize;
  }

  add({ daily, durations }: Contributions, sign: 1 | -1): void {
    // Each count and each duration counts in its day, its week and its month.
    for (const row of daily) {
      const key = this.keyOf(row.department, row.areaId, row.serviceCode);
      // (column, difference) pairs, read from the row once for its three spans.
      const changes: number[] = [];
      for (const count in row.counts) changes.push(COLUMN[count], sign * row.counts[count as keyof typeof row.counts]!);
      for (const channel in row.channels) changes.push(COLUMN[channel], sign * row.channels[channel as keyof typeof row.channels]!);
      for (const span of SPANS) {
        const days = this.daily.get(span)!;
        const day = spanStart(span, row.day);
        let places = days.get(day);
        if (!places) days.set(day, (places = new Map()));
        let at = places.get(key);
        if (at === undefined) places.set(key, (at = this.newPlace()));
        for (let i = 0; i < changes.length; i += 2) this.counts[at + changes[i]] += changes[i + 1];
      }
    }
    for (const row of durations) {
      const key = this.keyOf(row.department, row.areaId, row.measure);
      for (const span of SPANS) {
        const days = this.durations.get(span)!;
        const day = spanStart(span, row.day);
        let histograms = days.get(day);
        if (!histograms) days.set(day, (histograms = new Map()));
        let histogram = histograms.get(key);
        if (!histogram) {
          histograms.set(key, (histogram = []));
          this.durationsSize++;
        }
        // (bucket, count) pairs: most rows count a few cases in a few of the hundreds of buckets.
        let i = 0;
        while (i < histogram.length && histogram[i] !== row.bucket) i += 2;
        if (i < histogram.length) histogram[i + 1] += sign;
        else histogram.push(row.bucket, sign);
      }
    }
  }

  /** Rows whose every difference is zero (a case that changed nothing these tables count) are not written. */
  *dailyRows(): Iterable<Row> {
    for (const [span, days] of this.daily) {
      for (const [day, places] of days) {
        for (const [key, at] of places) {
          const values = this.counts.subarray(at, at + WIDTH);
          if (values.some((value) => value !== 0)) yield [span, day, ...this.keys.get(key)!, ...values];
        }
      }
    }
  }

  *durationRows(): Iterable<Row> {
    for (const [span, days] of this.durations) {
      for (const [day, histograms] of days) {
        for (const [key, pairs] of histograms) {
          let length = 0;
          for (let i = 0; i < pairs.length; i += 2) if (pairs[i + 1] !== 0) length = Math.max(length, pairs[i] + 1);
          if (length === 0) continue;
          const histogram = new Array<number>(length).fill(0);
          // A bucket whose differences net to zero may lie beyond the last one counted: it is not written.
          for (let i = 0; i < pairs.length; i += 2) if (pairs[i + 1] !== 0) histogram[pairs[i]] += pairs[i + 1];
          yield [span, day, ...this.keys.get(key)!, histogram];
        }
      }
    }
  }

  /** One string per key (its parts kept once), so the maps compare by identity-equal strings. */
  private keyOf(...parts: string[]): string {
    const key = parts.join('\u001f');
    if (!this.keys.has(key)) this.keys.set(key, parts);
    return key;
  }

  private newPlace(): number {
    const at = this.dailySize++ * WIDTH;
    if (at + WIDTH > this.counts.length) {
      const grown = new Int32Array(this.counts.length * 2);
      grown.set(this.counts);
      this.counts = grown;
    }
    return at;
  }
}

/**
 * The facts of the cases a rebuild folded lately, as it wrote them: a case's events lie close together
 * in the log, so most batches need not read back what the one before wrote. Only for a writer that is
 * alone on its tables (a rebuild's fresh tables); bounded, the oldest forgotten first.
 */
export class FactsCache {
  private readonly facts = new Map<string, CaseFacts>();

  constructor(private readonly capacity = 200_000) {}

  get(caseId: string): CaseFacts | undefined {
    return this.facts.get(caseId);
  }

  has(caseId: string): boolean {
    return this.facts.has(caseId);
  }

  set(caseId: string, facts: CaseFacts): void {
    this.facts.delete(caseId);
    this.facts.set(caseId, facts);
    if (this.facts.size > this.capacity) this.facts.delete(this.facts.keys().next().value!);
  }
}

export async function storedFacts(sql: Sql, caseIds: string[], set: TableSet, cache?: FactsCache): Promise<Map<string, CaseFacts>> {
  const missing = cache ? caseIds.filter((id) => !cache.has(id)) : caseIds;
  const stored = missing.length === 0 ? [] : await sql.query<CaseRow>(`SELECT ${CASE_NAMES.join(', ')} FROM ${tableOf('cases', set)} WHERE case_id = ANY($1::uuid[])`, [missing]);
  const found = new Map(stored.map((row) => [row.case_id, factsOf(row)]));
  for (const id of caseIds) {
    const cached = cache?.get(id);
    if (cached) found.set(id, cached);
  }
  return found;
}

/**
 * Changes to the figures read model, gathered in memory: the cases' new facts, the differences they
 * make to the daily tables (summed per row), the names seen. Written in one go, in the caller's
 * transaction, with the checkpoint it moves.
 */
export class PendingChanges {
  private deltas = new Deltas();
  private readonly cases = new Map<string, ReturnType<typeof rowOf>>();

  /** `labels`: the names seen, kept across several PendingChanges when a rebuild writes in steps. */
  constructor(private readonly labels = new Labels()) {}

  /** Rows of differences waiting to be written (their keys: a day, week or month × department × area × type or measure). */
  get differences(): number {
    return this.deltas.size;
  }

  /**
   * Folds events (in each case's order) on from the cases' facts before them (`before`, as stored or
   * remembered): what each case counted for before is taken away and what it counts for now added.
   */
  fold(before: Map<string, CaseFacts>, events: CaseEventEnvelope[], dayOf: DayOf, cache?: FactsCache): void {
    const after = new Map<string, CaseFacts | undefined>(before);
    const lastPosition = new Map<string, number>();
    for (const event of events) {
      after.set(event.caseId, evolveFacts(after.get(event.caseId), event));
      lastPosition.set(event.caseId, Number(event.globalPosition));
    }
    for (const [caseId, facts] of after) {
      if (!facts) continue;
      const previous = before.get(caseId);
      if (previous) this.deltas.add(contributionsOf(previous, dayOf), -1);
      const contributions = contributionsOf(facts, dayOf);
      this.deltas.add(contributions, 1);
      this.cases.set(caseId, rowOf(facts, contributions));
      cache?.set(caseId, facts);
      this.labels.see(facts, lastPosition.get(caseId) ?? 0);
    }
  }

  /** Writes everything, adding to what the tables hold. */
  async write(sql: Sql, set: TableSet): Promise<void> {
    await this.writeDifferences(sql, set);
    await inChunks([...this.cases.values()], (rows) =>
      sql.query(
        `INSERT INTO ${tableOf('cases', set)} (${CASE_NAMES.join(', ')})
         SELECT ${CASE_NAMES.join(', ')} FROM jsonb_to_recordset($1::jsonb) AS r(${CASE_COLUMNS})
         ON CONFLICT (case_id) DO UPDATE SET ${CASE_NAMES.slice(1).map((c) => `${c} = EXCLUDED.${c}`).join(', ')}`,
        [JSON.stringify(rows)],
      ),
    );
    this.cases.clear();
    await this.writeLabels(sql, set);
  }

  /** Adds the differences to the daily tables, and forgets them. */
  async writeDifferences(sql: Sql, set: TableSet): Promise<void> {
    await writeDeltas(sql, this.deltas, set);
    this.deltas = new Deltas();
  }

  /** The cases' rows with COPY, into a table that has none of them yet (a rebuild's, folding whole cases), and the names; then forgets the rows. */
  async copyCases(copy: CopyRows, sql: Sql, set: TableSet): Promise<void> {
    await copy(`COPY ${tableOf('cases', set)} (${CASE_NAMES.join(', ')}) FROM STDIN`, copyLines([...this.cases.values()].map((row) => CASE_NAMES.map((column) => row[column as keyof typeof row]))));
    this.cases.clear();
    await this.writeLabels(sql, set);
  }

  /** The differences with COPY, into daily tables that hold none of their keys yet; then forgets them. */
  async copyDifferences(copy: CopyRows, set: TableSet): Promise<void> {
    await copy(`COPY ${tableOf('daily', set)} (${DAILY_KEY.join(', ')}, ${DAILY_COLUMNS.join(', ')}) FROM STDIN`, copyLines(this.deltas.dailyRows()));
    await copy(`COPY ${tableOf('daily_durations', set)} (${DURATION_COLUMNS.join(', ')}) FROM STDIN`, copyLines(this.deltas.durationRows()));
    this.deltas = new Deltas();
  }

  private async writeLabels(sql: Sql, set: TableSet): Promise<void> {
    await inChunks(this.labels.rows(), (rows) =>
      sql.query(
        `INSERT INTO ${tableOf('labels', set)} (kind, id, name) SELECT kind, id, name FROM jsonb_to_recordset($1::jsonb) AS r(kind text, id text, name text)
         ON CONFLICT (kind, id) DO UPDATE SET name = EXCLUDED.name`,
        [JSON.stringify(rows)],
      ),
    );
  }
}

/**
 * The names of departments, areas and request types, as the latest event in the log gives them (a
 * renamed department shows its new name), whatever order the cases were folded in.
 */
export class Labels {
  private readonly names = new Map<string, { kind: string; id: string; name: string; position: number }>();

  see(facts: CaseFacts, position: number): void {
    this.set('department', facts.department, facts.departmentName, position);
    this.set('area', facts.areaId, facts.areaName, position);
    this.set('service', facts.serviceCode, facts.serviceName, position);
  }

  rows(): { kind: string; id: string; name: string }[] {
    return [...this.names.values()].map(({ kind, id, name }) => ({ kind, id, name }));
  }

  private set(kind: string, id: string, name: string, position: number): void {
    if (!id || !name) return;
    const key = `${kind}|${id}`;
    if ((this.names.get(key)?.position ?? -1) <= position) this.names.set(key, { kind, id, name, position });
  }
}

/** Rows written in statements of at most 10,000 (one JSON parameter each). */
async function inChunks<Row>(rows: Row[], write: (chunk: Row[]) => Promise<unknown>): Promise<void> {
  for (let from = 0; from < rows.length; from += 10_000) await write(rows.slice(from, from + 10_000));
}

/** Applies events (in commit order) to the figures read model, inside the caller's transaction. */
export async function projectEvents(sql: Sql, events: CaseEventEnvelope[], set: TableSet, dayOf: DayOf, cache?: FactsCache): Promise<void> {
  if (events.length === 0) return;
  const pending = new PendingChanges();
  pending.fold(await storedFacts(sql, [...new Set(events.map((event) => event.caseId))], set, cache), events, dayOf, cache);
  await pending.write(sql, set);
}

/** Takes cases out of the read model: their rows go, and what they counted for is subtracted. */
export async function forgetCases(sql: Sql, caseIds: string[], set: TableSet, dayOf: DayOf): Promise<void> {
  const deltas = new Deltas();
  for (const facts of (await storedFacts(sql, caseIds, set)).values()) deltas.add(contributionsOf(facts, dayOf), -1);
  await writeDeltas(sql, deltas, set);
  await sql.query(`DELETE FROM ${tableOf('cases', set)} WHERE case_id = ANY($1::uuid[])`, [caseIds]);
}

/** Columns as arrays, one parameter each, for INSERT … SELECT FROM unnest(…): far cheaper for PostgreSQL to take in than JSON. */
const unnest = (types: string[], first = 1) => `unnest(${types.map((type, i) => `$${first + i}::${type}[]`).join(', ')})`;
const columnsOf = (rows: Row[], width: number) => Array.from({ length: width }, (_, i) => rows.map((row) => row[i]));

async function writeDeltas(sql: Sql, deltas: Deltas, set: TableSet): Promise<void> {
  const keyTypes = ['text', 'date', 'text', 'text', 'text'];
  await inChunks([...deltas.dailyRows()], (rows) =>
    sql.query(
      `INSERT INTO ${tableOf('daily', set)} AS d (${DAILY_KEY.join(', ')}, ${DAILY_COLUMNS.join(', ')})
       SELECT * FROM ${unnest([...keyTypes, ...DAILY_COLUMNS.map(() => 'int')])}
       ON CONFLICT (${DAILY_KEY.join(', ')}) DO UPDATE SET ${DAILY_COLUMNS.map((c) => `${c} = d.${c} + EXCLUDED.${c}`).join(', ')}`,
      columnsOf(rows, DAILY_KEY.length + WIDTH),
    ),
  );
  // A histogram column travels as text ('{1,0,2}'): an array of arrays of different lengths is not a PostgreSQL array.
  await inChunks([...deltas.durationRows()], (rows) =>
    sql.query(
      `INSERT INTO ${tableOf('daily_durations', set)} AS d (${DURATION_COLUMNS.join(', ')})
       SELECT span, day, department, area_id, measure, histogram::int[] FROM ${unnest([...keyTypes, 'text'])} AS r(span, day, department, area_id, measure, histogram)
       ON CONFLICT (span, day, department, area_id, measure) DO UPDATE SET histogram = statistics.add_histograms(d.histogram, EXCLUDED.histogram)`,
      columnsOf(rows.map((row) => [...row.slice(0, 5), copyValue(row[5])]), DURATION_COLUMNS.length),
    ),
  );
}

export interface Checkpoint extends LogPosition {
  events: number;
}

export async function checkpointOf(sql: Sql, projection: string): Promise<Checkpoint> {
  const [row] = await sql.query<{ transaction_id: string; global_position: string; events: string }>(
    'SELECT transaction_id::text, global_position, events FROM statistics.checkpoints WHERE projection = $1',
    [projection],
  );
  return row ? { transactionId: row.transaction_id, globalPosition: String(row.global_position), events: Number(row.events) } : { ...LOG_START, events: 0 };
}

export async function saveCheckpoint(sql: Sql, projection: string, checkpoint: Checkpoint): Promise<void> {
  await sql.query(
    `INSERT INTO statistics.checkpoints (projection, transaction_id, global_position, events, updated_at) VALUES ($1, $2::xid8, $3, $4, now())
     ON CONFLICT (projection) DO UPDATE SET transaction_id = EXCLUDED.transaction_id, global_position = EXCLUDED.global_position, events = EXCLUDED.events, updated_at = now()`,
    [projection, checkpoint.transactionId, checkpoint.globalPosition, checkpoint.events],
  );
}

/** Only one writer moves a projection at a time (replicas, a rebuild swapping in): a lock held to the end of the transaction. */
export const lockProjection = async (sql: Sql, projection: string): Promise<void> =>
  void (await sql.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`caseline-projection:${projection}`]));

/**
 * One step of a projection, in the caller's transaction: the next events after its checkpoint (in
 * commit order), applied, and the checkpoint moved with them. Redelivery cannot happen: the rows and
 * the checkpoint commit together or not at all. Returns how many events it applied.
 */
export async function projectNextBatch(sql: Sql, projection: string, set: TableSet, dayOf: DayOf, batchSize: number, cache?: FactsCache): Promise<number> {
  await lockProjection(sql, projection);
  const checkpoint = await checkpointOf(sql, projection);
  const { events, position } = await readLog(sql, checkpoint, batchSize);
  if (events.length === 0) return 0;
  await projectEvents(sql, events, set, dayOf, cache);
  await saveCheckpoint(sql, projection, { ...position, events: checkpoint.events + events.length });
  return events.length;
}

/** The city's local day of an instant: figures are kept by the days the city lives in (city.json timeZone). */
export const cityDay = (): DayOf => dayIn(loadCityConfig().city.timeZone);
