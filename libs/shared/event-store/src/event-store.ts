import type { CaseEventEnvelope, EventMetadata } from '@caseline/case-contracts';
import { canonicalJson, chainLink, ChainKeys, developmentChainKeys, GENESIS_LINK } from './chain';
import { createHash } from 'node:crypto';
import { asOneStatement, Sql, Statement } from './sql';

export interface NewEvent {
  eventId: string;
  type: string;
  schemaVersion: number;
  data: unknown;
  metadata: EventMetadata;
}

/** Where a reader stands in the global log, in commit order. */
export interface LogPosition {
  transactionId: string;
  globalPosition: string;
}
export const LOG_START: LogPosition = { transactionId: '0', globalPosition: '0' };

/** Another writer appended to the case first: re-read, decide again. */
export class WrongExpectedVersion extends Error {
  constructor(
    readonly caseId: string,
    readonly expectedVersion: number,
  ) {
    super(`Case ${caseId} is no longer at version ${expectedVersion}`);
    this.name = 'WrongExpectedVersion';
  }
}

/** An event with this id is already in the log: the effect was recorded before. */
export class DuplicateEvent extends Error {
  constructor(readonly eventId: string) {
    super(`Event ${eventId} is already in the log`);
    this.name = 'DuplicateEvent';
  }
}

interface EventRow {
  event_id: string;
  case_id: string;
  case_version: number;
  type: string;
  schema_version: number;
  data: unknown;
  metadata: EventMetadata;
  global_position: string;
  transaction_id: string;
  recorded_at: Date;
}

const COLUMNS = 'event_id, case_id, case_version, type, schema_version, data, metadata, global_position, transaction_id::text, recorded_at';

const toEnvelope = (row: EventRow): CaseEventEnvelope => ({
  eventId: row.event_id,
  caseId: row.case_id,
  caseVersion: row.case_version,
  type: row.type,
  schemaVersion: row.schema_version,
  data: row.data,
  metadata: row.metadata,
  globalPosition: String(row.global_position),
  recordedAt: row.recorded_at.toISOString(),
});

/** An event as it is inserted: its JSON in canonical form (stored, and covered by its link) and its link. */
interface ChainedRow {
  event: NewEvent;
  dataJson: string;
  metadataJson: string;
  link: Buffer;
}

/** Links the events appended to one case after `previous` (the link of version `expectedVersion`), in memory. */
function chain(keys: ChainKeys, caseId: string, expectedVersion: number, previous: Buffer, events: NewEvent[]): ChainedRow[] {
  return events.map((event, index) => {
    const dataJson = canonicalJson(event.data);
    const metadataJson = canonicalJson(event.metadata);
    previous = chainLink(keys.signing.secret, previous, { ...event, caseId, caseVersion: expectedVersion + index + 1, dataJson, metadataJson });
    return { event, dataJson, metadataJson, link: previous };
  });
}

/**
 * The link an append continues from. No row (the case moved on or never got there) is left to the
 * INSERT's version guard; a row without a link was written before the chain began, and the chain
 * starts afresh after it.
 */
async function linkOf(sql: Sql, caseId: string, version: number): Promise<Buffer> {
  if (version === 0) return GENESIS_LINK;
  const [row] = await sql.query<{ chain_hash: Buffer | null }>('SELECT chain_hash FROM case_log.events WHERE case_id = $1 AND case_version = $2', [caseId, version]);
  return row?.chain_hash ?? GENESIS_LINK;
}

/** Where a case's log ends: the version an append expects, and the link the next event continues from. */
export interface CaseHead {
  version: number;
  link: Buffer;
}

/** The head of a case not yet opened. */
export const NEW_CASE: CaseHead = { version: 0, link: GENESIS_LINK };

/**
 * Appends events to one case, only if the case is still at expectedVersion (0 = new case).
 * Must be the first write of its transaction, so that commit order and xid order agree per case.
 * Each event is linked to the one before it (ADR 0011); keys default to the development key, which
 * only tests and tools rely on: services pass theirs.
 */
