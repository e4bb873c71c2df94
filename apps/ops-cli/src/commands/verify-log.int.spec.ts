import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { appendToCase, caseLogMigrations, migrate, parseChainKeys } from '@caseline/event-store';
import { alterLogAsSuperuser, asSql, sessionOf, testPool } from '@caseline/testing';
import { runOps } from './ops-process.test';

const KEYS_SPEC = '7:ops-cli-test-chain-key';

// Each test starts the CLI as a process of its own (compiling TypeScript on the way): slow on a busy machine.
jest.setTimeout(120000);

/** `npm run ops -- …` as an auditor runs it, against the test database. */
const ops = (args: string[], env: NodeJS.ProcessEnv = {}) => runOps(args, { CASE_LOG_CHAIN_KEYS: KEYS_SPEC, ...env });

describe('npm run ops -- verify-log', () => {
  let pool: Pool;
  let intact: string;
  let altered: string;
  const directory = mkdtempSync(join(tmpdir(), 'caseline-anchors-'));

  const asSuperuser = (statement: string, parameters: unknown[]) => alterLogAsSuperuser(pool, statement, parameters);

  const caseOf = async (n: number): Promise<string> => {
    const caseId = randomUUID();
    const metadata = { actor: { kind: 'operator' as const, id: 'op-1', name: 'Operator' }, channel: 'phone' as const, at: new Date().toISOString(), correlationId: caseId };
    const events = Array.from({ length: n }, (_, index) => ({ eventId: randomUUID(), type: 'Noted', schemaVersion: 1, data: { n: index + 1 }, metadata }));
    await appendToCase(asSql(pool), caseId, 0, events, parseChainKeys(KEYS_SPEC));
    return caseId;
  };

  beforeAll(async () => {
    pool = testPool(2);
    await migrate(await sessionOf(pool)(), 'case_log', caseLogMigrations);
    [intact, altered] = [await caseOf(3), await caseOf(3)];
    await asSuperuser(`UPDATE case_log.events SET data = '{"n": 20}' WHERE case_id = $1 AND case_version = 2`, [altered]);
  });
  afterAll(() => pool.end());

  it('exits 0 for an intact case, with a summary', async () => {
    const { code, stdout } = await ops(['verify-log', '--case', intact.toUpperCase()]);
    expect(stdout).toBe('verify-log: 1 case, 3 events checked (0 from before the chain began), 0 broken\n');
    expect(code).toBe(0);
  });

  it('exits 1 for the whole log when a case is broken, naming its first broken link', async () => {
    const position = (await pool.query('SELECT global_position FROM case_log.events WHERE case_id = $1 AND case_version = 2', [altered])).rows[0].global_position;
    const { code, stdout } = await ops(['verify-log']);
    expect(stdout).toContain(`BROKEN case ${altered} version 2 (global position ${position}): altered: `);
    expect(stdout).not.toContain(intact);
    expect(stdout).toMatch(/^verify-log: \d+ cases, \d+ events checked \(\d+ from before the chain began\), [1-9]\d* broken$/m);
    expect(code).toBe(1);
  });

  it('writes anchors, and with them finds a case whose newest event was removed', async () => {
    const anchors = join(directory, 'anchors.txt');
    const written = await ops(['verify-log', '--case', intact, '--write-anchors', anchors]);
    expect(written.code).toBe(0);
    expect(readFileSync(anchors, 'utf8')).toMatch(new RegExp(`^${intact} 3 [0-9a-f]{64}$`, 'm'));

    // The chain alone still looks intact (chain.int.spec.ts); the anchor does not.
    await asSuperuser('DELETE FROM case_log.events WHERE case_id = $1 AND case_version = 3', [intact]);
    const { code, stdout } = await ops(['verify-log', '--case', intact, '--anchors', anchors]);
    expect(stdout).toContain(`BROKEN case ${intact} version 3: behind-anchor: anchored at version 3, now ends at version 2`);
    expect(code).toBe(1);
  });

  it.each([
    ['an unknown option', ['verify-log', '--cases', 'x'], /Unknown option '--cases'/],
    ['a case id that is not a uuid', ['verify-log', '--case', '42'], /not a case id/],
    ['an anchor file that cannot be read', ['verify-log', '--anchors', '/nonexistent/anchors.txt'], /Cannot read the anchors/],
    ['an unknown command', ['rebuild-everything'], /Unknown command rebuild-everything/],
  ])('exits 2 for %s, with usage', async (_what, args, message) => {
    const { code, stderr } = await ops(args);
    expect(stderr).toMatch(message);
    expect(stderr).toContain('Usage: npm run ops --');
    expect(code).toBe(2);
  });

  it('exits 2 when it cannot reach the database', async () => {
    const { code, stderr } = await ops(['verify-log'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/caseline' });
    expect(stderr).toMatch(/^verify-log: .*ECONNREFUSED/);
    expect(code).toBe(2);
  });
});
