import { asCaseEvent } from '@caseline/case-domain';
import type { CaseEvent, CaseEventEnvelope, CaseReported } from '@caseline/case-contracts';
import type { ServiceDefinition } from '@caseline/catalog-domain';
import type { ExtendedAttribute, RequestNote, Service, ServiceDefinition as Open311Definition, ServiceRequest, ServiceRequestUpdate, UpdateStatus } from '@caseline/intake-open311';
import { w3cDateTime } from '@caseline/intake-open311';
import { publicSentence } from '../tracking/public-case';

/** A catalog entry as `GET services` lists it. */
export const open311Service = (service: ServiceDefinition): Service => ({
  service_code: service.code,
  service_name: service.name,
  description: service.description,
  metadata: service.attributes.length > 0,
  type: 'realtime',
  keywords: service.keywords,
  group: service.group,
});

/** A catalog entry's questions as `GET services/{code}` defines them. */
export const open311Definition = (service: ServiceDefinition): Open311Definition => ({
  service_code: service.code,
  attributes: service.attributes.map((attribute) => ({
    variable: attribute.variable,
    code: attribute.code,
    datatype: attribute.datatype,
    required: attribute.required,
    datatype_description: attribute.datatypeDescription || null,
    order: attribute.order,
    description: attribute.description,
    values: attribute.values,
  })),
});

/** One step of a case as Open311 shows it: its status word, and the public sentence for it. */
interface PublicStep {
  status: UpdateStatus;
  description: string;
  /** Our finer status word, for back offices that map it (FixMyStreet's external_status_code). */
  externalStatus: string;
}

const resolutionStatus = {
  fixed: 'fixed',
  duplicate: 'duplicate',
  'not-ours': 'not_councils_responsibility',
  'no-action-possible': 'no_further_action',
  'answered-at-first-contact': 'closed',
} as const;

function stepStatus(event: CaseEvent): Pick<PublicStep, 'status' | 'externalStatus'> | undefined {
  switch (event.type) {
    case 'CaseReported':
      return { status: 'open', externalStatus: 'received' };
    case 'CaseRouted':
      return { status: 'open', externalStatus: 'assigned' };
    case 'WorkOrderRefused':
    case 'CaseSentToTriage':
      return { status: 'for_triage', externalStatus: 'triage' };
    case 'CaseReferred':
      return { status: 'open', externalStatus: 'referred' };
    case 'InformationRequested':
      return { status: 'open', externalStatus: 'awaiting_information' };
    case 'WorkOrderStatusChanged':
      if (event.data.status === 'acknowledged') return { status: 'open', externalStatus: 'acknowledged' };
      if (event.data.status === 'on_hold') return { status: 'open', externalStatus: 'on_hold' };
      if (event.data.status === 'scheduled') return { status: 'action_scheduled', externalStatus: 'scheduled' };
      if (event.data.status === 'in_progress') return { status: 'in_progress', externalStatus: 'in_progress' };
      if (event.data.status === 'rejected') return { status: 'for_triage', externalStatus: 'triage' };
      return undefined; // completed: the CaseResolved that follows says it
    case 'CaseResolved':
      return { status: resolutionStatus[event.data.resolution], externalStatus: event.data.resolution };
    case 'CaseCancelled':
      return { status: 'closed', externalStatus: 'cancelled' };
    case 'CaseReopened':
      return { status: 'reopen', externalStatus: 'reopened' };
    default:
      return undefined;
  }
}

function publicStep(event: CaseEvent): PublicStep | undefined {
  const status = stepStatus(event);
  const sentence = publicSentence(event);
  return status && sentence ? { ...status, description: sentence.en } : undefined;
}


/** The updates a back office polls (`servicerequestupdates`): one per public step after the report. */
export function serviceRequestUpdates(history: CaseEventEnvelope[], timeZone: string): ServiceRequestUpdate[] {
  const reference = (history[0].data as CaseReported['data']).reference;
  return history.slice(1).flatMap((envelope) => {
    const step = publicStep(asCaseEvent(envelope));
    if (!step) return [];
    const update: ServiceRequestUpdate = {
      update_id: envelope.eventId,
      service_request_id: reference,
      status: step.status,
      updated_datetime: w3cDateTime(new Date(envelope.metadata.at), timeZone),
      description: step.description,
      media_url: null,
      external_status_code: step.externalStatus,
    };
    return [update];
  });
}

/**
 * The submitted answers, readable: list values by their names, one entry per chosen value. Free-text
 * answers (string, text) stay out: Open311 reads are public, and a plate number or a name is not.
 */
function extendedAttributes(reported: CaseReported['data'], service: ServiceDefinition | undefined): ExtendedAttribute[] {
  return Object.entries(reported.attributes ?? {}).flatMap(([code, answer]) => {
    const attribute = service?.attributes.find((a) => a.code === code);
    if (!attribute || attribute.datatype === 'string' || attribute.datatype === 'text') return [];
    return (Array.isArray(answer) ? answer : [answer]).map((value) => {
      const chosen = attribute?.values.find((v) => v.key === String(value));
      return { label: attribute?.description, name: code, value: chosen?.name ?? String(value), code: chosen?.key ?? String(value) };
    });
  });
}

/** A case as Open311 shows it, folded from its events; the extension fields only when asked for. */
export function serviceRequestOf(history: CaseEventEnvelope[], timeZone: string, service: ServiceDefinition | undefined, extensions: boolean): ServiceRequest {
  const reported = history[0].data as CaseReported['data'];
  const at = (envelope: CaseEventEnvelope) => w3cDateTime(new Date(envelope.metadata.at), timeZone);
  let status: ServiceRequest['status'] = 'open';
  let statusNotes: string | null = null;
  let agency: string | null = null;
  let expected: string | null = null;
  let updated = history[0];
  const notes: RequestNote[] = [];
  for (const envelope of history) {
    const event = asCaseEvent(envelope);
    if (event.type === 'CaseRouted') {
      agency = event.data.departmentName;
      expected = event.data.dueAt;
    }
    if (event.type === 'CaseResolved' || event.type === 'CaseCancelled') status = 'closed';
    if (event.type === 'CaseReopened') status = 'open';
    const step = publicStep(event);
    if (step) {
      updated = envelope;
      statusNotes = step.description;
      notes.push({ datetime: at(envelope), description: step.description, type: step.externalStatus });
    }
  }
  const { location } = reported;
  return {
    service_request_id: reported.reference,
    status,
    status_notes: statusNotes,
    service_name: reported.serviceName,
    service_code: reported.serviceCode,
    description: reported.description,
    agency_responsible: agency,
    service_notice: null,
    requested_datetime: at(history[0]),
    updated_datetime: at(updated),
    expected_datetime: expected ? w3cDateTime(new Date(expected), timeZone) : null,
    address: location.address ?? null,
    address_id: location.addressId ?? null,
    zipcode: null,
    lat: location.lat ?? null,
    long: location.long ?? null,
    media_url: reported.mediaUrl ?? null,
    ...(extensions ? { attributes: extendedAttributes(reported, service), extended_attributes: { channel: reported.channel }, notes } : {}),
  };
}
