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
  /** false: the reporter asked for no messages about the case (staff may still call back). */
  notify?: boolean;
}

/**
 * What a resident tells only the city: their contact details, and free text they marked private
 * (e.g. "gate code 1234, call before coming"). Never written to an event in clear (ADR 0014).
 */
export interface PersonalFields {
  name?: string;
  email?: string;
  phone?: string;
  privateDetails?: string;
}

/**
 * Personal fields sealed with the resident's own key (AES-256-GCM; @caseline/personal-data): `k`
 * names the key, `iv` and `ct` (ciphertext and tag) are base64. Once the key is destroyed (erasure,
 * retention) no copy of this value can be opened again.
 */
export interface SealedPersonalData {
  k: string;
  iv: string;
  ct: string;
}

export interface CaseReported {
  type: 'CaseReported';
  data: {
    reference: string;
    serviceCode: string;
    serviceName: string;
    /** The service's catalog group when reported, so routing decides on what intake saw. */
    serviceGroup?: string;
    description: string;
    location: Location;
    channel: Channel;
    /**
     * Schema 1: the reporter's contact in clear. Schema 2: only what is not personal (language,
     * notify); the contact and the private details are sealed in `personal`.
     */
    reporter?: ReporterContact;
    /** Schema 2: the reporter's PersonalFields, sealed with their key. */
    personal?: SealedPersonalData;
    /** Answers to the service's questions, by attribute code. */
    attributes?: Record<string, AttributeAnswer>;
    /** A photo or document the reporter linked (kept as a link, never fetched into the log). */
    mediaUrl?: string;
    /** A part of a multi-agency case, split off for another department. */
    parent?: { caseId: string; reference: string; department: string };
  };
}

/** A multi-agency problem split into child cases, one per department; the parent resolves when they all do. */
export interface CaseSplit {
  type: 'CaseSplit';
  data: {
    reason: string;
    children: { caseId: string; reference: string; department: string; serviceCode: string; description: string }[];
  };
}

/** On the parent: one of its child cases was resolved. */
export interface ChildCaseResolved {
  type: 'ChildCaseResolved';
  data: { childCaseId: string; childReference: string; resolution: string; note?: string };
}

/** The areas a located case lies in, by layer (e.g. council-district → { id: '3', name: 'Council District 3' }). */
export type CaseAreas = Record<string, { id: string; name: string }>;

/** Something routing noticed about the facts it decided on. */
export type RoutingFlag = 'location-outside-areas' | 'impossible-location';

/** A deadline in the department's business time. */
export type DeadlineTarget = { businessDays: number } | { businessHours: number };

export interface CaseRouted {
  type: 'CaseRouted';
  data: {
    department: string;
    departmentName: string;
    queue?: string;
    crew?: string;
    priority: 'low' | 'normal' | 'high' | 'urgent';
    dueAt: string;
    target?: DeadlineTarget;
    /** When the deadline's clock started (the report, a referral's refusal, a reopening): pauses are counted from it. */
    clockStartedAt?: string;
    /** The district's council member hears of it if the deadline is missed. */
    escalateToCouncilMember?: boolean;
    /**
     * Who chose the department: a routing rule, an operator deciding a case in triage, or a reopening
     * returning the case to the department that resolved it. Absent in events written before: a rule.
     * import: the department the legacy system recorded, for a case imported with its history
     * (metadata.importedFrom); no rule decided it.
     */
    decidedBy?: 'rule' | 'operator' | 'reopening' | 'split' | 'import';
    /** The rule (with the rule set's version) that decided, when a rule did. */
    rule?: { id: string; version: number; description: string };
    /** In the words of whoever decided, when it was not a rule. */
    reason?: string;
    /** The facts of the case that the rule matched on, e.g. { serviceCode: 'STREETLIGHT' }. */
    matched: Record<string, string>;
    areas?: CaseAreas;
    flags?: RoutingFlag[];
  };
}

/** No rule could place the case (or it was referred too often): it waits in triage for an operator. Never dropped. */
export interface CaseSentToTriage {
  type: 'CaseSentToTriage';
  data: {
    reason: 'no-rule-matched' | 'referral-limit-reached';
    detail: string;
    areas?: CaseAreas;
    flags?: RoutingFlag[];
  };
}

