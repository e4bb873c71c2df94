import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { AddressObject, simpleParser } from 'mailparser';
import type { AddressInfo, Server, Socket } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { envInt } from '@caseline/service-kit';

export interface CaughtMessage {
  id: number;
  messageId?: string;
  to: string;
  from: string;
  subject: string;
  text: string;
  receivedAt: string;
}

const addresses = (field: AddressObject | AddressObject[] | undefined): string =>
  (Array.isArray(field) ? field : field ? [field] : []).flatMap((a) => a.value.map((v) => v.address ?? '')).join(', ');

/** A real SMTP server (no auth, no TLS: local use only) that keeps what it receives. */
@Injectable()
export class Mailbox implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('MailCatcher');
  private messages: CaughtMessage[] = [];
  private server?: SMTPServer;
  smtpPort = envInt('MAIL_CATCHER_SMTP_PORT', 2525);

  list(to?: string): CaughtMessage[] {
    return to ? this.messages.filter((m) => m.to.toLowerCase().split(', ').includes(to.toLowerCase())) : this.messages;
  }

  clear(): void {
    this.messages = [];
  }

  async onModuleInit(): Promise<void> {
    this.server = new SMTPServer({
      authOptional: true,
      disableReverseLookup: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      size: 1024 * 1024,
      logger: false,
      onData: (stream, _session, callback) => {
        simpleParser(stream)
          .then((mail) => {
            this.messages.push({
              id: this.messages.length + 1,
              messageId: mail.messageId,
              to: addresses(mail.to),
              from: addresses(mail.from),
              subject: mail.subject ?? '',
              text: mail.text ?? '',
              receivedAt: new Date().toISOString(),
            });
            callback();
          })
          .catch((error: Error) => callback(error));
      },
    });
    const tcp = (this.server as unknown as { server: Server }).server;
    // Without TCP_NODELAY every SMTP reply waits out the peer's delayed ACK (~40 ms a message).
    tcp.on('connection', (socket: Socket) => socket.setNoDelay(true));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.smtpPort, process.env.HOST ?? '127.0.0.1', () => resolve());
    });
    this.smtpPort = (tcp.address() as AddressInfo).port;
    this.logger.log(`SMTP listening on port ${this.smtpPort}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
