import type {
  CaseEvent,
  CaseReported,
  CaseEscalated,
  CaseSplit,
  ChildCaseResolved,
  CaseReferred,
  CaseRouted,
  DeadlineMoved,
  CaseSentToTriage,
  ReporterContact,
  ResidentNotified,
  ResidentNotificationFailed,
  NotificationsStopped,
  CaseFollowed,
  PersonalDataErased,
  SatisfactionRecorded,
  InformationAdded,
  CaseCancelled,
  CaseReopened,
  CaseLinked,
  WorkOrderCreated,
  WorkOrderRefused,
  WorkOrderStatus,
  WorkOrderStatusChanged,
} from '@caseline/case-contracts';

/** The lifecycle words residents see. */
export type CaseStatus = 'received' | 'assigned' | 'scheduled' | 'in_progress' | 'resolved' | 'cancelled';

export type CaseState =
  | { exists: false }
  | {
      exists: true;
      reference: string;
      serviceCode: string;
      status: CaseStatus;
      reporter?: ReporterContact;
      department?: string;
      /** The department's queue the case is in, when the routing named one. */
      queue?: string;
      dueAt?: string;
      /** `stage`: how far the work got (statuses arriving late or out of order never move it back). */
      workOrder?: { department: string; id: string; status?: WorkOrderStatus; stage?: number };
      /** The department's system refused the work order; the case waits for an operator. */
      workOrderRefused?: boolean;
      notificationIds: string[];
      /** Cases this one is linked to. */
      links: string[];
      /** Waiting in triage for an operator to choose the department. */
      inTriage?: boolean;
      /** Departments that referred the case on ("not ours"), in order. */
      referredBy: string[];
      /** The department whose work resolved the case (a reopening goes back to it). */
      resolvedBy?: string;
      /** The city asked the reporter for information and waits: the deadline's clock is stopped. */
      waitingForInformation?: boolean;
      /** The deadlines already reminded of and escalated (each happens once per deadline). */
      remindedFor?: string;
      escalatedFor?: string;
      /** This case is a duplicate of that one (it follows it, and is settled with it). */
      duplicateOf?: { caseId: string; reference: string; confirmed: boolean };
      /** On an original: the cases linked to it as duplicates. */
      duplicates: string[];
      /** Child cases split off for other departments, and whether each is resolved. */
      children: { caseId: string; reference: string; resolved: boolean }[];
      /** Who follows it: residents' normalized emails (resident:<key> once sealed), partner:<name> for partner systems. */
      followers?: string[];
      /** The reporter's survey answer, once. */
      satisfaction?: number;
    };

