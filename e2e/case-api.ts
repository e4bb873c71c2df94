import type { Pool } from 'pg';
import { distinctPlace, ServiceName, StaffUsername, TestSystem, testPool, waitFor } from '@caseline/testing';

export interface HistoryEvent {
  type: string;
  at: string;
  actor: { kind: string; id: string; name: string };
  channel?: string;
  summary: string;
}

/** What a reporter may do on their case with its tracking token; anything else is staff's. */
export const REPORTER_ACTIONS = ['information', 'cancel', 'reopen'];

/** A small client for the HTTP contract the tests exercise: residents report and act with their tracking token, an operator looks. */
export const caseApi = (system: TestSystem) => {
  const intakeUrl = system.url('intake');
  const asReporter = async (reference: string) => {
    const { trackingUrl } = (await (await system.fetchAs('olivia.operator', `${intakeUrl}/v1/cases/${reference}`)).json()) as { trackingUrl: string };
    return { 'tracking-token': new URL(trackingUrl).searchParams.get('token')! };
  };
  const history = async (reference: string): Promise<HistoryEvent[]> => {
    const response = await system.fetchAs('olivia.operator', `${intakeUrl}/v1/cases/${reference}/history`);
    if (!response.ok) throw new Error(`history of ${reference}: ${response.status} ${await response.text()}`);
    return ((await response.json()) as { events: HistoryEvent[] }).events;
  };
  const report = (body: unknown) => fetch(`${intakeUrl}/v1/cases`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return {
    report,
    /** Reports a case that must be accepted: its reference and id, or an error naming what intake answered instead. */
    submit: async (body: unknown): Promise<{ reference: string; id: string }> => {
      const response = await report(body);
      if (response.status !== 201) throw new Error(`POST /v1/cases answered ${response.status}: ${await response.text()}`);
      return (await response.json()) as { reference: string; id: string };
    },
    find: async (reference: string) => (await system.fetchAs('olivia.operator', `${intakeUrl}/v1/cases/${reference}`)).json() as Promise<{ status: string; department?: string; trackingUrl: string }>,
    history,
    /** Headers acting as the case's reporter: its tracking token, as the tracking page's link carries it. */
    asReporter,
    /** POST /v1/cases/{reference}/{action}: by the reporter (information, cancel, reopen) or else an operator, unless told who. */
    act: async (reference: string, action: string, body: unknown = {}, by: StaffUsername | 'reporter' = REPORTER_ACTIONS.includes(action) ? 'reporter' : 'olivia.operator') =>
      fetch(`${intakeUrl}/v1/cases/${reference}/${action}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(by === 'reporter' ? await asReporter(reference) : await system.as(by)) }, body: JSON.stringify(body) }),
    waitForHistory: (reference: string, types: string[], description: string) =>
      waitFor(async () => {
        const events = await history(reference);
        const remaining = [...types];
        for (const event of events) {
          const index = remaining.indexOf(event.type);
          if (index >= 0) remaining.splice(index, 1);
        }
        return remaining.length === 0 && events;
      }, description),
  };
};

export const streetlightReport = (email: string) => ({
  serviceCode: 'STREETLIGHT',
  description: 'The streetlight on the corner of 5th Ave and 34th St is out',
  // Each report its own place: the same streetlight reported twice would be one case (a duplicate).
  location: distinctPlace(),
  channel: 'web',
  reporter: { name: 'Ana Diaz', email, language: 'en' },
});

/** A message as the mail catcher keeps it. */
export interface CaughtMessage {
  messageId?: string;
  to: string;
  from: string;
  replyTo: string;
  listUnsubscribe?: string;
  subject: string;
  text: string;
}

export const messagesTo = async (mailCatcherUrl: string, email: string): Promise<CaughtMessage[]> =>
  (await fetch(`${mailCatcherUrl}/messages?to=${encodeURIComponent(email)}`)).json() as Promise<CaughtMessage[]>;

export interface WholeSystem {
  system: TestSystem;
  api: ReturnType<typeof caseApi>;
  pool: Pool;
}

/** Every process of Caseline on free ports, as the Quick start runs them, for one describe block. */
export function withWholeSystem(extra: ServiceName[] = [], env: NodeJS.ProcessEnv = {}): WholeSystem {
  const context = {} as WholeSystem;
  beforeAll(async () => {
    context.system = await TestSystem.create(env);
    await context.system.start(['department-simulator', 'mail-catcher', 'intake', 'routing', 'department-adapter', 'notification', ...extra]);
    context.api = caseApi(context.system);
    context.pool = testPool(2);
  }, 180000);
  afterAll(async () => {
    await context.system?.stop();
    await context.pool?.end();
  });
  return context;
}
