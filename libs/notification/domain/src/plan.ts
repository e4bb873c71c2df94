import type { Actor, CaseEvent, Channel, NotificationAudience, NotificationChannel, NotificationPurpose, ReporterContact } from '@caseline/case-contracts';
import type { Language, MessageFacts } from './templates';

/** A resident who hears of a case without having reported it: subscribed on the tracking page, or reported a duplicate of it. */
export interface Follower {
  email?: string;
  phone?: string;
  language?: Language;
  /** Duplicates' reporters hear of their own case's resolution, not this one's. */
  source: 'subscription' | 'duplicate';
  /** A duplicate's reporter hears of it under their own case's reference (it is their request too). */
  reference?: string;
}

/** What the planner knows of a case when one of its events arrives. */
export interface CaseSnapshot {
  reference: string;
  serviceName: string;
  /** The channel it was reported on. */
  channel: Channel;
  reporter?: ReporterContact;
  departmentName?: string;
  dueAt?: string;
  followers: Follower[];
  /** The partner system that submitted it (Open311 api_key), and partners that subscribed to it. */
  partners: string[];
}

/** Who besides residents is told, from the city's configuration. */
export interface Directory {
  department(code: string): { name: string; email?: string; supervisorEmail?: string } | undefined;
  /** Partners with a webhook (others are not told). */
  hasWebhook(partner: string): boolean;
}

/** One message owed: to whom, on which channel, about what. Its facts complete the case's for the template. */
export interface PlannedMessage {
  purpose: NotificationPurpose;
  audience: NotificationAudience;
  channel: NotificationChannel;
  /** An email address, a phone number, or a partner's name (webhooks). */
  to: string;
  language: Language;
  facts: Partial<MessageFacts>;
}

type Residents = 'reporter' | 'reporter-and-followers' | 'reporter-and-subscribers';

/** What the event means for residents: the purpose, who hears it, and its own facts. */
function residentMessage(event: CaseEvent, actor: Actor): { purpose: NotificationPurpose; to: Residents; facts: Partial<MessageFacts> } | undefined {
  switch (event.type) {
    case 'CaseRouted':
      return event.data.decidedBy === 'split' ? undefined : { purpose: 'assigned', to: 'reporter-and-followers', facts: { departmentName: event.data.departmentName, dueAt: event.data.dueAt } };
    case 'WorkOrderStatusChanged':
      if (event.data.status === 'scheduled') return { purpose: 'scheduled', to: 'reporter-and-followers', facts: event.data.scheduledFor ? { scheduledFor: event.data.scheduledFor } : {} };
      if (event.data.status === 'in_progress') return { purpose: 'in-progress', to: 'reporter-and-followers', facts: {} };
      return undefined;
    case 'InformationRequested':
      return { purpose: 'information-requested', to: 'reporter', facts: { question: event.data.question } };
    case 'CaseResolved':
      return { purpose: 'resolved', to: 'reporter-and-subscribers', facts: event.data.note ? { note: event.data.note } : {} };
    case 'CaseCancelled':
      // A resident who withdrew the request knows; anyone else's closing is explained.
      return actor.kind === 'resident' ? undefined : { purpose: 'closed', to: 'reporter-and-subscribers', facts: event.data.reason ? { note: event.data.reason } : {} };
    case 'CaseLinked':
      return event.data.relation === 'duplicate-of' ? { purpose: 'linked-as-duplicate', to: 'reporter', facts: { originalReference: event.data.relatedReference } } : undefined;
    default:
      return undefined;
  }
}

/** A resident's channel: email when they gave one, else text messages. */
function residentAddress(contact: { email?: string; phone?: string }): { channel: 'email' | 'sms'; to: string } | undefined {
  if (contact.email) return { channel: 'email', to: contact.email };
  if (contact.phone) return { channel: 'sms', to: contact.phone };
  return undefined;
}

/** Events a partner's webhook hears of: the steps its own users would want to see. */
const PARTNER_EVENTS = new Set<CaseEvent['type']>(['CaseRouted', 'WorkOrderStatusChanged', 'InformationRequested', 'CaseResolved', 'CaseCancelled', 'CaseReopened', 'CaseLinked']);

/**
 * Who is told what about one case event: the reporter (when they left a contact and did not opt out), residents who
 * follow the case, the department's contact (reminders, escalations), the district's council
 * member (escalations), and partner systems (a signed webhook). Pure: the caller supplies the case
 * and the city's directory, and sends what this returns. Messages an email channel answers itself
 * (the "received" reply to an emailed request) are not planned here.
 */
export function planNotifications(event: CaseEvent, actor: Actor, snapshot: CaseSnapshot, directory: Directory): PlannedMessage[] {
  const planned: PlannedMessage[] = [];
  const resident = (purpose: NotificationPurpose, audience: 'reporter' | 'follower', contact: { email?: string; phone?: string; language?: Language; reference?: string } | undefined, facts: Partial<MessageFacts>) => {
    const address = contact && residentAddress(contact);
    // A duplicate's reporter hears under their own reference (it is their request too); a subscriber, as someone who follows it.
    const own = contact?.reference ? { reference: contact.reference } : audience === 'follower' ? { following: true } : {};
    if (address) planned.push({ purpose, audience, ...address, language: contact.language ?? 'en', facts: { ...facts, ...own } });
  };

  // A reporter who opted out hears nothing.
  const reporter = snapshot.reporter?.notify === false ? undefined : snapshot.reporter;
  if (event.type === 'CaseReported' && snapshot.channel !== 'email') resident('received', 'reporter', reporter, {});
  const message = residentMessage(event, actor);
  if (message) {
    resident(message.purpose, 'reporter', reporter, message.facts);
    if (message.to !== 'reporter') {
      for (const follower of snapshot.followers) {
        if (message.to === 'reporter-and-followers' || follower.source === 'subscription') resident(message.purpose, 'follower', follower, message.facts);
      }
    }
  }

  if (event.type === 'DeadlineApproaching') {
    const department = directory.department(event.data.department);
    if (department?.email) planned.push({ purpose: 'deadline-approaching', audience: 'department', channel: 'email', to: department.email, language: 'en', facts: { departmentName: department.name, dueAt: event.data.dueAt } });
  }
  if (event.type === 'CaseEscalated') {
    const department = directory.department(event.data.department);
    const facts = { departmentName: department?.name ?? event.data.department, dueAt: event.data.dueAt };
    const supervisor = department?.supervisorEmail ?? department?.email;
    if (event.data.to.includes('supervisor') && supervisor) planned.push({ purpose: 'escalated', audience: 'department', channel: 'email', to: supervisor, language: 'en', facts });
    const member = event.data.councilMember;
    if (event.data.to.includes('council-member') && member?.email) {
      planned.push({ purpose: 'escalated', audience: 'council-member', channel: 'email', to: member.email, language: 'en', facts: { ...facts, district: member.district } });
    }
  }

  if (PARTNER_EVENTS.has(event.type)) {
    for (const partner of new Set(snapshot.partners)) {
      if (directory.hasWebhook(partner)) planned.push({ purpose: 'case-changed', audience: 'partner', channel: 'webhook', to: partner, language: 'en', facts: {} });
    }
  }

  // One message per person and channel, even when someone both reported and follows.
  const seen = new Set<string>();
  return planned.filter((p) => {
    const key = `${p.channel}:${p.channel === 'sms' ? p.to.replace(/\D/g, '') : p.to.trim().toLowerCase()}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