/** With `answeredAtFirstContact`, an operator answered an information-only call: reported and resolved at once. */
export type ReportCase = { type: 'ReportCase'; data: CaseReported['data']; answeredAtFirstContact?: { answer: string } };
export type AddInformation = { type: 'AddInformation'; data: InformationAdded['data'] };
export type AddNote = { type: 'AddNote'; data: { text: string } };
export type CancelCase = { type: 'CancelCase'; data: CaseCancelled['data'] };
/** The reopen window is the caller's policy (it knows when the case was resolved); the decider checks the state. */
export type ReopenCase = { type: 'ReopenCase'; data: CaseReopened['data'] };
export type LinkCase = { type: 'LinkCase'; data: CaseLinked['data'] };
export type RouteCase = { type: 'RouteCase'; data: CaseRouted['data'] };
export type SendToTriage = { type: 'SendToTriage'; data: CaseSentToTriage['data'] };
/** The department refused the case; routing's next decision (a department, or triage) is recorded with the referral, atomically. */
export type ReferCase = {
  type: 'ReferCase';
  data: { fromDepartment: string; reason: string; next: { route: CaseRouted['data'] } | { triage: CaseSentToTriage['data'] } };
};
export type RecordWorkOrderCreated = { type: 'RecordWorkOrderCreated'; data: WorkOrderCreated['data'] };
export type RecordWorkOrderRefused = { type: 'RecordWorkOrderRefused'; data: WorkOrderRefused['data'] };
export type RecordWorkOrderStatus = { type: 'RecordWorkOrderStatus'; data: WorkOrderStatusChanged['data'] };
export type RecordResidentNotified = { type: 'RecordResidentNotified'; data: ResidentNotified['data'] };
export type RecordResidentNotificationFailed = { type: 'RecordResidentNotificationFailed'; data: ResidentNotificationFailed['data'] };
export type FollowCase = { type: 'FollowCase'; data: CaseFollowed['data'] };
/** A resident's key was destroyed: recorded on each case that held their data (once per key, by its event id). */
export type RecordPersonalDataErased = { type: 'RecordPersonalDataErased'; data: PersonalDataErased['data'] };
export type RecordSatisfaction = { type: 'RecordSatisfaction'; data: SatisfactionRecorded['data'] };
/** An address unsubscribed through a message about this case (the notification service records it once). */
export type StopNotifications = { type: 'StopNotifications'; data: NotificationsStopped['data'] };
export type SplitCase = { type: 'SplitCase'; data: CaseSplit['data'] };
export type RecordChildResolved = { type: 'RecordChildResolved'; data: ChildCaseResolved['data'] };
/** Routing found an open case of the same kind nearby: this new case follows it instead of being routed. */
export type LinkAsDuplicate = { type: 'LinkAsDuplicate'; data: CaseLinked['data'] & { relation: 'duplicate-of' } };
export type ConfirmDuplicate = { type: 'ConfirmDuplicate'; data: Record<string, never> };
export type UnlinkDuplicate = { type: 'UnlinkDuplicate'; data: { reason: string } };
/** On the original: count (or stop counting) a duplicate. */
export type CountDuplicate = { type: 'CountDuplicate'; data: { duplicateCaseId: string; duplicateReference: string } };
export type WithdrawDuplicate = { type: 'WithdrawDuplicate'; data: { duplicateCaseId: string; duplicateReference: string } };
/** The original was resolved: its duplicates are resolved with it. */
export type SettleDuplicate = { type: 'SettleDuplicate'; data: { note?: string } };
export type RequestInformation = { type: 'RequestInformation'; data: { question: string } };
export type MoveDeadline = { type: 'MoveDeadline'; data: DeadlineMoved['data'] };
/** Timers: the decider fills in the deadline in force, so a stale timer can only act on the current one. */
export type RemindDeadline = { type: 'RemindDeadline'; data: Record<string, never> };
export type EscalateCase = { type: 'EscalateCase'; data: { to: CaseEscalated['data']['to']; councilMember?: CaseEscalated['data']['councilMember'] } };
export type CaseCommand = RecordPersonalDataErased | SplitCase | RecordChildResolved | LinkAsDuplicate | ConfirmDuplicate | UnlinkDuplicate | CountDuplicate | WithdrawDuplicate | SettleDuplicate | RequestInformation | MoveDeadline | RemindDeadline | EscalateCase | ReportCase | RouteCase | SendToTriage | ReferCase | RecordWorkOrderCreated | RecordWorkOrderRefused | RecordWorkOrderStatus | RecordResidentNotified | RecordResidentNotificationFailed | StopNotifications | FollowCase | RecordSatisfaction | AddInformation | AddNote | CancelCase | ReopenCase | LinkCase;

export type CaseErrorCode = 'already-answered' | 'case-already-exists' | 'case-not-found' | 'case-not-routed' | 'already-waiting' | 'not-a-duplicate' | 'unknown-work-order' | 'case-closed' | 'case-not-resolved' | 'invalid-link';

/** A broken invariant: the command cannot apply to this case. Mapped to HTTP once, at the edge. */
export class CaseDomainError extends Error {
  constructor(
    readonly code: CaseErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CaseDomainError';
  }
}

export const initialState = (): CaseState => ({ exists: false });

