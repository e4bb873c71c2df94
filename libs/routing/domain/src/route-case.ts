import type { AttributeAnswer } from '@caseline/case-contracts';
import { addBusinessTime, BusinessCalendar, DeadlineTarget } from '@caseline/city-calendar';

export type Priority = 'low' | 'normal' | 'high' | 'urgent';
export const PRIORITIES: readonly Priority[] = ['low', 'normal', 'high', 'urgent'];

/**
 * What a rule matches on. Every condition given must hold; within a condition, any listed value
 * will do (`groups: ['Noise', 'Sanitation']` is "Noise or Sanitation"). No conditions: every case.
 */
export interface RuleMatch {
  serviceCodes?: string[];
  groups?: string[];
  channels?: string[];
  /** By area layer: the area ids the case must lie in, e.g. { 'council-district': ['3', '4'] }. */
  areas?: Record<string, string[]>;
  /** By question (catalog attribute code): the answers that match; a multi-value answer matches if any of its values does. */
  answers?: Record<string, string[]>;
  /** Whole words or phrases in the description, case- and accent-insensitive. */
  keywords?: string[];
}

export const RULE_MATCH_KEYS: readonly (keyof RuleMatch)[] = ['serviceCodes', 'groups', 'channels', 'areas', 'answers', 'keywords'];

export interface Rule {
  id: string;
  description: string;
  match: RuleMatch;
  department: string;
  /** The department's queue or crew that takes it, when the department works that way. */
  queue?: string;
  crew?: string;
  priority: Priority;
  /** The deadline, in the department's business time. */
  target: DeadlineTarget;
  /** If the deadline is missed, the council member of the case's district hears of it too. */
  escalateToCouncilMember?: boolean;
}

export interface RuleSet {
  version: number;
  rules: Rule[];
}

/** The facts of a case that rules can match on. */
export interface CaseFacts {
  serviceCode: string;
  group: string;
  channel: string;
  /** Area id by layer, for the layers the case's location falls in. */
  areas: Record<string, string>;
  answers: Record<string, AttributeAnswer>;
  description: string;
}

/** What a rule decided, and the facts it decided on: the history's answer to "why did this go to Parks?". */
export interface RuleDecision {
  rule: { id: string; version: number; description: string };
  department: string;
  queue?: string;
  crew?: string;
  priority: Priority;
  target: DeadlineTarget;
  escalateToCouncilMember?: boolean;
  /** e.g. { serviceCode: 'FALLEN-TREE', 'area:council-district': '3', keyword: 'blocking' }. */
  matched: Record<string, string>;
}

export interface RoutingDecision extends RuleDecision {
  dueAt: string;
  clockStartedAt: string;
}

/** Lower case without accents, so "Árbol" matches the keyword "arbol". */
const fold = (text: string): string => text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A rule with its lists as sets and its keywords as one regular expression, built once per rule set. */
interface CompiledRule {
  rule: Rule;
  serviceCodes?: ReadonlySet<string>;
  groups?: ReadonlySet<string>;
  channels?: ReadonlySet<string>;
  areas?: [layer: string, ids: ReadonlySet<string>][];
  answers?: [code: string, values: ReadonlySet<string>][];
  keywords?: RegExp;
}

const toSet = (values?: string[]) => values && new Set(values);

function compileRule(rule: Rule): CompiledRule {
  const { serviceCodes, groups, channels, areas, answers, keywords } = rule.match;
  return {
    rule,
    serviceCodes: toSet(serviceCodes),
    groups: toSet(groups),
    channels: toSet(channels),
    areas: areas && Object.entries(areas).map(([layer, ids]) => [layer, new Set(ids)]),
    answers: answers && Object.entries(answers).map(([code, values]) => [code, new Set(values)]),
    // Whole words: "tree" must not match "street".
    keywords: keywords && new RegExp(`(?<![\\p{L}\\p{N}])(${keywords.map((k) => escapeRegExp(fold(k))).join('|')})(?![\\p{L}\\p{N}])`, 'u'),
  };
}

const compiled = new WeakMap<RuleSet, CompiledRule[]>();
const compile = (ruleSet: RuleSet): CompiledRule[] => {
  let rules = compiled.get(ruleSet);
  if (!rules) compiled.set(ruleSet, (rules = ruleSet.rules.map(compileRule)));
  return rules;
};

const answerValues = (answer: AttributeAnswer | undefined): string[] => (answer === undefined ? [] : Array.isArray(answer) ? answer : [String(answer)]);

/** The facts the rule matched on, or undefined when it does not match. */
function matches(rule: CompiledRule, facts: CaseFacts, foldedDescription: () => string): Record<string, string> | undefined {
  const matched: Record<string, string> = {};
  if (rule.serviceCodes) {
    if (!rule.serviceCodes.has(facts.serviceCode)) return undefined;
    matched.serviceCode = facts.serviceCode;
  }
  if (rule.groups) {
    if (!rule.groups.has(facts.group)) return undefined;
    matched.group = facts.group;
  }
  if (rule.channels) {
    if (!rule.channels.has(facts.channel)) return undefined;
    matched.channel = facts.channel;
  }
  for (const [layer, ids] of rule.areas ?? []) {
    const id = facts.areas[layer];
    if (id === undefined || !ids.has(id)) return undefined;
    matched[`area:${layer}`] = id;
  }
  for (const [code, values] of rule.answers ?? []) {
    const value = answerValues(facts.answers[code]).find((v) => values.has(v));
    if (value === undefined) return undefined;
    matched[`answer:${code}`] = value;
  }
  if (rule.keywords) {
    const found = rule.keywords.exec(foldedDescription());
    if (!found) return undefined;
    matched.keyword = found[1];
  }
  return matched;
}

/**
 * The first rule that matches decides. Departments in `excluding` have already refused the case
 * (a referral), so their rules are passed over. Undefined: no rule matches — the case goes to triage.
 */
export function decideRoute(ruleSet: RuleSet, facts: CaseFacts, excluding: readonly string[] = []): RuleDecision | undefined {
  let folded: string | undefined;
  const foldedDescription = () => (folded ??= fold(facts.description));
  for (const compiledRule of compile(ruleSet)) {
    const { rule } = compiledRule;
    if (excluding.includes(rule.department)) continue;
    const matched = matches(compiledRule, facts, foldedDescription);
    if (!matched) continue;
    return {
      rule: { id: rule.id, version: ruleSet.version, description: rule.description },
      department: rule.department,
      ...(rule.queue ? { queue: rule.queue } : {}),
      ...(rule.crew ? { crew: rule.crew } : {}),
      priority: rule.priority,
      target: rule.target,
      ...(rule.escalateToCouncilMember ? { escalateToCouncilMember: true } : {}),
      matched,
    };
  }
  return undefined;
}

/**
 * The decision with its deadline: the rule's target in the department's business calendar, counted
 * from `clockStart` (when the resident reported, so a backlog or a replay never moves it).
 */
export function routeCase(
  ruleSet: RuleSet,
  facts: CaseFacts,
  clock: { start: Date; calendarOf: (department: string) => BusinessCalendar },
  excluding: readonly string[] = [],
): RoutingDecision | undefined {
  const decision = decideRoute(ruleSet, facts, excluding);
  return decision && { ...decision, dueAt: addBusinessTime(clock.calendarOf(decision.department), clock.start, decision.target).toISOString(), clockStartedAt: clock.start.toISOString() };
}
