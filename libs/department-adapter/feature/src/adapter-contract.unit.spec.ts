import { AdapterContext, createDepartmentSystems, StatusMap } from './adapter-contract';
import './adapters';
import { EmailDepartmentSystem } from './adapters/email/email-department-system';
import { Open311DepartmentSystem } from './adapters/open311/open311-department-system';
import { RestDepartmentSystem } from './adapters/rest/rest-department-system';

const context: AdapterContext = { publicUrl: 'http://127.0.0.1:3002', timeZone: 'America/New_York', sendEmail: async () => undefined };

describe('department system configuration', () => {
  it('creates each department\'s client from its adapter and settings', () => {
    const systems = createDepartmentSystems(
      [
        { code: 'DOT', system: { adapter: 'rest', name: 'DOT work orders', baseUrl: 'http://127.0.0.1:3010' } },
        { code: 'PARKS', system: { adapter: 'open311', name: 'Parks back office', endpoint: 'http://127.0.0.1:3010/open311', statusMap: { AWAITING_INFORMATION: 'on_hold' } } },
        { code: 'HPD', system: { adapter: 'email', name: 'HPD inbox', to: 'work-orders@hpd.example.gov' } },
        { code: '311' },
      ],
      context,
    );
    expect([...systems.keys()]).toEqual(['DOT', 'PARKS', 'HPD']);
    expect(systems.get('DOT')).toBeInstanceOf(RestDepartmentSystem);
    expect(systems.get('PARKS')).toBeInstanceOf(Open311DepartmentSystem);
    expect(systems.get('HPD')).toBeInstanceOf(EmailDepartmentSystem);
    expect(systems.get('PARKS')!.pollChanges).toBeDefined();
    expect(systems.get('DOT')!.pollChanges).toBeUndefined();
  });

  it('refuses to start on a wrong setting, naming the department and the setting', () => {
    expect(() =>
      createDepartmentSystems(
        [
          { code: 'DOT', system: { adapter: 'soap', name: 'DOT' } },
          { code: 'DEP', system: { adapter: 'rest', name: '', baseUrl: 'ftp://dep', secretEnv: 'lower-case', fieldMap: { colour: 'x' } } },
          { code: 'PARKS', system: { adapter: 'open311', name: 'Parks', endpoint: 'parks', poll: 'sometimes', statusMap: { closed: 'done' } } },
          { code: 'HPD', system: { adapter: 'email', name: 'HPD', to: 'not an address', linkValidDays: 0 } },
        ],
        context,
      ),
    ).toThrow(
      [
        "The department systems' configuration has 10 problem(s):",
        '- departments.json: department DOT: system.adapter "soap" is not an adapter Caseline has (email, open311, rest)',
        '- departments.json: department DEP: system.name is required (the history names the system by it)',
        '- departments.json: department DEP: system.baseUrl "ftp://dep" must be an http(s) URL',
        '- departments.json: department DEP: system.fieldMap.colour is not a field of ours (caseReference, serviceCode, serviceName, description, location, priority, dueAt, callbackUrl, mediaUrl)',
        '- departments.json: department DEP: system.secretEnv must name an environment variable (A-Z, 0-9, _)',
        '- departments.json: department PARKS: system.endpoint "parks" must be an http(s) URL (the GeoReport v2 root)',
        '- departments.json: department PARKS: system.poll "sometimes" must be "updates" (servicerequestupdates) or "requests"',
        '- departments.json: department PARKS: system.statusMap.closed "done" must be one of acknowledged, scheduled, in_progress, on_hold, completed, not_fixed, rejected, ignore',
        '- departments.json: department HPD: system.to "not an address" must be the department\'s email address',
        '- departments.json: department HPD: system.linkValidDays must be a whole number of days from 1 to 365',
      ].join('\n'),
    );
  });
});

describe('status maps', () => {
  const map = new StatusMap({ open: 'ignore', closed: 'completed', investigating: 'acknowledged' }, { AWAITING_INFORMATION: 'on_hold', closed: 'not_fixed' });

  it('takes the most specific status the map knows, case-insensitively, with the department\'s settings over the defaults', () => {
    expect(map.map('awaiting_information', 'investigating')).toBe('on_hold');
    expect(map.map('SOMETHING_ELSE', 'investigating')).toBe('acknowledged');
    expect(map.map(null, 'Closed')).toBe('not_fixed');
    expect(map.map('open')).toBe('ignore');
  });

  it('never guesses at a status it does not know', () => {
    expect(map.map('reopened')).toBeUndefined();
    expect(map.map(undefined, '')).toBeUndefined();
  });
});
