import { join, resolve } from 'node:path';
import { CsvParser, CsvRecord } from './csv';
import { loadMapping } from './mapping';
import { ImportedCase, nameBasedUuid, RowMapper, RowOutcome, slug } from './row-events';

const CONFIG = resolve(__dirname, '../../../../config/imports');

const BALTIMORE_HEADER =
  'SRRecordID,ServiceRequestNum,SRType,MethodReceived,CreatedDate,SRStatus,StatusDate,DueDate,CloseDate,Agency,LastActivity,LastActivityDate,Outcome,Address,ZipCode,Neighborhood,CouncilDistrict,PoliceDistrict,PolicePost,Latitude,Longitude,GeoLocation,2010 Census Wards Precincts,2010 Census Neighborhoods,Zip Codes,DaysOpen';
const BALTIMORE_ROW =
  '18-00269879,18-00269879,TRT-Traffic Signal Repairs,Phone,04/12/2018 11:11:26 AM,Closed,04/12/2018 12:45:48 PM,04/13/2018 11:11:26 AM,04/12/2018 12:45:47 PM,Transportation,,,,"3400 GARRISON BLVD, BALTIMORE, MD, 21215",21215,Dorchester,6,Northwestern,621,39,-77,"(39.0, -77.0)",,,32839,0';
const NYC_HEADER =
  '\uFEFFUnique Key,Created Date,Closed Date,Agency,Agency Name,Complaint Type,Descriptor,Location Type,Incident Zip,Incident Address,Street Name,Cross Street 1,Cross Street 2,Intersection Street 1,Intersection Street 2,Address Type,City,Landmark,Facility Type,Status,Due Date,Resolution Description,Resolution Action Updated Date,Community Board,BBL,Borough,X Coordinate (State Plane),Y Coordinate (State Plane),Open Data Channel Type,Park Facility Name,Park Borough,Vehicle Type,Taxi Company Borough,Taxi Pick Up Location,Bridge Highway Name,Bridge Highway Direction,Road Ramp,Bridge Highway Segment,Latitude,Longitude,Location';
const NYC_ROW =
  '40611598,10/21/18 0:00,10/21/18 0:59,NYPD,New York City Police Department,Derelict Vehicle,With License Plate,Street/Sidewalk,11379,73-42 68 AVENUE,68 AVENUE,73 PLACE,75 STREET,,,ADDRESS,MIDDLE VILLAGE,,Precinct,Closed,10/21/18 8:00,The Police Department responded to the complaint and took action to fix the condition.,10/21/18 0:59,05 QUEENS,4037840026,QUEENS,"1,017,901","198,161",PHONE,Unspecified,QUEENS,,,,,,,,40.71051893,-73.87862009,"(40.71051892839852, -73.87862009301725)"';

/** A mapper over a header, and the outcome of each row (CSV lines, numbered from 2). */
function mapRows(source: 'baltimore' | 'nyc', header: string, rows: string[]): RowOutcome[] {
  const parser = new CsvParser();
  const records: CsvRecord[] = [...parser.push(`${header}\n${rows.join('\n')}\n`), ...parser.end()];
  const mapper = new RowMapper(source, loadMapping(join(CONFIG, `${source}.json`)), records[0].fields);
  return records.slice(1).map((record) => mapper.map(record));
}

