import { decide, evolve, initialState, RuleSetConflict, RuleSetState } from './rule-set.decider';
import type { Rule } from './route-case';

const rules: Rule[] = [{ id: 'lights', description: 'Lights to DOT', match: { serviceCodes: ['STREETLIGHT'] }, department: 'DOT', priority: 'high', target: { businessDays: 2 } }];
const after = (...events: ReturnType<typeof decide>): RuleSetState => events.reduce(evolve, initialState());

describe('the rule-set stream', () => {
  it('imports the file once, with the file\'s version', () => {
    const [imported] = decide({ type: 'ImportRuleSet', data: { ruleSet: { version: 7, rules } } }, initialState());
    expect(imported.data.ruleSet.version).toBe(7);
    expect(decide({ type: 'ImportRuleSet', data: { ruleSet: { version: 8, rules } } }, after(imported))).toEqual([]);
  });

  it('publishes each change as the next version, and a repeat as nothing', () => {
    const state = after(...decide({ type: 'ImportRuleSet', data: { ruleSet: { version: 7, rules } } }, initialState()));
    const changed = [{ ...rules[0], priority: 'urgent' as const }];
    const [published] = decide({ type: 'PublishRuleSet', data: { rules: changed, comment: 'storm season' } }, state);
    expect(published.data).toEqual({ ruleSet: { version: 8, rules: changed }, comment: 'storm season' });
    expect(decide({ type: 'PublishRuleSet', data: { rules: changed } }, after(...decide({ type: 'ImportRuleSet', data: { ruleSet: { version: 7, rules } } }, initialState()), published))).toEqual([]);
  });

  it('refuses an edit based on an old version', () => {
    const state = after(...decide({ type: 'ImportRuleSet', data: { ruleSet: { version: 7, rules } } }, initialState()));
    expect(() => decide({ type: 'PublishRuleSet', data: { rules: [], basedOnVersion: 6 } }, state)).toThrow(RuleSetConflict);
  });
});
