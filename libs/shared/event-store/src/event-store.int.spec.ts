import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import type { EventMetadata } from '@caseline/case-contracts';
import { asSql, sessionOf, testPool, waitFor } from '@caseline/testing';
import { caseLogMigrations } from './case-log.schema';
import { CaseOpener, handleCommand } from './command-handler';
import { appendAfter, appendToCase, LOG_START, logEnd, NEW_CASE, NewEvent, readCase, readLog, readCaseAndHead, readLogByCase, readLogSerialized, SerializedEvent, WrongExpectedVersion, DuplicateEvent } from './event-store';
import { LogRelay } from './log-relay';
import { migrate } from './migrate';

const metadata: EventMetadata = { actor: { kind: 'operator', id: 'op-1', name: 'Operator' }, channel: 'phone', at: '2026-11-22T10:00:00.000Z', correlationId: 'c-1' };
const event = (type = 'Noted', data: unknown = {}): NewEvent => ({ eventId: randomUUID(), type, schemaVersion: 1, data, metadata });

describe('case event log (PostgreSQL)', () => {
  let pool: Pool;
  const sql = () => asSql(pool);

  beforeAll(async () => {
    pool = testPool();
    await migrate(await sessionOf(pool)(), 'case_log', caseLogMigrations);
    // A writer's own rows, written alongside its events.
    await pool.query('CREATE TABLE IF NOT EXISTS public.event_store_alongside (case_id uuid NOT NULL, note text NOT NULL)');
  });
  const alongside = (caseId: string, note: string) => ({ text: 'INSERT INTO public.event_store_alongside (case_id, note) VALUES ($1, $2)', parameters: [caseId, note] });
  const notesAlongside = async (caseId: string) => (await pool.query<{ note: string }>('SELECT note FROM public.event_store_alongside WHERE case_id = $1 ORDER BY note', [caseId])).rows.map((r) => r.note);
  afterAll(() => pool.end());

  it('appends events with consecutive versions and reads them back in order', async () => {
    const caseId = randomUUID();
    await appendToCase(sql(), caseId, 0, [event('A'), event('B')]);
    await appendToCase(sql(), caseId, 2, [event('C')]);
    const history = await readCase(sql(), caseId);
    expect(history.map((e) => [e.type, e.caseVersion])).toEqual([['A', 1], ['B', 2], ['C', 3]]);
    expect(history[0].metadata).toEqual(metadata);
  });

  describe('is append-only, enforced by the database', () => {
    let caseId: string;
    beforeAll(async () => {
      caseId = randomUUID();
      await appendToCase(sql(), caseId, 0, [event('A')]);
    });

    it.each([
      ['UPDATE', `UPDATE case_log.events SET type = 'Changed' WHERE case_id = $1`],
      ['DELETE', `DELETE FROM case_log.events WHERE case_id = $1`],
    ])('refuses %s', async (_name, statement) => {
      await expect(pool.query(statement, [caseId])).rejects.toThrow(/append-only/);
    });

    it('refuses TRUNCATE', async () => {
      await expect(pool.query('TRUNCATE case_log.events')).rejects.toThrow(/append-only/);
    });

    it('refuses even with replication triggers switched off (session_replication_role = replica)', async () => {
      const client = await pool.connect();
      try {
        await client.query('SET session_replication_role = replica');
        await expect(client.query(`DELETE FROM case_log.events WHERE case_id = $1`, [caseId])).rejects.toThrow(/append-only/);
      } finally {
        await client.query('RESET session_replication_role');
        client.release();
      }
    });

    it('still holds every event afterwards', async () => {
      expect((await readCase(sql(), caseId)).map((e) => e.type)).toEqual(['A']);
    });
  });

  it('rejects an append at a stale expected version, and an event id already in the log', async () => {
    const caseId = randomUUID();
    const first = event('A');
    await appendToCase(sql(), caseId, 0, [first]);
    await expect(appendToCase(sql(), caseId, 0, [event('B')])).rejects.toBeInstanceOf(WrongExpectedVersion);
    await expect(appendToCase(sql(), caseId, 5, [event('B')])).rejects.toBeInstanceOf(WrongExpectedVersion);
    await expect(appendToCase(sql(), caseId, 1, [{ ...first }])).rejects.toBeInstanceOf(DuplicateEvent);
    // A head read before another writer appended is stale: refused, its link never stored.
    const { head } = await readCaseAndHead(sql(), caseId);
    await appendAfter(sql(), caseId, head, [event('B')]);
    await expect(appendAfter(sql(), caseId, head, [event('C')])).rejects.toBeInstanceOf(WrongExpectedVersion);
    expect((await readCase(sql(), caseId)).map((e) => e.type)).toEqual(['A', 'B']);
  });

  it('writes a writer\'s own rows with its events in one statement, or neither when its head is stale', async () => {
    const caseId = randomUUID();
    const { head } = await appendAfter(sql(), caseId, NEW_CASE, [event('A')], undefined, [alongside(caseId, 'with A')]);
    await expect(appendAfter(sql(), caseId, NEW_CASE, [event('B')], undefined, [alongside(caseId, 'with B, behind')])).rejects.toBeInstanceOf(WrongExpectedVersion);
    await expect(appendAfter(sql(), caseId, { ...head, version: 5 }, [event('C')], undefined, [alongside(caseId, 'with C, ahead')])).rejects.toBeInstanceOf(WrongExpectedVersion);
    // Nothing to append: the rows alone.
    await appendAfter(sql(), caseId, head, [], undefined, [alongside(caseId, 'without events')]);
    expect((await readCase(sql(), caseId)).map((e) => e.type)).toEqual(['A']);
    expect(await notesAlongside(caseId)).toEqual(['with A', 'without events']);
  });

  it('lets exactly one of two racing writers win; the other decides again on the new state', async () => {
    const caseId = randomUUID();
    await appendToCase(sql(), caseId, 0, [event('Opened')]);

    // Two writers read version 1 and both try to append version 2 at the same moment.
    const writerA = await pool.connect();
    const writerB = await pool.connect();
    try {
      await writerA.query('BEGIN');
      await writerB.query('BEGIN');
      const appendA = appendToCase(asSql(writerA), caseId, 1, [event('ByA')]);
      await appendA;
      const appendB = appendToCase(asSql(writerB), caseId, 1, [event('ByB')]).then(
        () => 'won',
        (error) => error,
      );
      await writerA.query('COMMIT');
      const outcomeB = await appendB;
      await writerB.query('ROLLBACK');
      expect(outcomeB).toBeInstanceOf(WrongExpectedVersion);
    } finally {
      writerA.release();
      writerB.release();
    }

    // Through the command handler, concurrent commands all land, each decided on the state it saw.
    type Command = { note: string };
    const decider = {
      initialState: () => ({ notes: [] as string[] }),
      evolve: (state: { notes: string[] }, e: { type: string; data: unknown }) => ({ notes: [...state.notes, (e.data as { note: string }).note] }),
      decide: (command: Command, state: { notes: string[] }) => (state.notes.includes(command.note) ? [] : [{ type: 'Noted', data: { note: command.note } }]),
    };
    const notes = ['one', 'two', 'three', 'four', 'five'];
    await Promise.all(
      notes.map((note) =>
        handleCommand(sql(), decider, caseId, { note }, { metadata, eventId: () => randomUUID(), schemaVersion: () => 1, alongside: (events) => events.map(() => alongside(caseId, note)) }),
      ),
    );
    // Each command's own row once, though most were decided again after losing a race.
    expect(await notesAlongside(caseId)).toEqual([...notes].sort());
    const history = await readCase(sql(), caseId);
    expect(history.map((e) => e.caseVersion)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(history.slice(2).map((e) => (e.data as { note: string }).note).sort()).toEqual([...notes].sort());
  });

  it('opens concurrent cases in batches, and one case id already in use fails only its own opening', async () => {
    const decider = {
      initialState: () => ({ opened: false }),
      evolve: () => ({ opened: true }),
      decide: (command: { title: string }) => [{ type: 'Opened', data: command }],
    };
    const opener = new CaseOpener(sql(), decider, { schemaVersion: () => 1, maxConcurrentStatements: 1 });
    const taken = randomUUID();
    await appendToCase(sql(), taken, 0, [event('Opened')]);
    const ids = Array.from({ length: 40 }, () => randomUUID());
    const outcomes = await Promise.allSettled([...ids, taken].map((id, i) => opener.open(id, { title: `case ${i}` }, metadata, () => randomUUID())));
    expect(outcomes.slice(0, 40).every((o) => o.status === 'fulfilled')).toBe(true);
    expect(outcomes[40]).toMatchObject({ status: 'rejected', reason: expect.any(WrongExpectedVersion) });
    for (const id of ids) expect((await readCase(sql(), id)).map((e) => e.caseVersion)).toEqual([1]);
    expect(await readCase(sql(), taken)).toHaveLength(1);
  });

  it('never skips an event whose transaction commits after a later one (xid8 + snapshot xmin)', async () => {
    const slowCase = randomUUID();
    const fastCase = randomUUID();
    const published: SerializedEvent[] = [];
    const relay = new LogRelay({ name: `test-${randomUUID()}`, connect: sessionOf(pool), publish: async (events) => void published.push(...events), idleDelayMs: 5 });
    relay.start();
    try {
      await waitFor(() => relay.isActive, 'relay to take the lock');
      // The slow transaction takes its position first and stays open...
      const slow = await pool.connect();
      await slow.query('BEGIN');
      await appendToCase(asSql(slow), slowCase, 0, [event('Slow')]);
      // ...while a later transaction appends and commits.
      await appendToCase(sql(), fastCase, 0, [event('Fast')]);

      const { events: visible } = await readLog(sql(), LOG_START, 100000);
      expect(visible.some((e) => e.caseId === fastCase)).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(published.some((e) => e.caseId === fastCase || e.caseId === slowCase)).toBe(false);

      await slow.query('COMMIT');
      slow.release();
      await waitFor(() => published.some((e) => e.caseId === fastCase), 'the relay to publish both events');
      const order = published.filter((e) => e.caseId === slowCase || e.caseId === fastCase).map((e) => e.type);
      expect(order).toEqual(['Slow', 'Fast']);
    } finally {
      await relay.stop();
    }
  });

  it('reads case by case up to the log end, which stops short of a transaction still open', async () => {
    const slowCase = randomUUID();
    const fastCase = randomUUID();
    const longCase = randomUUID();
    await appendToCase(sql(), longCase, 0, [event('A'), event('B'), event('C')]);
    const slow = await pool.connect();
    try {
      await slow.query('BEGIN');
      await appendToCase(asSql(slow), slowCase, 0, [event('Slow')]);
      await appendToCase(sql(), fastCase, 0, [event('Fast')]);
      // Committed, but after a transaction still open: beyond the end a reader may pass.
      const before = await logEnd(sql());
      const from = (caseId: string, caseVersion = 0) => ({ caseId, caseVersion });
      expect((await readLogByCase(sql(), before, from(fastCase), 1)).map((e) => e.caseId)).not.toContain(fastCase);
      expect((await readLogByCase(sql(), before, from(longCase), 2)).map((e) => [e.caseId, e.type])).toEqual([[longCase, 'A'], [longCase, 'B']]);
      expect((await readLogByCase(sql(), before, from(longCase, 2), 1)).map((e) => [e.caseId, e.type])).toEqual([[longCase, 'C']]);
      await slow.query('COMMIT');

      const end = await logEnd(sql());
      expect((await readLogByCase(sql(), end, from(slowCase), 1)).map((e) => e.type)).toEqual(['Slow']);
      expect((await readLogByCase(sql(), end, from(fastCase), 1)).map((e) => e.type)).toEqual(['Fast']);
      // What lies after the end is exactly what a commit-order reader reads from it.
      await appendToCase(sql(), slowCase, 1, [event('Later')]);
      expect((await readLogByCase(sql(), end, from(slowCase, 1), 1)).map((e) => e.caseId)).not.toContain(slowCase);
      expect((await readLog(sql(), end, 100000)).events.map((e) => e.type)).toContain('Later');
      expect((await readLog(sql(), end, 100000)).events.map((e) => e.caseId)).not.toContain(fastCase);
    } finally {
      await slow.query('ROLLBACK').catch(() => undefined);
      slow.release();
    }
  });

  it('reads in the numeric order of transaction ids, across a digit boundary (9, 10, 11), in both readers', async () => {
    // Transaction ids smaller than any a cluster hands out after initdb: these come first in the log.
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    for (const [index, transactionId] of ['11', '9', '10'].entries()) {
      await sql().query(
        `INSERT INTO case_log.events (transaction_id, event_id, case_id, case_version, type, schema_version, data, metadata) VALUES ($1::xid8, $2, $3, 1, 'Old', 1, '{}', $4)`,
        [transactionId, randomUUID(), ids[index], JSON.stringify(metadata)],
      );
    }
    const first = await readLog(sql(), LOG_START, 2);
    expect(first.events.map((e) => e.caseId)).toEqual([ids[1], ids[2]]);
    expect(first.position.transactionId).toBe('10');
    expect((await readLog(sql(), first.position, 1)).events.map((e) => e.caseId)).toEqual([ids[0]]);
    const serialized = await readLogSerialized(sql(), LOG_START, 3);
    expect(serialized.events.map((e) => e.caseId)).toEqual([ids[1], ids[2], ids[0]]);
  });

  it('publishes envelopes serialized by PostgreSQL exactly as readers see them', async () => {
    const caseId = randomUUID();
    await appendToCase(sql(), caseId, 0, [event('Opened', { title: 'ünïcode "quoted"', n: 1.5, nested: { list: [1, null] } })]);
    const [stored] = await readCase(sql(), caseId);
    let position = LOG_START;
    let serialized: SerializedEvent | undefined;
    while (!serialized) {
      const batch = await readLogSerialized(sql(), position, 1000);
      if (batch.events.length === 0) throw new Error('event not found in the log');
      serialized = batch.events.find((e) => e.caseId === caseId);
      position = batch.position;
    }
    expect(JSON.parse(serialized.envelope)).toEqual(stored);
  });

  it('runs one relay at a time: a second stands by until the first stops', async () => {
    const name = `test-${randomUUID()}`;
    const publish = async () => undefined;
    const first = new LogRelay({ name, connect: sessionOf(pool), publish, standbyDelayMs: 50 });
    const second = new LogRelay({ name, connect: sessionOf(pool), publish, standbyDelayMs: 50 });
    first.start();
    await waitFor(() => first.isActive, 'first relay active');
    second.start();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(second.isActive).toBe(false);
    await first.stop();
    await waitFor(() => second.isActive, 'second relay to take over');
    await second.stop();
  });

  it('resumes from its checkpoint after a restart, publishing nothing twice that it had checkpointed', async () => {
    const name = `test-${randomUUID()}`;
    const caseId = randomUUID();
    const seen: string[] = [];
    const publish = async (events: SerializedEvent[]) => void seen.push(...events.filter((e) => e.caseId === caseId).map((e) => e.type));
    await appendToCase(sql(), caseId, 0, [event('One')]);
    const relay = new LogRelay({ name, connect: sessionOf(pool), publish });
    relay.start();
    await waitFor(() => seen.includes('One'), 'first event published');
    await relay.stop();
    await appendToCase(sql(), caseId, 1, [event('Two')]);
    const again = new LogRelay({ name, connect: sessionOf(pool), publish });
    again.start();
    await waitFor(() => seen.includes('Two'), 'second event published');
    await again.stop();
    expect(seen).toEqual(['One', 'Two']);
  });
});