export async function appendToCase(sql: Sql, caseId: string, expectedVersion: number, events: NewEvent[], keys: ChainKeys = developmentChainKeys): Promise<CaseEventEnvelope[]> {
  if (events.length === 0) return [];
  // Reading the predecessor's link before the INSERT is safe: if another writer appends in
  // between, the unique version rejects this append and the link is never stored.
  return (await appendAfter(sql, caseId, { version: expectedVersion, link: await linkOf(sql, caseId, expectedVersion) }, events, keys)).appended;
}

/** A statement's name for preparing it: the same text, the same name, on every connection. */
const preparedName = (prefix: string, text: string) => `${prefix}-${createHash('sha1').update(text).digest('hex').slice(0, 12)}`;

/**
 * appendToCase for a writer that knows the case's head (read with its history, or returned by its
 * last append): one statement, no read of the predecessor's link. A head gone stale — another
 * writer appended since — fails the statement (WrongExpectedVersion), so a wrong link is never
 * stored. `alongside`: the writer's own rows (a read model, its outbox), written by the same
 * statement: the events and the rows, or neither, without a transaction.
 */
export async function appendAfter(
  sql: Sql,
  caseId: string,
  head: CaseHead,
  events: NewEvent[],
  keys: ChainKeys = developmentChainKeys,
  alongside: Statement[] = [],
): Promise<{ appended: CaseEventEnvelope[]; head: CaseHead }> {
  if (events.length === 0) {
    const { text, parameters } = asOneStatement(alongside);
    if (alongside.length > 0) await sql.query(text, parameters);
    return { appended: [], head };
  }
  const chained = chain(keys, caseId, head.version, head.link, events);
  // The head's version is NULL unless the case is still there: a NULL version fails the whole
  // statement (NOT NULL), so what is written alongside goes with the events or not at all.
  const append: Statement = {
    text: `INSERT INTO case_log.events (event_id, case_id, case_version, type, schema_version, data, metadata, chain_hash, chain_key_id)
       SELECT e.event_id, $1::uuid, head.version + e.ordinal, e.type, e.schema_version, e.data, e.metadata, e.chain_hash, $9::smallint
         FROM unnest($3::uuid[], $4::text[], $5::smallint[], $6::jsonb[], $7::jsonb[], $8::bytea[])
              WITH ORDINALITY AS e(event_id, type, schema_version, data, metadata, chain_hash, ordinal),
              (SELECT CASE WHEN (SELECT coalesce(max(case_version), 0) FROM case_log.events WHERE case_id = $1::uuid) = $2::int THEN $2::int END AS version) AS head
       RETURNING ${COLUMNS}`,
    parameters: [
      caseId,
      head.version,
      chained.map((c) => c.event.eventId),
      chained.map((c) => c.event.type),
      chained.map((c) => c.event.schemaVersion),
      chained.map((c) => c.dataJson),
      chained.map((c) => c.metadataJson),
      chained.map((c) => c.link),
      keys.signing.id,
    ],
  };
  const statement = alongside.length === 0 ? append : asOneStatement([append, ...alongside], true);
  let rows: EventRow[];
  try {
    rows = await sql.query<EventRow>(statement.text, statement.parameters, preparedName('case-log-append-after', statement.text));
  } catch (error) {
    const pgError = error as { code?: string; constraint?: string; column?: string; detail?: string };
    const stale = (pgError.code === '23505' && pgError.constraint === 'events_case_version_unique') || (pgError.code === '23502' && pgError.column === 'case_version');
    if (stale) throw new WrongExpectedVersion(caseId, head.version);
    if (pgError.code === '23505' && pgError.constraint === 'events_event_id_unique') {
      throw new DuplicateEvent(/\(event_id\)=\(([^)]+)\)/.exec(pgError.detail ?? '')?.[1] ?? 'unknown');
    }
    throw error;
  }
  return { appended: rows.map(toEnvelope), head: { version: head.version + events.length, link: chained[chained.length - 1].link } };
}