export function decide(command: CaseCommand, state: CaseState): CaseEvent[] {
  if (command.type === 'ReportCase') {
    if (state.exists) throw new CaseDomainError('case-already-exists', `Case ${state.reference} already exists`);
    const reported: CaseEvent = { type: 'CaseReported', data: command.data };
    return command.answeredAtFirstContact
      ? [reported, { type: 'CaseResolved', data: { resolution: 'answered-at-first-contact', note: command.answeredAtFirstContact.answer } }]
      : [reported];
  }
  if (!state.exists) throw new CaseDomainError('case-not-found', 'No such case');

  switch (command.type) {
    case 'RouteCase':
      // Routing a case that already has an owner is a referral (ReferCase), not a second routing.
      // A duplicate follows its original; it is routed only once unlinked.
      return state.status === 'received' && !state.duplicateOf ? [{ type: 'CaseRouted', data: command.data }] : [];

    case 'SendToTriage':
      return state.status === 'received' && !state.inTriage && !state.duplicateOf ? [{ type: 'CaseSentToTriage', data: command.data }] : [];

    case 'ReferCase': {
      // Only the department that holds the case can refer it on, once (a redelivered rejection adds nothing).
      if (state.department !== command.data.fromDepartment || state.status === 'resolved' || state.status === 'cancelled') return [];
      const { fromDepartment, reason, next } = command.data;
      const referred: CaseReferred = { type: 'CaseReferred', data: { fromDepartment, reason, hop: state.referredBy.length + 1 } };
      return [referred, 'route' in next ? { type: 'CaseRouted', data: next.route } : { type: 'CaseSentToTriage', data: next.triage }];
    }

    case 'RecordWorkOrderCreated':
      if (!state.department) throw new CaseDomainError('case-not-routed', `Case ${state.reference} has no department yet`);
      return state.workOrder?.id === command.data.workOrderId ? [] : [{ type: 'WorkOrderCreated', data: command.data }];

    case 'RecordWorkOrderRefused':
      if (!state.department) throw new CaseDomainError('case-not-routed', `Case ${state.reference} has no department yet`);
      return state.workOrder || state.workOrderRefused ? [] : [{ type: 'WorkOrderRefused', data: command.data }];

    case 'RecordWorkOrderStatus': {
      const workOrder = state.workOrder;
      if (!workOrder || workOrder.id !== command.data.workOrderId || workOrder.department !== command.data.department) {
        throw new CaseDomainError('unknown-work-order', `Work order ${command.data.workOrderId} does not belong to case ${state.reference}`);
      }
      const { status, note } = command.data;
      if (state.status === 'resolved' || state.status === 'cancelled' || workOrder.status === status) return [];
      // A status from an earlier stage than the work has reached arrived late: it changes nothing.
      if (status !== 'on_hold' && status !== 'rejected' && WORK_STAGE[status] < (workOrder.stage ?? 0)) return [];
      const changed: CaseEvent = { type: 'WorkOrderStatusChanged', data: command.data };
      if (status === 'on_hold') {
        // Waiting for the reporter: the deadline's clock stops (routing), as when staff ask.
        return state.waitingForInformation ? [changed] : [changed, { type: 'InformationRequested', data: { question: note ?? `${workOrder.department} needs more information to go on` } }];
      }
      // Scheduled is not done: only the department's completed (fixed) or not_fixed (with its
      // reason) resolves the case — and a case split into parts only once its children are resolved too.
      const childrenOpen = state.children.some((c) => !c.resolved);
      if (childrenOpen || (status !== 'completed' && status !== 'not_fixed')) return [changed];
      return [changed, { type: 'CaseResolved', data: { resolution: status === 'completed' ? 'fixed' : 'no-action-possible', ...(note ? { note } : {}) } }];
    }

    case 'RecordResidentNotified':
      return state.notificationIds.includes(command.data.notificationId) ? [] : [{ type: 'ResidentNotified', data: command.data }];

    case 'RecordResidentNotificationFailed':
      return state.notificationIds.includes(command.data.notificationId) ? [] : [{ type: 'ResidentNotificationFailed', data: command.data }];

    case 'StopNotifications':
      return [{ type: 'NotificationsStopped', data: command.data }];

    case 'FollowCase': {
      if (state.status === 'resolved' || state.status === 'cancelled') throw new CaseDomainError('case-closed', `Case ${state.reference} is ${state.status}: there is nothing more to follow`);
      const { follower } = command.data;
      const normalized = 'email' in follower ? { ...follower, email: follower.email.trim().toLowerCase() } : follower;
      return (state.followers ?? []).includes(followerKey(normalized)) ? [] : [{ type: 'CaseFollowed', data: { follower: normalized } }];
    }

    case 'RecordSatisfaction':
      if (state.status !== 'resolved') throw new CaseDomainError('case-not-resolved', `Case ${state.reference} is not resolved: the survey comes after`);
      if (state.satisfaction !== undefined) throw new CaseDomainError('already-answered', `The survey of case ${state.reference} was already answered`);
      return [{ type: 'SatisfactionRecorded', data: command.data }];

    case 'RecordPersonalDataErased':
      return [{ type: 'PersonalDataErased', data: command.data }];

    case 'SplitCase':
      if (state.status === 'resolved' || state.status === 'cancelled') throw new CaseDomainError('case-closed', `Case ${state.reference} is ${state.status}`);
      return command.data.children.length > 0 ? [{ type: 'CaseSplit', data: command.data }] : [];

    case 'RecordChildResolved': {
      const child = state.children.find((c) => c.caseId === command.data.childCaseId);
      if (!child || child.resolved) return [];
      const recorded: CaseEvent = { type: 'ChildCaseResolved', data: command.data };
      const othersDone = state.children.every((c) => c.resolved || c.caseId === child.caseId);
      const ownWorkDone = !state.workOrder || state.workOrder.status === 'completed';
      if (!othersDone || !ownWorkDone || state.status === 'resolved' || state.status === 'cancelled') return [recorded];
      const parts = state.children.map((c) => c.reference).join(', ');
      return [recorded, { type: 'CaseResolved', data: { resolution: 'fixed', note: `Every part of the request was done (${parts})` } }];
    }

    case 'LinkAsDuplicate':
      // Only a case nobody owns yet; a redelivery finds it linked (or routed) and adds nothing.
      if (state.status !== 'received' || state.duplicateOf || state.inTriage || state.department) return [];
      if (command.data.relatedReference === state.reference) throw new CaseDomainError('invalid-link', 'A case cannot be linked to itself');
      return [{ type: 'CaseLinked', data: command.data }];

    case 'ConfirmDuplicate':
      if (!state.duplicateOf) throw new CaseDomainError('not-a-duplicate', `Case ${state.reference} is not linked as a duplicate`);
      return state.duplicateOf.confirmed ? [] : [{ type: 'DuplicateConfirmed', data: { originalCaseId: state.duplicateOf.caseId, originalReference: state.duplicateOf.reference } }];

    case 'UnlinkDuplicate': {
      if (!state.duplicateOf) throw new CaseDomainError('not-a-duplicate', `Case ${state.reference} is not linked as a duplicate`);
      if (state.status === 'resolved' || state.status === 'cancelled') throw new CaseDomainError('case-closed', `Case ${state.reference} is ${state.status}`);
      const { caseId, reference } = state.duplicateOf;
      return [{ type: 'CaseUnlinked', data: { relatedCaseId: caseId, relatedReference: reference, relation: 'duplicate-of', reason: command.data.reason } }];
    }

    case 'CountDuplicate':
      if (state.duplicates.includes(command.data.duplicateCaseId)) return [];
      return [{ type: 'DuplicateReported', data: { ...command.data, reporters: state.duplicates.length + 2 } }];

    case 'WithdrawDuplicate':
      if (!state.duplicates.includes(command.data.duplicateCaseId)) return [];
      return [{ type: 'DuplicateWithdrawn', data: { ...command.data, reporters: state.duplicates.length } }];

    case 'SettleDuplicate':
      if (!state.duplicateOf || state.status === 'resolved' || state.status === 'cancelled') return [];
      return [{ type: 'CaseResolved', data: { resolution: 'duplicate', note: `Resolved together with request ${state.duplicateOf.reference}${command.data.note ? `: ${command.data.note}` : ''}` } }];

    case 'RequestInformation':
      if (state.status === 'resolved' || state.status === 'cancelled') throw new CaseDomainError('case-closed', `Case ${state.reference} is ${state.status}`);
      if (!state.department) throw new CaseDomainError('case-not-routed', `Case ${state.reference} has no department yet`);
      if (state.waitingForInformation) throw new CaseDomainError('already-waiting', `Case ${state.reference} already waits for the reporter's answer`);
      return [{ type: 'InformationRequested', data: command.data }];

    case 'MoveDeadline':
      return state.dueAt === command.data.previousDueAt && state.dueAt !== command.data.dueAt ? [{ type: 'DeadlineMoved', data: command.data }] : [];

    case 'RemindDeadline': {
      const open = state.department && state.dueAt && !state.waitingForInformation && state.status !== 'resolved' && state.status !== 'cancelled';
      return open && state.remindedFor !== state.dueAt ? [{ type: 'DeadlineApproaching', data: { dueAt: state.dueAt!, department: state.department!, ...(state.queue ? { queue: state.queue } : {}) } }] : [];
    }

    case 'EscalateCase': {
      const open = state.department && state.dueAt && !state.waitingForInformation && state.status !== 'resolved' && state.status !== 'cancelled';
      if (!open || state.escalatedFor === state.dueAt) return [];
      const escalated: CaseEscalated = { type: 'CaseEscalated', data: { dueAt: state.dueAt!, department: state.department!, ...command.data } };
      return [escalated];
    }

    case 'AddInformation':
      if (state.status === 'cancelled') throw new CaseDomainError('case-closed', `Case ${state.reference} was cancelled`);
      return [{ type: 'InformationAdded', data: command.data }];

    case 'AddNote':
      return [{ type: 'NoteAdded', data: { text: command.data.text, internal: true } }];

    case 'CancelCase':
      if (state.status === 'cancelled') return [];
      if (state.status === 'resolved') throw new CaseDomainError('case-closed', `Case ${state.reference} is already resolved`);
      return [{ type: 'CaseCancelled', data: command.data }];

    case 'ReopenCase':
      if (state.status !== 'resolved') throw new CaseDomainError('case-not-resolved', `Case ${state.reference} is not resolved, so it cannot be reopened`);
      return [{ type: 'CaseReopened', data: command.data }];

    case 'LinkCase':
      if (command.data.relatedReference === state.reference) throw new CaseDomainError('invalid-link', 'A case cannot be linked to itself');
      return state.links.includes(command.data.relatedCaseId) ? [] : [{ type: 'CaseLinked', data: command.data }];
  }
}

