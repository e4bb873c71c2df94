import type { Actor, CaseEvent } from '@caseline/case-contracts';
import type { CaseEventEnvelope } from '@caseline/case-contracts';
import { CaseSnapshot, Directory, planNotifications } from './plan';
import { caseSnapshot } from './snapshot';

const system: Actor = { kind: 'service', id: 'routing', name: 'Routing' };
const resident: Actor = { kind: 'resident', id: 'web', name: 'Resident' };
const snapshot = (changes: Partial<CaseSnapshot> = {}): CaseSnapshot => ({
  reference: '100-000-123',
  serviceName: 'Streetlight out',
  channel: 'web',
  reporter: { email: 'ana@example.org', language: 'es' },
  followers: [
    { email: 'follower@example.org', source: 'subscription' },
    { phone: '+1 212 555 0199', language: 'en', source: 'duplicate' },
  ],
  partners: [],
  ...changes,
});
const directory: Directory = {
  department: (code) => (code === 'DOT' ? { name: 'Department of Transportation', email: 'dot-queue@city.example', supervisorEmail: 'dot-boss@city.example' } : undefined),
  hasWebhook: (partner) => partner === 'fixmystreet',
};
const plan = (event: CaseEvent, changes: Partial<CaseSnapshot> = {}, actor = system) => planNotifications(event, actor, snapshot(changes), directory).map((p) => `${p.audience} ${p.channel} ${p.to} ${p.purpose} ${p.language}`);

describe('who hears what', () => {
  it('confirms a report to its reporter, in their language, unless the email channel already answered', () => {
    const reported = { type: 'CaseReported', data: {} } as CaseEvent;
    expect(plan(reported)).toEqual(['reporter email ana@example.org received es']);
    expect(plan(reported, { channel: 'email' })).toEqual([]);
    expect(plan(reported, { reporter: { phone: '212-555-0100' } })).toEqual(['reporter sms 212-555-0100 received en']);
    expect(plan(reported, { reporter: undefined })).toEqual([]);
    expect(plan(reported, { reporter: { email: 'quiet@example.org', notify: false } })).toEqual([]);
  });

  it('tells the reporter and every follower of progress; duplicates\' reporters hear of the resolution on their own case', () => {
    const scheduled = { type: 'WorkOrderStatusChanged', data: { status: 'scheduled', scheduledFor: '2026-12-01' } } as CaseEvent;
    expect(plan(scheduled)).toEqual(['reporter email ana@example.org scheduled es', 'follower email follower@example.org scheduled en', 'follower sms +1 212 555 0199 scheduled en']);
    expect(planNotifications(scheduled, system, snapshot(), directory)[0].facts).toEqual({ scheduledFor: '2026-12-01' });
    const resolved = { type: 'CaseResolved', data: { resolution: 'fixed', note: 'Done' } } as CaseEvent;
    expect(plan(resolved)).toEqual(['reporter email ana@example.org resolved es', 'follower email follower@example.org resolved en']);
    expect(plan({ type: 'WorkOrderStatusChanged', data: { status: 'acknowledged' } } as CaseEvent)).toEqual([]);
  });

  it('asks only the reporter for information; explains a closing only when the resident did not withdraw it', () => {
    expect(plan({ type: 'InformationRequested', data: { question: 'Which pole?' } } as CaseEvent)).toEqual(['reporter email ana@example.org information-requested es']);
    const cancelled = { type: 'CaseCancelled', data: { reason: 'Fixed by the utility' } } as CaseEvent;
    expect(plan(cancelled, {}, resident)).toEqual([]);
    expect(plan(cancelled)).toEqual(['reporter email ana@example.org closed es', 'follower email follower@example.org closed en']);
  });

  it('reminds the department\'s contact, and escalates to its supervisor and the district\'s council member', () => {
    expect(plan({ type: 'DeadlineApproaching', data: { dueAt: '2026-12-01T22:00:00Z', department: 'DOT' } } as CaseEvent)).toEqual(['department email dot-queue@city.example deadline-approaching en']);
    const escalated = { type: 'CaseEscalated', data: { dueAt: '2026-12-01T22:00:00Z', department: 'DOT', to: ['supervisor', 'council-member'], councilMember: { district: '3', name: 'Erik Bottcher', email: 'district3@council.example' } } } as CaseEvent;
    expect(plan(escalated)).toEqual(['department email dot-boss@city.example escalated en', 'council-member email district3@council.example escalated en']);
    expect(planNotifications(escalated, system, snapshot(), directory)[1].facts).toMatchObject({ district: '3', departmentName: 'Department of Transportation' });
  });

  it('calls the webhook of the partner that submitted the case, for the steps its users see', () => {
    const routed = { type: 'CaseRouted', data: { department: 'DOT', departmentName: 'Department of Transportation', dueAt: '2026-12-01T22:00:00Z', decidedBy: 'rule' } } as CaseEvent;
    expect(plan(routed, { partners: ['fixmystreet', 'no-webhook'], reporter: undefined, followers: [] })).toEqual(['partner webhook fixmystreet case-changed en']);
    expect(plan({ type: 'NoteAdded', data: { text: 'internal' } } as CaseEvent, { partners: ['fixmystreet'] })).toEqual([]);
  });

  it('sends one message per person and channel, even to someone who reported and follows', () => {
    const routed = { type: 'CaseRouted', data: { department: 'DOT', departmentName: 'DOT', dueAt: '2026-12-01T22:00:00Z', decidedBy: 'rule' } } as CaseEvent;
    expect(plan(routed, { followers: [{ email: 'ANA@example.org ', source: 'subscription' }] })).toEqual(['reporter email ana@example.org assigned es']);
  });

  it('counts subscribers: residents as followers, partner systems as webhooks', () => {
    const envelope = (type: string, data: object, actor: Actor = resident) => ({ type, data, metadata: { actor, at: '2026-11-27T12:00:00Z' } }) as unknown as CaseEventEnvelope;
    const history = [
      envelope('CaseReported', { reference: '100-000-123', serviceName: 'Streetlight out', channel: 'web', reporter: { email: 'ana@example.org' } }),
      envelope('CaseFollowed', { follower: { email: 'neighbour@example.org', language: 'es' } }),
      envelope('CaseFollowed', { follower: { partner: 'fixmystreet' } }),
    ];
    expect(caseSnapshot(history)).toMatchObject({ followers: [{ email: 'neighbour@example.org', language: 'es', source: 'subscription' }], partners: ['fixmystreet'] });
  });
});
