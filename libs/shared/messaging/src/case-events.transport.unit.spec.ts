import { randomUUID } from 'node:crypto';
import type { CaseEventEnvelope, EventMetadata } from '@caseline/case-contracts';
import { CaseEventsTransport } from './case-events.transport';
import { InboundMessage, MessageHandler } from './ports';

/** The transport over a subscription that hands us its message handler, with handlers registered as Nest would. */
async function transportWith(patterns: string[]): Promise<{ deliver: (event: Partial<CaseEventEnvelope>) => Promise<void>; calls: string[] }> {
  let handle: MessageHandler | undefined;
  const transport = new CaseEventsTransport((h) => {
    handle = h;
    return { start: async () => undefined, stop: async () => undefined };
  });
  const calls: string[] = [];
  for (const pattern of patterns) {
    transport.addHandler(pattern, async (event: CaseEventEnvelope) => void calls.push(`${pattern}:${event.type}`), true);
  }
  await transport.listen(() => undefined);
  const deliver = (event: Partial<CaseEventEnvelope>) => {
    const envelope = { eventId: randomUUID(), caseId: randomUUID(), caseVersion: 1, data: {}, ...event };
    const message: InboundMessage = { topic: 'caseline.case-events.v1', partition: 0, offset: '0', key: envelope.caseId, value: JSON.stringify(envelope) };
    return handle!(message);
  };
  return { deliver, calls };
}

const live: EventMetadata = { actor: { kind: 'service', id: 'routing', name: 'Routing' }, at: '2026-03-02T10:00:00.000Z', correlationId: randomUUID() };
const imported: EventMetadata = {
  actor: { kind: 'service', id: 'importer', name: 'Historical import (baltimore)' },
  channel: 'system',
  at: '2018-04-12T15:11:26.000Z',
  correlationId: randomUUID(),
  importedFrom: { source: 'baltimore', record: '18-00269879' },
};

describe('CaseEventsTransport', () => {
  it("hands an event to the handler of its type, and to '*' only when no handler has its type", async () => {
    const { deliver, calls } = await transportWith(['CaseRouted', '*']);
    await deliver({ type: 'CaseRouted', metadata: live });
    await deliver({ type: 'CaseResolved', metadata: live });
    expect(calls).toEqual(['CaseRouted:CaseRouted', '*:CaseResolved']);
  });

  it("hands imported history only to a '*' handler (projections), never to the handler of its type", async () => {
    const { deliver, calls } = await transportWith(['CaseReported', 'CaseRouted', '*']);
    await deliver({ type: 'CaseReported', metadata: imported });
    await deliver({ type: 'CaseRouted', metadata: imported });
    expect(calls).toEqual(['*:CaseReported', '*:CaseRouted']);
  });

  it('skips imported history in a service that acts by type and has no projection', async () => {
    const { deliver, calls } = await transportWith(['CaseRouted']);
    await deliver({ type: 'CaseRouted', metadata: imported });
    expect(calls).toEqual([]);
  });
});