/** The department said the case is not theirs; routing decides again without it (the next event says where it went). */
export interface CaseReferred {
  type: 'CaseReferred';
  data: {
    fromDepartment: string;
    reason: string;
    /** How many times the case has been referred on, this one included. */
    hop: number;
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
/**
 * What departments report, mapped honestly: accepted is not done, scheduled is not done; only
 * completed (fixed) or not_fixed (with the department's reason) resolves; on_hold waits for the
 * reporter's information; rejected means "not ours" and goes back to routing.
 */
export type WorkOrderStatus = 'acknowledged' | 'scheduled' | 'in_progress' | 'on_hold' | 'completed' | 'not_fixed' | 'rejected';
export const WORK_ORDER_STATUSES: readonly WorkOrderStatus[] = ['acknowledged', 'scheduled', 'in_progress', 'on_hold', 'completed', 'not_fixed', 'rejected'];

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
    /** answered-at-first-contact: an information-only call, answered by the operator at intake. */
    resolution: 'fixed' | 'not-ours' | 'duplicate' | 'no-action-possible' | 'answered-at-first-contact';
    note?: string;
  };
}

/** The city asks the reporter for something it needs; the deadline's clock stops until they answer (InformationAdded). */
export interface InformationRequested {
  type: 'InformationRequested';
  data: { question: string };
}

/** The deadline moved: the clock was stopped while the city waited for the resident. */
export interface DeadlineMoved {
  type: 'DeadlineMoved';
  data: { dueAt: string; previousDueAt: string; reason: 'waited-for-information'; pausedMinutes: number };
}

/** The deadline is near: a reminder to the department's queue. Once per deadline. */
export interface DeadlineApproaching {
  type: 'DeadlineApproaching';
  data: { dueAt: string; department: string; queue?: string };
}

/** The deadline passed with the case still open: a supervisor (and, for some types, the district's council member) is told. Once per deadline. */
export interface CaseEscalated {
  type: 'CaseEscalated';
  data: {
    dueAt: string;
    department: string;
    to: ('supervisor' | 'council-member')[];
    councilMember?: { district: string; name: string; email?: string };
  };
}

/** The reporter (or an operator for them) adds to the case: more detail, a photo link. */
export interface InformationAdded {
  type: 'InformationAdded';
  data: { text?: string; mediaUrl?: string };
}

/** A staff note: internal, never shown to the public. */
export interface NoteAdded {
  type: 'NoteAdded';
  data: { text: string; internal: true };
}

/** The reporter withdrew the request. */
export interface CaseCancelled {
  type: 'CaseCancelled';
  data: { reason?: string };
}

/** "Not fixed": the reporter reopened a resolved case within the reopen window. */
export interface CaseReopened {
  type: 'CaseReopened';
  data: { reason: string };
}

/** Two cases are about the same thing (or related); recorded on the case that was linked. */
export interface CaseLinked {
  type: 'CaseLinked';
  data: {
    relatedCaseId: string;
    relatedReference: string;
    relation: 'related' | 'duplicate-of';
    /** For a duplicate found by routing: how far from the original, and the policy that matched. */
    distanceMeters?: number;
    policy?: string;
  };
}

/** Staff undid a duplicate link: the case stands on its own again (routing routes it). */
export interface CaseUnlinked {
  type: 'CaseUnlinked';
  data: { relatedCaseId: string; relatedReference: string; relation: 'duplicate-of'; reason: string };
}

/** Staff checked a duplicate link found by routing and agree. */
export interface DuplicateConfirmed {
  type: 'DuplicateConfirmed';
  data: { originalCaseId: string; originalReference: string };
}

/** On the original: another resident reported the same problem (the repeat-contact count). */
export interface DuplicateReported {
  type: 'DuplicateReported';
  data: { duplicateCaseId: string; duplicateReference: string; reporters: number };
}

/** On the original: a duplicate link was undone. */
export interface DuplicateWithdrawn {
  type: 'DuplicateWithdrawn';
  data: { duplicateCaseId: string; duplicateReference: string; reporters: number };
}

/** What a message is about: the steps a resident hears of, and what staff and partners are told. */
export type NotificationPurpose =
  | 'received'
  | 'assigned'
  | 'scheduled'
  | 'in-progress'
  | 'information-requested'
  | 'resolved'
  | 'closed'
  | 'linked-as-duplicate'
  | 'deadline-approaching'
  | 'escalated'
  | 'digest'
  | 'case-changed';

export type NotificationChannel = 'email' | 'sms' | 'webhook';

/** Who is told: the reporter, a resident following the case, the district's council member, the department's contact, a partner system. */
export type NotificationAudience = 'reporter' | 'follower' | 'council-member' | 'department' | 'partner';

/** A message was accepted for delivery (SMTP server, SMS provider, partner's webhook). The name predates other audiences than residents. */
export interface ResidentNotified {
  type: 'ResidentNotified';
  data: {
    notificationId: string;
    purpose: NotificationPurpose;
    channel: NotificationChannel;
    /** Masked recipient (never the full address in the history). */
    recipient: string;
    /** Absent on events before audiences: the reporter. */
    audience?: NotificationAudience;
  };
}

