import { Injectable } from '@nestjs/common';
import type { Actor, CaseEventEnvelope, CaseReported, Channel } from '@caseline/case-contracts';
import { caseDecider, CaseState, summarize } from '@caseline/case-domain';
import { isOfferedOn, validateAnswers } from '@caseline/catalog-domain';
import { foldCase } from '@caseline/event-store';
import { Boundary, loadCityConfig, ServiceType } from '@caseline/city-config';
import { formatReference, parseReference } from '@caseline/intake-domain';
import { CaseLog, problem, trackingUrl } from '@caseline/service-kit';
import { CaseSubmission, SubmissionRejected, submissionViolations } from './case-submission';
import { caseIdForReference, ReferenceSerials } from './reference-serials';

export interface CaseView {
  reference: string;
  id: string;
  status: string;
  service: { code: string; name: string };
  department?: string;
  dueAt?: string;
  reportedAt: string;
  updatedAt: string;
  trackingUrl: string;
}

export interface HistoryEntry {
  version: number;
  type: string;
  at: string;
  actor: Actor;
  channel?: string;
  summary: string;
}

@Injectable()
export class IntakeService {
  private readonly services: Map<string, ServiceType>;
  private readonly boundary: Boundary | undefined;

  constructor(
    private readonly caseLog: CaseLog,
    private readonly serials: ReferenceSerials,
  ) {
    const city = loadCityConfig();
    this.services = new Map(city.services.map((s) => [s.code, s]));
    this.boundary = city.boundary;
  }

  /** The request types a channel may offer the public: active, and not staff-only. */
  catalog(channel: Channel = 'web'): ServiceType[] {
    return [...this.services.values()].filter((service) => isOfferedOn(service, channel));
  }

  service(code: string): ServiceType | undefined {
    return this.services.get(code);
  }

  /** Opens a case from any channel: the catalog checks the service and the answers, then one append. */
  async report(submission: CaseSubmission, at = new Date()): Promise<CaseView> {
    const { fieldNames, channel } = submission;
    const service = this.services.get(submission.serviceCode);
    if (!service) {
      throw new SubmissionRejected('unknown-service', [
        { field: fieldNames.serviceCode, rule: 'serviceActive', message: `${fieldNames.serviceCode} "${submission.serviceCode}" is not in the service catalog` },
      ]);
    }
    const answers = validateAnswers(service, submission.attributes ?? {}, channel, fieldNames);
    if (!answers.ok) {
      const closed = answers.violations.every((v) => v.rule === 'serviceActive' || v.rule === 'channelAllowed' || v.rule === 'staffOnly');
      throw new SubmissionRejected(closed ? 'unknown-service' : 'invalid', answers.violations);
    }
    const violations = submissionViolations(submission, this.boundary);
    if (violations.length > 0) throw new SubmissionRejected('invalid', violations);
    const reference = formatReference(await this.serials.take());
    const caseId = caseIdForReference(reference);
    const data: CaseReported['data'] = {
      reference,
      serviceCode: service.code,
      serviceName: service.name,
      description: submission.description,
      location: submission.location,
      channel,
      ...(submission.reporter ? { reporter: submission.reporter } : {}),
      ...(Object.keys(answers.answers).length > 0 ? { attributes: answers.answers } : {}),
      ...(submission.mediaUrl ? { mediaUrl: submission.mediaUrl } : {}),
    };
    const { state } = await this.caseLog.open(caseId, { type: 'ReportCase', data }, { actor: submission.actor, channel, at: at.toISOString(), correlationId: caseId });
    return this.view(caseId, state, at.toISOString(), at.toISOString());
  }

  async find(reference: string): Promise<CaseView> {
    const { caseId, history } = await this.caseByReference(reference);
    return this.view(caseId, foldCase(caseDecider, history), history[0].metadata.at, history[history.length - 1].metadata.at);
  }

  async history(reference: string): Promise<{ reference: string; events: HistoryEntry[] }> {
    const { reference: canonical, history } = await this.caseByReference(reference);
    return {
      reference: canonical,
      events: history.map((event) => ({
        version: event.caseVersion,
        type: event.type,
        at: event.metadata.at,
        actor: event.metadata.actor,
        channel: event.metadata.channel,
        summary: summarize({ type: event.type, data: event.data } as never),
      })),
    };
  }

  /** A case by the reference a person reads out: 400 for a malformed one, 404 for none. */
  async caseByReference(input: string): Promise<{ reference: string; caseId: string; history: CaseEventEnvelope[] }> {
    const reference = parseReference(input);
    if (!reference) {
      throw problem(400, 'Bad Request', 'reference must be nine digits like 100-000-123 (the last one is a check digit)', [
        { field: 'reference', rule: 'referenceFormat', message: 'reference must be nine digits with a valid check digit' },
      ]);
    }
    const caseId = caseIdForReference(reference);
    const history = await this.caseLog.history(caseId);
    if (history.length === 0) throw problem(404, 'Not Found', `No case has reference ${reference}`);
    return { reference, caseId, history };
  }

  private view(caseId: string, state: CaseState, reportedAt: string, updatedAt: string): CaseView {
    if (!state.exists) throw problem(404, 'Not Found', 'No such case');
    const service = this.services.get(state.serviceCode);
    return {
      reference: state.reference,
      id: caseId,
      status: state.status,
      service: { code: state.serviceCode, name: service?.name ?? state.serviceCode },
      department: state.department,
      dueAt: state.dueAt,
      reportedAt,
      updatedAt,
      trackingUrl: trackingUrl(state.reference),
    };
  }
}
