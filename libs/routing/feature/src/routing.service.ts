import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type {
  Actor,
  AttributeAnswer,
  CaseAreas,
  CaseEventEnvelope,
  CaseLinked,
  CaseReopened,
  CaseReported,
  CaseResolved,
  CaseRouted,
  CaseSentToTriage,
  CaseUnlinked,
  Location,
  RoutingFlag,
  WorkOrderStatusChanged,
} from '@caseline/case-contracts';
import { caseDecider, CaseDomainError, CaseState } from '@caseline/case-domain';
import { CatalogStore } from '@caseline/catalog-feature';
import { calendarOf, CityConfig, loadCityConfig } from '@caseline/city-config';
import { foldCase, NewEvent, Statement } from '@caseline/event-store';
import { addBusinessTime, businessMinutesBetween, deadlineWithPauses } from '@caseline/city-calendar';
import { CaseFacts, decideRoute, routeCase, RoutingDecision } from '@caseline/routing-domain';
import { CaseLog, envInt, failpoint } from '@caseline/service-kit';
import { PermanentMessageError } from '@caseline/messaging';
import { AreaStore } from './area-store';
import { DeadlineTimers } from './deadline-timers';
import { DuplicateFinder } from './duplicate-finder';
import { RuleSetStore } from './rule-set.store';
import { TriageQueue } from './triage-queue';

export const ROUTING_ACTOR: Actor = { kind: 'service', id: 'routing', name: 'Routing service' };

/** Where a case lies: its area ids for the rules, the areas for the history, and anything odd about the location. */
export interface Placement {
  areaIds: Record<string, string>;
  areas?: CaseAreas;
  flags?: RoutingFlag[];
}

/** What a dry run answers: where the case would go and why, or that it would wait in triage. */
export type DryRunAnswer = { outcome: 'routed'; decision: RoutingDecision & { departmentName: string } } | { outcome: 'triage'; reason: string };

type ReportedEvent = CaseEventEnvelope<'CaseReported', CaseReported['data']>;

const isPossible = (lat: number, long: number) => Number.isFinite(lat) && Number.isFinite(long) && Math.abs(lat) <= 90 && Math.abs(long) <= 180;

/**
 * Routing decides which department owns each case and by when, records why, and keeps the case
 * moving: referrals when a department refuses it, triage when no rule can place it, and the way back
 * to the resolving department when a resident reopens it.
 */
@Injectable()
export class RoutingService implements OnApplicationBootstrap {
  private readonly logger = new Logger(RoutingService.name);
  private readonly city: CityConfig = loadCityConfig();
  private readonly maxReferrals = envInt('ROUTING_MAX_REFERRALS', 3);

  constructor(
    private readonly caseLog: CaseLog,
    private readonly catalog: CatalogStore,
    private readonly areas: AreaStore,
    private readonly rules: RuleSetStore,
    private readonly triage: TriageQueue,
    private readonly timers: DeadlineTimers,
    private readonly duplicates: DuplicateFinder,
  ) {}

  /** Areas first: the rules are checked against them. Then the deadline timers. */
  async onApplicationBootstrap(): Promise<void> {
    await this.areas.start();
    await this.rules.start(this.areas.current);
    this.duplicates.load();
    this.timers.start((district) => this.councilMember(district));
  }

  /** The council member of a district, as the council-district layer in force names them. */
  councilMember(district: string): { district: string; name: string; email?: string } | undefined {
    const area = this.areas.current.layer('council-district')?.areas().find((a) => a.id === district);
    if (!area) return undefined;
    const { councilMember, councilMemberEmail } = area.properties;
    return { district, name: councilMember ?? area.name, ...(councilMemberEmail ? { email: councilMemberEmail } : {}) };
  }

