import type { Rule, RuleSet } from './route-case';

/**
 * The routing rules are one stream of the log: each published version is an event with its actor,
 * so "which rules were in force when this case was routed?" always has an answer. Validation
 * against the city (departments, catalog, areas) happens before a command reaches the decider.
 */
export type PublishRuleSet = { type: 'PublishRuleSet'; data: { rules: Rule[]; comment?: string; basedOnVersion?: number } };
/** Seeds the stream from the city's file: only when no rule set was ever published. */
export type ImportRuleSet = { type: 'ImportRuleSet'; data: { ruleSet: RuleSet } };
export type RuleSetCommand = PublishRuleSet | ImportRuleSet;

export type RuleSetPublished = { type: 'RuleSetPublished'; data: { ruleSet: RuleSet; comment?: string } };
export type RuleSetEvent = RuleSetPublished;

export type RuleSetState = { ruleSet?: RuleSet };

export class RuleSetConflict extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RuleSetConflict';
  }
}

export const initialState = (): RuleSetState => ({});

const sameRules = (a: Rule[], b: Rule[]) => JSON.stringify(a) === JSON.stringify(b);

export function decide(command: RuleSetCommand, state: RuleSetState): RuleSetEvent[] {
  const current = state.ruleSet;
  switch (command.type) {
    case 'ImportRuleSet':
      return current ? [] : [{ type: 'RuleSetPublished', data: { ruleSet: command.data.ruleSet, comment: 'Imported from the city configuration' } }];

    case 'PublishRuleSet': {
      const { rules, comment, basedOnVersion } = command.data;
      // An admin who edited version 4 must not silently overwrite a version 5 someone else published.
      if (basedOnVersion !== undefined && basedOnVersion !== (current?.version ?? 0)) {
        throw new RuleSetConflict(`The rules were changed meanwhile: this edit is based on version ${basedOnVersion}, the current version is ${current?.version ?? 0}`);
      }
      // Publishing the same rules again (a retried request) is not a new version.
      if (current && sameRules(current.rules, rules)) return [];
      return [{ type: 'RuleSetPublished', data: { ruleSet: { version: (current?.version ?? 0) + 1, rules }, ...(comment ? { comment } : {}) } }];
    }
  }
}

export function evolve(_state: RuleSetState, event: RuleSetEvent): RuleSetState {
  return { ruleSet: event.data.ruleSet };
}

export const ruleSetDecider = { decide, evolve, initialState };
