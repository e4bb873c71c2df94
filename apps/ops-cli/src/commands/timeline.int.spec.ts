import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import type { Actor, Channel } from '@caseline/case-contracts';
import { appendToCase, caseLogMigrations, migrate } from '@caseline/event-store';
import { asSql, sessionOf, testPool } from '@caseline/testing';
import { runOps } from './ops-process.test';

// Each test starts the CLI as a process of its own (compiling TypeScript on the way): slow on a busy machine.
jest.setTimeout(120000);

const ops = (args: string[]) => runOps(args);

/** The reporter's and the follower's contact, in clear in these schema 1 events: never in any output. */
const PERSONAL = ['Jane Roe', 'jane.roe', '555 0100', 'follower.person'];
const expectNothingPersonal = (output: string) => PERSONAL.forEach((text) => expect(output.toLowerCase()).not.toContain(text.toLowerCase()));

describe('npm run ops -- timeline / case-at', () => {
  let pool: Pool;
  const caseId = randomUUID();
  const reference = `TL-${randomUUID().slice(0, 8).toUpperCase()}`;
  const resident: Actor = { kind: 'resident', id: 'reporter', name: 'The reporter' };
  const rule: Actor = { kind: 'rule', id: 'routing', name: 'Routing rules' };
  const crew: Actor = { kind: 'department-staff', id: 'st-7', name: 'Sam Crew' };
  const event = (type: string, schemaVersion: number, data: unknown, actor: Actor, channel: Channel, at: string) => ({
    eventId: randomUUID(),
    type,
    schemaVersion,
    data,
    metadata: { actor, channel, at, correlationId: caseId },
  });

  beforeAll(async () => {
    pool = testPool(2);
    await migrate(await sessionOf(pool)(), 'case_log', caseLogMigrations);
    const reporter = { name: 'Jane Roe', email: 'jane.roe@example.org', phone: '+1 555 0100', language: 'en' };
    await appendToCase(asSql(pool), caseId, 0, [
      event('CaseReported', 1, { reference, serviceCode: 'POTHOLE', serviceName: 'Pothole', description: 'Deep hole', location: { address: '1 Main St' }, channel: 'web', reporter }, resident, 'web', '2025-03-01T09:00:00.250Z'),
      event(
        'CaseRouted',
        1,
        { department: 'streets', departmentName: 'Streets', priority: 'normal', dueAt: '2025-03-05T17:00:00.000Z', rule: { id: 'potholes', version: 3, description: 'potholes to Streets' }, matched: { serviceCode: 'POTHOLE' } },
        rule,
        'system',
        '2025-03-01T09:00:05.000Z',
      ),
      event('CaseFollowed', 1, { follower: { email: 'follower.person@example.org', language: 'en' } }, resident, 'web', '2025-03-01T10:00:00.000Z'),
      event('CaseResolved', 1, { resolution: 'fixed', note: 'Filled the hole' }, crew, 'api', '2025-03-03T12:00:00.000Z'),
    ]);
  });
  afterAll(() => pool.end());

  it('prints the timeline, one line per event in version order, found by its reference in any case', async () => {
    const { code, stdout } = await ops(['timeline', reference.toLowerCase()]);
    expect(stdout.split('\n')).toEqual([
      `Case ${reference} (${caseId}), 4 events:`,
      `2025-03-01T09:00:00Z  v1  resident The reporter      web     Reported "Pothole" via web; reference ${reference}`,
      '2025-03-01T09:00:05Z  v2  rule Routing rules         system  Assigned to Streets by rule potholes v3 (potholes to Streets); due 2025-03-05T17:00:00.000Z',
      '2025-03-01T10:00:00Z  v3  resident The reporter      web     A resident follows this request (f***@example.org)',
      '2025-03-03T12:00:00Z  v4  department-staff Sam Crew  api     Resolved (fixed): Filled the hole',
      '',
    ]);
    expectNothingPersonal(stdout);
    expect(code).toBe(0);
  });

  it('prints the envelopes as JSON lines with --json, without personal data', async () => {
    const { code, stdout } = await ops(['timeline', caseId.toUpperCase(), '--json']);
    const envelopes = stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(envelopes.map((e) => [e.caseVersion, e.type])).toEqual([
      [1, 'CaseReported'],
      [2, 'CaseRouted'],
      [3, 'CaseFollowed'],
      [4, 'CaseResolved'],
    ]);
    expect(envelopes[0].data).toMatchObject({ reference, serviceCode: 'POTHOLE' });
    expect(envelopes[0].data).not.toHaveProperty('reporter');
    expect(envelopes[2].data).toEqual({ follower: { language: 'en' } });
    expectNothingPersonal(stdout);
    expect(code).toBe(0);
  });

  it('prints the state before the resolution, and after it', async () => {
    const before = await ops(['case-at', reference, '2025-03-02']);
    expect(before.stdout).toBe(
      [
        `Case ${reference} (${caseId}) at 2025-03-02T23:59:59Z:`,
        '  status      assigned',
        '  department  streets',
        '  due         2025-03-05T17:00:00Z',
        '  version     3 (the log now holds 4)',
        '  last event  2025-03-01T10:00:00Z v3: A resident follows this request (f***@example.org)',
        '',
      ].join('\n'),
    );
    expect(before.code).toBe(0);

    const after = await ops(['case-at', reference, '2025-03-03T12:00:00Z']);
    expect(after.stdout).toContain('  status      resolved\n');
    expect(after.stdout).toContain('  version     4 (the log now holds 4)\n');
    expect(after.stdout).toContain('  last event  2025-03-03T12:00:00Z v4: Resolved (fixed): Filled the hole\n');
    expect(after.code).toBe(0);
    expectNothingPersonal(before.stdout + after.stdout);
  });

  it('prints the state object with --json, without personal data', async () => {
    const { code, stdout } = await ops(['case-at', caseId, '2025-03-03T11:59:59Z', '--json']);
    const state = JSON.parse(stdout);
    expect(state).toMatchObject({ exists: true, reference, status: 'assigned', department: 'streets', followers: ['f***@example.org'] });
    expect(state).not.toHaveProperty('reporter');
    expectNothingPersonal(stdout);
    expect(code).toBe(0);
  });

  it('exits 1 for a time before the case was reported', async () => {
    const { code, stdout, stderr } = await ops(['case-at', reference, '2025-03-01T09:00:00Z']);
    expect(stderr).toBe(`case-at: case ${reference} was not reported yet at 2025-03-01T09:00:00Z (reported 2025-03-01T09:00:00Z)\n`);
    expect(stdout).toBe('');
    expect(code).toBe(1);
  });

  it.each([
    ['timeline', ['timeline', 'TL-NOSUCHCASE']],
    ['timeline', ['timeline', randomUUID()]],
    ['case-at', ['case-at', 'TL-NOSUCHCASE', '2025-03-02']],
  ])('%s exits 1 for an unknown case', async (command, args) => {
    const { code, stdout, stderr } = await ops(args);
    expect(stderr).toBe(`${command}: no case ${args[1]}\n`);
    expect(stdout).toBe('');
    expect(code).toBe(1);
  });

  it.each([
    ['no case', ['timeline'], /Expected a case, got none/],
    ['an unknown option', ['timeline', reference, '--pii'], /Unknown option '--pii'/],
    ['no time', ['case-at', reference], /Expected 2 arguments/],
    ['a time that is not one', ['case-at', reference, '2025-02-30'], /2025-02-30 is not a time/],
  ])('exits 2 for %s, with usage', async (_what, args, message) => {
    const { code, stderr } = await ops(args);
    expect(stderr).toMatch(message);
    expect(stderr).toContain(`Usage: npm run ops -- ${args[0]}`);
    expect(code).toBe(2);
  });
});