  /** The areas a location lies in; an impossible location is routed by type alone and flagged. */
  place(location: Location | undefined): Placement {
    if (location?.lat === undefined || location.long === undefined) return { areaIds: {} };
    if (!isPossible(location.lat, location.long)) return { areaIds: {}, flags: ['impossible-location'] };
    const geography = this.areas.current;
    const found = geography.locate({ lat: location.lat, long: location.long });
    const entries = Object.entries(found);
    if (entries.length === 0) return { areaIds: {}, ...(geography.layers.length > 0 ? { flags: ['location-outside-areas'] as RoutingFlag[] } : {}) };
    return {
      areaIds: Object.fromEntries(entries.map(([layer, area]) => [layer, area.id])),
      areas: Object.fromEntries(entries.map(([layer, area]) => [layer, { id: area.id, name: area.name }])),
    };
  }

  /** Where would a case with these facts go, and why? Nothing is written. */
  dryRun(
    input: { serviceCode: string; channel: string; location?: Location; attributes?: Record<string, AttributeAnswer>; description?: string; excludeDepartments?: string[] },
    now = new Date(),
  ): DryRunAnswer & { placement: Placement; ruleSetVersion: number } {
    const placement = this.place(input.location);
    const group = this.catalog.find(input.serviceCode)?.group ?? '';
    const facts: CaseFacts = { serviceCode: input.serviceCode, group, channel: input.channel, areas: placement.areaIds, answers: input.attributes ?? {}, description: input.description ?? '' };
    const decision = this.decide(facts, now, input.excludeDepartments);
    const ruleSetVersion = this.rules.current.version;
    return decision
      ? { outcome: 'routed', decision: { ...decision, departmentName: this.departmentName(decision.department) }, placement, ruleSetVersion }
      : { outcome: 'triage', reason: `No rule of version ${ruleSetVersion} matches`, placement, ruleSetVersion };
  }

  /**
   * A new case: its department and deadline, and why — or triage. The deadline counts from when the
   * resident reported, not from when we got round to it (a replay or a backlog must not move it).
   */
  async routeReportedCase(event: ReportedEvent): Promise<void> {
    if (event.data.parent) return this.routeChild(event, event.data.parent);
    // The same problem reported again nearby follows the open case instead of opening new work.
    const original = await this.duplicates.findOriginal(event, this.groupOf(event.data));
    if (original) {
      const link = { relatedCaseId: original.caseId, relatedReference: original.reference, relation: 'duplicate-of' as const, distanceMeters: original.distanceMeters, policy: original.policy.id };
      return this.react(event, { type: 'LinkAsDuplicate', data: link }, event);
    }
    return this.routeLike(event, event, new Date(event.metadata.at));
  }

  /** A duplicate link (found by routing, or made by staff): the original counts one more resident. */
  async countDuplicate(event: CaseEventEnvelope<'CaseLinked', CaseLinked['data']>): Promise<void> {
    if (event.data.relation !== 'duplicate-of') return;
    const { reported } = await this.caseAndReport(event.caseId);
    await this.caseLog.execute(event.data.relatedCaseId, { type: 'CountDuplicate', data: { duplicateCaseId: event.caseId, duplicateReference: reported.data.reference } }, {
      metadata: { actor: ROUTING_ACTOR, channel: 'system', at: new Date().toISOString(), correlationId: event.metadata.correlationId, causationId: event.eventId },
      reactionTo: { eventId: event.eventId, consumer: 'routing' },
      alongside: () => [this.duplicates.recordDuplicate(event.caseId, event.data.relatedCaseId, event.data.relatedReference)],
    });
  }

  /** A duplicate link undone (by staff, or because the original was withdrawn): the original stops counting it, and the case is routed on its own. */
  async detachDuplicate(event: CaseEventEnvelope<'CaseUnlinked', CaseUnlinked['data']>): Promise<void> {
    const { state, reported } = await this.caseAndReport(event.caseId);
    if (!state.exists) return;
    await this.caseLog.execute(event.data.relatedCaseId, { type: 'WithdrawDuplicate', data: { duplicateCaseId: event.caseId, duplicateReference: state.reference } }, {
      metadata: { actor: ROUTING_ACTOR, channel: 'system', at: new Date().toISOString(), correlationId: event.metadata.correlationId, causationId: event.eventId },
      reactionTo: { eventId: event.eventId, consumer: 'routing:withdraw' },
      alongside: () => [this.duplicates.forgetDuplicate(event.caseId)],
    });
    // Its deadline counts from the resident's report, as if it had never been linked.
    await this.routeLike(event, reported, new Date(reported.metadata.at));
  }

