import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { Actor, ALL_CHANNELS } from '@caseline/case-contracts';
import { CatalogStore } from '@caseline/catalog-feature';
import { loadCityConfig } from '@caseline/city-config';
import { Geography, parseJsonWithLines } from '@caseline/city-geography';
import { deterministicEventId } from '@caseline/event-store';
import { asRuleSet, Rule, RuleProblem, RuleSet, RuleSetCommand, ruleSetDecider, RuleSetEvent, RuleSetState, validateRuleSet, RuleSetContext } from '@caseline/routing-domain';
import { ConfigStream } from '@caseline/service-kit';

/** The routing rules are one stream of the log: every published version is an event with its actor. */
export const RULE_SET_STREAM_ID = deterministicEventId('routing', 'routing-rules');

const SEEDER: Actor = { kind: 'service', id: 'routing', name: 'Routing service (city file import)' };

/** A rule set the city cannot use; each problem names the rule and field (and the line, for a file). */
export class InvalidRuleSet extends Error {
  constructor(
    readonly problems: RuleProblem[],
    where: string,
  ) {
    super(`${where} has ${problems.length} problem(s):\n${problems.map((p) => `- ${p.message}`).join('\n')}`);
    this.name = 'InvalidRuleSet';
  }
}

/** A rules file's rule set; InvalidRuleSet naming each problem's file and line (a syntax error's too). */
export function parseRuleSetFile(text: string, file: string, context: RuleSetContext): RuleSet {
  let parsed;
  try {
    parsed = parseJsonWithLines(text, file);
  } catch (error) {
    throw new InvalidRuleSet([{ field: '', message: (error as Error).message }], file);
  }
  const { value, lineOf } = parsed;
  const problems = validateRuleSet(value, context);
  if (problems.length === 0) return asRuleSet(value);
  const rules = (value as { rules?: unknown[] }).rules ?? [];
  throw new InvalidRuleSet(
    problems.map((p) => {
      const node = p.ruleIndex !== undefined ? rules[p.ruleIndex] : value;
      const line = typeof node === 'object' && node !== null ? lineOf(node) : undefined;
      return { ...p, message: `${file}${line ? `:${line}` : ''}: ${p.message}` };
    }),
    file,
  );
}

/** The rules in force, as every routing replica folds them from the log. */
@Injectable()
export class RuleSetStore implements OnApplicationShutdown {
  private readonly stream: ConfigStream<RuleSetCommand, RuleSetEvent, RuleSetState>;
  private readonly city = loadCityConfig();

  constructor(
    dataSource: DataSource,
    private readonly catalog: CatalogStore,
  ) {
    this.stream = new ConfigStream(dataSource, RULE_SET_STREAM_ID, ruleSetDecider, 'RoutingRules');
  }

  /** Seeds the stream from the city's routing-rules.json, refusing a file with problems (naming their lines). */
  async start(geography: Geography): Promise<void> {
    const file = this.city.routingFile;
    const ruleSet = parseRuleSetFile(readFileSync(file, 'utf8'), file, this.context(geography));
    await this.stream.start({ type: 'ImportRuleSet', data: { ruleSet } }, SEEDER);
  }

  onApplicationShutdown(): void {
    this.stream.stop();
  }

  get current(): RuleSet {
    const { ruleSet } = this.stream.state;
    if (!ruleSet) throw new Error('The routing rules are not loaded yet');
    return ruleSet;
  }

  /** Publishes a new version after checking it against the city as it is now; InvalidRuleSet or RuleSetConflict otherwise. */
  async publish(input: { rules: Rule[]; comment?: string; basedOnVersion?: number }, geography: Geography, actor: Actor): Promise<{ ruleSet: RuleSet; changed: boolean }> {
    const problems = validateRuleSet({ version: this.current.version + 1, rules: input.rules }, this.context(geography));
    if (problems.length > 0) throw new InvalidRuleSet(problems, 'The rule set');
    const { appended } = await this.stream.execute({ type: 'PublishRuleSet', data: input }, actor);
    return { ruleSet: this.current, changed: appended.length > 0 };
  }

  /** Problems the rules in force would have with these areas (a layer replacement must not orphan a rule). */
  problemsWith(geography: Geography): RuleProblem[] {
    return validateRuleSet(this.current, this.context(geography));
  }

  /** What rules may refer to: departments, the catalog as it is now, the areas in force, the channels. */
  context(geography: Geography): RuleSetContext {
    const services = this.catalog.all().length > 0 ? this.catalog.all() : this.city.services;
    return {
      departments: this.city.departments.map((d) => d.code),
      services: services.map((s) => ({ code: s.code, group: s.group, attributes: s.attributes.map((a) => a.code) })),
      areas: Object.fromEntries(geography.layers.map((layer) => [layer.layer, layer.areas().map((a) => a.id)])),
      channels: ALL_CHANNELS,
    };
  }
}
