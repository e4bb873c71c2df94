import { InvalidRuleSet, parseRuleSetFile } from './rule-set.store';

const context = { departments: ['DOT'], services: [{ code: 'STREETLIGHT', group: 'Streets', attributes: [] }], areas: {}, channels: ['web'] };
const rule = (id: string, department: string) => `    { "id": "${id}", "description": "${id}", "match": { "serviceCodes": ["STREETLIGHT"] }, "department": "${department}", "priority": "high", "target": { "businessDays": 2 } }`;
const file = (...rules: string[]) => `{\n  "version": 1,\n  "rules": [\n${rules.join(',\n')}\n  ]\n}\n`;

describe('a routing rules file', () => {
  it('gives its rule set when it has no problem', () => {
    expect(parseRuleSetFile(file(rule('lights', 'DOT')), 'routing-rules.json', context).rules[0].id).toBe('lights');
  });

  it('names the file and the line of each rule with a problem', () => {
    const refuse = () => parseRuleSetFile(file(rule('lights', 'DOT'), rule('fire', 'FDNY')), 'routing-rules.json', context);
    expect(refuse).toThrow(InvalidRuleSet);
    expect(refuse).toThrow(/routing-rules\.json:5: rule "fire": department "FDNY" is not one of the city's departments/);
  });

  it('names the line and column of a syntax error', () => {
    expect(() => parseRuleSetFile('{\n  "version": 1,\n  "rules": [,]\n}', 'routing-rules.json', context)).toThrow(/routing-rules\.json:3/);
  });
});
