import { Metrics } from '@caseline/service-kit';
import { Logger } from '@nestjs/common';
import { DeliveryRefused } from './channels';
import { NotificationDispatcher } from './notification-dispatcher';

describe('rendering at send time', () => {
  beforeAll(() => Logger.overrideLogger(false));
  const dispatcher = new NotificationDispatcher(...([{}, {}, {}, {}, {}] as unknown as ConstructorParameters<typeof NotificationDispatcher>));
  const message = { id: '3f2b6a0e-1c2d-4e5f-8a9b-0c1d2e3f4a5b', channel: 'email' as const, language: 'es' as const, facts: { reference: '100-000-123', serviceName: 'Bache', trackingUrl: 'https://t/x' } };

  it('renders the message with its unsubscribe link, in the reader\'s language', () => {
    const rendered = dispatcher.render({ ...message, purpose: 'received' });
    expect(rendered).toMatchObject({ language: 'es', subject: 'Recibimos su solicitud 100-000-123' });
    expect(rendered.text).toMatch(/\/u\/[\w-]{22}\.[\w-]{16}\n$/);
  });

  it('fails only the message whose template breaks, as a refusal recorded once, never retried', () => {
    expect(() => dispatcher.render({ ...message, purpose: 'case-changed' })).toThrow(DeliveryRefused);
    expect(() => dispatcher.render({ ...message, purpose: 'case-changed' })).toThrow('template error in "case-changed"');
  });

  it('says dates in the city\'s time and the reader\'s words; a day alone stays that day', () => {
    expect(dispatcher.words('en').date('2026-12-01T22:00:00Z')).toBe('Tue, Dec 1, 5:00 PM');
    expect(dispatcher.words('es').date('2026-12-01')).toBe('mar, 1 de dic');
  });
});

/** A leased message as the dispatcher reads it from the outbox: an email to the reporter, unless told otherwise. */
const dueMessage = (fields: Record<string, unknown>) =>
  ({ purpose: 'received', audience: 'reporter', channel: 'email', recipient: null, recipient_sealed: null, recipient_hash: Buffer.alloc(32), language: 'en', facts: {}, attempts: 0, suppressed: false, interrupted: false, lease: '2026-01-01 00:00:00+00', ...fields }) as never;

describe('a message to a resident whose personal data was erased', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('is not sent: the vault cannot open the address, and the case records it as not sent, erased', async () => {
    const recorded: unknown[] = [];
    const caseLog = { execute: async (_caseId: string, command: unknown) => void recorded.push(command) };
    const email = { send: jest.fn() };
    const vault = { open: async () => undefined };
    const dispatcher = new NotificationDispatcher(...([{}, caseLog, email, {}, {}, vault, new Metrics()] as unknown as ConstructorParameters<typeof NotificationDispatcher>));
    await dispatcher['deliver'](dueMessage({ id: '3f2b6a0e-1c2d-4e5f-8a9b-0c1d2e3f4a5b', case_id: '5d0c7a2e-0000-4000-8000-000000000001', purpose: 'resolved', recipient_sealed: { k: '2f1d9c1e-0000-4000-8000-000000000001', iv: 'aXY=', ct: 'Y3Q=' }, recipient_masked: 'p***@example.org' }));
    expect(email.send).not.toHaveBeenCalled();
    expect(recorded).toEqual([{ type: 'RecordResidentNotificationFailed', data: expect.objectContaining({ purpose: 'resolved', audience: 'reporter', reason: 'not sent: the personal data of the recipient was erased' }) }]);
  });
});

/** A data source on which marking a message as being sent succeeds (one row marked). */
const markingRows = { query: async () => [{ marked: 1 }] };

describe('a message sent while the database restarts', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('is recorded as sent once the database is back, not left to count as unconfirmed, and sent once', async () => {
    const recorded: unknown[] = [];
    let outage = 2;
    const caseLog = {
      execute: async (_caseId: string, command: unknown) => {
        if (outage-- > 0) throw Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
        recorded.push(command);
      },
    };
    const email = { send: jest.fn(async () => undefined) };
    const dispatcher = new NotificationDispatcher(...([markingRows, caseLog, email, {}, {}, {}, new Metrics()] as unknown as ConstructorParameters<typeof NotificationDispatcher>));
    await dispatcher['deliver'](dueMessage({ id: '3f2b6a0e-1c2d-4e5f-8a9b-0c1d2e3f4a5c', case_id: '5d0c7a2e-0000-4000-8000-000000000002', recipient: 'resident@example.org', recipient_masked: 'r***@example.org', facts: { reference: '100-000-123', serviceName: 'Pothole', trackingUrl: 'https://t/x' } }));
    expect(email.send).toHaveBeenCalledTimes(1);
    expect(recorded).toEqual([{ type: 'RecordResidentNotified', data: expect.objectContaining({ purpose: 'received', recipient: 'r***@example.org' }) }]);
  });

  it('gives up at once on an error that is not an outage (the lease then tells the truth: unconfirmed)', async () => {
    const caseLog = { execute: jest.fn(async () => Promise.reject(Object.assign(new Error('permission denied for table events'), { code: '42501' }))) };
    const dispatcher = new NotificationDispatcher(...([{}, caseLog, { send: async () => undefined }, {}, {}, {}, new Metrics()] as unknown as ConstructorParameters<typeof NotificationDispatcher>));
    const message = { id: 'x', case_id: 'y', purpose: 'received', audience: 'reporter', channel: 'email', recipient_masked: 'r***' } as never;
    await expect(dispatcher['throughOutage'](message, 'recording the outcome', () => dispatcher['record'](message, { kind: 'sent' }))).rejects.toThrow('permission denied');
    expect(caseLog.execute).toHaveBeenCalledTimes(1);
  });
});

describe('a sealed address opened while the database restarts', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('is opened once the database is back and the message sent — not left to count as unconfirmed, unsent', async () => {
    const recorded: unknown[] = [];
    let outage = 2;
    const vault = {
      open: async () => {
        if (outage-- > 0) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
        return { email: 'resident@example.org' };
      },
    };
    const caseLog = { execute: async (_caseId: string, command: unknown) => void recorded.push(command) };
    const email = { send: jest.fn(async () => undefined) };
    const dispatcher = new NotificationDispatcher(...([markingRows, caseLog, email, {}, {}, vault, new Metrics()] as unknown as ConstructorParameters<typeof NotificationDispatcher>));
    await dispatcher['deliver'](dueMessage({ id: '3f2b6a0e-1c2d-4e5f-8a9b-0c1d2e3f4a5d', case_id: '5d0c7a2e-0000-4000-8000-000000000003', recipient_sealed: { k: '2f1d9c1e-0000-4000-8000-000000000001', iv: 'aXY=', ct: 'Y3Q=' }, recipient_masked: 'r***@example.org', facts: { reference: '100-000-124', serviceName: 'Pothole', trackingUrl: 'https://t/x' } }));
    expect(email.send).toHaveBeenCalledWith(expect.objectContaining({ to: 'resident@example.org' }));
    expect(recorded).toEqual([{ type: 'RecordResidentNotified', data: expect.objectContaining({ purpose: 'received' }) }]);
  });
});