  /**
   * The department refused the case ("not ours"): decide again without every department that has
   * refused it; the ROUTING_MAX_REFERRALS-th referral (default 3) goes to triage instead. The new
   * owner's deadline counts from the refusal.
   */
  async referRejectedCase(event: CaseEventEnvelope<'WorkOrderStatusChanged', WorkOrderStatusChanged['data']>): Promise<void> {
    if (event.data.status !== 'rejected') return;
    const { state, reported } = await this.caseAndReport(event.caseId);
    if (!state.exists || state.department !== event.data.department) return; // already referred (a redelivery), or moved on since
    const excluding = [...state.referredBy, event.data.department];
    const outcome: { route: CaseRouted['data'] } | { triage: CaseSentToTriage['data'] } =
      excluding.length >= this.maxReferrals
        ? { triage: { reason: 'referral-limit-reached', detail: `Referred ${excluding.length} times (${excluding.join(' → ')}); an operator decides from here`, ...this.placementData(this.place(reported.data.location)) } }
        : this.outcome(reported.data, new Date(event.metadata.at), excluding);
    const reason = event.data.note ?? `${event.data.department} rejected the work order (${event.data.departmentStatus})`;
    await this.react(event, { type: 'ReferCase', data: { fromDepartment: event.data.department, reason, next: outcome } }, reported);
  }

  /** "Not fixed": back to the department that resolved it; a case nobody resolved (answered at first contact) is routed afresh. */
  async routeReopenedCase(event: CaseEventEnvelope<'CaseReopened', CaseReopened['data']>): Promise<void> {
    const { state, reported, history } = await this.caseAndReport(event.caseId);
    if (!state.exists) return;
    const reopenedAt = new Date(event.metadata.at);
    const resolver = state.resolvedBy;
    if (!resolver) return this.routeLike(event, reported, reopenedAt);
    const lastRouting = [...history].reverse().find((e) => e.type === 'CaseRouted' && (e.data as CaseRouted['data']).department === resolver)?.data as CaseRouted['data'] | undefined;
    const target = lastRouting?.target ?? { businessDays: 1 };
    const route: CaseRouted['data'] = {
      department: resolver,
      departmentName: this.departmentName(resolver),
      ...(lastRouting?.queue ? { queue: lastRouting.queue } : {}),
      ...(lastRouting?.crew ? { crew: lastRouting.crew } : {}),
      priority: lastRouting?.priority ?? 'normal',
      target,
      dueAt: this.dueAt(resolver, reopenedAt, target),
      clockStartedAt: reopenedAt.toISOString(),
      ...(lastRouting?.escalateToCouncilMember ? { escalateToCouncilMember: true } : {}),
      decidedBy: 'reopening',
      reason: `Reopened by the resident: ${event.data.reason}`,
      matched: {},
      ...this.placementData(this.place(reported.data.location)),
    };
    await this.react(event, { type: 'RouteCase', data: route }, reported);
  }

  /** An operator places a case waiting in triage. CaseDomainError when the case is not in triage. */
  async decideTriage(caseId: string, input: { department: string; queue?: string; crew?: string; priority?: CaseRouted['data']['priority']; reason: string }, actor: Actor): Promise<CaseRouted['data']> {
    const { state, reported } = await this.caseAndReport(caseId);
    if (!state.exists || !state.inTriage) throw new CaseDomainError('case-not-found', `Case ${caseId} is not waiting in triage`);
    const now = new Date();
    const route = this.routeTo(input.department, reported.data, now, { decidedBy: 'operator', reason: input.reason, queue: input.queue, crew: input.crew, priority: input.priority });
    const { appended } = await this.caseLog.execute(caseId, { type: 'RouteCase', data: route }, {
      metadata: { actor, channel: 'system', at: now.toISOString(), correlationId: caseId },
      alongside: (events) => [this.triage.remove(caseId), ...this.effects(caseId, reported, events)],
    });
    if (appended.length === 0) throw new CaseDomainError('case-not-found', `Case ${caseId} is not waiting in triage`);
    return route;
  }

