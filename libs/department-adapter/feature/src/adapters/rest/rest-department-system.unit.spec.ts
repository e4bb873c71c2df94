import { createDepartmentSystems } from '../../adapter-contract';
import '..';
import { mapFields, RestDepartmentSystem } from './rest-department-system';

describe('department system configuration', () => {
  it('creates a REST client for each department with a system', () => {
    const systems = createDepartmentSystems([
      { code: 'DOT', system: { adapter: 'rest', name: 'DOT work orders', baseUrl: 'http://127.0.0.1:3010' } },
      { code: '311' },
    ]);
    expect([...systems.keys()]).toEqual(['DOT']);
    expect(systems.get('DOT')).toBeInstanceOf(RestDepartmentSystem);
  });

  it('refuses to start on a wrong setting, naming the department and the setting', () => {
    expect(() =>
      createDepartmentSystems([
        { code: 'DOT', system: { adapter: 'soap', name: 'DOT' } },
        { code: 'DEP', system: { adapter: 'rest', name: '', baseUrl: 'ftp://dep', secretEnv: 'lower-case', fieldMap: { colour: 'x' } } },
      ]),
    ).toThrow(
      [
        "The department systems' configuration has 5 problem(s):",
        '- departments.json: department DOT: system.adapter "soap" is not an adapter Caseline has (rest)',
        '- departments.json: department DEP: system.name is required (the history names the system by it)',
        '- departments.json: department DEP: system.baseUrl "ftp://dep" must be an http(s) URL',
        '- departments.json: department DEP: system.secretEnv must name an environment variable (A-Z, 0-9, _)',
        '- departments.json: department DEP: system.fieldMap.colour is not a field of ours (caseReference, serviceCode, description, location, dueAt, callbackUrl)',
      ].join('\n'),
    );
  });

  it('renames our fields to the department\'s, leaving the rest as they are', () => {
    const request = { caseReference: '100-000-001', serviceCode: 'STREETLIGHT', description: 'Out', location: { lat: 1, long: 2 }, dueAt: '2026-12-01T17:00:00Z', callbackUrl: 'http://x' };
    expect(mapFields(request, { caseReference: 'external_ref', description: 'details' })).toEqual({
      external_ref: '100-000-001',
      serviceCode: 'STREETLIGHT',
      details: 'Out',
      location: { lat: 1, long: 2 },
      dueAt: '2026-12-01T17:00:00Z',
      callbackUrl: 'http://x',
    });
  });
});
