import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { compileMapping, loadMapping, MappingError } from './mapping';

const CONFIG = resolve(__dirname, '../../../../config/imports');
const baltimore = () => JSON.parse(readFileSync(join(CONFIG, 'baltimore.json'), 'utf8'));

describe('import mappings', () => {
  it.each(['baltimore', 'nyc'])('config/imports/%s.json is a valid mapping', (source) => {
    const compiled = loadMapping(join(CONFIG, `${source}.json`));
    expect(compiled.mapping.times.timeZone).toBe('America/New_York');
    expect(compiled.columns).toContain(compiled.mapping.record.id);
  });

  it('lists every problem of a mapping, with where it is', () => {
    const json = baltimore();
    json.times.timeZone = 'America/Baltimora';
    json.times.format = 'MM/DD/YYYY hh:mm:ss';
    json.times.defaultDueDay = 5;
    json.channel.values.Fax = 'fax';
    json.status.closed.Closed = 'done';
    json.area.rules[0].name = 'Council District {number}';
    json.position.within.north = 39;
    delete json.record;
    let problems = '';
    try {
      compileMapping(json, 'baltimore.json');
    } catch (error) {
      expect(error).toBeInstanceOf(MappingError);
      problems = (error as Error).message;
    }
    expect(problems.split('\n')).toEqual([
      'baltimore.json: not a valid import mapping:',
      '  $.record: is missing',
      '  $.record: must be an object',
      expect.stringContaining('$.times.defaultDueDay: is not a setting'),
      '  $.times.timeZone: "America/Baltimora" is not a time zone this runtime knows (IANA names, e.g. America/New_York)',
      '  $.times.format: date format "MM/DD/YYYY hh:mm:ss": a 12-hour hour (hh, h) goes with AM, and AM with it',
      '  $.channel.values["Fax"]: must be one of web, mobile, phone, email, ivr, in-person, api, system',
      '  $.status.closed["Closed"]: must be one of fixed, not-ours, duplicate, no-action-possible, answered-at-first-contact',
      '  $.area.rules[0].name: {number} is not a named group of match',
      '  $.position.within: south must be below north and west below east',
    ]);
  });

  it('says when a template needs a lookup the mapping does not have', () => {
    const nyc = JSON.parse(readFileSync(join(CONFIG, 'nyc.json'), 'utf8'));
    delete nyc.area.lookups;
    expect(() => compileMapping(nyc, 'nyc.json')).toThrow('$.area.rules[0].id: {borough.code} needs lookups.borough');
  });

  it('says when the file is not there or not JSON', () => {
    const directory = mkdtempSync(join(tmpdir(), 'caseline-mapping-'));
    writeFileSync(join(directory, 'broken.json'), '{ "description": ');
    expect(() => loadMapping(join(directory, 'missing.json'))).toThrow(/^Cannot read the import mapping .*missing\.json: ENOENT/);
    expect(() => loadMapping(join(directory, 'broken.json'))).toThrow(/broken\.json: not JSON/);
  });
});
