import type { Pool } from 'pg';
import { distinctPlace, TestSystem, testPool, waitFor } from '@caseline/testing';

export interface HistoryEvent {
  type: string;
  at: string;
  actor: { kind: string; id: string; name: string };
  channel?: string;
  summary: string;
}

/** A small client for the public HTTP contract the tests exercise. */
export const caseApi = (intakeUrl: string) => ({
  report: (body: unknown) => fetch(`${intakeUrl}/v1/cases`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  find: async (reference: string) => (await fetch(`${intakeUrl}/v1/cases/${reference}`)).json() as Promise<{ status: string; department?: string }>,
  history: async (reference: string): Promise<HistoryEvent[]> => ((await (await fetch(`${intakeUrl}/v1/cases/${reference}/history`)).json()) as { events: HistoryEvent[] }).events,
  waitForHistory: (reference: string, types: string[], description: string) =>
    waitFor(async () => {
      const events: HistoryEvent[] = ((await (await fetch(`${intakeUrl}/v1/cases/${reference}/history`)).json()) as { events: HistoryEvent[] }).events;
      const remaining = [...types];
      for (const event of events) {
        const index = remaining.indexOf(event.type);
        if (index >= 0) remaining.splice(index, 1);
      }
      return remaining.length === 0 && events;
    }, description),
});

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
export function withWholeSystem(): WholeSystem {
  const context = {} as WholeSystem;
  beforeAll(async () => {
    context.system = await TestSystem.create();
    await context.system.start(['department-simulator', 'mail-catcher', 'intake', 'routing', 'department-adapter', 'notification']);
    context.api = caseApi(context.system.url('intake'));
    context.pool = testPool(2);
  }, 180000);
  afterAll(async () => {
    await context.system?.stop();
    await context.pool?.end();
  });
  return context;
}
