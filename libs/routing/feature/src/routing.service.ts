import { Injectable, Logger } from '@nestjs/common';
import type { Actor, CaseEventEnvelope, CaseReopened, CaseReported } from '@caseline/case-contracts';
import { CatalogStore } from '@caseline/catalog-feature';
import { CityConfig, loadCityConfig } from '@caseline/city-config';
import { CaseFacts, routeCase, RoutingDecision } from '@caseline/routing-domain';
import { CaseLog, failpoint } from '@caseline/service-kit';
import { PermanentMessageError } from '@caseline/messaging';

export const ROUTING_ACTOR: Actor = { kind: 'service', id: 'routing', name: 'Routing service' };

@Injectable()
export class RoutingService {
  private readonly logger = new Logger(RoutingService.name);
  private readonly city: CityConfig = loadCityConfig();

  constructor(
    private readonly caseLog: CaseLog,
    private readonly catalog: CatalogStore,
  ) {}

  /** Where would a case with these facts go, and why? */
  dryRun(facts: { serviceCode: string; channel: string }, now = new Date()): (RoutingDecision & { departmentName: string }) | undefined {
    const service = this.catalog.find(facts.serviceCode);
    const decision = routeCase(this.city.routing, { serviceCode: facts.serviceCode, channel: facts.channel, group: service?.group ?? '' }, now);
    return decision && { ...decision, departmentName: this.departmentName(decision.department) };
  }

  /**
   * Reacts to a new case: decides its department and deadline, and records why. The deadline
   * counts from when the resident reported, not from when we got round to it (a replay or a
   * backlog after an outage must not move it).
   */
  routeReportedCase(event: CaseEventEnvelope<'CaseReported', CaseReported['data']>): Promise<void> {
    return this.route(event.data, new Date(event.metadata.at), event);
  }

  /**
   * A reopened case that never had a department (it was answered at first contact) is routed like
   * a new one, its deadline counting from the reopening; one with a department goes back to it.
   */
  async routeReopenedCase(event: CaseEventEnvelope<'CaseReopened', CaseReopened['data']>): Promise<void> {
    const [reported] = await this.caseLog.history(event.caseId);
    if (reported?.type !== 'CaseReported') throw new PermanentMessageError(`Case ${event.caseId} has no CaseReported event`);
    return this.route(reported.data as CaseReported['data'], new Date(event.metadata.at), event);
  }

  private async route(reported: CaseReported['data'], clockStart: Date, cause: CaseEventEnvelope): Promise<void> {
    // The group intake saw: a service added a moment ago may not be in this process's catalog yet.
    const group = reported.serviceGroup ?? this.catalog.find(reported.serviceCode)?.group ?? '';
    const facts: CaseFacts = { serviceCode: reported.serviceCode, channel: reported.channel, group };
    const decision = routeCase(this.city.routing, facts, clockStart);
    if (!decision) throw new PermanentMessageError(`No routing rule matches case ${cause.caseId} (${facts.serviceCode})`);
    const { appended } = await this.caseLog.execute(
      cause.caseId,
      { type: 'RouteCase', data: { ...decision, departmentName: this.departmentName(decision.department) } },
      {
        metadata: { actor: ROUTING_ACTOR, channel: 'system', at: new Date().toISOString(), correlationId: cause.metadata.correlationId, causationId: cause.eventId },
        reactionTo: { eventId: cause.eventId, consumer: 'routing' },
      },
    );
    failpoint('routing:after-route');
    if (appended.length > 0) this.logger.log(`case ${cause.caseId} routed to ${decision.department} by rule ${decision.rule.id}`);
  }

  private departmentName(code: string): string {
    return this.city.departments.find((d) => d.code === code)?.name ?? code;
  }
}
