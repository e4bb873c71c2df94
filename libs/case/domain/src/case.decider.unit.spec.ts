import type { CaseEvent } from '@caseline/case-contracts';
import { CaseCommand, CaseDomainError, caseDecider } from './case.decider';
import { deciderSpec } from './decider-spec';

const spec = deciderSpec(caseDecider);

const reported = (): CaseEvent => ({
  type: 'CaseReported',
  data: {
    reference: '100-000-019',
    serviceCode: 'STREETLIGHT',
    serviceName: 'Streetlight out',
    description: 'The light on the corner is dark',
    location: { lat: 40.75, long: -73.99 },
    channel: 'web',
    reporter: { email: 'ana@example.org', language: 'en' },
  },
});
const routed = (): CaseEvent => ({
  type: 'CaseRouted',
  data: {
    department: 'DOT',
    departmentName: 'Department of Transportation',
    priority: 'normal',
    dueAt: '2026-11-27T17:00:00.000Z',
    rule: { id: 'streetlights', version: 1, description: 'Streetlights go to DOT' },
    matched: { serviceCode: 'STREETLIGHT' },
  },
});
const workOrderCreated = (): CaseEvent => ({ type: 'WorkOrderCreated', data: { department: 'DOT', system: 'DOT work orders', workOrderId: 'WO-000001' } });
const status = (s: 'scheduled' | 'in_progress' | 'completed', note?: string): CaseCommand => ({
  type: 'RecordWorkOrderStatus',
  data: { department: 'DOT', workOrderId: 'WO-000001', status: s, departmentStatus: s.toUpperCase(), note },
});
const isDomainError = (code: string) => (error: unknown) => error instanceof CaseDomainError && error.code === code;

