import { validateTarget } from '@caseline/city-calendar';
import { PRIORITIES, Rule, RULE_MATCH_KEYS, RuleMatch, RuleSet } from './route-case';

/** What a rule set may refer to: the city as it is when the rule set is loaded or changed. */
export interface RuleSetContext {
  departments: readonly string[];
  services: readonly { code: string; group: string; attributes: readonly string[] }[];
  /** Area ids by layer. */
  areas: Readonly<Record<string, readonly string[]>>;
  channels: readonly string[];
}

export interface RuleProblem {
  /** Position of the rule in the set (0-based), when the problem is one rule's. */
  ruleIndex?: number;
  /** e.g. rules[3].match.areas.council-district */
  field: string;
  message: string;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isStringList = (value: unknown): value is string[] => Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string' && v.trim() !== '');

const fold = (text: string): string => text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
const subset = (inner: readonly string[], outer: readonly string[]) => inner.every((value) => outer.includes(value));

/** Checks one rule's shape and that everything it names exists. */
function ruleProblems(value: unknown, index: number, context: RuleSetContext): RuleProblem[] {
  const at = `rules[${index}]`;
  if (!isObject(value)) return [{ ruleIndex: index, field: at, message: `${at} must be an object` }];
  const name = typeof value.id === 'string' && value.id ? `rule "${value.id}"` : at;
  const problems: RuleProblem[] = [];
  const problem = (field: string, message: string) => problems.push({ ruleIndex: index, field: `${at}.${field}`, message: `${name}: ${message}` });

  if (typeof value.id !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(value.id)) problem('id', 'id must be letters, digits, ".", "_" or "-"');
  if (typeof value.description !== 'string' || value.description.trim() === '') problem('description', 'description is required: it is what the history shows as the reason');
  if (typeof value.department !== 'string' || !context.departments.includes(value.department)) {
    problem('department', `department "${String(value.department)}" is not one of the city's departments (${context.departments.join(', ')})`);
  }
  const known = ['id', 'description', 'match', 'department', 'queue', 'crew', 'priority', 'target', 'escalateToCouncilMember'];
  for (const key of Object.keys(value)) if (!known.includes(key)) problem(key, `${key} is not a field rules have (${known.join(', ')})`);
  for (const field of ['queue', 'crew'] as const) {
    if (value[field] !== undefined && (typeof value[field] !== 'string' || value[field] === '')) problem(field, `${field} must be a non-empty string when given`);
  }
  if (!PRIORITIES.includes(value.priority as Rule['priority'])) problem('priority', `priority must be one of ${PRIORITIES.join(', ')}`);
  if (value.escalateToCouncilMember !== undefined && typeof value.escalateToCouncilMember !== 'boolean') problem('escalateToCouncilMember', 'escalateToCouncilMember must be true or false');
  // The calendar's own check names the rule (it is given as "where"), so its messages go in as they are.
  for (const message of validateTarget(value.target, `${name}: target`)) problems.push({ ruleIndex: index, field: `${at}.target`, message });

  if (!isObject(value.match)) {
    problem('match', 'match must be an object (empty matches every case)');
    return problems;
  }
  const match = value.match;
  for (const key of Object.keys(match)) {
    if (!(RULE_MATCH_KEYS as readonly string[]).includes(key)) problem(`match.${key}`, `match.${key} is not a condition rules know (${RULE_MATCH_KEYS.join(', ')})`);
  }
  const list = (key: 'serviceCodes' | 'groups' | 'channels' | 'keywords', known?: readonly string[], what?: string) => {
    if (match[key] === undefined) return;
    if (!isStringList(match[key])) return problem(`match.${key}`, `match.${key} must be a non-empty list of strings`);
    for (const item of match[key] as string[]) if (known && !known.includes(item)) problem(`match.${key}`, `${what} "${item}" does not exist`);
  };
  list('serviceCodes', context.services.map((s) => s.code), 'service');
  list('groups', [...new Set(context.services.map((s) => s.group))], 'service group');
  list('channels', context.channels, 'channel');
  list('keywords');

  if (match.areas !== undefined) {
    if (!isObject(match.areas) || Object.keys(match.areas).length === 0) problem('match.areas', 'match.areas must map area layers to lists of area ids');
    else
      for (const [layer, ids] of Object.entries(match.areas)) {
        const known = context.areas[layer];
        if (!known) problem(`match.areas.${layer}`, `area layer "${layer}" does not exist (${Object.keys(context.areas).join(', ') || 'no layers are loaded'})`);
        else if (!isStringList(ids)) problem(`match.areas.${layer}`, `match.areas.${layer} must be a non-empty list of area ids`);
        else for (const id of ids) if (!known.includes(id)) problem(`match.areas.${layer}`, `area "${id}" is not in layer ${layer}`);
      }
  }
  if (match.answers !== undefined) {
    const questions = new Set(context.services.flatMap((s) => s.attributes));
    if (!isObject(match.answers) || Object.keys(match.answers).length === 0) problem('match.answers', 'match.answers must map question codes to lists of answers');
    else
      for (const [code, values] of Object.entries(match.answers)) {
        if (!questions.has(code)) problem(`match.answers.${code}`, `no service asks a question "${code}"`);
        else if (!isStringList(values)) problem(`match.answers.${code}`, `match.answers.${code} must be a non-empty list of answers`);
      }
  }
  return problems;
}

/** The service codes a match covers through its groups (for comparing rules written either way). */
const servicesOf = (match: RuleMatch, context: RuleSetContext): string[] | undefined =>
  match.serviceCodes ?? (match.groups && context.services.filter((s) => match.groups!.includes(s.group)).map((s) => s.code));

/** Whether every case `later` matches is also matched by `earlier`. */
function covers(earlier: RuleMatch, later: RuleMatch, context: RuleSetContext): boolean {
  if (earlier.serviceCodes && !(servicesOf(later, context) && subset(servicesOf(later, context)!, earlier.serviceCodes))) return false;
  if (earlier.groups) {
    const laterGroups = later.groups ?? later.serviceCodes?.map((code) => context.services.find((s) => s.code === code)?.group ?? '');
    if (!laterGroups || !subset(laterGroups, earlier.groups)) return false;
  }
  if (earlier.channels && !(later.channels && subset(later.channels, earlier.channels))) return false;
  for (const [layer, ids] of Object.entries(earlier.areas ?? {})) if (!(later.areas?.[layer] && subset(later.areas[layer], ids))) return false;
  for (const [code, values] of Object.entries(earlier.answers ?? {})) if (!(later.answers?.[code] && subset(later.answers[code], values))) return false;
  if (earlier.keywords && !(later.keywords && subset(later.keywords.map(fold), earlier.keywords.map(fold)))) return false;
  return true;
}

/**
 * Every problem with a rule set, each naming the rule and the field: its shape, names that do not
 * exist, and rules that can never decide (an earlier rule for the same department matches every case
 * they match). A rule hidden behind one for another department is kept: it decides when that
 * department refers the case on.
 */
export function validateRuleSet(value: unknown, context: RuleSetContext): RuleProblem[] {
  if (!isObject(value)) return [{ field: '', message: 'A rule set must be an object with "version" and "rules"' }];
  const problems: RuleProblem[] = [];
  if (!Number.isInteger(value.version) || (value.version as number) < 1) problems.push({ field: 'version', message: 'version must be a whole number from 1' });
  if (!Array.isArray(value.rules) || value.rules.length === 0) return [...problems, { field: 'rules', message: 'rules must be a non-empty list' }];
  const rules = value.rules as unknown[];
  rules.forEach((rule, index) => problems.push(...ruleProblems(rule, index, context)));
  if (problems.length > 0) return problems;

  const valid = rules as Rule[];
  const seen = new Map<string, number>();
  valid.forEach((rule, index) => {
    const first = seen.get(rule.id);
    if (first !== undefined) problems.push({ ruleIndex: index, field: `rules[${index}].id`, message: `rule "${rule.id}": the id is already used by rules[${first}]` });
    else seen.set(rule.id, index);
    const shadow = valid.slice(0, index).findIndex((earlier) => earlier.department === rule.department && covers(earlier.match, rule.match, context));
    if (shadow >= 0) {
      problems.push({
        ruleIndex: index,
        field: `rules[${index}].match`,
        message: `rule "${rule.id}" can never decide: rule "${valid[shadow].id}" (rules[${shadow}]) comes first, sends to the same department and matches every case it matches`,
      });
    }
  });
  return problems;
}

/** The rule set, once validateRuleSet found nothing wrong with it. */
export const asRuleSet = (value: unknown): RuleSet => value as RuleSet;