  /**
   * A department chosen by someone (an operator, or a split): the department's own first matching
   * rule gives the deadline's target and the default priority.
   */
  private routeTo(
    department: string,
    reported: CaseReported['data'],
    clockStart: Date,
    choice: { decidedBy: 'operator' | 'split'; reason: string; queue?: string; crew?: string; priority?: CaseRouted['data']['priority'] },
  ): CaseRouted['data'] {
    const placement = this.place(reported.location);
    const ownRule = decideRoute({ version: this.rules.current.version, rules: this.rules.current.rules.filter((r) => r.department === department) }, this.facts(reported, placement));
    const target = ownRule?.target ?? { businessDays: 5 };
    return {
      department,
      departmentName: this.departmentName(department),
      ...(choice.queue ? { queue: choice.queue } : {}),
      ...(choice.crew ? { crew: choice.crew } : {}),
      priority: choice.priority ?? ownRule?.priority ?? 'normal',
      target,
      dueAt: this.dueAt(department, clockStart, target),
      clockStartedAt: clockStart.toISOString(),
      decidedBy: choice.decidedBy,
      reason: choice.reason,
      matched: {},
      ...this.placementData(placement),
    };
  }

  /** A child case split off for a department goes to it, its deadline counting from the split. */
  private routeChild(event: ReportedEvent, parent: NonNullable<CaseReported['data']['parent']>): Promise<void> {
    const route = this.routeTo(parent.department, event.data, new Date(event.metadata.at), { decidedBy: 'split', reason: `part of request ${parent.reference}` });
    return this.react(event, { type: 'RouteCase', data: route }, event);
  }

  departmentExists(code: string): boolean {
    return this.city.departments.some((d) => d.code === code);
  }

  private async routeLike(cause: CaseEventEnvelope, reported: ReportedEvent, clockStart: Date): Promise<void> {
    const outcome = this.outcome(reported.data, clockStart);
    const command = 'route' in outcome ? { type: 'RouteCase' as const, data: outcome.route } : { type: 'SendToTriage' as const, data: outcome.triage };
    await this.react(cause, command, reported);
  }

  /** The event data of routing's decision for a reported case. */
  private outcome(reported: CaseReported['data'], clockStart: Date, excluding: string[] = []): { route: CaseRouted['data'] } | { triage: CaseSentToTriage['data'] } {
    const placement = this.place(reported.location);
    const decision = this.decide(this.facts(reported, placement), clockStart, excluding);
    if (!decision) {
      const without = excluding.length > 0 ? ` once ${excluding.join(', ')} refused it` : '';
      return { triage: { reason: 'no-rule-matched', detail: `No rule of version ${this.rules.current.version} places ${reported.serviceCode}${without}`, ...this.placementData(placement) } };
    }
    return { route: { ...decision, departmentName: this.departmentName(decision.department), decidedBy: 'rule', ...this.placementData(placement) } };
  }

  private facts(reported: CaseReported['data'], placement: Placement): CaseFacts {
    return { serviceCode: reported.serviceCode, group: this.groupOf(reported), channel: reported.channel, areas: placement.areaIds, answers: reported.attributes ?? {}, description: reported.description };
  }

  private decide(facts: CaseFacts, clockStart: Date, excluding: string[] = []): RoutingDecision | undefined {
    return routeCase(this.rules.current, facts, { start: clockStart, calendarOf: (department) => calendarOf(this.city, department) }, excluding);
  }

  private dueAt(department: string, start: Date, target: NonNullable<CaseRouted['data']['target']>): string {
    return addBusinessTime(calendarOf(this.city, department), start, target).toISOString();
  }

  private placementData(placement: Placement): Pick<CaseRouted['data'], 'areas' | 'flags'> {
    return { ...(placement.areas ? { areas: placement.areas } : {}), ...(placement.flags ? { flags: placement.flags } : {}) };
  }

