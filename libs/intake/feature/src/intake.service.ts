import { Injectable } from '@nestjs/common';
import type { Actor, CaseEventEnvelope, CaseReported } from '@caseline/case-contracts';
import { caseDecider, CaseState, summarize } from '@caseline/case-domain';
import { foldCase } from '@caseline/event-store';
import { loadCityConfig, ServiceType } from '@caseline/city-config';
import { formatReference, parseReference } from '@caseline/intake-domain';
import { CaseLog, problem, trackingUrl } from '@caseline/service-kit';
import type { ReportCaseDto } from './report-case.dto';
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

const residentActor = (dto: ReportCaseDto): Actor => ({ kind: 'resident', id: 'resident', name: dto.reporter?.name ? 'Resident (named)' : 'Resident' });

@Injectable()
export class IntakeService {
  private readonly services: Map<string, ServiceType>;

  constructor(
    private readonly caseLog: CaseLog,
    private readonly serials: ReferenceSerials,
  ) {
    this.services = new Map(loadCityConfig().services.map((s) => [s.code, s]));
  }

  catalog(): ServiceType[] {
    return [...this.services.values()];
  }

  async report(dto: ReportCaseDto, at = new Date()): Promise<CaseView> {
    const service = this.services.get(dto.serviceCode);
    if (!service) {
      throw problem(422, 'Unprocessable Content', `serviceCode "${dto.serviceCode}" is not in the service catalog (GET /v1/services)`, [
        { field: 'serviceCode', rule: 'inCatalog', message: 'serviceCode must be a code from GET /v1/services' },
      ]);
    }
    const reference = formatReference(await this.serials.take());
    const caseId = caseIdForReference(reference);
    const data: CaseReported['data'] = {
      reference,
      serviceCode: service.code,
      serviceName: service.name,
      description: dto.description,
      location: dto.location.lat !== undefined ? { lat: dto.location.lat, long: dto.location.long!, address: dto.location.address } : { address: dto.location.address! },
      channel: dto.channel,
      ...(dto.reporter ? { reporter: { ...dto.reporter } } : {}),
    };
    const { state } = await this.caseLog.open(caseId, { type: 'ReportCase', data }, { actor: residentActor(dto), channel: dto.channel, at: at.toISOString(), correlationId: caseId });
    return this.view(caseId, state, at.toISOString(), at.toISOString());
  }

  async find(reference: string): Promise<CaseView> {
    const { caseId, history } = await this.load(reference);
    return this.view(caseId, foldCase(caseDecider, history), history[0].metadata.at, history[history.length - 1].metadata.at);
  }

  async history(reference: string): Promise<{ reference: string; events: HistoryEntry[] }> {
    const { reference: canonical, history } = await this.load(reference);
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

  private async load(input: string): Promise<{ reference: string; caseId: string; history: CaseEventEnvelope[] }> {
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
