import type { CaseEventEnvelope } from '@caseline/case-contracts';
import { LOG_START, LogPosition, readLog, Sql } from '@caseline/event-store';
import { loadCityConfig } from '@caseline/city-config';
import { addHistograms, CaseFacts, CHANNELS, Contributions, contributionsOf, DAILY_COUNTS, DayOf, dayIn, evolveFacts, Histogram, SPANS, spanStart } from '@caseline/statistics-domain';

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

/** The differences a batch makes to the daily tables, summed per key before anything is written. */
class Deltas {
  readonly daily = new Map<string, Record<string, number | string>>();
  readonly durations = new Map<string, { span: string; day: string; department: string; area_id: string; measure: string; histogram: Histogram }>();

  add({ daily, durations }: Contributions, sign: 1 | -1): void {
    // Each count and each duration counts in its day, its week and its month.
    for (const row of daily) {
      for (const span of SPANS) {
        const day = spanStart(span, row.day);
        const key = `${span}|${day}|${row.department}|${row.areaId}|${row.serviceCode}`;
        let delta = this.daily.get(key);
        if (!delta) this.daily.set(key, (delta = { span, day, department: row.department, area_id: row.areaId, service_code: row.serviceCode }));
        for (const [count, value] of Object.entries(row.counts)) delta[count] = ((delta[count] as number) ?? 0) + sign * value;
        for (const [channel, value] of Object.entries(row.channels)) delta[channel.replace('-', '_')] = ((delta[channel.replace('-', '_')] as number) ?? 0) + sign * value;
      }
    }
    for (const row of durations) {
      for (const span of SPANS) {
        const day = spanStart(span, row.day);
        const key = `${span}|${day}|${row.department}|${row.areaId}|${row.measure}`;
        let delta = this.durations.get(key);
        if (!delta) this.durations.set(key, (delta = { span, day, department: row.department, area_id: row.areaId, measure: row.measure, histogram: [] }));
        const one: number[] = [];
        one[row.bucket] = 1;
        addHistograms(delta.histogram, one, sign);
      }
    }
  }

  /** Rows whose every difference is zero (a case that changed nothing these tables count) are not written. */
  dailyRows(): Record<string, number | string>[] {
    return [...this.daily.values()].filter((row) => DAILY_COLUMNS.some((column) => (row[column] ?? 0) !== 0));
  }

  durationRows() {
    return [...this.durations.values()].filter((row) => row.histogram.some((count) => count !== 0));
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
  private readonly deltas = new Deltas();
  private readonly cases = new Map<string, ReturnType<typeof rowOf>>();
  private readonly labels = new Map<string, { kind: string; id: string; name: string }>();

  /**
   * Folds events (in commit order) on from the cases' facts before them (`before`, as stored or
   * remembered): what each case counted for before is taken away and what it counts for now added.
   */
  fold(before: Map<string, CaseFacts>, events: CaseEventEnvelope[], dayOf: DayOf, cache?: FactsCache): void {
    const after = new Map<string, CaseFacts | undefined>(before);
    for (const event of events) after.set(event.caseId, evolveFacts(after.get(event.caseId), event));
    const label = (kind: string, id: string, name: string) => void (id && name && this.labels.set(`${kind}|${id}`, { kind, id, name }));
    for (const [caseId, facts] of after) {
      if (!facts) continue;
      const previous = before.get(caseId);
      if (previous) this.deltas.add(contributionsOf(previous, dayOf), -1);
      const contributions = contributionsOf(facts, dayOf);
      this.deltas.add(contributions, 1);
      this.cases.set(caseId, rowOf(facts, contributions));
      cache?.set(caseId, facts);
      label('department', facts.department, facts.departmentName);
      label('area', facts.areaId, facts.areaName);
      label('service', facts.serviceCode, facts.serviceName);
    }
  }

  async write(sql: Sql, set: TableSet): Promise<void> {
    await writeDeltas(sql, this.deltas, set);
    if (this.cases.size > 0) {
      await sql.query(
        `INSERT INTO ${tableOf('cases', set)} (${CASE_NAMES.join(', ')})
         SELECT ${CASE_NAMES.join(', ')} FROM jsonb_to_recordset($1::jsonb) AS r(${CASE_COLUMNS})
         ON CONFLICT (case_id) DO UPDATE SET ${CASE_NAMES.slice(1).map((c) => `${c} = EXCLUDED.${c}`).join(', ')}`,
        [JSON.stringify([...this.cases.values()])],
      );
    }
    if (this.labels.size > 0) {
      await sql.query(
        `INSERT INTO ${tableOf('labels', set)} (kind, id, name) SELECT kind, id, name FROM jsonb_to_recordset($1::jsonb) AS r(kind text, id text, name text)
         ON CONFLICT (kind, id) DO UPDATE SET name = EXCLUDED.name`,
        [JSON.stringify([...this.labels.values()])],
      );
    }
  }
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

async function writeDeltas(sql: Sql, deltas: Deltas, set: TableSet): Promise<void> {
  const daily = deltas.dailyRows();
  if (daily.length > 0) {
    const table = tableOf('daily', set);
    await sql.query(
      `INSERT INTO ${table} AS d (span, day, department, area_id, service_code, ${DAILY_COLUMNS.join(', ')})
       SELECT span, day, department, area_id, service_code, ${DAILY_COLUMNS.map((c) => `coalesce(${c}, 0)`).join(', ')}
         FROM jsonb_to_recordset($1::jsonb) AS r(span text, day date, department text, area_id text, service_code text, ${DAILY_COLUMNS.map((c) => `${c} int`).join(', ')})
       ON CONFLICT (span, day, department, area_id, service_code) DO UPDATE SET ${DAILY_COLUMNS.map((c) => `${c} = d.${c} + EXCLUDED.${c}`).join(', ')}`,
      [JSON.stringify(daily)],
    );
  }
  const durations = deltas.durationRows();
  if (durations.length > 0) {
    await sql.query(
      `INSERT INTO ${tableOf('daily_durations', set)} AS d (span, day, department, area_id, measure, histogram)
       SELECT span, day, department, area_id, measure, histogram FROM jsonb_to_recordset($1::jsonb) AS r(span text, day date, department text, area_id text, measure text, histogram int[])
       ON CONFLICT (span, day, department, area_id, measure) DO UPDATE SET histogram = statistics.add_histograms(d.histogram, EXCLUDED.histogram)`,
      [JSON.stringify(durations.map((row) => ({ ...row, histogram: `{${row.histogram.join(',')}}` })))],
    );
  }
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