  /** Appends routing's reaction to an event exactly once (redeliveries find it there), with its effects in the same transaction. */
  private async react(cause: CaseEventEnvelope, command: Parameters<CaseLog['execute']>[1], reported: ReportedEvent): Promise<void> {
    const { appended } = await this.caseLog.execute(cause.caseId, command, {
      metadata: { actor: ROUTING_ACTOR, channel: 'system', at: new Date().toISOString(), correlationId: cause.metadata.correlationId, causationId: cause.eventId },
      reactionTo: { eventId: cause.eventId, consumer: 'routing' },
      alongside: (events) => this.effects(cause.caseId, reported, events),
    });
    failpoint('routing:after-route');
    for (const event of appended) this.logger.log(`case ${cause.caseId}: ${event.type}`);
  }

  /** What routing keeps beside the log: the triage queue, the timer of the deadline in force, open cases and duplicates. */
  private effects(caseId: string, reported: ReportedEvent, events: NewEvent[]): Statement[] {
    const statements: Statement[] = [];
    // Once, though the case may be both sent to triage and routed: a statement writes each row once.
    if (events.some((event) => event.type === 'CaseSentToTriage' || event.type === 'CaseRouted')) {
      statements.push(...this.duplicates.recordOpen(caseId, reported.data, this.groupOf(reported.data), reported.metadata.at));
    }
    const triaged = events.find((event) => event.type === 'CaseSentToTriage') as (NewEvent & { data: CaseSentToTriage['data'] }) | undefined;
    const routed = [...events].reverse().find((event) => event.type === 'CaseRouted') as (NewEvent & { data: CaseRouted['data'] }) | undefined;
    if (triaged) statements.push(this.triage.add(caseId, reported.data, triaged));
    if (routed) {
      const clockStart = new Date(routed.data.clockStartedAt ?? routed.metadata.at);
      const remindAt = DeadlineTimers.remindAt(calendarOf(this.city, routed.data.department), clockStart, new Date(routed.data.dueAt));
      statements.push(this.timers.schedule(caseId, routed.data, remindAt, routed.data.escalateToCouncilMember ? routed.data.areas?.['council-district']?.id : undefined));
    } else if (triaged) statements.push(this.timers.remove(caseId));
    return statements;
  }

  /**
   * The reporter answered the city's question: the clock runs again, and the deadline moves by the
   * working time it waited (a wait that began after the deadline moves nothing).
   */
  async resumeClock(event: CaseEventEnvelope<'InformationAdded'>): Promise<void> {
    const history = await this.caseLog.history(event.caseId);
    const routedAt = history.map((e) => e.type).lastIndexOf('CaseRouted');
    if (routedAt < 0) return;
    const routing = history[routedAt];
    const routed = routing.data as CaseRouted['data'];
    const pauses: { from: Date; to?: Date }[] = [];
    for (const e of history.slice(routedAt + 1)) {
      if (e.type === 'InformationRequested' && (pauses.length === 0 || pauses[pauses.length - 1].to)) pauses.push({ from: new Date(e.metadata.at) });
      if (e.type === 'InformationAdded' && pauses.length > 0 && !pauses[pauses.length - 1].to) {
        pauses[pauses.length - 1].to = new Date(e.metadata.at);
        if (e.eventId === event.eventId) return this.moveDeadline(event, history, routing, routed, pauses);
      }
    }
  }

