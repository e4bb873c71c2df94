import { createHash, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { Pool } from 'pg';
import type { EventMetadata } from '@caseline/case-contracts';
import { alterLogAsSuperuser, asSql, sessionOf, testPool } from '@caseline/testing';
import { caseLogMigrations } from './case-log.schema';
import { canonicalJson, ChainKeys, parseChainKeys } from './chain';
import { Anchor, CaseVerdict, verifyCaseLog, VerifyOptions } from './chain-verifier';
import { CaseOpener, handleCommand } from './command-handler';
import { appendAfter, appendNewCases, appendToCase, NEW_CASE, NewEvent, readCaseAndHead } from './event-store';
import { migrate } from './migrate';

const metadata: EventMetadata = { actor: { kind: 'operator', id: 'op-1', name: 'Operator' }, channel: 'phone', at: '2026-11-22T10:00:00.000Z', correlationId: 'c-1' };
const event = (data: unknown = {}, type = 'Noted'): NewEvent => ({ eventId: randomUUID(), type, schemaVersion: 1, data, metadata });
const KEYS = parseChainKeys('1:integration-test-chain-key');

describe('tamper-evident case log (PostgreSQL)', () => {
  let pool: Pool;
  const sql = () => asSql(pool);
  const verify = (caseId: string, options: VerifyOptions = {}, keys: ChainKeys = KEYS) => verifyCaseLog(sql(), keys, { caseId, ...options });
  const positionOf = async (caseId: string, version: number) =>
    (await pool.query<{ p: string }>('SELECT global_position::text AS p FROM case_log.events WHERE case_id = $1 AND case_version = $2', [caseId, version])).rows[0].p;

  /** A case of `n` events, appended one call at a time (so each append reads its predecessor's link). */
  const caseOf = async (n: number): Promise<string> => {
    const caseId = randomUUID();
    for (let version = 0; version < n; version++) await appendToCase(sql(), caseId, version, [event({ n: version + 1, note: `event ${version + 1}` })], KEYS);
    return caseId;
  };

  const asSuperuser = (statement: string, parameters: unknown[]) => alterLogAsSuperuser(pool, statement, parameters);

  beforeAll(async () => {
    pool = testPool();
    await migrate(await sessionOf(pool)(), 'case_log', caseLogMigrations);
  });
  afterAll(() => pool.end());

  it('links every event on each way into the log', async () => {
    const decider = { initialState: () => null, evolve: () => null, decide: (note: string) => [{ type: 'Noted', data: { note } }, { type: 'Noted', data: { note: `${note} again` } }] };

    const appended = randomUUID();
    await appendToCase(sql(), appended, 0, [event({ a: 1 }), event({ b: 2 })], KEYS);
    await appendToCase(sql(), appended, 2, [event({ c: 3 })], KEYS);
    const [batchA, batchB] = [randomUUID(), randomUUID()];
    await appendNewCases(sql(), [{ caseId: batchA, events: [event(), event()] }, { caseId: batchB, events: [event()] }], KEYS);
    const commanded = randomUUID();
    for (const note of ['one', 'two']) await handleCommand(sql(), decider, commanded, note, { metadata, eventId: () => randomUUID(), schemaVersion: () => 1, chainKeys: KEYS });
    const opened = randomUUID();
    await new CaseOpener(sql(), decider, { schemaVersion: () => 1, chainKeys: KEYS }).open(opened, 'opened', metadata, () => randomUUID());
    // A writer that knows the case's head appends with no read first: from a new case, then from the head it read with the history.
    const afterHead = randomUUID();
    let head = NEW_CASE;
    for (const n of [1, 2]) head = (await appendAfter(sql(), afterHead, head, [event({ n })], KEYS)).head;
    await appendAfter(sql(), afterHead, (await readCaseAndHead(sql(), afterHead)).head, [event({ n: 3 }), event({ n: 4 })], KEYS);

    for (const [caseId, events] of [[appended, 3], [batchA, 2], [batchB, 1], [commanded, 4], [opened, 2], [afterHead, 4]] as const) {
      expect(await verify(caseId)).toEqual({ cases: 1, events, unchained: 0, broken: [] });
    }
    const { rows } = await pool.query('SELECT octet_length(chain_hash) AS bytes, chain_key_id FROM case_log.events WHERE case_id = $1', [appended]);
    expect(rows).toEqual(Array(3).fill({ bytes: 32, chain_key_id: 1 }));
  });

  it('links the same whatever the data, through jsonb and back (keys reordered, numbers and strings respelled)', async () => {
    const data = fc.jsonValue({ stringUnit: 'grapheme' }).filter((value) => !JSON.stringify(value).includes('\\u0000')); // jsonb refuses NUL
    await fc.assert(
      fc.asyncProperty(data, data, async (first, second) => {
        const caseId = randomUUID();
        await appendToCase(sql(), caseId.toUpperCase(), 0, [event(first)], KEYS);
        await appendToCase(sql(), caseId, 1, [event(second)], KEYS);
        expect((await verify(caseId)).broken).toEqual([]);
      }),
      { numRuns: 30 },
    );
  });

  it('starts the chain after events written before it, and counts those as unchained', async () => {
    const caseId = randomUUID();
    // As code from before the chain wrote it: no link, and a global position before every linked event.
    const before = -Math.floor(Math.random() * 1e12) - 1;
    await pool.query(
      `INSERT INTO case_log.events (global_position, event_id, case_id, case_version, type, schema_version, data, metadata) VALUES ($1, $2, $3, 1, 'Noted', 1, '{}', $4)`,
      [before, randomUUID(), caseId, JSON.stringify(metadata)],
    );
    await appendToCase(sql(), caseId, 1, [event({ after: true })], KEYS);
    expect(await verify(caseId)).toEqual({ cases: 1, events: 2, unchained: 1, broken: [] });
  });

  it('reports an unlinked case inserted after the chain began (a forgery, not history)', async () => {
    await caseOf(1); // the chain has begun
    const forged = randomUUID();
    await pool.query(`INSERT INTO case_log.events (event_id, case_id, case_version, type, schema_version, data, metadata) VALUES ($1, $2, 1, 'Noted', 1, '{}', $3)`, [
      randomUUID(),
      forged,
      JSON.stringify(metadata),
    ]);
    expect((await verify(forged)).broken).toEqual([expect.objectContaining({ version: 1, problem: 'unlinked' })]);
  });

  it('verifies links made with a retired key, and cannot vouch for a key it does not hold', async () => {
    const caseId = randomUUID();
    await appendToCase(sql(), caseId, 0, [event()], KEYS);
    const rotated = parseChainKeys('2:integration-test-next-key,1:integration-test-chain-key');
    await appendToCase(sql(), caseId, 1, [event()], rotated);
    expect((await verify(caseId, {}, rotated)).broken).toEqual([]);
    expect((await verify(caseId, {}, KEYS)).broken).toEqual([expect.objectContaining({ version: 2, problem: 'unknown-key' })]);
  });

  describe('after a superuser changed rows behind the triggers', () => {
    it('names the altered event: its case, version and global position', async () => {
      const [caseId, untouched] = [await caseOf(4), await caseOf(2)];
      await asSuperuser(`UPDATE case_log.events SET data = jsonb_set(data, '{note}', '"something else"') WHERE case_id = $1 AND case_version = 2`, [caseId]);
      expect(await verify(caseId)).toMatchObject({ cases: 1, events: 4, broken: [{ caseId, version: 2, globalPosition: await positionOf(caseId, 2), problem: 'altered' }] });
      expect((await verify(untouched)).broken).toEqual([]);
    });

    it('reports a removed event as missing', async () => {
      const caseId = await caseOf(4);
      await asSuperuser('DELETE FROM case_log.events WHERE case_id = $1 AND case_version = 2', [caseId]);
      expect((await verify(caseId)).broken).toEqual([expect.objectContaining({ caseId, version: 2, problem: 'missing' })]);
    });

    it('sees through links recomputed as a plain SHA-256 chain (nobody without the key can make them agree)', async () => {
      const caseId = await caseOf(3);
      const { rows } = await pool.query('SELECT * FROM case_log.events WHERE case_id = $1 ORDER BY case_version', [caseId]);
      rows[1].data = { ...rows[1].data, note: 'something else' };
      let previous = Buffer.alloc(32);
      for (const row of rows) {
        const bytes = canonicalJson([row.event_id, row.case_id, row.case_version, row.type, row.schema_version, row.data, row.metadata]);
        previous = createHash('sha256').update(previous).update(bytes).digest();
        await asSuperuser('UPDATE case_log.events SET data = $2, chain_hash = $3 WHERE global_position = $1', [row.global_position, JSON.stringify(row.data), previous]);
      }
      expect((await verify(caseId)).broken).toEqual([expect.objectContaining({ version: 1, problem: 'altered' })]);
    });

    it('reports a removed link', async () => {
      const caseId = await caseOf(3);
      await asSuperuser('UPDATE case_log.events SET chain_hash = NULL, chain_key_id = NULL WHERE case_id = $1 AND case_version = 3', [caseId]);
      expect((await verify(caseId)).broken).toEqual([expect.objectContaining({ version: 3, problem: 'unlinked' })]);
    });

    it('needs anchors kept outside the database for lost newest events, vanished cases, and histories rewritten with the key', async () => {
      const [shortened, vanished, rewritten] = [await caseOf(3), await caseOf(2), await caseOf(2)];
      const anchors = new Map<string, Anchor>();
      for (const caseId of [shortened, vanished, rewritten]) await verify(caseId, { onCase: ({ head }) => void anchors.set(caseId, head) });

      await asSuperuser('DELETE FROM case_log.events WHERE case_id = $1 AND case_version = 3', [shortened]);
      await asSuperuser('DELETE FROM case_log.events WHERE case_id = $1', [vanished]);
      await asSuperuser('DELETE FROM case_log.events WHERE case_id = $1', [rewritten]);
      await appendToCase(sql(), rewritten, 0, [event({ n: 1, note: 'rewritten' }), event(), event()], KEYS);

      // The chains alone look intact...
      for (const caseId of [shortened, vanished, rewritten]) expect((await verify(caseId)).broken).toEqual([]);
      // ...the anchors do not.
      expect((await verify(shortened, { anchors })).broken).toEqual([expect.objectContaining({ version: 3, problem: 'behind-anchor' })]);
      expect((await verify(vanished, { anchors })).broken).toEqual([expect.objectContaining({ version: 2, problem: 'vanished' })]);
      expect((await verify(rewritten, { anchors })).broken).toEqual([expect.objectContaining({ version: 2, problem: 'anchor-mismatch' })]);
    });

    it('leaves the log append-only for everyone afterwards', async () => {
      const client = await pool.connect();
      try {
        await client.query('SET session_replication_role = replica');
        await expect(client.query('DELETE FROM case_log.events WHERE case_version = 1')).rejects.toThrow(/append-only/);
      } finally {
        await client.query('RESET session_replication_role');
        client.release();
      }
    });
  });

  it('gives every case the same verdict whether the walk reads it in one page or across many', async () => {
    const altered = await caseOf(3);
    await asSuperuser(`UPDATE case_log.events SET type = 'Changed' WHERE case_id = $1 AND case_version = 3`, [altered]);
    const verdicts = async (pageSize: number) => {
      const byCase = new Map<string, CaseVerdict>();
      const result = await verifyCaseLog(sql(), KEYS, { pageSize, onCase: (verdict) => void byCase.set(verdict.caseId, verdict) });
      return { result, byCase };
    };
    const [whole, paged] = [await verdicts(100000), await verdicts(2)];
    expect(paged.result).toEqual(whole.result);
    expect([...paged.byCase.values()]).toEqual([...whole.byCase.values()]);
    expect(whole.byCase.get(altered)?.broken).toMatchObject({ version: 3, problem: 'altered' });
    expect(whole.result.events).toBe(Number((await pool.query('SELECT count(*) AS n FROM case_log.events')).rows[0].n));
  });
});
