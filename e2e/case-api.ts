import { TestSystem, waitFor } from '@caseline/testing';

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
  location: { lat: 40.7484, long: -73.9857 },
  channel: 'web',
  reporter: { name: 'Ana Diaz', email, language: 'en' },
});

export const messagesTo = async (mailCatcherUrl: string, email: string): Promise<{ subject: string; text: string; to: string }[]> =>
  (await fetch(`${mailCatcherUrl}/messages?to=${encodeURIComponent(email)}`)).json() as Promise<{ subject: string; text: string; to: string }[]>;

/** Every process of Caseline, on free ports, as the Quick start runs them. */
export async function startWholeSystem(): Promise<TestSystem> {
  const system = await TestSystem.create();
  await system.start(['department-simulator', 'mail-catcher', 'intake', 'routing', 'department-adapter', 'notification']);
  return system;
}
