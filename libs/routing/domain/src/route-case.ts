/** The facts of a case that routing rules can match on. */
export interface CaseFacts {
  serviceCode: string;
  group: string;
  channel: string;
}

export interface Rule {
  id: string;
  description: string;
  match: { serviceCodes?: string[]; groups?: string[] };
  department: string;
  priority: 'low' | 'normal' | 'high' | 'urgent';
  target: { businessDays: number };
}

export interface RoutingDecision {
  rule: { id: string; version: number; description: string };
  department: string;
  priority: Rule['priority'];
  dueAt: string;
  matched: Record<string, string>;
}

/** Adds business days, skipping Saturdays and Sundays (department calendars come later). */
export function addBusinessDays(from: Date, days: number): Date {
  const due = new Date(from.getTime());
  let remaining = days;
  while (remaining > 0) {
    due.setUTCDate(due.getUTCDate() + 1);
    const weekday = due.getUTCDay();
    if (weekday !== 0 && weekday !== 6) remaining--;
  }
  return due;
}

function matches(rule: Rule, facts: CaseFacts): Record<string, string> | undefined {
  const matched: Record<string, string> = {};
  if (rule.match.serviceCodes) {
    if (!rule.match.serviceCodes.includes(facts.serviceCode)) return undefined;
    matched.serviceCode = facts.serviceCode;
  }
  if (rule.match.groups) {
    if (!rule.match.groups.includes(facts.group)) return undefined;
    matched.group = facts.group;
  }
  return matched;
}

/** The first rule that matches decides; `now` comes in so the decision is a pure function. */
export function routeCase(ruleSet: { version: number; rules: Rule[] }, facts: CaseFacts, now: Date): RoutingDecision | undefined {
  for (const rule of ruleSet.rules) {
    const matched = matches(rule, facts);
    if (!matched) continue;
    return {
      rule: { id: rule.id, version: ruleSet.version, description: rule.description },
      department: rule.department,
      priority: rule.priority,
      dueAt: addBusinessDays(now, rule.target.businessDays).toISOString(),
      matched,
    };
  }
  return undefined;
}
