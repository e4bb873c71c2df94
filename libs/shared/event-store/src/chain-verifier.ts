import { canonicalJson, chainLink, ChainKeys, GENESIS_LINK } from './chain';
import type { Sql } from './sql';

/** An event as the verifier reads it back, link included. */
export interface StoredEvent {
  eventId: string;
  caseId: string;
  caseVersion: number;
  type: string;
  schemaVersion: number;
  data: unknown;
  metadata: unknown;
  globalPosition: string;
  chainHash: Buffer | null;
  chainKeyId: number | null;
}

/**
 * What is wrong at a case's first broken link:
 * - altered: the stored link does not match the event (the event, its link or its version was changed);
 * - missing: versions are gone (events were removed);
 * - duplicate: a version is stored more than once;
 * - unlinked: an event has no link although it came after the chain began (its link was removed, or
 *   it was inserted behind the services' backs);
 * - unknown-key: the link names a key this verifier does not hold, so it cannot be checked;
 * - behind-anchor, anchor-mismatch, vanished: compared with anchors kept outside the database, the
 *   case lost its newest events, was rewritten up to its anchor, or is gone altogether.
 */
export type ChainProblem = 'altered' | 'missing' | 'duplicate' | 'unlinked' | 'unknown-key' | 'behind-anchor' | 'anchor-mismatch' | 'vanished';

export interface BrokenLink {
  caseId: string;
  version: number;
  /** Of the stored event where the break shows (none when that version is gone). */
  globalPosition?: string;
  problem: ChainProblem;
  detail: string;
}

/**
 * Where a case's chain stood when an auditor last looked: its version and that version's link (null
 * if the case was never linked). Kept outside the database, it catches what a chain alone cannot:
 * a case that lost its newest events, or vanished.
 */
export interface Anchor {
  version: number;
  link: Buffer | null;
}

export interface CaseVerdict {
  caseId: string;
  events: number;
  /** Events from before the chain began: without a link, and before the first linked event of their case and of the log. */
  unchained: number;
  head: Anchor;
  broken?: BrokenLink;
}

const sameLink = (a: Buffer | null, b: Buffer | null): boolean => (a === null || b === null ? a === b : a.equals(b));

export interface CaseContext {
  /** Where the case stood when last anchored. */
  anchor?: Anchor;
  /** Global position of the log's first linked event: an event after it without a link was not written before the chain. */
  chainStart?: string;
}

/**
 * Checks one case's events, in version order, link by link, and stops at the first broken one (what
 * follows a break cannot be trusted or blamed). The rules mirror the append: version 1, and the
 * first event after unlinked ones, link to the genesis link.
 */
export function verifyCase(caseId: string, events: StoredEvent[], keys: ChainKeys, { anchor, chainStart }: CaseContext = {}): CaseVerdict {
  let head: Anchor = { version: 0, link: null };
  let unchained = 0;
  let anchored: StoredEvent | undefined;
  const verdict = (broken?: Omit<BrokenLink, 'caseId'>): CaseVerdict => ({ caseId, events: events.length, unchained, head, ...(broken ? { broken: { caseId, ...broken } } : {}) });

  for (const event of events) {
    const expected = head.version + 1;
    const at = { version: event.caseVersion, globalPosition: event.globalPosition };
    if (event.caseVersion < expected) return verdict({ ...at, problem: 'duplicate', detail: `version ${event.caseVersion} is stored more than once` });
    if (event.caseVersion > expected) {
      const gone = event.caseVersion - 1 === expected ? `version ${expected} is` : `versions ${expected}–${event.caseVersion - 1} are`;
      return verdict({ version: expected, problem: 'missing', detail: `${gone} missing (the next stored event is version ${event.caseVersion}, global position ${event.globalPosition})` });
    }
    if (event.chainHash === null) {
      if (head.link !== null || (chainStart !== undefined && BigInt(event.globalPosition) > BigInt(chainStart))) {
        return verdict({ ...at, problem: 'unlinked', detail: "no link, although written after the chain began: its link was removed, or it was inserted behind the services' backs" });
      }
      unchained++;
    } else {
      const key = event.chainKeyId === null ? undefined : keys.byId.get(event.chainKeyId);
      if (!key) return verdict({ ...at, problem: 'unknown-key', detail: `linked with key id ${event.chainKeyId}, which this verifier does not hold` });
      const link = chainLink(key, head.link ?? GENESIS_LINK, { ...event, dataJson: canonicalJson(event.data), metadataJson: canonicalJson(event.metadata) });
      if (!link.equals(event.chainHash)) return verdict({ ...at, problem: 'altered', detail: 'the stored link does not match the event: the event, its link or its version was changed' });
    }
    head = { version: event.caseVersion, link: event.chainHash };
    if (event.caseVersion === anchor?.version) anchored = event;
  }

  if (anchor && head.version < anchor.version) {
    return verdict({ version: head.version + 1, problem: 'behind-anchor', detail: `anchored at version ${anchor.version}, now ends at version ${head.version}: its newest events were removed` });
  }
  if (anchor && anchored && !sameLink(anchored.chainHash, anchor.link)) {
    return verdict({ version: anchor.version, globalPosition: anchored.globalPosition, problem: 'anchor-mismatch', detail: `the link at version ${anchor.version} is not the anchored one: the case was rewritten` });
  }
  return verdict();
}

