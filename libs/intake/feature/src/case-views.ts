import type {
  Actor,
  AttributeAnswer,
  CaseEventEnvelope,
  CaseLinked,
  CaseReported,
  CaseResolved,
  CaseRouted,
  Channel,
  Location,
  ReporterContact,
  WorkOrderStatus,
} from '@caseline/case-contracts';
import { asCaseEvent, caseDecider, CaseStatus } from '@caseline/case-domain';
import { foldCase } from '@caseline/event-store';
import { reporterPreferences } from '@caseline/personal-data';
import { trackingUrl } from '@caseline/service-kit';

/** A case as POST /v1/cases answers it (also to a retry with the same Idempotency-Key). */
export interface CaseView {
  reference: string;
  id: string;
  status: CaseStatus;
  service: { code: string; name: string };
  department?: string;
  dueAt?: string;
  reportedAt: string;
  updatedAt: string;
  trackingUrl: string;
}

/** Staff only (GET /v1/cases/{reference}, and every case action): the whole case, internal notes included. */
export interface StaffCaseView extends CaseView {
  description: string;
  location: Location;
  channel: Channel;
  attributes?: Record<string, AttributeAnswer>;
  mediaUrl?: string;
  /** Language and notify; the contact itself only in GET /v1/cases/{reference}, each read recorded. */
  reporter?: ReporterContact;
  /** What the reporter marked private, likewise. */
  privateDetails?: string;
  /** The reporter's personal data was erased: their contact and private details can no longer be read. */
  personalData?: 'erased';
  priority?: CaseRouted['data']['priority'];
  workOrder?: { department: string; id: string; status?: WorkOrderStatus };
  resolution?: CaseResolved['data'] & { at: string };
  information: { at: string; actor: Actor; text?: string; mediaUrl?: string }[];
  notes: { at: string; actor: Actor; text: string }[];
  links: { reference: string; relation: CaseLinked['data']['relation']; at: string }[];
  /** This case follows another (a duplicate), confirmed by staff or not yet. */
  duplicateOf?: { reference: string; confirmed: boolean };
  /** How many residents reported this problem (this case and its duplicates). */
  reporters: number;
  /** The reporter was asked for information and the deadline waits for the answer. */
  waitingForInformation: boolean;
}


/** The case view of a case's whole history (oldest first; it must hold at least CaseReported). */
export function caseViewOf(history: CaseEventEnvelope[]): CaseView {
  const state = foldCase(caseDecider, history);
  if (!state.exists) throw new Error(`Case ${history[0]?.caseId} has no CaseReported event`);
  const reported = history[0].data as CaseReported['data'];
  return {
    reference: state.reference,
    id: history[0].caseId,
    status: state.status,
    service: { code: reported.serviceCode, name: reported.serviceName },
    department: state.department,
    dueAt: state.dueAt,
    reportedAt: history[0].metadata.at,
    updatedAt: history[history.length - 1].metadata.at,
    trackingUrl: trackingUrl(state.reference),
  };
}

export function staffViewOf(history: CaseEventEnvelope[]): StaffCaseView {
  const { description, location, channel, attributes, mediaUrl, reporter } = history[0].data as CaseReported['data'];
  const state = foldCase(caseDecider, history);
  const view: StaffCaseView = {
    ...caseViewOf(history),
    description,
    location,
    channel,
    ...(attributes ? { attributes } : {}),
    ...(mediaUrl ? { mediaUrl } : {}),
    ...(reporter ? { reporter: reporterPreferences(reporter) } : {}),
    ...(state.exists && state.workOrder ? { workOrder: state.workOrder } : {}),
    information: [],
    notes: [],
    links: [],
    ...(state.exists && state.duplicateOf ? { duplicateOf: { reference: state.duplicateOf.reference, confirmed: state.duplicateOf.confirmed } } : {}),
    reporters: state.exists ? state.duplicates.length + 1 : 1,
    waitingForInformation: state.exists && !!state.waitingForInformation,
  };
  for (const envelope of history) {
    const event = asCaseEvent(envelope);
    const { at, actor } = envelope.metadata;
    if (event.type === 'CaseRouted') view.priority = event.data.priority;
    if (event.type === 'CaseResolved') view.resolution = { ...event.data, at };
    if (event.type === 'CaseReopened') delete view.resolution;
    if (event.type === 'InformationAdded') view.information.push({ at, actor, ...event.data });
    if (event.type === 'NoteAdded') view.notes.push({ at, actor, text: event.data.text });
    if (event.type === 'CaseLinked') view.links.push({ reference: event.data.relatedReference, relation: event.data.relation, at });
    if (event.type === 'CaseUnlinked') view.links = view.links.filter((link) => link.reference !== event.data.relatedReference);
  }
  return view;
}
