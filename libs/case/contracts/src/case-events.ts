import type { Channel } from './envelope';

/** Where: a point (with the address when known), or an address or the city's address id alone. */
export type Location =
  | { lat: number; long: number; address?: string; addressId?: string }
  | { address?: string; addressId?: string; lat?: undefined; long?: undefined };

/** An answer to one of the service's questions (catalog attributes), normalized by the catalog. */
export type AttributeAnswer = string | number | string[];

export interface ReporterContact {
  name?: string;
  email?: string;
  phone?: string;
  language?: 'en' | 'es';
}

export interface CaseReported {
  type: 'CaseReported';
  data: {
    reference: string;
    serviceCode: string;
    serviceName: string;
    description: string;
    location: Location;
    channel: Channel;
    reporter?: ReporterContact;
    /** Answers to the service's questions, by attribute code. */
    attributes?: Record<string, AttributeAnswer>;
    /** A photo or document the reporter linked (kept as a link, never fetched into the log). */
    mediaUrl?: string;
  };
}

export interface CaseRouted {
  type: 'CaseRouted';
  data: {
    department: string;
    departmentName: string;
    queue?: string;
    priority: 'low' | 'normal' | 'high' | 'urgent';
    dueAt: string;
    rule: { id: string; version: number; description: string };
    /** The facts of the case that the rule matched on, e.g. { serviceCode: 'STREETLIGHT' }. */
    matched: Record<string, string>;
  };
}

export interface WorkOrderCreated {
  type: 'WorkOrderCreated';
  data: {
    department: string;
    system: string;
    workOrderId: string;
  };
}

/** The department's system will never accept this work order (it answered 4xx); an operator must step in. */
export interface WorkOrderRefused {
  type: 'WorkOrderRefused';
  data: {
    department: string;
    system: string;
    /** The system's answer, e.g. "422 Unprocessable Content". */
    reason: string;
  };
}

/** The department's own status words, mapped honestly onto the case lifecycle. */
export type WorkOrderStatus = 'scheduled' | 'in_progress' | 'completed' | 'rejected';

export interface WorkOrderStatusChanged {
  type: 'WorkOrderStatusChanged';
  data: {
    department: string;
    workOrderId: string;
    status: WorkOrderStatus;
    departmentStatus: string;
    note?: string;
    scheduledFor?: string;
  };
}

export interface CaseResolved {
  type: 'CaseResolved';
  data: {
    resolution: 'fixed' | 'not-ours' | 'duplicate' | 'no-action-possible';
    note?: string;
  };
}

export type NotificationPurpose = 'received' | 'resolved';

export interface ResidentNotified {
  type: 'ResidentNotified';
  data: {
    notificationId: string;
    purpose: NotificationPurpose;
    channel: 'email' | 'sms';
    /** Masked recipient (never the full address in the history). */
    recipient: string;
  };
}

/** The resident's mail server refused the message for good (e.g. the mailbox does not exist). */
export interface ResidentNotificationFailed {
  type: 'ResidentNotificationFailed';
  data: {
    notificationId: string;
    purpose: NotificationPurpose;
    channel: 'email' | 'sms';
    /** The provider's answer, without the address: e.g. "SMTP 550". */
    reason: string;
  };
}

export type CaseEvent = CaseReported | CaseRouted | WorkOrderCreated | WorkOrderRefused | WorkOrderStatusChanged | CaseResolved | ResidentNotified | ResidentNotificationFailed;
export type CaseEventType = CaseEvent['type'];

export const CASE_EVENT_TYPES: readonly CaseEventType[] = [
  'CaseReported',
  'CaseRouted',
  'WorkOrderCreated',
  'WorkOrderRefused',
  'WorkOrderStatusChanged',
  'CaseResolved',
  'ResidentNotified',
  'ResidentNotificationFailed',
];

/** Current schema version of each event type's data. */
export const CASE_EVENT_SCHEMA_VERSION: Record<CaseEventType, number> = {
  CaseReported: 1,
  CaseRouted: 1,
  WorkOrderCreated: 1,
  WorkOrderRefused: 1,
  WorkOrderStatusChanged: 1,
  CaseResolved: 1,
  ResidentNotified: 1,
  ResidentNotificationFailed: 1,
};

export const isCaseEventType = (type: string): type is CaseEventType => (CASE_EVENT_TYPES as readonly string[]).includes(type);