export interface LogVerdict {
  cases: number;
  events: number;
  unchained: number;
  /** The first broken link of each broken case, and anchored cases that vanished. */
  broken: BrokenLink[];
}

export interface VerifyOptions {
  /** Only this case. */
  caseId?: string;
  /** Earlier heads (case id, lower case → anchor); with caseId, only that case's is compared. */
  anchors?: ReadonlyMap<string, Anchor>;
  /** Each case's verdict, in case id order (e.g. to write new anchors as the walk goes). */
  onCase?: (verdict: CaseVerdict) => void | Promise<void>;
  pageSize?: number;
}

interface StoredRow {
  event_id: string;
  case_id: string;
  case_version: number;
  type: string;
  schema_version: number;
  data: unknown;
  metadata: unknown;
  global_position: string;
  chain_hash: Buffer | null;
  chain_key_id: number | null;
}

// Keyset pages over the (case_id, case_version) unique index; global_position breaks ties, so even
// a duplicated version (possible only with that constraint dropped) is neither skipped nor repeated.
const PAGE = `SELECT event_id, case_id, case_version, type, schema_version, data, metadata, global_position::text, chain_hash, chain_key_id
                FROM case_log.events
               WHERE (case_id, case_version, global_position) > ($1::uuid, $2::int, $3::bigint)
                 AND ($4::uuid IS NULL OR case_id = $4::uuid)
               ORDER BY case_id, case_version, global_position
               LIMIT $5`;

const toStored = (row: StoredRow): StoredEvent => ({
  eventId: row.event_id,
  caseId: row.case_id,
  caseVersion: row.case_version,
  type: row.type,
  schemaVersion: row.schema_version,
  data: row.data,
  metadata: row.metadata,
  globalPosition: row.global_position,
  chainHash: row.chain_hash,
  chainKeyId: row.chain_key_id,
});

/**
 * Verifies every case of the log (or one), a page at a time, each case as a whole. Give it one
 * snapshot (a REPEATABLE READ transaction) when others are appending, so that the counts and heads
 * describe one moment. Reads only case_log.events.
 */
export async function verifyCaseLog(sql: Sql, keys: ChainKeys, options: VerifyOptions = {}): Promise<LogVerdict> {
  const { caseId, anchors = new Map<string, Anchor>(), onCase, pageSize = 1000 } = options;
  const result: LogVerdict = { cases: 0, events: 0, unchained: 0, broken: [] };
  const wanted = caseId?.toLowerCase();
  const unseen = new Map([...anchors].filter(([id]) => wanted === undefined || id === wanted));
  // Rows from before the chain all precede its first linked event (the migration ran before any
  // linked append). Found in primary key order, past only those rows.
  const [first] = await sql.query<{ position: string }>('SELECT global_position::text AS position FROM case_log.events WHERE chain_hash IS NOT NULL ORDER BY global_position LIMIT 1');

  const finish = async (events: StoredEvent[]) => {
    const verdict = verifyCase(events[0].caseId, events, keys, { anchor: anchors.get(events[0].caseId), chainStart: first?.position });
    unseen.delete(verdict.caseId);
    result.cases++;
    result.events += verdict.events;
    result.unchained += verdict.unchained;
    if (verdict.broken) result.broken.push(verdict.broken);
    await onCase?.(verdict);
  };

  let after: [string, number, string] = ['00000000-0000-0000-0000-000000000000', 0, '0'];
  let current: StoredEvent[] = [];
  for (;;) {
    const rows = await sql.query<StoredRow>(PAGE, [...after, caseId ?? null, pageSize]);
    for (const event of rows.map(toStored)) {
      if (current.length > 0 && current[0].caseId !== event.caseId) {
        await finish(current);
        current = [];
      }
      current.push(event);
    }
    if (rows.length < pageSize) break;
    const last = rows[rows.length - 1];
    after = [last.case_id, last.case_version, last.global_position];
  }
  if (current.length > 0) await finish(current);

  for (const [id, anchor] of unseen) result.broken.push({ caseId: id, version: anchor.version, problem: 'vanished', detail: `anchored at version ${anchor.version}, no longer in the log` });
  return result;
}
