import type { CaseEvent, CaseEventEnvelope, Channel } from '@caseline/case-contracts';

/**
 * What the city's figures need to know about one case, folded from its events (docs/statistics.md
 * defines every figure from these facts). Nothing personal: no contact, no description, no notes.
 */
export interface CaseFacts {
  caseId: string;
  reference: string;
  /** Where the case came from: 'caseline', or the legacy system it was imported from. */
  source: string;
  serviceCode: string;
  serviceName: string;
  channel: Channel;
  /** The department responsible now ('' while no department has it: triage). */
  department: string;
  departmentName: string;
  /** The area the figures are kept by ('' when the case has no located area). */
  areaId: string;
  areaName: string;
  lat: number | null;
  long: number | null;
  reportedAt: string;
  /** The city's first visible step on the problem after routing: a department's status, a question to the reporter, a resolution. */
  firstActionAt: string | null;
  status: 'open' | 'resolved' | 'cancelled';
  /** The latest resolution (after a reopening, the one that closed it again). */
  resolvedAt: string | null;
  resolution: string | null;
  /** When it left the backlog (resolved or cancelled); null while open. */
  closedAt: string | null;
  dueAt: string | null;
  /** Linked as a repeat report of another case. */
  duplicateOf: string | null;
  referralHops: number;
  reopened: number;
  escalated: boolean;
  satisfaction: number | null;
}

/** The area layer figures are kept by, when a case lies in several (the first one present wins). */
export const AREA_LAYERS = ['council-district', 'community-district'];

const resolvedFacts = (facts: CaseFacts, at: string, resolution: string): CaseFacts => ({
  ...facts,
  status: 'resolved',
  resolvedAt: at,
  closedAt: at,
  resolution,
  firstActionAt: facts.firstActionAt ?? at,
});

/** The facts of a case after one more of its events (in case-version order). Returns undefined until it is reported. */
export function evolveFacts(facts: CaseFacts | undefined, envelope: CaseEventEnvelope): CaseFacts | undefined {
  const event = { type: envelope.type, data: envelope.data } as CaseEvent;
  const at = envelope.metadata.at;
  if (event.type === 'CaseReported') {
    // Defensive: one malformed event must not stop the city's figures for good.
    const location: Partial<{ lat: number; long: number }> = event.data.location ?? {};
    return {
      caseId: envelope.caseId,
      reference: String(event.data.reference ?? ''),
      source: envelope.metadata.importedFrom?.source ?? 'caseline',
      serviceCode: String(event.data.serviceCode ?? ''),
      serviceName: String(event.data.serviceName ?? ''),
      channel: event.data.channel ?? 'system',
      department: '',
      departmentName: '',
      areaId: '',
      areaName: '',
      lat: location.lat ?? null,
      long: location.long ?? null,
      reportedAt: at,
      firstActionAt: null,
      status: 'open',
      resolvedAt: null,
      resolution: null,
      closedAt: null,
      dueAt: null,
      duplicateOf: null,
      referralHops: 0,
      reopened: 0,
      escalated: false,
      satisfaction: null,
    };
  }
  if (!facts) return undefined;
  switch (event.type) {
    case 'CaseRouted': {
      const layer = AREA_LAYERS.find((name) => event.data.areas?.[name]);
      const area = layer ? event.data.areas?.[layer] : undefined;
      return {
        ...facts,
        department: event.data.department,
        departmentName: event.data.departmentName,
        dueAt: event.data.dueAt,
        ...(area ? { areaId: area.id, areaName: area.name } : {}),
      };
    }
    case 'DeadlineMoved':
      return { ...facts, dueAt: event.data.dueAt };
    case 'CaseReferred':
      return { ...facts, referralHops: Math.max(facts.referralHops, event.data.hop) };
    case 'WorkOrderStatusChanged':
      return event.data.status === 'rejected' ? facts : { ...facts, firstActionAt: facts.firstActionAt ?? at };
    case 'InformationRequested':
      return { ...facts, firstActionAt: facts.firstActionAt ?? at };
    case 'CaseResolved':
      return resolvedFacts(facts, at, event.data.resolution);
    case 'CaseCancelled':
      return { ...facts, status: 'cancelled', closedAt: at };
    case 'CaseReopened':
      return { ...facts, status: 'open', resolvedAt: null, resolution: null, closedAt: null, reopened: facts.reopened + 1 };
    case 'CaseEscalated':
      return { ...facts, escalated: true };
    case 'CaseLinked':
      return event.data.relation === 'duplicate-of' ? { ...facts, duplicateOf: event.data.relatedCaseId } : facts;
    case 'CaseUnlinked':
      return { ...facts, duplicateOf: null };
    case 'SatisfactionRecorded':
      return { ...facts, satisfaction: event.data.rating };
    default:
      return facts;
  }
}
