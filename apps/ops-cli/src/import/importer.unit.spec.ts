import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CaseSink, importRows } from './importer';
import { loadMapping } from './mapping';
import type { ImportedCase } from './row-events';

const mapping = loadMapping(resolve(__dirname, '../../../../config/imports/nyc.json'));
const HEADER = '\uFEFFUnique Key,Created Date,Closed Date,Agency,Agency Name,Complaint Type,Descriptor,Status,Due Date,Resolution Description,Community Board,Open Data Channel Type,Latitude,Longitude,Incident Address,Intersection Street 1,Intersection Street 2';
const row = (key: string, created = '10/21/18 0:00', closed = '10/21/18 0:59') =>
  `${key},${created},${closed},NYPD,New York City Police Department,Blocked Driveway,No Access,Closed,10/21/18 8:00,"Done, as asked.",05 QUEENS,PHONE,40.71,-73.87,73-42 68 AVENUE,,`;

/** A case log in memory: appends only cases it does not hold, as the real one does. */
class MemorySink implements CaseSink {
  readonly cases = new Map<string, ImportedCase>();
  readonly batches: number[] = [];
  async append(cases: ImportedCase[]) {
    this.batches.push(cases.length);
    const fresh = cases.filter((c) => !this.cases.has(c.caseId));
    for (const c of fresh) this.cases.set(c.caseId, c);
    return fresh;
  }
}

const input = (text: string) => [Buffer.from(text, 'utf8')];

describe('importRows', () => {
  it('appends in batches, and a second import of the same rows adds nothing', async () => {
    const sink = new MemorySink();
    const text = `${HEADER}\r\n${Array.from({ length: 7 }, (_, i) => row(String(100 + i))).join('\r\n')}\r\n`;
    const first = await importRows({ source: 'nyc', mapping, input: input(text), sink, batchSize: 3 });
    expect(first).toMatchObject({ rows: 7, imported: 7, events: 21, alreadyImported: 0, rejected: 0 });
    expect(sink.batches).toEqual([3, 3, 1]);
    const again = await importRows({ source: 'nyc', mapping, input: input(text), sink, batchSize: 3 });
    expect(again).toMatchObject({ rows: 7, imported: 0, events: 0, alreadyImported: 7, rejected: 0 });
    expect(sink.cases.size).toBe(7);
  });

  it('reads only --limit rows', async () => {
    const sink = new MemorySink();
    const text = `${HEADER}\n${row('1')}\n${row('2')}\n${row('3')}\n`;
    expect(await importRows({ source: 'nyc', mapping, input: input(text), sink, limit: 2 })).toMatchObject({ rows: 2, imported: 2 });
  });

  it('counts rejected rows by reason with their first lines, and writes every one to the report file', async () => {
    const sink = new MemorySink();
    const report = join(mkdtempSync(join(tmpdir(), 'caseline-import-')), 'rejected.csv');
    const text = [HEADER, row('1'), row('2', 'yesterday'), row('3', '10/21/18 2:00', '10/21/18 1:00'), row('1'), row('4', '10/21/18 7:00'), row('5', '13/1/18 0:00'), ''].join('\n');
    const result = await importRows({ source: 'nyc', mapping, input: input(text), sink, reportFile: report, examples: 1 });
    expect(result).toMatchObject({ rows: 6, imported: 1, rejected: 5 });
    expect(Object.fromEntries(result.rejections)).toEqual({
      'bad-date': { count: 2, examples: [{ line: 3, detail: 'Created Date "yesterday" is not a date (M/D/YY H:mm)' }] },
      'closed-before-created': { count: 2, examples: [{ line: 4, detail: 'Closed Date 10/21/18 1:00 is before Created Date 10/21/18 2:00' }] },
      'duplicate-id': { count: 1, examples: [{ line: 5, detail: 'Unique Key 1 is also on line 2 (only that row is imported)' }] },
    });
    expect(readFileSync(report, 'utf8')).toBe(
      [
        'line,id,reason,detail',
        '3,2,bad-date,"Created Date ""yesterday"" is not a date (M/D/YY H:mm)"',
        '4,3,closed-before-created,Closed Date 10/21/18 1:00 is before Created Date 10/21/18 2:00',
        '5,1,duplicate-id,Unique Key 1 is also on line 2 (only that row is imported)',
        '6,4,closed-before-created,Closed Date 10/21/18 0:59 is before Created Date 10/21/18 7:00',
        '7,5,bad-date,"Created Date ""13/1/18 0:00"" is not a date (M/D/YY H:mm)"',
        '',
      ].join('\n'),
    );
  });

  it('writes nothing on a dry run', async () => {
    const result = await importRows({ source: 'nyc', mapping, input: input(`${HEADER}\n${row('1')}\n`) });
    expect(result).toMatchObject({ rows: 1, imported: 1, events: 3 });
  });

  it('stops with the append’s error, leaving no report file behind', async () => {
    const failing: CaseSink = { append: async () => Promise.reject(new Error('connection lost')) };
    const report = join(mkdtempSync(join(tmpdir(), 'caseline-import-')), 'rejected.csv');
    await expect(importRows({ source: 'nyc', mapping, input: input(`${HEADER}\n${row('1')}\n`), sink: failing, reportFile: report })).rejects.toThrow('connection lost');
    expect(() => readFileSync(report)).toThrow(/ENOENT/);
    expect(() => readFileSync(`${report}.partial`)).toThrow(/ENOENT/);
  });
});