describe('case decider', () => {
  it('reports a new case', () => {
    const event = reported();
    spec.given([]).when({ type: 'ReportCase', data: (event as Extract<CaseEvent, { type: 'CaseReported' }>).data }).then([event]);
  });

  it('refuses to report the same case twice', () => {
    const event = reported() as Extract<CaseEvent, { type: 'CaseReported' }>;
    spec.given([event]).when({ type: 'ReportCase', data: event.data }).thenThrows(isDomainError('case-already-exists'));
  });

  it('routes a received case, and routing again changes nothing', () => {
    const event = routed() as Extract<CaseEvent, { type: 'CaseRouted' }>;
    spec.given([reported()]).when({ type: 'RouteCase', data: event.data }).then([event]);
    spec.given([reported(), event]).when({ type: 'RouteCase', data: event.data }).then([]);
  });

  it('does not accept commands for a case that does not exist', () => {
    const event = routed() as Extract<CaseEvent, { type: 'CaseRouted' }>;
    spec.given([]).when({ type: 'RouteCase', data: event.data }).thenThrows(isDomainError('case-not-found'));
  });

  it('needs a department before a work order', () => {
    const created = workOrderCreated() as Extract<CaseEvent, { type: 'WorkOrderCreated' }>;
    spec.given([reported()]).when({ type: 'RecordWorkOrderCreated', data: created.data }).thenThrows(isDomainError('case-not-routed'));
    spec.given([reported(), routed()]).when({ type: 'RecordWorkOrderCreated', data: created.data }).then([created]);
    spec.given([reported(), routed(), created]).when({ type: 'RecordWorkOrderCreated', data: created.data }).then([]);
  });

  it('keeps a scheduled case open: scheduled is not resolved', () => {
    const command = status('scheduled');
    spec.given([reported(), routed(), workOrderCreated()]).when(command).then([{ type: 'WorkOrderStatusChanged', data: command.data as never }]);
    const state = [reported(), routed(), workOrderCreated(), { type: 'WorkOrderStatusChanged', data: command.data } as CaseEvent].reduce(
      caseDecider.evolve,
      caseDecider.initialState(),
    );
    expect(state.exists && state.status).toBe('scheduled');
  });

  it('resolves the case when the department completes the work', () => {
    const command = status('completed', 'Lamp replaced');
    spec
      .given([reported(), routed(), workOrderCreated()])
      .when(command)
      .then([
        { type: 'WorkOrderStatusChanged', data: command.data as never },
        { type: 'CaseResolved', data: { resolution: 'fixed', note: 'Lamp replaced' } },
      ]);
  });

  it('rejects status for a work order that is not this case’s', () => {
    const command: CaseCommand = { type: 'RecordWorkOrderStatus', data: { department: 'DOT', workOrderId: 'WO-999', status: 'completed', departmentStatus: 'DONE' } };
    spec.given([reported(), routed(), workOrderCreated()]).when(command).thenThrows(isDomainError('unknown-work-order'));
  });

  it('records each notification once', () => {
    const notified: CaseEvent = { type: 'ResidentNotified', data: { notificationId: 'n-1', purpose: 'received', channel: 'email', recipient: 'a***@example.org' } };
    spec.given([reported()]).when({ type: 'RecordResidentNotified', data: notified.data as never }).then([notified]);
    spec.given([reported(), notified]).when({ type: 'RecordResidentNotified', data: notified.data as never }).then([]);
  });

  it('records a refused notification once, and a later success for the same notification is not recorded twice', () => {
    const failed: CaseEvent = { type: 'ResidentNotificationFailed', data: { notificationId: 'n-1', purpose: 'received', channel: 'email', reason: 'SMTP 550' } };
    spec.given([reported()]).when({ type: 'RecordResidentNotificationFailed', data: failed.data as never }).then([failed]);
    spec.given([reported(), failed]).when({ type: 'RecordResidentNotified', data: { notificationId: 'n-1', purpose: 'received', channel: 'email', recipient: 'x' } }).then([]);
  });

  it('records a refused work order once, and only for a routed case', () => {
    const refused: CaseEvent = { type: 'WorkOrderRefused', data: { department: 'DOT', system: 'Streets WOS', reason: '422 Unprocessable Content' } };
    const command: CaseCommand = { type: 'RecordWorkOrderRefused', data: refused.data as never };
    spec.given([reported(), routed()]).when(command).then([refused]);
    spec.given([reported(), routed(), refused]).when(command).then([]);
    spec.given([reported()]).when(command).thenThrows(isDomainError('case-not-routed'));
  });

  describe('what residents and staff do to a case', () => {
    const resolved: CaseEvent = { type: 'CaseResolved', data: { resolution: 'fixed', note: 'Lamp replaced' } };

    it('reports and resolves at once an information-only call answered at first contact', () => {
      const event = reported() as Extract<CaseEvent, { type: 'CaseReported' }>;
      spec
        .given([])
        .when({ type: 'ReportCase', data: event.data, answeredAtFirstContact: { answer: 'Bulk pickup is on Tuesdays' } })
        .then([event, { type: 'CaseResolved', data: { resolution: 'answered-at-first-contact', note: 'Bulk pickup is on Tuesdays' } }]);
    });

    it('adds information and staff notes, but nothing to a cancelled case', () => {
      spec.given([reported()]).when({ type: 'AddInformation', data: { text: 'It is the second pole' } }).then([{ type: 'InformationAdded', data: { text: 'It is the second pole' } }]);
      spec.given([reported()]).when({ type: 'AddNote', data: { text: 'Caller sounded unsure' } }).then([{ type: 'NoteAdded', data: { text: 'Caller sounded unsure', internal: true } }]);
      spec.given([reported(), { type: 'CaseCancelled', data: {} }]).when({ type: 'AddInformation', data: { text: 'x' } }).thenThrows(isDomainError('case-closed'));
    });

    it('cancels an open case once, and never a resolved one', () => {
      spec.given([reported(), routed()]).when({ type: 'CancelCase', data: { reason: 'Fixed itself' } }).then([{ type: 'CaseCancelled', data: { reason: 'Fixed itself' } }]);
      spec.given([reported(), { type: 'CaseCancelled', data: {} }]).when({ type: 'CancelCase', data: {} }).then([]);
      spec.given([reported(), routed(), resolved]).when({ type: 'CancelCase', data: {} }).thenThrows(isDomainError('case-closed'));
    });

    it('ignores department updates after a cancellation', () => {
      spec.given([reported(), routed(), workOrderCreated(), { type: 'CaseCancelled', data: {} }]).when(status('completed')).then([]);
    });

    it('reopens only a resolved case, back to its department', () => {
      const reopened: CaseEvent = { type: 'CaseReopened', data: { reason: 'Still dark at night' } };
      spec.given([reported(), routed(), resolved]).when({ type: 'ReopenCase', data: { reason: 'Still dark at night' } }).then([reopened]);
      spec.given([reported(), routed()]).when({ type: 'ReopenCase', data: { reason: 'x' } }).thenThrows(isDomainError('case-not-resolved'));
      const state = [reported(), routed(), resolved, reopened].reduce(caseDecider.evolve, caseDecider.initialState());
      // Back to routing, which returns it to the department that resolved it.
      expect(state).toMatchObject({ status: 'received', department: undefined, resolvedBy: 'DOT' });
    });

    it('links two cases once, and never a case to itself', () => {
      const link = { relatedCaseId: '7f1c9f3e-0000-4000-8000-000000000001', relatedReference: '100-000-027', relation: 'related' as const };
      spec.given([reported()]).when({ type: 'LinkCase', data: link }).then([{ type: 'CaseLinked', data: link }]);
      spec.given([reported(), { type: 'CaseLinked', data: link }]).when({ type: 'LinkCase', data: link }).then([]);
      spec.given([reported()]).when({ type: 'LinkCase', data: { ...link, relatedReference: '100-000-019' } }).thenThrows(isDomainError('invalid-link'));
    });
  });

  describe('triage and referral', () => {
    const triaged: CaseEvent = { type: 'CaseSentToTriage', data: { reason: 'no-rule-matched', detail: 'No rule places GENERAL-QUESTION' } };
    const routedTo = (department: string): Extract<CaseEvent, { type: 'CaseRouted' }> => {
      const event = routed() as Extract<CaseEvent, { type: 'CaseRouted' }>;
      return { ...event, data: { ...event.data, department } };
    };

    it('sends an unplaced case to triage once, and lets an operator route it from there', () => {
      spec.given([reported()]).when({ type: 'SendToTriage', data: triaged.data as never }).then([triaged]);
      spec.given([reported(), triaged]).when({ type: 'SendToTriage', data: triaged.data as never }).then([]);
      spec.given([reported(), triaged]).when({ type: 'RouteCase', data: routedTo('311').data }).then([routedTo('311')]);
      const state = [reported(), triaged, routedTo('311')].reduce(caseDecider.evolve, caseDecider.initialState());
      expect(state).toMatchObject({ status: 'assigned', department: '311', inTriage: false });
    });

    it('records a referral with the next decision, atomically, counting the hops; a repeat adds nothing', () => {
      const refer = (from: string, next: string): CaseCommand => ({ type: 'ReferCase', data: { fromDepartment: from, reason: 'Not ours', next: { route: routedTo(next).data } } });
      spec.given([reported(), routed(), workOrderCreated()]).when(refer('DOT', 'PARKS')).then([
        { type: 'CaseReferred', data: { fromDepartment: 'DOT', reason: 'Not ours', hop: 1 } },
        routedTo('PARKS'),
      ]);
      const referred: CaseEvent = { type: 'CaseReferred', data: { fromDepartment: 'DOT', reason: 'Not ours', hop: 1 } };
      spec.given([reported(), routed(), referred, routedTo('PARKS')]).when(refer('DOT', 'PARKS')).then([]);
      spec.given([reported(), routed(), referred, routedTo('PARKS')]).when(refer('PARKS', 'DSNY')).then([
        { type: 'CaseReferred', data: { fromDepartment: 'PARKS', reason: 'Not ours', hop: 2 } },
        routedTo('DSNY'),
      ]);
      const state = [reported(), routed(), workOrderCreated(), referred, routedTo('PARKS')].reduce(caseDecider.evolve, caseDecider.initialState());
      expect(state).toMatchObject({ department: 'PARKS', referredBy: ['DOT'], workOrder: undefined });
    });
  });

  describe('deadlines', () => {
    const dueAt = '2026-11-27T17:00:00.000Z';
    const asked: CaseEvent = { type: 'InformationRequested', data: { question: 'Which pole?' } };

    it('asks the reporter once at a time, only for a case a department owns', () => {
      spec.given([reported(), routed()]).when({ type: 'RequestInformation', data: { question: 'Which pole?' } }).then([asked]);
      spec.given([reported(), routed(), asked]).when({ type: 'RequestInformation', data: { question: 'Again?' } }).thenThrows(isDomainError('already-waiting'));
      spec.given([reported()]).when({ type: 'RequestInformation', data: { question: 'x' } }).thenThrows(isDomainError('case-not-routed'));
      const answered: CaseEvent = { type: 'InformationAdded', data: { text: 'Pole 12' } };
      spec.given([reported(), routed(), asked, answered]).when({ type: 'RequestInformation', data: { question: 'And the street?' } }).then([{ type: 'InformationRequested', data: { question: 'And the street?' } }]);
    });

    it('reminds and escalates once per deadline, never while waiting for the reporter or after resolution', () => {
      const reminded: CaseEvent = { type: 'DeadlineApproaching', data: { dueAt, department: 'DOT' } };
      spec.given([reported(), routed()]).when({ type: 'RemindDeadline', data: {} }).then([reminded]);
      spec.given([reported(), routed(), reminded]).when({ type: 'RemindDeadline', data: {} }).then([]);
      spec.given([reported(), routed(), asked]).when({ type: 'RemindDeadline', data: {} }).then([]);
      const escalated: CaseEvent = { type: 'CaseEscalated', data: { dueAt, department: 'DOT', to: ['supervisor'] } };
      spec.given([reported(), routed()]).when({ type: 'EscalateCase', data: { to: ['supervisor'] } }).then([escalated]);
      spec.given([reported(), routed(), escalated]).when({ type: 'EscalateCase', data: { to: ['supervisor'] } }).then([]);
      spec.given([reported(), routed(), { type: 'CaseResolved', data: { resolution: 'fixed' } }]).when({ type: 'EscalateCase', data: { to: ['supervisor'] } }).then([]);
    });

    it('moves the deadline only from the one in force, and a moved deadline is reminded of afresh', () => {
      const moved: CaseEvent = { type: 'DeadlineMoved', data: { dueAt: '2026-11-30T17:00:00.000Z', previousDueAt: dueAt, reason: 'waited-for-information', pausedMinutes: 540 } };
      spec.given([reported(), routed()]).when({ type: 'MoveDeadline', data: moved.data as never }).then([moved]);
      spec.given([reported(), routed(), moved]).when({ type: 'MoveDeadline', data: moved.data as never }).then([]);
      const reminded: CaseEvent = { type: 'DeadlineApproaching', data: { dueAt, department: 'DOT' } };
      spec.given([reported(), routed(), reminded, moved]).when({ type: 'RemindDeadline', data: {} }).then([{ type: 'DeadlineApproaching', data: { dueAt: '2026-11-30T17:00:00.000Z', department: 'DOT' } }]);
    });
  });

  describe('duplicates', () => {
    const link = { relatedCaseId: '7f1c9f3e-0000-4000-8000-000000000009', relatedReference: '100-000-009', relation: 'duplicate-of' as const, distanceMeters: 12, policy: 'streetlight-pole' };
    const linked: CaseEvent = { type: 'CaseLinked', data: link };

    it('links only a case nobody owns yet, once; a linked case is never routed', () => {
      spec.given([reported()]).when({ type: 'LinkAsDuplicate', data: link }).then([linked]);
      spec.given([reported(), linked]).when({ type: 'LinkAsDuplicate', data: link }).then([]);
      spec.given([reported(), routed()]).when({ type: 'LinkAsDuplicate', data: link }).then([]);
      spec.given([reported(), linked]).when({ type: 'RouteCase', data: (routed() as Extract<CaseEvent, { type: 'CaseRouted' }>).data }).then([]);
    });

    it('confirms once, undoes a link, and settles a duplicate with its original', () => {
      spec.given([reported(), linked]).when({ type: 'ConfirmDuplicate', data: {} }).then([{ type: 'DuplicateConfirmed', data: { originalCaseId: link.relatedCaseId, originalReference: link.relatedReference } }]);
      spec.given([reported()]).when({ type: 'ConfirmDuplicate', data: {} }).thenThrows(isDomainError('not-a-duplicate'));
      const unlinked: CaseEvent = { type: 'CaseUnlinked', data: { relatedCaseId: link.relatedCaseId, relatedReference: link.relatedReference, relation: 'duplicate-of', reason: 'Other pole' } };
      spec.given([reported(), linked]).when({ type: 'UnlinkDuplicate', data: { reason: 'Other pole' } }).then([unlinked]);
      spec.given([reported(), linked, unlinked]).when({ type: 'RouteCase', data: (routed() as Extract<CaseEvent, { type: 'CaseRouted' }>).data }).then([routed()]);
      spec.given([reported(), linked]).when({ type: 'SettleDuplicate', data: { note: 'Lamp replaced' } }).then([{ type: 'CaseResolved', data: { resolution: 'duplicate', note: 'Resolved together with request 100-000-009: Lamp replaced' } }]);
      spec.given([reported(), routed()]).when({ type: 'SettleDuplicate', data: {} }).then([]);
    });

    it('counts the residents who reported the original, once per duplicate', () => {
      const counted: CaseEvent = { type: 'DuplicateReported', data: { duplicateCaseId: 'd1', duplicateReference: '100-000-031', reporters: 2 } };
      spec.given([reported(), routed()]).when({ type: 'CountDuplicate', data: { duplicateCaseId: 'd1', duplicateReference: '100-000-031' } }).then([counted]);
      spec.given([reported(), routed(), counted]).when({ type: 'CountDuplicate', data: { duplicateCaseId: 'd1', duplicateReference: '100-000-031' } }).then([]);
      spec.given([reported(), routed(), counted]).when({ type: 'CountDuplicate', data: { duplicateCaseId: 'd2', duplicateReference: '100-000-032' } }).then([{ type: 'DuplicateReported', data: { duplicateCaseId: 'd2', duplicateReference: '100-000-032', reporters: 3 } }]);
      spec.given([reported(), routed(), counted]).when({ type: 'WithdrawDuplicate', data: { duplicateCaseId: 'd1', duplicateReference: '100-000-031' } }).then([{ type: 'DuplicateWithdrawn', data: { duplicateCaseId: 'd1', duplicateReference: '100-000-031', reporters: 1 } }]);
    });
  });

  describe('split into child cases', () => {
    const child = (n: number) => ({ caseId: `c${n}`, reference: `100-000-10${n}`, department: n === 1 ? 'DEP' : 'PARKS', serviceCode: 'STREETLIGHT', description: `part ${n}` });
    const split: CaseEvent = { type: 'CaseSplit', data: { reason: 'A tree fell on the light and broke a water main', children: [child(1), child(2)] } };
    const done = (n: number): CaseCommand => ({ type: 'RecordChildResolved', data: { childCaseId: `c${n}`, childReference: `100-000-10${n}`, resolution: 'fixed' } });

    it('resolves the parent when its last part is resolved, once', () => {
      spec.given([reported(), routed()]).when({ type: 'SplitCase', data: split.data as never }).then([split]);
      spec.given([reported(), routed(), split]).when(done(1)).then([{ type: 'ChildCaseResolved', data: { childCaseId: 'c1', childReference: '100-000-101', resolution: 'fixed' } }]);
      const first: CaseEvent = { type: 'ChildCaseResolved', data: { childCaseId: 'c1', childReference: '100-000-101', resolution: 'fixed' } };
      spec.given([reported(), routed(), split, first]).when(done(1)).then([]);
      spec.given([reported(), routed(), split, first]).when(done(2)).then([
        { type: 'ChildCaseResolved', data: { childCaseId: 'c2', childReference: '100-000-102', resolution: 'fixed' } },
        { type: 'CaseResolved', data: { resolution: 'fixed', note: 'Every part of the request was done (100-000-101, 100-000-102)' } },
      ]);
    });

    it('keeps the parent open when its own work is done before its parts, and waits for its own work', () => {
      spec.given([reported(), routed(), workOrderCreated(), split]).when(status('completed', 'Light fixed')).then([
        { type: 'WorkOrderStatusChanged', data: { department: 'DOT', workOrderId: 'WO-000001', status: 'completed', departmentStatus: 'COMPLETED', note: 'Light fixed' } },
      ]);
      const first: CaseEvent = { type: 'ChildCaseResolved', data: { childCaseId: 'c1', childReference: '100-000-101', resolution: 'fixed' } };
      spec.given([reported(), routed(), workOrderCreated(), split, first]).when(done(2)).then([{ type: 'ChildCaseResolved', data: { childCaseId: 'c2', childReference: '100-000-102', resolution: 'fixed' } }]);
    });
  });

  describe('honest status from departments', () => {
    const update = (status: string, note?: string): CaseCommand => ({ type: 'RecordWorkOrderStatus', data: { department: 'DOT', workOrderId: 'WO-000001', status: status as never, departmentStatus: status.toUpperCase(), ...(note ? { note } : {}) } });
    const changed = (status: string, note?: string): CaseEvent => ({ type: 'WorkOrderStatusChanged', data: { department: 'DOT', workOrderId: 'WO-000001', status: status as never, departmentStatus: status.toUpperCase(), ...(note ? { note } : {}) } });

    it('never moves a case back for a status that arrives late or out of order', () => {
      spec.given([reported(), routed(), workOrderCreated(), changed('in_progress')]).when(update('scheduled')).then([]);
      spec.given([reported(), routed(), workOrderCreated(), changed('in_progress')]).when(update('acknowledged')).then([]);
      spec.given([reported(), routed(), workOrderCreated(), changed('scheduled')]).when(update('in_progress')).then([changed('in_progress')]);
    });

    it('puts the case on hold waiting for the reporter (the clock stops), and resumes', () => {
      spec.given([reported(), routed(), workOrderCreated(), changed('in_progress')]).when(update('on_hold', 'Which pole number?')).then([
        changed('on_hold', 'Which pole number?'),
        { type: 'InformationRequested', data: { question: 'Which pole number?' } },
      ]);
      const state = [reported(), routed(), workOrderCreated(), changed('in_progress'), changed('on_hold')].reduce(caseDecider.evolve, caseDecider.initialState());
      expect(state).toMatchObject({ status: 'in_progress' });
      spec.given([reported(), routed(), workOrderCreated(), changed('in_progress'), changed('on_hold')]).when(update('in_progress')).then([changed('in_progress')]);
    });

    it('resolves as not fixed with the department\'s reason', () => {
      spec.given([reported(), routed(), workOrderCreated()]).when(update('not_fixed', 'Private property: the owner must repair it')).then([
        changed('not_fixed', 'Private property: the owner must repair it'),
        { type: 'CaseResolved', data: { resolution: 'no-action-possible', note: 'Private property: the owner must repair it' } },
      ]);
    });
  });
  describe('personal data (ADR 0014)', () => {
    const sealed = (k: string) => ({ k, iv: 'aXY=', ct: 'Y3Q=' });

    it('takes a follower once per resident key, whatever the ciphertext', () => {
      const followed: CaseEvent = { type: 'CaseFollowed', data: { follower: { personal: sealed('key-a'), language: 'en' } } };
      spec.given([reported()]).when({ type: 'FollowCase', data: { follower: { personal: sealed('key-a'), language: 'en' } } }).then([followed]);
      spec.given([reported(), followed]).when({ type: 'FollowCase', data: { follower: { personal: { ...sealed('key-a'), ct: 'b3RoZXI=' }, language: 'es' } } }).then([]);
      spec.given([reported(), followed]).when({ type: 'FollowCase', data: { follower: { personal: sealed('key-b'), language: 'en' } } }).then([{ type: 'CaseFollowed', data: { follower: { personal: sealed('key-b'), language: 'en' } } }]);
    });

    it('records an erasure on the case whatever its state, changing nothing else', () => {
      const erased: CaseEvent = { type: 'PersonalDataErased', data: { reason: 'retention', of: 'reporter' } };
      spec.given([reported(), routed()]).when({ type: 'RecordPersonalDataErased', data: erased.data }).then([erased]);
      expect(caseDecider.evolve(caseDecider.evolve(caseDecider.initialState(), reported()), erased)).toEqual(caseDecider.evolve(caseDecider.initialState(), reported()));
    });
  });
});
