import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Pool } from 'pg';
import { caseLogMigrations, migrate } from '@caseline/event-store';
import { sessionOf } from '@caseline/testing';
import { ownDatabase, runOps } from './ops-process.test';
import { nameBasedUuid } from '../import/row-events';

const ROOT = resolve(__dirname, '../../../..');
const KEYS_SPEC = '7:ops-cli-test-chain-key';
/** The legacy exports (beside the repository, as for tools/dev/demo-areas.mjs). */
const DATA = process.env.CASELINE_SHARED_DATA ?? resolve(ROOT, '../shared/data');
const BALTIMORE = join(DATA, 'baltimore-311-sample-2014-2019.csv');
const NYC = join(DATA, 'nyc-311-2018-10-21.csv');
const withExports = existsSync(BALTIMORE) && existsSync(NYC) ? it : it.skip;

// Each test starts the CLI as a process of its own (compiling TypeScript on the way): slow on a busy machine.
jest.setTimeout(120000);

describe('npm run ops -- import-history', () => {
  let pool: Pool;
  let databaseUrl: string;
  let drop: () => Promise<void>;
  const directory = mkdtempSync(join(tmpdir(), 'caseline-import-'));

  /** `npm run ops -- …` as an operator runs it, against this spec's database. */
  const ops = (args: string[], env: NodeJS.ProcessEnv = {}) => runOps(args, { DATABASE_URL: databaseUrl, CASE_LOG_CHAIN_KEYS: KEYS_SPEC, ...env });

  const count = async (sql: string, parameters: unknown[] = []): Promise<number> => Number((await pool.query(sql, parameters)).rows[0].count);
  const casesOf = (source: string) => count(`SELECT count(DISTINCT case_id) FROM case_log.events WHERE metadata->'importedFrom'->>'source' = $1`, [source]);
  const eventsOf = (source: string) => count(`SELECT count(*) FROM case_log.events WHERE metadata->'importedFrom'->>'source' = $1`, [source]);
  const caseEvents = async (source: string, legacyId: string) =>
    (await pool.query('SELECT event_id, case_version, type, data, metadata FROM case_log.events WHERE case_id = $1 ORDER BY case_version', [nameBasedUuid(`caseline-import:${source}:${legacyId}`)])).rows;

  // Imported cases are years old and lie in districts "1"–"14": a database of their own keeps them out of
  // the run's other suites (a digest of overdue cases would count them).
  beforeAll(async () => {
    ({ url: databaseUrl, pool, drop } = await ownDatabase('import_history'));
    await migrate(await sessionOf(pool)(), 'case_log', caseLogMigrations);
  });
  afterAll(() => drop());

  withExports('imports the first 300 Baltimore rows as cases with their own times, and nothing more the second time', async () => {
    const first = await ops(['import-history', '--source', 'baltimore', BALTIMORE, '--limit', '300']);
    // Of the first 300 rows, 292 are closed with a close date: 300 + 300 + 292 events.
    expect(first.stdout).toMatch(/^import-history: 300 rows read, 300 imported \(892 events\), 0 already imported, 0 rejected \(/m);
    expect(first.code).toBe(0);
    expect(await casesOf('baltimore')).toBe(300);
    expect(await eventsOf('baltimore')).toBe(892);

    // Line 2: 18-00269879,18-00269879,TRT-Traffic Signal Repairs,Phone,04/12/2018 11:11:26 AM,Closed,…,DueDate 04/13/2018 11:11:26 AM,
    // CloseDate 04/12/2018 12:45:47 PM,Transportation,…,"3400 GARRISON BLVD, BALTIMORE, MD, 21215",…,CouncilDistrict 6,…,39,-77 (unknown),…
    const caseId = nameBasedUuid('caseline-import:baltimore:18-00269879');
    const events = await caseEvents('baltimore', '18-00269879');
    expect(events.map((e) => [e.case_version, e.type, e.event_id, e.metadata.at, e.metadata.channel])).toEqual([
      [1, 'CaseReported', nameBasedUuid('caseline-import:baltimore:18-00269879:1'), '2018-04-12T15:11:26.000Z', 'phone'],
      [2, 'CaseRouted', nameBasedUuid('caseline-import:baltimore:18-00269879:2'), '2018-04-12T15:11:26.000Z', 'system'],
      [3, 'CaseResolved', nameBasedUuid('caseline-import:baltimore:18-00269879:3'), '2018-04-12T16:45:47.000Z', 'system'],
    ]);
    for (const { metadata } of events) {
      expect(metadata).toMatchObject({ actor: { kind: 'service', id: 'importer', name: 'Historical import (baltimore)' }, correlationId: caseId, importedFrom: { source: 'baltimore', record: '18-00269879' } });
    }
    expect(events[0].data).toEqual({
      reference: '18-00269879',
      serviceCode: 'TRT-TRAFFIC-SIGNAL-REPAIRS',
      serviceName: 'TRT-Traffic Signal Repairs',
      description: 'TRT-Traffic Signal Repairs',
      location: { address: '3400 GARRISON BLVD, BALTIMORE, MD, 21215' },
      channel: 'phone',
    });
    expect(events[1].data).toEqual({
      department: 'TRANSPORTATION',
      departmentName: 'Transportation',
      priority: 'normal',
      dueAt: '2018-04-13T15:11:26.000Z',
      decidedBy: 'import',
      matched: {},
      areas: { 'council-district': { id: '6', name: 'Council District 6' } },
    });
    expect(events[2].data).toEqual({ resolution: 'fixed' });
    // Linked like every other case, with the services' keys.
    const verified = await ops(['verify-log', '--case', caseId]);
    expect(verified.stdout).toBe('verify-log: 1 case, 3 events checked (0 from before the chain began), 0 broken\n');

    const again = await ops(['import-history', '--source', 'baltimore', BALTIMORE, '--limit', '300']);
    expect(again.stdout).toMatch(/^import-history: 300 rows read, 0 imported \(0 events\), 300 already imported, 0 rejected \(/m);
    expect(again.code).toBe(0);
    expect(await eventsOf('baltimore')).toBe(892);
  });

  withExports('imports NYC rows, in their community districts', async () => {
    const { code, stdout } = await ops(['import-history', '--source', 'nyc', NYC, '--limit', '300']);
    expect(stdout).toMatch(/^import-history: 300 rows read, 300 imported \(\d+ events\), 0 already imported, 0 rejected \(/m);
    expect(code).toBe(0);
    expect(await casesOf('nyc')).toBe(300);
    // Line 2: 40611598,10/21/18 0:00,10/21/18 0:59,NYPD,…,Derelict Vehicle,With License Plate,…,Closed,10/21/18 8:00,…,05 QUEENS,…,PHONE,…
    const events = await caseEvents('nyc', '40611598');
    expect(events.map((e) => [e.type, e.metadata.at])).toEqual([
      ['CaseReported', '2018-10-21T04:00:00.000Z'],
      ['CaseRouted', '2018-10-21T04:00:00.000Z'],
      ['CaseResolved', '2018-10-21T04:59:00.000Z'],
    ]);
    expect(events[0].data).toMatchObject({ reference: '40611598', serviceCode: 'DERELICT-VEHICLE', description: 'Derelict Vehicle: With License Plate', channel: 'phone', location: { lat: 40.71051893, long: -73.87862009 } });
    expect(events[1].data).toMatchObject({ department: 'NYPD', dueAt: '2018-10-21T12:00:00.000Z', areas: { 'community-district': { id: '405', name: 'Queens Community District 5' } } });
  });

  it('imports the good rows of a file with bad ones, names the bad ones by line and reason, and exits 1', async () => {
    const header = 'SRRecordID,ServiceRequestNum,SRType,MethodReceived,CreatedDate,SRStatus,StatusDate,DueDate,CloseDate,Agency,LastActivity,LastActivityDate,Outcome,Address,ZipCode,Neighborhood,CouncilDistrict,PoliceDistrict,PolicePost,Latitude,Longitude,GeoLocation,2010 Census Wards Precincts,2010 Census Neighborhoods,Zip Codes,DaysOpen';
    const row = (id: string, { type = 'SW-Dirty Alley', created = '03/10/2018 02:30:00 PM', closed = '03/12/2018 09:15:00 AM', due = '03/17/2018 02:30:00 PM', address = '"1 N CALVERT ST, BALTIMORE, MD"' } = {}) =>
      `${id},${id},${type},Phone,${created},Closed,${closed},${due},${closed},Solid Waste,,,,${address},21202,Downtown,11,Central,111,39.29,-76.61,"(39.29, -76.61)",,,12345,2`;
    const file = join(directory, 'legacy.csv');
    writeFileSync(
      file,
      [
        header,
        row('19-90000001'), // line 2
        row('19-90000002', { created: 'xx' }), // line 3
        row('19-90000003', { closed: '03/10/2018 01:00:00 PM' }), // line 4
        row('19-90000001'), // line 5
        row('19-90000004', { address: '"2 N CALVERT ST\nREAR ""B"", BALTIMORE"', due: '' }), // lines 6-7
        row('19-90000005', { type: '' }), // line 8
        row('19-90000006', { created: '11/04/2018 01:30:00 AM', closed: '' }), // line 9
        '',
      ].join('\r\n'),
    );
    const report = join(directory, 'rejected.csv');
    const { code, stdout } = await ops(['import-history', '--source', 'baltimore', file, '--report', report]);
    expect(stdout).toContain('rejected 4 rows:');
    expect(stdout).toContain('    line 3: CreatedDate "xx" is not a date (MM/DD/YYYY hh:mm:ss AM)\n');
    expect(stdout).toContain('    line 4: CloseDate 03/10/2018 01:00:00 PM is before CreatedDate 03/10/2018 02:30:00 PM\n');
    expect(stdout).toContain('    line 5: ServiceRequestNum 19-90000001 is also on line 2 (only that row is imported)\n');
    expect(stdout).toContain('    line 8: SRType is empty\n');
    expect(stdout).toContain('  1 without a due date (DueDate): due 5 days after the report');
    expect(stdout).toContain('  1 with a time the clocks showed twice (fall back), read as the first: "CreatedDate 11/04/2018 01:30:00 AM" 1');
    expect(stdout).toMatch(/^import-history: 7 rows read, 3 imported \(8 events\), 0 already imported, 4 rejected \(/m);
    expect(code).toBe(1);
    expect(readFileSync(report, 'utf8').split('\n')).toEqual([
      'line,id,reason,detail',
      '3,19-90000002,bad-date,"CreatedDate ""xx"" is not a date (MM/DD/YYYY hh:mm:ss AM)"',
      '4,19-90000003,closed-before-created,CloseDate 03/10/2018 01:00:00 PM is before CreatedDate 03/10/2018 02:30:00 PM',
      '5,19-90000001,duplicate-id,ServiceRequestNum 19-90000001 is also on line 2 (only that row is imported)',
      '8,19-90000005,missing-type,SRType is empty',
      '',
    ]);

    // The quoted address spans two lines (one, in the case); the due date it lacked is 5 days on, at the same time of day (EDT by then).
    const [reported, routed] = await caseEvents('baltimore', '19-90000004');
    expect(reported.data.location).toEqual({ lat: 39.29, long: -76.61, address: '2 N CALVERT ST REAR "B", BALTIMORE' });
    expect(reported.metadata.at).toBe('2018-03-10T19:30:00.000Z');
    expect(routed.data).toMatchObject({ dueAt: '2018-03-15T18:30:00.000Z', reason: 'no due date in the legacy system: due 5 days after the report' });
    // 01:30 on 4 November 2018 happened twice in Baltimore: the first, EDT.
    expect((await caseEvents('baltimore', '19-90000006')).map((e) => e.type)).toEqual(['CaseReported', 'CaseRouted']);
    expect((await caseEvents('baltimore', '19-90000006'))[0].metadata.at).toBe('2018-11-04T05:30:00.000Z');
    expect(await caseEvents('baltimore', '19-90000002')).toEqual([]);
  });

  it('writes nothing on a dry run', async () => {
    const file = join(directory, 'dry.csv');
    const header = '\uFEFFUnique Key,Created Date,Closed Date,Agency,Agency Name,Complaint Type,Descriptor,Status,Due Date,Resolution Description,Community Board,Open Data Channel Type,Latitude,Longitude,Incident Address,Intersection Street 1,Intersection Street 2';
    writeFileSync(file, `${header}\n99000001,10/21/18 0:00,,DOT,Department of Transportation,Street Condition,Pothole,Open,,,01 BRONX,MOBILE,40.81,-73.92,1 MAIN ST,,\n`);
    const { code, stdout } = await ops(['import-history', '--source', 'nyc', file, '--dry-run'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere' });
    expect(stdout).toMatch(/^import-history: 1 row read, 1 would be imported \(2 events; dry run: nothing written, the log not read\), 0 rejected \(/m);
    expect(code).toBe(0);
    expect(await caseEvents('nyc', '99000001')).toEqual([]);
  });

  it.each([
    ['no --source', ['import-history', 'x.csv'], /--source is missing/],
    ['a source without a mapping', ['import-history', '--source', 'atlantis', 'x.csv'], /Cannot read the import mapping .*config\/imports\/atlantis\.json/],
    ['a file that cannot be read', ['import-history', '--source', 'nyc', '/nonexistent/legacy.csv'], /Cannot read \/nonexistent\/legacy\.csv/],
    ['a --limit that is not a number', ['import-history', '--source', 'nyc', 'x.csv', '--limit', 'ten'], /--limit ten is not a number of rows/],
  ])('exits 2 for %s', async (_what, args, message) => {
    const { code, stderr } = await ops(args);
    expect(stderr).toMatch(message);
    expect(code).toBe(2);
  });

  it("exits 2 when the file's header lacks a column of the mapping", async () => {
    const file = join(directory, 'other.csv');
    writeFileSync(file, 'id,when\n1,today\n');
    const { code, stderr } = await ops(['import-history', '--source', 'nyc', file]);
    expect(stderr).toMatch(/^import-history: the file's header has no column "Unique Key", "Created Date"/);
    expect(code).toBe(2);
  });
});
