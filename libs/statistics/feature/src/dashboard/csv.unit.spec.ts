import { casesCsv, csvCell, figuresCsv } from './csv';
import { emptyReport, figures, sampleReport } from './sample-report.fixture';

const lines = (csv: string) => csv.split('\r\n');

describe('figures as CSV', () => {
  it('writes departments with a header row, plain numbers, hours with one decimal and shares with three', () => {
    const report = sampleReport();
    report.departments[0] = { ...report.departments[0], reopenRate: null, timeToResolve: { cases: 10, medianHours: 108, p90Hours: 400.04 } };
    const [header, first] = lines(figuresCsv(report, 'departments'));
    const columns = header.split(',');
    const cells = Object.fromEntries(first.split(',').map((cell, i) => [columns[i], cell]));
    expect(columns.slice(0, 4)).toEqual(['id', 'name', 'received', 'received_web']);
    expect(columns).toContain('received_in_person');
    expect(cells).toMatchObject({
      id: 'DOT',
      name: 'Department of Transportation',
      received: '1840',
      resolve_median_hours: '108.0',
      resolve_p90_hours: '400.0',
      deadline_compliance: '0.810',
      first_action_median_hours: '3.2',
      reopen_rate: '',
      satisfaction_mean: '4.10',
    });
  });

  it('ends every record with CRLF, and has one line per row', () => {
    const csv = figuresCsv(sampleReport(), 'areas');
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(lines(csv)).toHaveLength(1 + 5 + 1);
    expect(csv.replace(/\r\n/g, '')).not.toMatch(/\n|\r/);
  });

  it('writes the trend and the top types per area', () => {
    expect(lines(figuresCsv(sampleReport(), 'trend')).slice(0, 2)).toEqual(['week,received,resolved,resolved_late', '2026-01-05,760,690,110']);
    expect(lines(figuresCsv(sampleReport(), 'types')).slice(0, 2)).toEqual(['area_id,area_name,service_code,service_name,received,received_last_year', 'MN,Manhattan,POTHOLE,Pothole,503,472']);
  });

  it('writes only the header for an empty report', () => {
    for (const table of ['departments', 'areas', 'types', 'trend'] as const) expect(lines(figuresCsv(emptyReport(), table))).toHaveLength(2);
    const unknown = { ...emptyReport(), departments: [{ ...figures(), id: 'X', name: 'X' }] };
    expect(lines(figuresCsv(unknown, 'departments'))[1]).not.toMatch(/null|NaN|undefined/);
  });

  it('quotes as RFC 4180 says', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('Parks, Recreation')).toBe('"Parks, Recreation"');
    expect(csvCell('the "big" one')).toBe('"the ""big"" one"');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('cr\rlf')).toBe('"cr\rlf"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(0)).toBe('0');
  });

  it('neutralises cells a spreadsheet would run as formulas', () => {
    expect(csvCell('=HYPERLINK("http://evil","x")')).toBe(`"'=HYPERLINK(""http://evil"",""x"")"`);
    expect(csvCell('+1+2')).toBe("'+1+2");
    expect(csvCell("-2+3+cmd|' /C calc'!A0")).toBe("'-2+3+cmd|' /C calc'!A0");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\t=1')).toBe("'\t=1");
    // Numbers are numbers, negative or not.
    expect(csvCell(-5)).toBe('-5');
    expect(csvCell('-1.5')).toBe('-1.5');
    const report = sampleReport();
    report.departments[0] = { ...report.departments[0], name: '=cmd|"/c calc"!A1' };
    expect(lines(figuresCsv(report, 'departments'))[1]).toMatch(/^DOT,"'=cmd\|""\/c calc""!A1",/);
  });
});

describe('cases as CSV', () => {
  it('writes the given columns in order, unknown values empty', () => {
    const csv = casesCsv(
      [
        { reference: '100-000-019', service: 'Pothole, deep', openHours: 12.5, department: null },
        { reference: '100-000-027', service: '@risk', openHours: 0 },
      ],
      ['reference', 'department', 'service', 'openHours'],
    );
    expect(csv).toBe('reference,department,service,openHours\r\n100-000-019,,"Pothole, deep",12.5\r\n100-000-027,,\'@risk,0\r\n');
  });

  it('writes just the header without rows', () => {
    expect(casesCsv([], ['reference'])).toBe('reference\r\n');
  });
});