/** A Baltimore row with some columns changed. */
function baltimoreRow(changes: Record<string, string>): string {
  const parser = new CsvParser();
  const [header, row] = [...parser.push(`${BALTIMORE_HEADER}\n${BALTIMORE_ROW}\n`), ...parser.end()].map((r) => r.fields);
  const fields = row.map((value, index) => changes[header[index]] ?? value);
  return fields.map((f) => (/[",]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(',');
}

const imported = (outcome: RowOutcome): ImportedCase => {
  if (!('imported' in outcome)) throw new Error(`rejected: ${outcome.rejected.detail}`);
  return outcome.imported;
};

describe('nameBasedUuid', () => {
  it('is the same for the same name, a version-5 layout, and differs between sources', () => {
    const id = nameBasedUuid('caseline-import:baltimore:18-00269879');
    expect(id).toBe('0cff16e5-8a59-529b-bca3-1963b78e7a3b');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(nameBasedUuid('caseline-import:nyc:18-00269879')).not.toBe(id);
  });
});

describe('slug', () => {
  it.each([
    ['TRT-Traffic Signal Repairs', 'TRT-TRAFFIC-SIGNAL-REPAIRS'],
    ['HEAT/HOT WATER', 'HEAT-HOT-WATER'],
    ['Noise - Residential', 'NOISE-RESIDENTIAL'],
    ['BGE-StLight(s) Out', 'BGE-STLIGHT-S-OUT'],
    ["Mayor's Office", 'MAYORS-OFFICE'],
    ['Recreation & Parks', 'RECREATION-PARKS'],
    ['Café crème', 'CAFE-CREME'],
    [' -- ', ''],
  ])('%p → %p', (text, code) => expect(slug(text)).toBe(code));
});

describe('RowMapper', () => {
  it('turns a Baltimore row into CaseReported, CaseRouted and CaseResolved at its own times', () => {
    const { legacyId, caseId, events } = imported(mapRows('baltimore', BALTIMORE_HEADER, [BALTIMORE_ROW])[0]);
    expect(legacyId).toBe('18-00269879');
    expect(caseId).toBe(nameBasedUuid('caseline-import:baltimore:18-00269879'));
    const metadata = (at: string, channel: string) => ({
      actor: { kind: 'service', id: 'importer', name: 'Historical import (baltimore)' },
      channel,
      at,
      correlationId: caseId,
      importedFrom: { source: 'baltimore', record: '18-00269879' },
    });
    expect(events).toEqual([
      {
        eventId: nameBasedUuid('caseline-import:baltimore:18-00269879:1'),
        type: 'CaseReported',
        schemaVersion: 2,
        data: {
          reference: '18-00269879',
          serviceCode: 'TRT-TRAFFIC-SIGNAL-REPAIRS',
          serviceName: 'TRT-Traffic Signal Repairs',
          description: 'TRT-Traffic Signal Repairs',
          // 39,-77 is the export's "unknown": the address stays, the point goes.
          location: { address: '3400 GARRISON BLVD, BALTIMORE, MD, 21215' },
          channel: 'phone',
        },
        metadata: metadata('2018-04-12T15:11:26.000Z', 'phone'),
      },
      {
        eventId: nameBasedUuid('caseline-import:baltimore:18-00269879:2'),
        type: 'CaseRouted',
        schemaVersion: 1,
        data: {
          department: 'TRANSPORTATION',
          departmentName: 'Transportation',
          priority: 'normal',
          dueAt: '2018-04-13T15:11:26.000Z',
          decidedBy: 'import',
          matched: {},
          areas: { 'council-district': { id: '6', name: 'Council District 6' } },
        },
        metadata: metadata('2018-04-12T15:11:26.000Z', 'system'),
      },
      {
        eventId: nameBasedUuid('caseline-import:baltimore:18-00269879:3'),
        type: 'CaseResolved',
        schemaVersion: 1,
        data: { resolution: 'fixed' },
        metadata: metadata('2018-04-12T16:45:47.000Z', 'system'),
      },
    ]);
  });

  it('maps the status, channel, position and a missing due date as the mapping says, and notes it', () => {
    const [duplicate, open] = mapRows('baltimore', BALTIMORE_HEADER, [
      baltimoreRow({ SRStatus: 'Closed (Duplicate)', MethodReceived: 'Carrier pigeon', Latitude: '39.3470107281118', Longitude: '-76.6692365628603', DueDate: '' }),
      baltimoreRow({ ServiceRequestNum: '18-00000002', SRStatus: 'Open', CloseDate: '', CouncilDistrict: '', Address: '' }),
    ]);
    const { events } = imported(duplicate);
    expect(events[0].data).toMatchObject({ channel: 'system', location: { lat: 39.3470107281118, long: -76.6692365628603, address: '3400 GARRISON BLVD, BALTIMORE, MD, 21215' } });
    // Created 11:11:26 EDT; five days later at the same time of day.
    expect(events[1].data).toMatchObject({ dueAt: '2018-04-17T15:11:26.000Z', reason: 'no due date in the legacy system: due 5 days after the report' });
    expect(events[2].data).toEqual({ resolution: 'duplicate' });
    expect('imported' in duplicate && duplicate.notes).toEqual([{ kind: 'channel-not-mapped', value: 'Carrier pigeon' }, { kind: 'no-due-date' }]);

    const openCase = imported(open);
    expect(openCase.events.map((e) => e.type)).toEqual(['CaseReported', 'CaseRouted']);
    expect(openCase.events[0].data).toMatchObject({ reference: '18-00000002', location: {} });
    expect(openCase.events[1].data).not.toHaveProperty('areas');
    expect('imported' in open && open.notes).toEqual([{ kind: 'position-outside', value: '39,-77' }, { kind: 'no-area' }]);
  });

  it('turns an NYC row into a case in its community district, with the descriptor and the resolution’s words', () => {
    const { events } = imported(mapRows('nyc', NYC_HEADER, [NYC_ROW])[0]);
    expect(events[0].data).toEqual({
      reference: '40611598',
      serviceCode: 'DERELICT-VEHICLE',
      serviceName: 'Derelict Vehicle',
      description: 'Derelict Vehicle: With License Plate',
      location: { lat: 40.71051893, long: -73.87862009, address: '73-42 68 AVENUE' },
      channel: 'phone',
    });
    expect(events[0].metadata.at).toBe('2018-10-21T04:00:00.000Z');
    expect(events[1].data).toMatchObject({
      department: 'NYPD',
      departmentName: 'New York City Police Department',
      dueAt: '2018-10-21T12:00:00.000Z',
      areas: { 'community-district': { id: '405', name: 'Queens Community District 5' } },
    });
    expect(events[2]).toMatchObject({
      data: { resolution: 'fixed', note: 'The Police Department responded to the complaint and took action to fix the condition.' },
      metadata: { at: '2018-10-21T04:59:00.000Z' },
    });
  });

  it('names NYC joint interest areas, leaves "Unspecified" boards without an area, uses the agency’s own name and an intersection', () => {
    const row = (changes: Record<number, string>) => {
      const fields = [...new CsvParser().push(`${NYC_ROW}\n`)[0].fields];
      for (const [index, value] of Object.entries(changes)) fields[Number(index)] = value;
      return fields.map((f) => (/[",]/.test(f) ? `"${f}"` : f)).join(',');
    };
    // 0 Unique Key, 4 Agency Name, 3 Agency, 9 Incident Address, 13/14 Intersection Streets, 23 Community Board
    const [airport, unspecified] = mapRows('nyc', NYC_HEADER, [
      row({ 0: '1', 3: 'DSNY', 4: 'BCC - Queens East', 23: '83 QUEENS' }),
      row({ 0: '2', 9: '', 13: 'EAST   77 STREET', 14: 'MADISON AVENUE', 23: 'Unspecified MANHATTAN' }),
    ]);
    expect(imported(airport).events[1].data).toMatchObject({ department: 'DSNY', departmentName: 'Department of Sanitation', areas: { 'community-district': { id: '483', name: 'Queens Joint Interest Area 83' } } });
    expect(imported(unspecified).events[0].data).toMatchObject({ location: { address: 'EAST 77 STREET & MADISON AVENUE' } });
    expect(imported(unspecified).events[1].data).not.toHaveProperty('areas');
    expect('imported' in unspecified && unspecified.notes).toEqual([{ kind: 'area-not-recognized', value: 'Unspecified MANHATTAN' }]);
  });

  it('rejects rows it cannot import, saying why', () => {
    const outcomes = mapRows('baltimore', BALTIMORE_HEADER, [
      baltimoreRow({ CreatedDate: 'xx' }),
      baltimoreRow({ ServiceRequestNum: '18-00000003', CloseDate: '04/12/2018 10:00:00 AM' }),
      baltimoreRow({ ServiceRequestNum: '' }),
      baltimoreRow({ ServiceRequestNum: '18-00000004', SRType: '' }),
      baltimoreRow({ ServiceRequestNum: '18-00000005', CreatedDate: '' }),
      baltimoreRow({ ServiceRequestNum: '18-00000006', DueDate: '31/12/2018 10:00:00 AM' }),
      baltimoreRow({ ServiceRequestNum: '18-00000007', Agency: ' ' }),
      'only,three,fields',
      baltimoreRow({ ServiceRequestNum: '18-00000003' }),
    ]);
    expect(outcomes.map((o) => ('rejected' in o ? [o.rejected.reason, o.rejected.detail, o.rejected.legacyId] : 'imported'))).toEqual([
      ['bad-date', 'CreatedDate "xx" is not a date (MM/DD/YYYY hh:mm:ss AM)', '18-00269879'],
      ['closed-before-created', 'CloseDate 04/12/2018 10:00:00 AM is before CreatedDate 04/12/2018 11:11:26 AM', '18-00000003'],
      ['missing-id', 'ServiceRequestNum is empty', undefined],
      ['missing-type', 'SRType is empty', '18-00000004'],
      ['missing-created', 'CreatedDate is empty', '18-00000005'],
      ['bad-date', 'DueDate "31/12/2018 10:00:00 AM" is not a date (MM/DD/YYYY hh:mm:ss AM)', '18-00000006'],
      ['missing-department', 'Agency is empty', '18-00000007'],
      ['malformed-row', 'has 3 fields, the header 26', undefined],
      ['duplicate-id', 'ServiceRequestNum 18-00000003 is also on line 3 (only that row is imported)', '18-00000003'],
    ]);
  });

  it('refuses a file whose header lacks a column the mapping reads', () => {
    expect(() => mapRows('baltimore', BALTIMORE_HEADER.replace('CouncilDistrict', 'District'), [])).toThrow(/the file's header has no column "CouncilDistrict" \(mapping .*baltimore\.json\)/);
  });
});