/**
 * Opens many new cases in one statement (group commit at the application level): each case's
 * events get versions 1..n. If any case id is already in use the whole statement fails with
 * WrongExpectedVersion and nothing is written. Each case's chain starts from the genesis link.
 */
export async function appendNewCases(sql: Sql, cases: { caseId: string; events: NewEvent[] }[], keys: ChainKeys = developmentChainKeys): Promise<CaseEventEnvelope[][]> {
  const rows = cases.flatMap(({ caseId, events }) => chain(keys, caseId, 0, GENESIS_LINK, events).map((chained, index) => ({ caseId, version: index + 1, ...chained })));
  let inserted: EventRow[];
  try {
    inserted = await sql.query<EventRow>(
      `INSERT INTO case_log.events (event_id, case_id, case_version, type, schema_version, data, metadata, chain_hash, chain_key_id)
       SELECT *, $9::smallint FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::text[], $5::smallint[], $6::jsonb[], $7::jsonb[], $8::bytea[])
       RETURNING ${COLUMNS}`,
      [
        rows.map((r) => r.event.eventId),
        rows.map((r) => r.caseId),
        rows.map((r) => r.version),
        rows.map((r) => r.event.type),
        rows.map((r) => r.event.schemaVersion),
        rows.map((r) => r.dataJson),
        rows.map((r) => r.metadataJson),
        rows.map((r) => r.link),
        keys.signing.id,
      ],
      'case-log-append-new-cases',
    );
  } catch (error) {
    const pgError = error as { code?: string; constraint?: string };
    if (pgError.code === '23505' && pgError.constraint === 'events_case_version_unique') throw new WrongExpectedVersion(cases.length === 1 ? cases[0].caseId : 'one of a batch', 0);
    throw error;
  }
  const byCase = new Map<string, CaseEventEnvelope[]>();
  for (const row of inserted.map(toEnvelope).sort((a, b) => a.caseVersion - b.caseVersion)) {
    byCase.set(row.caseId, [...(byCase.get(row.caseId) ?? []), row]);
  }
  return cases.map(({ caseId }) => byCase.get(caseId) ?? []);
}

/** Every event of one case, in version order. */
export async function readCase(sql: Sql, caseId: string): Promise<CaseEventEnvelope[]> {
  return (await readCaseAndHead(sql, caseId)).history;
}

/** Every event of one case, in version order, and its head (an append after it needs no second read). */
export async function readCaseAndHead(sql: Sql, caseId: string): Promise<{ history: CaseEventEnvelope[]; head: CaseHead }> {
  const rows = await sql.query<EventRow & { chain_hash: Buffer | null }>(`SELECT ${COLUMNS}, chain_hash FROM case_log.events WHERE case_id = $1 ORDER BY case_version`, [caseId], 'case-log-read-case');
  // A last event without a link was written before the chain began: the chain starts afresh after it (as linkOf).
  return { history: rows.map(toEnvelope), head: { version: rows.length, link: rows[rows.length - 1]?.chain_hash ?? GENESIS_LINK } };
}

/** An event as the relay publishes it: the envelope already serialized (by PostgreSQL). */
export interface SerializedEvent {
  caseId: string;
  eventId: string;
  type: string;
  envelope: string;
}

/*
 * The ORDER BY names the table's columns (events.…): both queries also select `transaction_id::text`
 * under the same name, and an unqualified ORDER BY would sort by that text — '1000000' before
 * '999999' — which at a digit boundary of transaction ids can move the checkpoint past events not
 * yet read (lost for good), and which no index serves (a full sort of the log on every batch).
 */
const COMMIT_ORDER_AFTER = `(events.transaction_id, events.global_position) > ($1::xid8, $2::bigint)
        AND events.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
      ORDER BY events.transaction_id, events.global_position
      LIMIT $3`;