/** A message could not be delivered: refused for good (the mailbox does not exist, an invalid number) or failed every retry. */
export interface ResidentNotificationFailed {
  type: 'ResidentNotificationFailed';
  data: {
    notificationId: string;
    purpose: NotificationPurpose;
    channel: NotificationChannel;
    /** The provider's answer, without the address: e.g. "SMTP 550". */
    reason: string;
    audience?: NotificationAudience;
  };
}

/**
 * Someone asked for updates on this case: a resident (from its tracking page, confirmed from their
 * mailbox) or a partner system (its API key). Schema 1 held the resident's email in clear; schema 2
 * seals it (PersonalFields { email }) with the follower's own key.
 */
export interface CaseFollowed {
  type: 'CaseFollowed';
  data: { follower: { email: string; language: 'en' | 'es' } | { personal: SealedPersonalData; language: 'en' | 'es' } | { partner: string } };
}

/**
 * A resident's key was destroyed (at their request, or when the retention period ran out): the
 * personal data of the reporter (or of a follower) of this case can no longer be read anywhere.
 * The case and its history stay, for statistics. Holds nothing personal.
 */
export interface PersonalDataErased {
  type: 'PersonalDataErased';
  data: { reason: 'request' | 'retention'; of: 'reporter' | 'follower' };
}

/** The reporter answered the satisfaction survey sent after the resolution. */
export interface SatisfactionRecorded {
  type: 'SatisfactionRecorded';
  data: { rating: 1 | 2 | 3 | 4 | 5; comment?: string };
}

/** Someone used the unsubscribe link of a message about this case: nothing more goes to that address on that channel. */
export interface NotificationsStopped {
  type: 'NotificationsStopped';
  data: { channel: NotificationChannel; recipient: string; audience?: NotificationAudience };
}

export type CaseEvent = PersonalDataErased | CaseSplit | ChildCaseResolved | CaseUnlinked | DuplicateConfirmed | DuplicateReported | DuplicateWithdrawn | CaseReported | CaseRouted | CaseSentToTriage | CaseReferred | InformationRequested | DeadlineMoved | DeadlineApproaching | CaseEscalated | WorkOrderCreated | WorkOrderRefused | WorkOrderStatusChanged | CaseResolved | ResidentNotified | ResidentNotificationFailed | NotificationsStopped | CaseFollowed | SatisfactionRecorded | InformationAdded | NoteAdded | CaseCancelled | CaseReopened | CaseLinked;
export type CaseEventType = CaseEvent['type'];

export const CASE_EVENT_TYPES: readonly CaseEventType[] = [
  'CaseReported',
  'CaseRouted',
  'CaseSentToTriage',
  'CaseReferred',
  'InformationRequested',
  'DeadlineMoved',
  'DeadlineApproaching',
  'CaseEscalated',
  'WorkOrderCreated',
  'WorkOrderRefused',
  'WorkOrderStatusChanged',
  'CaseResolved',
  'ResidentNotified',
  'ResidentNotificationFailed',
  'NotificationsStopped',
  'CaseFollowed',
  'SatisfactionRecorded',
  'InformationAdded',
  'NoteAdded',
  'CaseCancelled',
  'CaseReopened',
  'CaseLinked',
  'CaseUnlinked',
  'DuplicateConfirmed',
  'DuplicateReported',
  'DuplicateWithdrawn',
  'CaseSplit',
  'ChildCaseResolved',
  'PersonalDataErased',
];

/** Current schema version of each event type's data. */
export const CASE_EVENT_SCHEMA_VERSION: Record<CaseEventType, number> = {
  // 2: personal data sealed (ADR 0014); readers still take schema 1's clear contact.
  CaseReported: 2,
  CaseRouted: 1,
  CaseSentToTriage: 1,
  CaseReferred: 1,
  InformationRequested: 1,
  DeadlineMoved: 1,
  DeadlineApproaching: 1,
  CaseEscalated: 1,
  WorkOrderCreated: 1,
  WorkOrderRefused: 1,
  WorkOrderStatusChanged: 1,
  CaseResolved: 1,
  ResidentNotified: 1,
  ResidentNotificationFailed: 1,
  NotificationsStopped: 1,
  CaseFollowed: 2,
  SatisfactionRecorded: 1,
  InformationAdded: 1,
  NoteAdded: 1,
  CaseCancelled: 1,
  CaseReopened: 1,
  CaseLinked: 1,
  CaseUnlinked: 1,
  DuplicateConfirmed: 1,
  DuplicateReported: 1,
  DuplicateWithdrawn: 1,
  CaseSplit: 1,
  ChildCaseResolved: 1,
  PersonalDataErased: 1,
};

export const isCaseEventType = (type: string): type is CaseEventType => (CASE_EVENT_TYPES as readonly string[]).includes(type);
