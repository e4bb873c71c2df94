import { RuleSetContext, validateRuleSet } from './validate-rule-set';

const context: RuleSetContext = {
  departments: ['DOT', 'PARKS', '311'],
  services: [
    { code: 'STREETLIGHT', group: 'Streets', attributes: ['PROBLEM'] },
    { code: 'POTHOLE', group: 'Streets', attributes: ['SIZE'] },
    { code: 'FALLEN-TREE', group: 'Parks', attributes: ['BLOCKING'] },
  ],
  areas: { 'council-district': ['1', '2', '3'] },
  channels: ['web', 'phone'],
};

const rule = (id: string, match: object, department = 'DOT') => ({ id, description: `rule ${id}`, match, department, priority: 'normal', target: { businessDays: 2 } });
const messages = (value: unknown) => validateRuleSet(value, context).map((p) => p.message);

describe('validateRuleSet', () => {
  it('accepts a good rule set', () => {
    expect(validateRuleSet({ version: 1, rules: [rule('lights', { serviceCodes: ['STREETLIGHT'], areas: { 'council-district': ['3'] } }), rule('streets', { groups: ['Streets'] })] }, context)).toEqual([]);
  });

  it('names unknown departments, services, groups, channels, layers, areas and questions', () => {
    expect(
      messages({
        version: 1,
        rules: [
          rule('a', { serviceCodes: ['NOPE'] }, 'FIRE'),
          rule('b', { groups: ['Nowhere'], channels: ['fax'] }),
          rule('c', { areas: { wards: ['1'], 'council-district': ['9'] } }),
          rule('d', { answers: { COLOR: ['RED'] } }),
        ],
      }),
    ).toEqual([
      'rule "a": department "FIRE" is not one of the city\'s departments (DOT, PARKS, 311)',
      'rule "a": service "NOPE" does not exist',
      'rule "b": service group "Nowhere" does not exist',
      'rule "b": channel "fax" does not exist',
      'rule "c": area layer "wards" does not exist (council-district)',
      'rule "c": area "9" is not in layer council-district',
      'rule "d": no service asks a question "COLOR"',
    ]);
  });

  it('names the field and rule of shape problems', () => {
    const problems = validateRuleSet({ version: 0, rules: [{ id: 'x', match: { colour: ['red'] }, department: 'DOT', priority: 'asap', target: { weeks: 1 } }] }, context);
    expect([...new Set(problems.map((p) => p.field))]).toEqual(['version', 'rules[0].description', 'rules[0].priority', 'rules[0].target', 'rules[0].match.colour']);
    expect(problems.every((p) => p.field === 'version' || p.ruleIndex === 0)).toBe(true);
  });

  it('finds rules that can never decide: an earlier rule for the same department covers them', () => {
    expect(messages({ version: 1, rules: [rule('streets', { groups: ['Streets'] }), rule('lights', { serviceCodes: ['STREETLIGHT'] })] })).toEqual([
      'rule "lights" can never decide: rule "streets" (rules[0]) comes first, sends to the same department and matches every case it matches',
    ]);
    expect(messages({ version: 1, rules: [rule('all', {}, '311'), rule('parks', { groups: ['Parks'] }, '311')] })).toHaveLength(1);
    expect(messages({ version: 1, rules: [rule('d3', { areas: { 'council-district': ['3'] } }), rule('d3-lights', { serviceCodes: ['STREETLIGHT'], areas: { 'council-district': ['3'] } })] })).toHaveLength(1);
  });

  it('keeps a rule hidden behind another department: it decides after that department refers the case on', () => {
    expect(messages({ version: 1, rules: [rule('trees', { serviceCodes: ['FALLEN-TREE'] }, 'PARKS'), rule('trees-fallback', { serviceCodes: ['FALLEN-TREE'] }, 'DOT')] })).toEqual([]);
  });

  it('refuses duplicate ids and an empty set', () => {
    expect(messages({ version: 1, rules: [rule('a', { serviceCodes: ['POTHOLE'] }), rule('a', { serviceCodes: ['STREETLIGHT'] })] })).toEqual(['rule "a": the id is already used by rules[0]']);
    expect(messages({ version: 1, rules: [] })).toEqual(['rules must be a non-empty list']);
  });
});
