import { Controller, Get, Injectable, Logger, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import type { AddressInfo, Socket } from 'node:net';
import { SMTPServer, SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import { Access, envInt, inSpan, readMessage, smtpError } from '@caseline/service-kit';
import { MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS } from './attachments';
import { EmailIntake, requestAddress } from './email-intake.service';

export const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;


/** STARTTLS only with a certificate (INTAKE_SMTP_TLS_KEY_FILE and INTAKE_SMTP_TLS_CERT_FILE); AUTH never: this is a mailbox, not a relay. */
function tlsOptions(): { key: Buffer; cert: Buffer } | undefined {
  const keyFile = process.env.INTAKE_SMTP_TLS_KEY_FILE;
  const certFile = process.env.INTAKE_SMTP_TLS_CERT_FILE;
  return keyFile && certFile ? { key: readFileSync(keyFile), cert: readFileSync(certFile) } : undefined;
}

/**
 * The city's request address as a real SMTP server: it takes mail for REQUEST_ADDRESS only (550
 * for any other recipient, so it relays nothing), up to 10 MiB (552), and answers 250 only once
 * the message's case is committed and its reply sent; a temporary failure is a 451, and the
 * sending server tries again later.
 */
@Injectable()
export class EmailListener implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('EmailIntake');
  private server?: SMTPServer;
  /** Asked for from INTAKE_SMTP_PORT (0: any free port); once listening, the port bound. */
  port = envInt('INTAKE_SMTP_PORT', 2526);
  readonly starttls = tlsOptions() !== undefined;

  constructor(private readonly intake: EmailIntake) {}

  async onApplicationBootstrap(): Promise<void> {
    const tls = tlsOptions();
    const server = new SMTPServer({
      banner: 'Caseline 311 email intake',
      authOptional: true,
      disabledCommands: tls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
      ...tls,
      disableReverseLookup: true,
      size: MAX_MESSAGE_BYTES,
      maxClients: 50,
      closeTimeout: 2000,
      logger: false,
      onRcptTo: (address, _session, callback) =>
        callback(address.address.toLowerCase() === requestAddress() ? undefined : smtpError(550, '5.1.1 No such mailbox: this server takes mail only for the city\'s request address')),
      onData: (stream, session, callback) => this.receive(stream, session, callback),
    });
    // A client's broken connection is reported here; unheard, it would crash the process.
    server.on('error', (error) => this.logger.warn(`SMTP: ${error.message}`));
    // Without TCP_NODELAY every SMTP reply waits out the peer's delayed ACK (~40 ms a message).
    server.server.on('connection', (socket: Socket) => socket.setNoDelay(true));
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(this.port, process.env.HOST ?? '127.0.0.1', () => {
        server.server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.port = (server.server.address() as AddressInfo).port;
    this.logger.log(`SMTP listening on port ${this.port} for ${requestAddress()}${tls ? ' (STARTTLS offered)' : ''}`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (server?.server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private receive(stream: SMTPServerDataStream, session: SMTPServerSession, callback: (error?: Error | null, message?: string) => void): void {
    const envelopeSender = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
    readMessage(stream, MAX_MESSAGE_BYTES)
      .then(async (raw) => {
        if (!raw) return callback(smtpError(552, '5.3.4 Message exceeds the 10 MiB limit'));
        const outcome = await inSpan('smtp DATA', { kind: 'server', attributes: { 'network.protocol.name': 'smtp' } }, () => this.intake.take(raw, envelopeSender));
        if (outcome.kind === 'busy') return callback(smtpError(451, '4.3.0 This message is being handled; please try again later'));
        if (outcome.kind === 'dropped') this.logger.log(`message not taken in: ${outcome.reason}`);
        callback(null, 'Message accepted');
      })
      .catch((error: Error) => {
        // Never the sender or the text in a log line: the error's message only.
        this.logger.error(`message not taken in, sender asked to retry: ${error.message}`);
        callback(smtpError(451, '4.3.0 Temporary failure; please try again later'));
      });
  }
}

/** Where and how the email channel listens: for the demo, tests and operators. */
@Controller('v1/email-intake')
export class EmailIntakeController {
  constructor(private readonly listener: EmailListener) {}

  @Get()
  @Access.staff('config:read')
  describe() {
    return {
      address: requestAddress(),
      smtpPort: this.listener.port,
      starttls: this.listener.starttls,
      maxMessageBytes: MAX_MESSAGE_BYTES,
      maxAttachmentBytes: MAX_ATTACHMENT_BYTES,
      maxAttachments: MAX_ATTACHMENTS,
    };
  }
}
