import { addBusinessDays, routeCase, Rule } from './route-case';

const rules: { version: number; rules: Rule[] } = {
  version: 3,
  rules: [
    { id: 'lights', description: 'Lights to DOT', match: { serviceCodes: ['STREETLIGHT'] }, department: 'DOT', priority: 'high', target: { businessDays: 2 } },
    { id: 'parks', description: 'Parks group', match: { groups: ['Parks'] }, department: 'PARKS', priority: 'normal', target: { businessDays: 10 } },
    { id: 'triage', description: 'Everything else', match: {}, department: '311', priority: 'normal', target: { businessDays: 1 } },
  ],
};

describe('routing rules', () => {
  const friday = new Date('2026-11-20T15:00:00.000Z');

  it('takes the first matching rule and says which facts matched', () => {
    expect(routeCase(rules, { serviceCode: 'STREETLIGHT', group: 'Streets', channel: 'web' }, friday)).toEqual({
      rule: { id: 'lights', version: 3, description: 'Lights to DOT' },
      department: 'DOT',
      priority: 'high',
      dueAt: '2026-11-24T15:00:00.000Z',
      matched: { serviceCode: 'STREETLIGHT' },
    });
  });

  it('matches on the group, and falls through to the catch-all', () => {
    expect(routeCase(rules, { serviceCode: 'TREE', group: 'Parks', channel: 'web' }, friday)?.department).toBe('PARKS');
    expect(routeCase(rules, { serviceCode: 'OTHER', group: 'General', channel: 'phone' }, friday)?.rule.id).toBe('triage');
  });

  it('returns nothing when no rule matches', () => {
    expect(routeCase({ version: 1, rules: rules.rules.slice(0, 1) }, { serviceCode: 'X', group: 'Y', channel: 'web' }, friday)).toBeUndefined();
  });

  it('skips weekends when counting business days', () => {
    expect(addBusinessDays(friday, 1).toISOString()).toBe('2026-11-23T15:00:00.000Z');
    expect(addBusinessDays(new Date('2026-11-18T10:00:00.000Z'), 2).toISOString()).toBe('2026-11-20T10:00:00.000Z');
  });
});
