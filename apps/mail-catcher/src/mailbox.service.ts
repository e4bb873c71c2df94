import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { AddressObject, simpleParser } from 'mailparser';
import type { AddressInfo, Socket } from 'node:net';
import { SMTPServer, SMTPServerDataStream } from 'smtp-server';
import { envInt, readMessage, smtpError } from '@caseline/service-kit';

export interface CaughtMessage {
  id: number;
  messageId?: string;
  /** Every To address, joined with ", ". */
  to: string;
  from: string;
  /** Where answers go, when not to From. */
  replyTo: string;
  /** The one-click unsubscribe link mail clients show (RFC 8058), if any. */
  listUnsubscribe?: string;
  subject: string;
  text: string;
  receivedAt: string;
}

export const MAX_MESSAGE_BYTES = 1024 * 1024;
export const REFUSED_DOMAIN = 'refused.invalid';

const addresses = (field: AddressObject | AddressObject[] | undefined): string =>
  (Array.isArray(field) ? field : field ? [field] : []).flatMap((group) => group.value.map((address) => address.address ?? '')).join(', ');

/** mailparser gathers the List-* headers under "list": List-Unsubscribe's URL is list.unsubscribe.url. */
const unsubscribeLink = (list: unknown): { listUnsubscribe?: string } => {
  const url = (list as { unsubscribe?: { url?: string } } | undefined)?.unsubscribe?.url;
  return url ? { listUnsubscribe: url } : {};
};

/** A message as it arrived; read (parsed) the first time it is listed, not on the SMTP path. */
interface Arrival {
  id: number;
  raw: Buffer;
  receivedAt: string;
  read?: Promise<CaughtMessage>;
}

/** What a message says; one too broken to parse is kept as its raw text, as a mail client shows it. */
const readArrival = async ({ id, raw, receivedAt }: Arrival): Promise<CaughtMessage> => {
  const mail = await simpleParser(raw).catch(() => undefined);
  if (!mail) return { id, to: '', from: '', replyTo: '', subject: '', text: raw.toString('utf8'), receivedAt };
  return {
    id,
    messageId: mail.messageId,
    to: addresses(mail.to),
    from: addresses(mail.from),
    replyTo: addresses(mail.replyTo),
    ...unsubscribeLink(mail.headers.get('list')),
    subject: mail.subject ?? '',
    text: mail.text ?? '',
    receivedAt,
  };
};

/**
 * A real SMTP server (no auth, no TLS: local use only) that keeps what it receives. It stands in
 * for the city's mail relay: accepting a message costs what a relay's acceptance costs (the SMTP
 * conversation), and reading it is left to whoever lists the mailbox.
 */
@Injectable()
export class MailboxService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('MailCatcher');
  private arrivals: Arrival[] = [];
  private nextId = 1;
  private readonly server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    disableReverseLookup: true,
    size: MAX_MESSAGE_BYTES,
    closeTimeout: 2000,
    logger: false,
    onRcptTo: (address, _session, callback) => callback(this.refuses(address.address) ? smtpError(550, 'Mailbox unavailable') : undefined),
    onData: (stream, _session, callback) => this.receive(stream, callback),
  });
  /** Asked for from MAIL_CATCHER_SMTP_PORT (0: any free port); once started, the port bound. */
  smtpPort = envInt('MAIL_CATCHER_SMTP_PORT', 2525);

  /** Recipients at REFUSED_DOMAIN are refused with 550, as a mail server does for a mailbox that is gone. */
  private refuses(address: string): boolean {
    return address.toLowerCase().endsWith(`@${REFUSED_DOMAIN}`);
  }

  async list(to?: string): Promise<CaughtMessage[]> {
    // One at a time: a mailbox of thousands read at once would hold every message's parse in memory together.
    const messages: CaughtMessage[] = [];
    for (const arrival of this.arrivals) messages.push(await (arrival.read ??= readArrival(arrival)));
    if (!to) return messages;
    const wanted = to.trim().toLowerCase();
    return messages.filter((message) => message.to.toLowerCase().split(', ').includes(wanted));
  }

  clear(): void {
    this.arrivals = [];
  }

  async onModuleInit(): Promise<void> {
    // A client's broken connection is reported here; unheard, it would crash the process.
    this.server.on('error', (error) => this.logger.warn(`SMTP: ${error.message}`));
    // Without TCP_NODELAY every SMTP reply waits out the peer's delayed ACK (~40 ms a message).
    this.server.server.on('connection', (socket: Socket) => socket.setNoDelay(true));
    await new Promise<void>((resolve, reject) => {
      this.server.server.once('error', reject);
      this.server.listen(this.smtpPort, process.env.HOST ?? '127.0.0.1', () => {
        this.server.server.off('error', reject);
        resolve();
      });
    });
    this.smtpPort = (this.server.server.address() as AddressInfo).port;
    this.logger.log(`SMTP listening on port ${this.smtpPort}`);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.server.server.listening) await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private receive(stream: SMTPServerDataStream, callback: (error?: Error | null) => void): void {
    readMessage(stream, MAX_MESSAGE_BYTES)
      .then((raw) => {
        if (!raw) return callback(smtpError(552, 'Message exceeds the 1 MiB limit'));
        this.arrivals.push({ id: this.nextId++, raw, receivedAt: new Date().toISOString() });
        callback();
      })
      .catch((error: Error) => callback(smtpError(451, `Message not received: ${error.message}`)));
  }
}
