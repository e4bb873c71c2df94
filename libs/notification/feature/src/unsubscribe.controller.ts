import { Controller, Get, Param, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import type { NotificationAudience, NotificationChannel } from '@caseline/case-contracts';
import { Access, CaseLog, escapeHtml, htmlPage, sendPage } from '@caseline/service-kit';
import { NOTIFICATION_ACTOR } from './notification-dispatcher';
import { notificationOfLink } from './unsubscribe-links';

interface Sent {
  /** None for a council digest. */
  case_id: string | null;
  channel: NotificationChannel;
  audience: NotificationAudience;
  recipient_hash: Buffer;
  recipient_masked: string;
}

const CHANNEL_WORDS: Record<NotificationChannel, string> = { email: 'emails', sms: 'text messages', webhook: 'webhook calls' };

/**
 * The unsubscribe link of every message. Opening it shows what it will stop; confirming (a POST,
 * also RFC 8058's one-click POST from mail clients) stops every message to that address on that
 * channel at once — pending ones included — and records it on the case, once.
 */
@Controller('u/:link')
@Access.signed('signed unsubscribe link')
export class UnsubscribeController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly caseLog: CaseLog,
  ) {}

  @Get()
  async show(@Param('link') link: string, @Res() response: Response): Promise<void> {
    const sent = await this.messageOf(link);
    if (!sent) return sendPage(response, 404, htmlPage('This link does not work', '<p>Open the link exactly as the message gave it.</p>'));
    sendPage(
      response,
      200,
      htmlPage(
        'Stop these messages?',
        `<p>No more ${CHANNEL_WORDS[sent.channel]} from 311 will go to ${escapeHtml(sent.recipient_masked)}, about this request or any other.</p>
<form method="post"><p><button type="submit">Stop them</button></p></form>`,
      ),
    );
  }

  @Post()
  async stop(@Param('link') link: string, @Res() response: Response): Promise<void> {
    const sent = await this.messageOf(link);
    if (!sent) return sendPage(response, 404, htmlPage('This link does not work', '<p>Open the link exactly as the message gave it.</p>'));
    const recipient = sent.recipient_hash.toString('hex');
    const suppress = 'INSERT INTO notification.suppressions (channel, recipient_hash, case_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING';
    if (!sent.case_id) await this.dataSource.query(suppress, [sent.channel, sent.recipient_hash, null]);
    else await this.caseLog.execute(
      sent.case_id,
      { type: 'StopNotifications', data: { channel: sent.channel, recipient: sent.recipient_masked, audience: sent.audience } },
      {
        metadata: { actor: NOTIFICATION_ACTOR, channel: 'system', at: new Date().toISOString(), correlationId: sent.case_id },
        // Once per address and channel, however often the link is used.
        reactionTo: { eventId: `${sent.channel}:${recipient}`, consumer: 'unsubscribe' },
        alongside: () => [{ text: suppress, parameters: [sent.channel, sent.recipient_hash, sent.case_id] }],
      },
    );
    sendPage(response, 200, htmlPage('Done', `<p>No more ${CHANNEL_WORDS[sent.channel]} from 311 will go to ${escapeHtml(sent.recipient_masked)}. You can still follow your requests with their tracking links, or call 311.</p>`));
  }

  private async messageOf(link: string): Promise<Sent | undefined> {
    const id = notificationOfLink(link);
    if (!id) return undefined;
    const [sent] = await this.dataSource.query<Sent[]>('SELECT case_id, channel, audience, recipient_hash, recipient_masked FROM notification.outbox WHERE id = $1', [id]);
    return sent;
  }
}
