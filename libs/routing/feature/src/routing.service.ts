import { Injectable, Logger } from '@nestjs/common';
import type { Actor, CaseEventEnvelope, CaseReported } from '@caseline/case-contracts';
import { CityConfig, loadCityConfig } from '@caseline/city-config';
import { CaseFacts, routeCase, RoutingDecision } from '@caseline/routing-domain';
import { CaseLog, failpoint } from '@caseline/service-kit';
import { PermanentMessageError } from '@caseline/messaging';

export const ROUTING_ACTOR: Actor = { kind: 'service', id: 'routing', name: 'Routing service' };

@Injectable()
export class RoutingService {
  private readonly logger = new Logger(RoutingService.name);
  private readonly city: CityConfig = loadCityConfig();

  constructor(private readonly caseLog: CaseLog) {}

  /** Where would a case with these facts go, and why? */
  dryRun(facts: { serviceCode: string; channel: string }, now = new Date()): (RoutingDecision & { departmentName: string }) | undefined {
    const service = this.city.services.find((s) => s.code === facts.serviceCode);
    const decision = routeCase(this.city.routing, { serviceCode: facts.serviceCode, channel: facts.channel, group: service?.group ?? '' }, now);
    return decision && { ...decision, departmentName: this.departmentName(decision.department) };
  }

  /**
   * Reacts to a new case: decides its department and deadline, and records why. The deadline
   * counts from when the resident reported, not from when we got round to it (a replay or a
   * backlog after an outage must not move it).
   */
  async routeReportedCase(event: CaseEventEnvelope<'CaseReported', CaseReported['data']>): Promise<void> {
    const reportedAt = new Date(event.metadata.at);
    const facts: CaseFacts = {
      serviceCode: event.data.serviceCode,
      channel: event.data.channel,
      group: this.city.services.find((s) => s.code === event.data.serviceCode)?.group ?? '',
    };
    const decision = routeCase(this.city.routing, facts, reportedAt);
    if (!decision) throw new PermanentMessageError(`No routing rule matches case ${event.caseId} (${facts.serviceCode})`);
    const { appended } = await this.caseLog.execute(
      event.caseId,
      { type: 'RouteCase', data: { ...decision, departmentName: this.departmentName(decision.department) } },
      {
        metadata: { actor: ROUTING_ACTOR, channel: 'system', at: new Date().toISOString(), correlationId: event.metadata.correlationId, causationId: event.eventId },
        reactionTo: { eventId: event.eventId, consumer: 'routing' },
      },
    );
    failpoint('routing:after-route');
    if (appended.length > 0) this.logger.log(`case ${event.caseId} routed to ${decision.department} by rule ${decision.rule.id}`);
  }

  private departmentName(code: string): string {
    return this.city.departments.find((d) => d.code === code)?.name ?? code;
  }
}