  private async moveDeadline(cause: CaseEventEnvelope, history: CaseEventEnvelope[], routing: CaseEventEnvelope, routed: CaseRouted['data'], pauses: { from: Date; to?: Date }[]): Promise<void> {
    const calendar = calendarOf(this.city, routed.department);
    const clockStart = new Date(routed.clockStartedAt ?? routing.metadata.at);
    const target = routed.target ?? { businessDays: 1 };
    const dueAt = deadlineWithPauses(calendar, clockStart, target, pauses)!;
    const state = foldCase(caseDecider, history); // the history resumeClock already read
    const previousDueAt = (state.exists && state.dueAt) || routed.dueAt;
    const last = pauses[pauses.length - 1];
    const pausedMinutes = Math.round(businessMinutesBetween(calendar, last.from, last.to!) * 100) / 100;
    await this.caseLog.execute(cause.caseId, { type: 'MoveDeadline', data: { dueAt: dueAt.toISOString(), previousDueAt, reason: 'waited-for-information', pausedMinutes } }, {
      metadata: { actor: ROUTING_ACTOR, channel: 'system', at: new Date().toISOString(), correlationId: cause.metadata.correlationId, causationId: cause.eventId },
      reactionTo: { eventId: cause.eventId, consumer: 'routing' },
      alongside: () => [this.timers.move(cause.caseId, dueAt.toISOString(), DeadlineTimers.remindAt(calendar, clockStart, dueAt))],
    });
  }

  /** The clock stops while the city waits for the reporter. */
  pauseClock(caseId: string): Promise<void> {
    return this.timers.pause(caseId);
  }

  /**
   * Resolved or cancelled: no deadline runs, nobody need decide, nobody can duplicate it. Its
   * duplicates are resolved with it; if its reporter withdrew it, they stand on their own instead
   * (the problem they reported is still there).
   */
  async closeCase(event: CaseEventEnvelope): Promise<void> {
    const caseId = event.caseId;
    await this.timers.forget(caseId);
    await this.triage.forget(caseId);
    await this.duplicates.forgetOpen(caseId);
    const resolvedNote = event.type === 'CaseResolved' ? (event.data as { note?: string }).note : undefined;
    const { reported } = await this.caseAndReport(caseId);
    const originalReference = reported.data.reference;
    // A part of a split case: its parent learns it is done (and resolves when every part is).
    const { parent } = reported.data;
    if (parent && event.type === 'CaseResolved') {
      const { resolution, note } = event.data as CaseResolved['data'];
      await this.caseLog.execute(parent.caseId, { type: 'RecordChildResolved', data: { childCaseId: caseId, childReference: originalReference, resolution, ...(note ? { note } : {}) } }, {
        metadata: { actor: ROUTING_ACTOR, channel: 'system', at: new Date().toISOString(), correlationId: event.metadata.correlationId, causationId: event.eventId },
        reactionTo: { eventId: event.eventId, consumer: 'routing:parent' },
      });
    }
    for (const duplicateId of await this.duplicates.duplicatesOf(caseId)) {
      const command: Parameters<CaseLog['execute']>[1] =
        event.type === 'CaseResolved'
          ? { type: 'SettleDuplicate', data: resolvedNote ? { note: resolvedNote } : {} }
          : { type: 'UnlinkDuplicate', data: { reason: `Request ${originalReference} was withdrawn by its reporter` } };
      await this.caseLog.execute(duplicateId, command, {
        metadata: { actor: ROUTING_ACTOR, channel: 'system', at: new Date().toISOString(), correlationId: event.metadata.correlationId, causationId: event.eventId },
        // One reaction per duplicate: the consumer name carries the duplicate, so their event ids differ.
        reactionTo: { eventId: event.eventId, consumer: `routing:${command.type}:${duplicateId}` },
        alongside: () => (event.type === 'CaseResolved' ? [this.duplicates.forgetDuplicate(duplicateId)] : []),
      });
    }
  }

  private groupOf(reported: CaseReported['data']): string {
    // The group intake saw: a service added a moment ago may not be in this process's catalog yet.
    return reported.serviceGroup ?? this.catalog.find(reported.serviceCode)?.group ?? '';
  }

  private async caseAndReport(caseId: string): Promise<{ state: CaseState; reported: ReportedEvent; history: CaseEventEnvelope[] }> {
    const history = await this.caseLog.history(caseId);
    const reported = history.find((e) => e.type === 'CaseReported') as ReportedEvent | undefined;
    if (!reported) throw new PermanentMessageError(`Case ${caseId} has no CaseReported event`);
    return { state: foldCase(caseDecider, history), reported, history };
  }

  private departmentName(code: string): string {
    return this.city.departments.find((d) => d.code === code)?.name ?? code;
  }
}
