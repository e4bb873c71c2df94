import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { connect as connectTcp, Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { createTransport, Transporter } from 'nodemailer';
import { env, envInt, isProduction, secret } from './config';

/** STARTTLS is required in production unless SMTP_REQUIRE_TLS=false says the relay is local. */
const requireTls = (): boolean => process.env.SMTP_REQUIRE_TLS === 'true' || (isProduction() && process.env.SMTP_REQUIRE_TLS !== 'false');

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  /** Stable per message, so a resend after a crash is recognisably the same message. */
  messageId: string;
  /** Defaults to MAIL_FROM. */
  from?: string;
  /** Where an answer goes, when not to From (e.g. the city's request address, which reads replies). */
  replyTo?: string;
  /** Threading: the Message-ID answered, and the thread's earlier ids. */
  inReplyTo?: string;
  references?: string[];
  headers?: Record<string, string>;
}

/** The receiving server refused the message for good (SMTP 5xx): sending it again cannot help. */
export class EmailRefused extends Error {
  constructor(readonly reason: string) {
    super(`The mail server refused the message (${reason})`);
    this.name = 'EmailRefused';
  }
}


/**
 * Nodemailer's errors quote the recipient's address; ours name only the SMTP code, so nothing
 * personal reaches a log line. 4xx and connection errors stay transient (the caller retries).
 */
function withoutAddresses(error: unknown): Error {
  const { responseCode, code } = error as { responseCode?: number; code?: string };
  if (responseCode !== undefined && responseCode >= 500) return new EmailRefused(`SMTP ${responseCode}`);
  return new Error(`Email not sent (${responseCode ? `SMTP ${responseCode}` : (code ?? (error as Error).name)}); will retry`);
}

/** Email over a real SMTP conversation to SMTP_HOST:SMTP_PORT (the local mail catcher in development and tests). */
@Injectable()
export class SmtpSender implements OnApplicationShutdown {
  private readonly transport: Transporter;
  private readonly from = env('MAIL_FROM', 'Caseline 311 <no-reply@caseline.local>');

  constructor() {
    const user = process.env.SMTP_USER;
    const host = env('SMTP_HOST', '127.0.0.1');
    const port = envInt('SMTP_PORT', 2525);
    const secure = process.env.SMTP_SECURE === 'true';
    this.transport = createTransport({
      host,
      port,
      secure,
      // Our own socket, with TCP_NODELAY: nodemailer's leaves Nagle on, and each message then waits
      // out the server's delayed ACK (measured: 46 ms a message instead of 3 over loopback).
      getSocket: (_options, callback) => {
        const socket: Socket = secure ? connectTls({ host, port, servername: host }) : connectTcp({ host, port });
        socket.setNoDelay(true);
        socket.once('error', (error) => callback(error, undefined as never));
        socket.once(secure ? 'secureConnect' : 'connect', () => callback(null, { connection: socket, secured: secure }));
      },
      // Residents' mail and the SMTP password never cross the network in clear in production
      // (STARTTLS required); the local mail catcher in development speaks plain SMTP.
      ...(secure ? {} : requireTls() ? { requireTLS: true } : { ignoreTLS: true }),
      ...(user ? { auth: { user, pass: secret('SMTP_PASSWORD', '') } } : {}),
      pool: true,
      maxConnections: 4,
      // A hung server must fail the send (it is retried), not hold a consumer's chunk for ever.
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
  }

  async send(email: OutgoingEmail): Promise<void> {
    try {
      await this.transport.sendMail({
        from: email.from ?? this.from,
        to: email.to,
        subject: email.subject,
        text: email.text,
        messageId: email.messageId,
        ...(email.replyTo ? { replyTo: email.replyTo } : {}),
        ...(email.inReplyTo ? { inReplyTo: email.inReplyTo } : {}),
        ...(email.references?.length ? { references: email.references } : {}),
        ...(email.headers ? { headers: email.headers } : {}),
      });
    } catch (error) {
      throw withoutAddresses(error);
    }
  }

  onApplicationShutdown(): void {
    this.transport.close();
  }
}
