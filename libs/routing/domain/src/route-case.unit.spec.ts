import type { BusinessCalendar } from '@caseline/city-calendar';
import { CaseFacts, decideRoute, routeCase, RuleSet } from './route-case';

const ruleSet: RuleSet = {
  version: 3,
  rules: [
    { id: 'flooding', description: 'Flooding leaks are urgent', match: { serviceCodes: ['WATER-LEAK'], keywords: ['flooding', 'gushing water'] }, department: 'DEP', crew: 'emergency', priority: 'urgent', target: { businessHours: 2 } },
    { id: 'tree-blocking', description: 'Trees blocking a street', match: { serviceCodes: ['FALLEN-TREE'], answers: { BLOCKING: ['STREET', 'WIRES'] } }, department: 'PARKS', priority: 'urgent', target: { businessHours: 4 } },
    { id: 'district-3-lights', description: 'District 3 runs its own lights', match: { serviceCodes: ['STREETLIGHT'], areas: { 'council-district': ['3'] } }, department: 'D3', priority: 'high', target: { businessDays: 1 } },
    { id: 'lights', description: 'Lights to DOT', match: { serviceCodes: ['STREETLIGHT'] }, department: 'DOT', queue: 'lighting', priority: 'high', target: { businessDays: 2 } },
    { id: 'phone-noise', description: 'Noise called in by phone', match: { groups: ['Noise'], channels: ['phone'] }, department: 'NYPD', priority: 'normal', target: { businessDays: 1 } },
    { id: 'parks', description: 'Parks group', match: { groups: ['Parks'] }, department: 'PARKS', priority: 'normal', target: { businessDays: 10 } },
  ],
};

const facts = (overrides: Partial<CaseFacts>): CaseFacts => ({ serviceCode: 'STREETLIGHT', group: 'Streets', channel: 'web', areas: {}, answers: {}, description: '', ...overrides });

const weekdays: BusinessCalendar = { timeZone: 'America/New_York', workingDays: [1, 2, 3, 4, 5], hours: { start: '08:00', end: '17:00' }, holidays: ['2026-11-26'] };

describe('routing rules', () => {
  it('takes the first matching rule and records the rule, its version and the facts it matched', () => {
    expect(decideRoute(ruleSet, facts({}))).toEqual({
      rule: { id: 'lights', version: 3, description: 'Lights to DOT' },
      department: 'DOT',
      queue: 'lighting',
      priority: 'high',
      target: { businessDays: 2 },
      matched: { serviceCode: 'STREETLIGHT' },
    });
  });

  it('matches on areas, naming the layer and the area', () => {
    expect(decideRoute(ruleSet, facts({ areas: { 'council-district': '3' } }))).toMatchObject({ department: 'D3', matched: { serviceCode: 'STREETLIGHT', 'area:council-district': '3' } });
    expect(decideRoute(ruleSet, facts({ areas: { 'council-district': '4' } }))?.department).toBe('DOT');
  });

  it('matches on answers, single or multiple', () => {
    expect(decideRoute(ruleSet, facts({ serviceCode: 'FALLEN-TREE', group: 'Parks', answers: { BLOCKING: 'WIRES' } }))).toMatchObject({ rule: { id: 'tree-blocking' }, matched: { 'answer:BLOCKING': 'WIRES' } });
    expect(decideRoute(ruleSet, facts({ serviceCode: 'FALLEN-TREE', group: 'Parks', answers: { BLOCKING: ['NOTHING', 'STREET'] } }))?.rule.id).toBe('tree-blocking');
    expect(decideRoute(ruleSet, facts({ serviceCode: 'FALLEN-TREE', group: 'Parks', answers: { BLOCKING: 'NOTHING' } }))?.rule.id).toBe('parks');
  });

  it('matches keywords as whole words, ignoring case and accents', () => {
    expect(decideRoute(ruleSet, facts({ serviceCode: 'WATER-LEAK', group: 'Water', description: 'Basement FLOODING since noon' }))).toMatchObject({ department: 'DEP', matched: { keyword: 'flooding' } });
    expect(decideRoute(ruleSet, facts({ serviceCode: 'WATER-LEAK', group: 'Water', description: 'Gúshing   water from the hydrant' }))).toBeUndefined(); // a phrase is matched as written
    expect(decideRoute(ruleSet, facts({ serviceCode: 'WATER-LEAK', group: 'Water', description: 'gúshing water from the hydrant' }))?.rule.id).toBe('flooding');
    expect(decideRoute(ruleSet, facts({ serviceCode: 'WATER-LEAK', group: 'Water', description: 'antiflooding valve leaks' }))).toBeUndefined();
  });

  it('matches on channel', () => {
    expect(decideRoute(ruleSet, facts({ serviceCode: 'NOISE-RESIDENTIAL', group: 'Noise', channel: 'phone' }))?.department).toBe('NYPD');
    expect(decideRoute(ruleSet, facts({ serviceCode: 'NOISE-RESIDENTIAL', group: 'Noise', channel: 'web' }))).toBeUndefined();
  });

  it('passes over departments that already refused the case (a referral)', () => {
    expect(decideRoute(ruleSet, facts({ serviceCode: 'FALLEN-TREE', group: 'Parks', answers: { BLOCKING: 'STREET' } }), ['PARKS'])).toBeUndefined();
    expect(decideRoute(ruleSet, facts({ areas: { 'council-district': '3' } }), ['D3'])?.department).toBe('DOT');
  });

  it('sends nothing anywhere when no rule matches: the caller puts it in triage', () => {
    expect(decideRoute(ruleSet, facts({ serviceCode: 'GENERAL-QUESTION', group: 'General' }))).toBeUndefined();
  });

  it('sets the deadline in the department calendar, from the clock start', () => {
    const wednesdayNoon = new Date('2026-11-25T17:00:00Z'); // 12:00 in New York, the day before Thanksgiving
    const decision = routeCase(ruleSet, facts({}), { start: wednesdayNoon, calendarOf: () => weekdays });
    expect(decision?.clockStartedAt).toBe(wednesdayNoon.toISOString());
    expect(decision?.dueAt).toBe('2026-11-30T17:00:00.000Z'); // Thursday is a holiday: Friday, then Monday 12:00
    const urgent = routeCase(ruleSet, facts({ serviceCode: 'WATER-LEAK', group: 'Water', description: 'flooding' }), { start: wednesdayNoon, calendarOf: () => weekdays });
    expect(urgent?.dueAt).toBe('2026-11-25T19:00:00.000Z');
  });
});
