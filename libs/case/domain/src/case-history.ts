import type { CaseEvent, CaseEventEnvelope, NotificationAudience } from '@caseline/case-contracts';

const statusWords: Record<string, string> = {
  acknowledged: 'accepted the work order',
  scheduled: 'scheduled the work',
  in_progress: 'started the work',
  completed: 'completed the work',
  rejected: 'rejected the work order',
  on_hold: 'put the work on hold, waiting for the reporter,',
  not_fixed: 'closed the work order without fixing it',
};

const AUDIENCE_WORDS: Record<NotificationAudience, string> = {
  reporter: 'Resident',
  follower: 'Follower',
  'council-member': 'Council member',
  department: 'Department contact',
  partner: 'Partner system',
};

/** The event inside an envelope, typed by its type (the log stores only known case events). */
export const asCaseEvent = (envelope: CaseEventEnvelope): CaseEvent => ({ type: envelope.type, data: envelope.data }) as CaseEvent;

/** One line a person can read in the case history. */
export function summarize(event: CaseEvent): string {
  switch (event.type) {
    case 'CaseReported':
      return `Reported "${event.data.serviceName}" via ${event.data.channel}; reference ${event.data.reference}`;
    case 'CaseRouted': {
      const { rule, reason, decidedBy, departmentName, dueAt, areas } = event.data;
      const why = rule
        ? `by rule ${rule.id} v${rule.version} (${rule.description})`
        : decidedBy === 'reopening'
          ? `back to the department that resolved it`
          : decidedBy === 'split'
            ? `as ${reason ?? 'a part of another request'}`
            : decidedBy === 'import'
              ? `as recorded in the legacy system${reason ? ` (${reason})` : ''}`
              : `by an operator${reason ? ` (${reason})` : ''}`;
      const where = areas && Object.keys(areas).length > 0 ? `; in ${Object.values(areas).map((a) => a.name).join(', ')}` : '';
      return `Assigned to ${departmentName} ${why}; due ${dueAt}${where}`;
    }
    case 'CaseSentToTriage':
      return `Sent to triage for an operator to decide: ${event.data.detail}`;
    case 'InformationRequested':
      return `The city asked the reporter: ${event.data.question} (the deadline waits for the answer)`;
    case 'DeadlineMoved':
      return `Deadline moved to ${event.data.dueAt} (was ${event.data.previousDueAt}): ${event.data.pausedMinutes} working minutes waiting for the reporter`;
    case 'DeadlineApproaching':
      return `Deadline ${event.data.dueAt} is near: reminder to ${event.data.department}${event.data.queue ? ` (${event.data.queue})` : ''}`;
    case 'CaseEscalated':
      return `Deadline ${event.data.dueAt} missed: escalated to ${event.data.to.map((t) => (t === 'council-member' && event.data.councilMember ? `${event.data.councilMember.name} (council district ${event.data.councilMember.district})` : `the ${event.data.department} supervisor`)).join(' and ')}`;
    case 'CaseReferred':
      return `Referred on by ${event.data.fromDepartment} (referral ${event.data.hop}): ${event.data.reason}`;
    case 'WorkOrderCreated':
      return `Work order ${event.data.workOrderId} created in ${event.data.system}`;
    case 'WorkOrderRefused':
      return `${event.data.system} refused the work order (${event.data.reason}); an operator will take it from here`;
    case 'WorkOrderStatusChanged':
      return `Department ${statusWords[event.data.status]} on work order ${event.data.workOrderId}${event.data.note ? `: ${event.data.note}` : ''}`;
    case 'CaseResolved':
      return `Resolved (${event.data.resolution})${event.data.note ? `: ${event.data.note}` : ''}`;
    case 'ResidentNotified':
      return `${AUDIENCE_WORDS[event.data.audience ?? 'reporter']} told "${event.data.purpose}" by ${event.data.channel}`;
    case 'CaseFollowed': {
      const { follower } = event.data;
      if ('partner' in follower) return `Partner system ${follower.partner} follows this request`;
      return 'email' in follower ? `A resident follows this request (${follower.email.replace(/^(.).*@/, '$1***@')})` : 'A resident follows this request';
    }
    case 'PersonalDataErased':
      return `The ${event.data.of}'s personal data was erased (${event.data.reason === 'request' ? 'at their request' : 'the retention period ended'}); the request stays for statistics`;
    case 'SatisfactionRecorded':
      return `The reporter rated the service ${event.data.rating}/5${event.data.comment ? `: ${event.data.comment}` : ''}`;
    case 'NotificationsStopped':
      return `${event.data.recipient} unsubscribed: no more messages by ${event.data.channel}`;
    case 'InformationAdded':
      return `Information added${event.data.text ? `: ${event.data.text}` : ''}${event.data.mediaUrl ? ` (${event.data.mediaUrl})` : ''}`;
    case 'NoteAdded':
      return `Internal note: ${event.data.text}`;
    case 'CaseCancelled':
      return `Cancelled${event.data.reason ? `: ${event.data.reason}` : ''}`;
    case 'CaseReopened':
      return `Reopened: ${event.data.reason}`;
    case 'CaseLinked':
      return event.data.distanceMeters !== undefined
        ? `Linked as a duplicate of ${event.data.relatedReference} (${event.data.distanceMeters} m away, ${event.data.policy}); the reporter follows it`
        : `Linked to ${event.data.relatedReference} (${event.data.relation})`;
    case 'CaseSplit':
      return `Split into ${event.data.children.map((c) => `${c.reference} (${c.department})`).join(', ')}: ${event.data.reason}`;
    case 'ChildCaseResolved':
      return `Part ${event.data.childReference} resolved (${event.data.resolution})${event.data.note ? `: ${event.data.note}` : ''}`;
    case 'CaseUnlinked':
      return `No longer a duplicate of ${event.data.relatedReference}: ${event.data.reason}`;
    case 'DuplicateConfirmed':
      return `Confirmed as a duplicate of ${event.data.originalReference}`;
    case 'DuplicateReported':
      return `Reported again as ${event.data.duplicateReference}: ${event.data.reporters} residents have reported this problem`;
    case 'DuplicateWithdrawn':
      return `${event.data.duplicateReference} is no longer counted as a duplicate: ${event.data.reporters} residents have reported this problem`;
    case 'ResidentNotificationFailed':
      return `Could not tell the ${AUDIENCE_WORDS[event.data.audience ?? 'reporter'].toLowerCase()} "${event.data.purpose}" by ${event.data.channel}: ${event.data.reason}`;
  }
}
