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