const positionAfter = (rows: { transaction_id: string; global_position: string | number }[], after: LogPosition): LogPosition => {
  const last = rows[rows.length - 1];
  return last ? { transactionId: last.transaction_id, globalPosition: String(last.global_position) } : after;
};

/**
 * readLog for publishing: PostgreSQL builds each envelope's JSON text itself, so the relay moves
 * strings and never parses and re-serializes event data (half of intake's CPU when it did).
 */
export async function readLogSerialized(sql: Sql, after: LogPosition, limit: number): Promise<{ events: SerializedEvent[]; position: LogPosition }> {
  const rows = await sql.query<{ case_id: string; event_id: string; type: string; envelope: string; transaction_id: string; global_position: string }>(
    `SELECT case_id, event_id, type, transaction_id::text, global_position,
            json_build_object('eventId', event_id, 'caseId', case_id, 'caseVersion', case_version, 'type', type,
                              'schemaVersion', schema_version, 'data', data, 'metadata', metadata,
                              'globalPosition', global_position::text,
                              'recordedAt', to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))::text AS envelope
       FROM case_log.events
      WHERE ${COMMIT_ORDER_AFTER}`,
    [after.transactionId, after.globalPosition, limit],
    'case-log-read-serialized',
  );
  return { events: rows.map((r) => ({ caseId: r.case_id, eventId: r.event_id, type: r.type, envelope: r.envelope })), position: positionAfter(rows, after) };
}

/**
 * The next events of the global log after `after`, in commit order. Only transactions older than
 * every still-running one are visible (pg_snapshot_xmin), so an event whose transaction commits
 * late is never skipped: readers wait for it instead.
 */
export async function readLog(sql: Sql, after: LogPosition, limit: number): Promise<{ events: CaseEventEnvelope[]; position: LogPosition }> {
  const rows = await sql.query<EventRow>(
    `SELECT ${COLUMNS} FROM case_log.events WHERE ${COMMIT_ORDER_AFTER}`,
    [after.transactionId, after.globalPosition, limit],
    'case-log-read',
  );
  return { events: rows.map(toEnvelope), position: positionAfter(rows, after) };
}

/**
 * The end of the log as a commit-order reader may pass it now (readLog's rule): every event at or
 * before it is committed and will stay the only events there. LOG_START when the log is empty.
 */
export async function logEnd(sql: Sql): Promise<LogPosition> {
  const rows = await sql.query<{ transaction_id: string; global_position: string }>(
    `SELECT transaction_id::text, global_position FROM case_log.events
      WHERE events.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
      ORDER BY events.transaction_id DESC, events.global_position DESC LIMIT 1`,
  );
  return positionAfter(rows, LOG_START);
}

/** A place in the log read case by case: after this version of this case. */
export interface CasePosition {
  caseId: string;
  caseVersion: number;
}
export const CASES_START: CasePosition = { caseId: '00000000-0000-0000-0000-000000000000', caseVersion: 0 };

/**
 * The events at or before `upTo` (in commit order), case by case — each case's events together, in
 * version order — after `after`. A projection rebuilt from the start reads the log this way, so it
 * folds each case once, whole; `upTo` (logEnd) is where it goes on in commit order.
 */
export async function readLogByCase(sql: Sql, upTo: LogPosition, after: CasePosition, limit: number): Promise<CaseEventEnvelope[]> {
  const rows = await sql.query<EventRow>(
    `SELECT ${COLUMNS} FROM case_log.events
      WHERE (events.case_id, events.case_version) > ($3::uuid, $4::int) AND (events.transaction_id, events.global_position) <= ($1::xid8, $2::bigint)
      ORDER BY events.case_id, events.case_version
      LIMIT $5`,
    [upTo.transactionId, upTo.globalPosition, after.caseId, after.caseVersion, limit],
  );
  return rows.map(toEnvelope);
}