/** One follower once: a sealed address is known by its resident's key (the same address always finds the same key). */
const followerKey = (follower: CaseFollowed['data']['follower']): string =>
  'partner' in follower ? `partner:${follower.partner}` : 'personal' in follower ? `resident:${follower.personal.k}` : follower.email;

/** How far along the work is; a status of a lower stage never moves a case back. */
const WORK_STAGE: Record<WorkOrderStatus, number> = { acknowledged: 1, scheduled: 2, in_progress: 3, on_hold: 0, completed: 4, not_fixed: 4, rejected: 0 };

const statusAfterWorkOrder: Record<WorkOrderStatus, CaseStatus> = {
  acknowledged: 'assigned',
  scheduled: 'scheduled',
  in_progress: 'in_progress',
  completed: 'in_progress',
  not_fixed: 'in_progress',
  on_hold: 'in_progress',
  rejected: 'assigned',
};

export function evolve(state: CaseState, event: CaseEvent): CaseState {
  if (event.type === 'CaseReported') {
    const { reference, serviceCode, reporter } = event.data;
    return { exists: true, reference, serviceCode, reporter, status: 'received', notificationIds: [], links: [], referredBy: [], duplicates: [], children: [] };
  }
  if (!state.exists) return state;
  switch (event.type) {
    case 'CaseRouted':
      // A new owner starts afresh: any earlier department's work order is not theirs.
      return { ...state, status: 'assigned', department: event.data.department, queue: event.data.queue, dueAt: event.data.dueAt, inTriage: false, workOrder: undefined, workOrderRefused: false, waitingForInformation: false };
    case 'CaseSentToTriage':
      return { ...state, status: 'received', department: undefined, queue: undefined, dueAt: undefined, inTriage: true };
    case 'CaseReferred':
      return { ...state, status: 'received', department: undefined, queue: undefined, dueAt: undefined, workOrder: undefined, referredBy: [...state.referredBy, event.data.fromDepartment] };
    case 'WorkOrderRefused':
      return { ...state, workOrderRefused: true };
    case 'WorkOrderCreated':
      return { ...state, workOrder: { department: event.data.department, id: event.data.workOrderId } };
    case 'WorkOrderStatusChanged':
      return {
        ...state,
        // On hold keeps the lifecycle word the case had (the history says it waits for the reporter).
        status: event.data.status === 'on_hold' ? state.status : statusAfterWorkOrder[event.data.status],
        workOrder: state.workOrder && { ...state.workOrder, status: event.data.status, stage: Math.max(state.workOrder.stage ?? 0, WORK_STAGE[event.data.status]) },
      };
    case 'CaseResolved':
      return { ...state, status: 'resolved', resolvedBy: state.department };
    case 'ResidentNotified':
    case 'ResidentNotificationFailed':
      return { ...state, notificationIds: [...state.notificationIds, event.data.notificationId] };
    case 'CaseCancelled':
      return { ...state, status: 'cancelled' };
    case 'CaseReopened':
      // Back to routing, which returns it to the department that resolved it (or routes it, if none did).
      return { ...state, status: 'received', department: undefined, workOrder: undefined };
    case 'CaseLinked':
      return {
        ...state,
        links: [...state.links, event.data.relatedCaseId],
        ...(event.data.relation === 'duplicate-of' ? { duplicateOf: { caseId: event.data.relatedCaseId, reference: event.data.relatedReference, confirmed: false } } : {}),
      };
    case 'CaseUnlinked':
      return { ...state, links: state.links.filter((id) => id !== event.data.relatedCaseId), duplicateOf: undefined };
    case 'DuplicateConfirmed':
      return state.duplicateOf ? { ...state, duplicateOf: { ...state.duplicateOf, confirmed: true } } : state;
    case 'DuplicateReported':
      return { ...state, duplicates: [...state.duplicates, event.data.duplicateCaseId] };
    case 'CaseSplit':
      return { ...state, children: [...state.children, ...event.data.children.map(({ caseId, reference }) => ({ caseId, reference, resolved: false }))] };
    case 'ChildCaseResolved':
      return { ...state, children: state.children.map((c) => (c.caseId === event.data.childCaseId ? { ...c, resolved: true } : c)) };
    case 'DuplicateWithdrawn':
      return { ...state, duplicates: state.duplicates.filter((id) => id !== event.data.duplicateCaseId) };
    case 'InformationRequested':
      return { ...state, waitingForInformation: true };
    case 'InformationAdded':
      return { ...state, waitingForInformation: false };
    case 'DeadlineMoved':
      return { ...state, dueAt: event.data.dueAt };
    case 'DeadlineApproaching':
      return { ...state, remindedFor: event.data.dueAt };
    case 'CaseEscalated':
      return { ...state, escalatedFor: event.data.dueAt };
    case 'CaseFollowed':
      return { ...state, followers: [...(state.followers ?? []), followerKey(event.data.follower)] };
    case 'SatisfactionRecorded':
      return { ...state, satisfaction: event.data.rating };
    case 'NoteAdded':
    case 'NotificationsStopped':
    case 'PersonalDataErased':
      return state;
  }
}

export const caseDecider = { decide, evolve, initialState };
export type CaseDecider = typeof caseDecider;
