import { INestApplication } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { createTransport, Transporter } from 'nodemailer';
import { createHttpService } from '@caseline/service-kit';
import { AppModule } from './app.module';
import { CaughtMessage, MailboxService, MAX_MESSAGE_BYTES } from './mailbox.service';

describe('mail catcher', () => {
  let app: INestApplication;
  let base: string;
  let smtp: Transporter;
  const previousSmtpPort = process.env.MAIL_CATCHER_SMTP_PORT;

  const messages = async (query = ''): Promise<CaughtMessage[]> => {
    const response = await fetch(`${base}/messages${query}`);
    expect(response.status).toBe(200);
    return (await response.json()) as CaughtMessage[];
  };

  beforeAll(async () => {
    process.env.MAIL_CATCHER_SMTP_PORT = '0';
    app = await createHttpService(AppModule, { name: 'mail-catcher' });
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    const port = app.get(MailboxService).smtpPort;
    expect(port).toBeGreaterThan(0);
    smtp = createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  });

  afterAll(async () => {
    smtp?.close();
    await app?.close();
    if (previousSmtpPort === undefined) delete process.env.MAIL_CATCHER_SMTP_PORT;
    else process.env.MAIL_CATCHER_SMTP_PORT = previousSmtpPort;
  });

  beforeEach(async () => {
    expect((await fetch(`${base}/messages`, { method: 'DELETE' })).status).toBe(204);
  });

  it('keeps what arrives over SMTP, in order, and filters by recipient', async () => {
    const sent = await smtp.sendMail({
      from: 'Caseline <no-reply@caseline.test>',
      to: ['resident@example.com', 'Other Person <other@example.com>'],
      subject: 'Your case CL-2026-000123 was received',
      text: 'We have your report about a streetlight.',
    });
    await smtp.sendMail({ from: 'no-reply@caseline.test', to: 'second@example.com', subject: 'Second', text: 'two' });

    const all = await messages();
    expect(all).toHaveLength(2);
    expect(all[0]).toMatchObject({
      messageId: sent.messageId,
      to: 'resident@example.com, other@example.com',
      from: 'no-reply@caseline.test',
      subject: 'Your case CL-2026-000123 was received',
      text: expect.stringContaining('We have your report about a streetlight.'),
    });
    expect(Number.isNaN(Date.parse(all[0].receivedAt))).toBe(false);
    expect(all[1].subject).toBe('Second');

    expect((await messages('?to=OTHER@example.com')).map((m) => m.subject)).toEqual(['Your case CL-2026-000123 was received']);
    expect((await messages('?to=second%40example.com')).map((m) => m.subject)).toEqual(['Second']);
    expect(await messages('?to=nobody@example.com')).toEqual([]);
  });

  it('clears its messages', async () => {
    await smtp.sendMail({ from: 'a@caseline.test', to: 'b@example.com', subject: 'Hi', text: 'hello' });
    expect(await messages()).toHaveLength(1);
    await fetch(`${base}/messages`, { method: 'DELETE' });
    expect(await messages()).toEqual([]);
  });

  it('refuses a message over 1 MiB', async () => {
    const text = 'x'.repeat(MAX_MESSAGE_BYTES + 1024);
    await expect(smtp.sendMail({ from: 'a@caseline.test', to: 'b@example.com', subject: 'Big', text })).rejects.toThrow(/552|size|limit/i);
    expect(await messages()).toEqual([]);
  });

  it('rejects unknown query parameters as problem+json', async () => {
    const response = await fetch(`${base}/messages?recipient=x`);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
  });
});
