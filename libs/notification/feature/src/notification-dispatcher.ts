import { Injectable, Logger, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Actor, NotificationAudience, NotificationChannel, NotificationPurpose, SealedPersonalData } from '@caseline/case-contracts';
import type { CaseCommand } from '@caseline/case-domain';
import { loadCityConfig } from '@caseline/city-config';
import { Language, MessageFacts, MessagePurpose, renderMessage, Rendering, smsAllowedAt, Words } from '@caseline/notification-domain';
import { PersonalDataVault } from '@caseline/personal-data';
import { asDelivery, CaseLog, env, envInt, failpoint, isDatabaseUnavailable, Metrics, sqlFor, WorkLoop } from '@caseline/service-kit';
import { DeliveryRefused, EmailChannel, SmsChannel, WebhookChannel } from './channels';
import { smsQuietHours } from './quiet-hours-setting';
import { unsubscribeUrl } from './unsubscribe-links';

export const NOTIFICATION_ACTOR: Actor = { kind: 'service', id: 'notification', name: 'Notification service' };

interface DueMessage {
  id: string;
  /** None for a council digest. */
  case_id: string | null;
  purpose: NotificationPurpose;
  audience: NotificationAudience;
  channel: NotificationChannel;
  /** In clear for staff and partners; a resident's is sealed (recipient_sealed). */
  recipient: string | null;
  recipient_sealed: SealedPersonalData | null;
  recipient_hash: Buffer;
  recipient_masked: string;
  language: Language;
  facts: Record<string, unknown>;
  attempts: number;
  suppressed: boolean;
  /** Its dispatcher stopped while sending it: it may have gone out. */
  interrupted: boolean;
  /** Our lease, as PostgreSQL wrote it (text keeps its microseconds for an exact comparison). */
  lease: string;
  /** The trace of the event that owed it (ADR 0017). */
  traceparent: string | null;
}

type Outcome = { kind: 'sent' } | { kind: 'failed'; reason: string };

/**
 * Sends what the planner owes: leases due rows of notification.outbox, renders each at send time
 * (in the reader's language, English where a translation is missing — reported), sends it on its
 * channel, and records the outcome on the case (ResidentNotified / ResidentNotificationFailed,
 * with the audience) in the same transaction as the row. Transient failures back off and are
 * retried; after NOTIFICATION_MAX_ATTEMPTS, or at once when refused for good, the failure is
 * recorded. At most once: a message whose dispatcher stopped while sending it (its lease ran out)
 * may have gone out, so it is recorded as unconfirmed and never sent again.
 */
@Injectable()
export class NotificationDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(NotificationDispatcher.name);
  /** Longer than any send can take (SMTP's own timeouts add up to 50 s): a lease that runs out means its dispatcher stopped. */
  private readonly leaseSeconds = envInt('NOTIFICATION_LEASE_SECONDS', 120);
  private readonly concurrency = envInt('NOTIFICATION_CONCURRENCY', 16);
  private readonly maxAttempts = envInt('NOTIFICATION_MAX_ATTEMPTS', 10);
  /** Up to four segments: a Spanish text with two links (UCS-2, 67 characters a segment) needs them. */
  private readonly maxSmsSegments = envInt('SMS_MAX_SEGMENTS', 4);
  /** Replies to our emails go to the city's request address, which reads them (information the city asked for). */
  private readonly replyTo = env('REQUEST_ADDRESS', 'requests@demo-city.caseline.local');
  private readonly timeZone: string;
  private readonly quietHours?: { start: string; end: string };
  private readonly reportedMissing = new Set<string>();
  private readonly deliveries = new Set<Promise<void>>();
  /**
   * Rows may be due that were not leased: new ones were planned, or the last lease filled its room.
   * Only then does a finished delivery look again at once; otherwise the next tick does.
   */
  private mayBeDue = true;
  private readonly wordsByLanguage = new Map<Language, Words>();
  private readonly loop = new WorkLoop('dispatcher', () => this.dispatchDue(), 250, this.logger);

  constructor(
    private readonly dataSource: DataSource,
    private readonly caseLog: CaseLog,
    private readonly email: EmailChannel,
    private readonly sms: SmsChannel,
    private readonly webhooks: WebhookChannel,
    private readonly vault: PersonalDataVault,
    private readonly metrics: Metrics,
  ) {
    const { city } = loadCityConfig();
    this.timeZone = city.timeZone;
    this.quietHours = smsQuietHours(city);
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.loop.stop();
    await Promise.all(this.deliveries);
  }

  /** New rows are waiting: look now rather than at the next tick. */
  nudge(): void {
    this.mayBeDue = true;
    this.loop.wake();
  }

  /**
   * Leases what is due (a short statement, no long transaction) and starts sending it without
   * waiting. While messages are under way it leases only once half its room is free, so that under
   * load one statement leases many. True when it took all it had room for (more may be due).
   */
  async dispatchDue(): Promise<boolean> {
    const room = this.concurrency - this.deliveries.size;
    if (room <= 0 || (this.deliveries.size > 0 && room < this.concurrency / 2)) return false;
    this.mayBeDue = false;
    const due = await sqlFor(this.dataSource).query<DueMessage>(
      // A row whose lease ran out while it was being sent (its sending mark set: every other
      // outcome clears the lease) may have gone out, so it is not sent again. One whose lease ran
      // out before that is simply sent.
      `WITH due AS (
         SELECT id, sending_since IS NOT NULL AS interrupted FROM notification.outbox
          WHERE state = 'pending' AND next_attempt_at <= now() AND (leased_until IS NULL OR leased_until < now())
          ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED),
       leased AS (
         UPDATE notification.outbox o SET leased_until = now() + make_interval(secs => $2) FROM due WHERE o.id = due.id
         RETURNING o.id, o.case_id, o.purpose, o.audience, o.channel, o.recipient, o.recipient_sealed, o.recipient_hash, o.recipient_masked, o.language, o.facts, o.attempts, o.traceparent,
                   due.interrupted, o.leased_until::text AS lease)
       SELECT l.*, EXISTS (SELECT 1 FROM notification.suppressions s WHERE s.channel = l.channel AND s.recipient_hash = l.recipient_hash) AS suppressed
         FROM leased l`,
      [room, this.leaseSeconds],
      'notification-lease-due',
    );
    for (const message of due) {
      const attributes = { 'caseline.case_id': message.case_id ?? '', 'caseline.notification_purpose': message.purpose, 'caseline.notification_channel': message.channel };
      const delivery = asDelivery('notification deliver', { caseId: message.case_id ?? undefined, traceparent: message.traceparent, attributes }, () => this.deliver(message))
        .catch((error: Error) => this.logger.error(`notification ${message.id}: ${error.message}`))
        .finally(() => {
          this.deliveries.delete(delivery);
          if (this.mayBeDue) this.loop.wake();
        });
      this.deliveries.add(delivery);
    }
    if (due.length === room) this.mayBeDue = true;
    return due.length === room;
  }

  private async deliver(message: DueMessage): Promise<void> {
    // At most once: what may already have gone out is never sent again, and the case says so.
    if (message.interrupted) return this.record(message, { kind: 'failed', reason: 'delivery unconfirmed: the service stopped while sending it, and it is not sent twice' });
    // An address that unsubscribed is never contacted again; nothing to record on the case.
    if (message.suppressed) return this.settle(message, 'suppressed', 'unsubscribed');
    if (message.channel === 'sms') {
      const allowed = smsAllowedAt(new Date(), this.quietHours, this.timeZone);
      if (allowed.getTime() > Date.now()) return this.postpone(message, allowed);
    }
    // Opened only now, to send: a resident whose data was erased meanwhile is not contacted, and the case says so.
    const sealed = message.recipient_sealed;
    const recipient = message.recipient ?? (sealed && (await this.throughOutage(message, 'opening the address', () => this.vault.open(sealed))))?.[message.channel === 'sms' ? 'phone' : 'email'];
    if (!recipient) return this.record(message, { kind: 'failed', reason: 'not sent: the personal data of the recipient was erased' });
    failpoint('notification:before-send');
    if (!(await this.markSending(message))) return; // the lease ran out meanwhile: another dispatcher has the message
    let outcome: Outcome;
    try {
      await this.send(message, recipient);
      outcome = { kind: 'sent' };
    } catch (error) {
      if (error instanceof DeliveryRefused) outcome = { kind: 'failed', reason: error.reason };
      else if (message.attempts + 1 >= this.maxAttempts) outcome = { kind: 'failed', reason: `gave up after ${message.attempts + 1} attempts (${(error as Error).message})` };
      else return this.retryLater(message, error as Error);
    }
    failpoint('notification:after-send');
    await this.throughOutage(message, 'recording the outcome', () => this.record(message, outcome));
    failpoint('notification:after-record');
  }

  /**
   * A leased message's work must outlive a database restart: dropped, its lease would run out and
   * the message would count as unconfirmed — though it went out (the record failed), or never did
   * (its address could not be opened). So that work is tried again while the database is
   * unavailable, within half the lease; only a crash of this process leaves a message unconfirmed.
   */
  private async throughOutage<T>(message: DueMessage, what: string, work: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + (this.leaseSeconds * 1000) / 2;
    for (let delay = 250; ; delay = Math.min(delay * 2, 4000)) {
      try {
        return await work();
      } catch (error) {
        if (!isDatabaseUnavailable(error) || Date.now() + delay > deadline) throw error;
        this.logger.warn(`case ${message.case_id}: ${what} for "${message.purpose}" waits for the database (${(error as Error).message})`);
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /**
   * Marks the message as being sent, durably, before it is handed over: only a crash between this
   * mark and the record of the outcome leaves a message whose fate is unknown (ADR 0010).
   */
  private async markSending(message: DueMessage): Promise<boolean> {
    const [{ marked }] = await this.throughOutage(message, 'marking it as being sent', () =>
      sqlFor(this.dataSource).query<{ marked: number }>(
        'WITH marked AS (UPDATE notification.outbox SET sending_since = now() WHERE id = $1 AND leased_until = $2::timestamptz RETURNING id) SELECT count(*)::int AS marked FROM marked',
        [message.id, message.lease],
        'notification-mark-sending',
      ),
    );
    return marked === 1;
  }

  private async send(message: DueMessage, recipient: string): Promise<void> {
    if (message.channel === 'webhook') return this.webhooks.send(message.id, recipient, message.facts);
    const rendered = this.render(message);
    if (message.channel === 'sms') return this.sms.send(message.id, recipient, rendered.text);
    await this.email.send({
      to: recipient,
      subject: rendered.subject!,
      text: rendered.text,
      messageId: `<${message.id}@caseline>`,
      unsubscribeUrl: unsubscribeUrl(message.id),
      ...(message.purpose === 'information-requested' ? { replyTo: this.replyTo } : {}),
    });
  }

  /** The message in the reader's language; a broken template fails this message only (DeliveryRefused), never the others. */
  render(message: Pick<DueMessage, 'id' | 'purpose' | 'channel' | 'language' | 'facts'>): Rendering {
    let rendered: Rendering;
    try {
      const facts = { ...message.facts, unsubscribeUrl: unsubscribeUrl(message.id) } as unknown as MessageFacts;
      rendered = renderMessage(message.purpose as MessagePurpose, message.channel as 'email' | 'sms', message.language, facts, (language) => this.words(language), this.maxSmsSegments);
    } catch (error) {
      this.logger.error(`template "${message.purpose}" (${message.channel}, ${message.language}) failed: ${(error as Error).message}`);
      throw new DeliveryRefused(`template error in "${message.purpose}"`);
    }
    const key = `${message.purpose}/${message.channel}/${rendered.missingTranslation}`;
    if (rendered.missingTranslation && !this.reportedMissing.has(key)) {
      this.reportedMissing.add(key);
      this.logger.warn(`no "${rendered.missingTranslation}" template for "${message.purpose}" by ${message.channel}: sent in English`);
    }
    return rendered;
  }

  /** Dates as the reader says them, in the city's time: a day alone stays that day. Made once per language (an Intl formatter costs more than the message). */
  words(language: Language): Words {
    let words = this.wordsByLanguage.get(language);
    if (!words) this.wordsByLanguage.set(language, (words = this.makeWords(language)));
    return words;
  }

  private makeWords(language: Language): Words {
    const locale = language === 'es' ? 'es-US' : 'en-US';
    const dateTime = new Intl.DateTimeFormat(locale, { timeZone: this.timeZone, weekday: 'short', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });
    const day = new Intl.DateTimeFormat(locale, { timeZone: 'UTC', weekday: 'short', month: 'short', day: 'numeric' });
    return { date: (iso) => (/^\d{4}-\d{2}-\d{2}$/.test(iso) ? day.format(new Date(`${iso}T00:00:00Z`)) : dateTime.format(new Date(iso))) };
  }

  /** The outcome on the case and on the row, together; the address is forgotten once settled. */
  private async record(message: DueMessage, outcome: Outcome): Promise<void> {
    if (outcome.kind === 'failed') this.metrics.deliveryFailures.inc({ kind: 'resident-message', target: message.channel, outcome: 'failed' });
    const settle = `UPDATE notification.outbox SET state = $2, last_error = $3, recipient = NULL, recipient_sealed = NULL, leased_until = NULL, settled_at = now() WHERE id = $1 AND state = 'pending'`;
    const settlement = [message.id, outcome.kind, outcome.kind === 'failed' ? outcome.reason : null];
    // A digest is about a district, not a case: only its row records it.
    if (!message.case_id) return void (await this.dataSource.query(settle, settlement));
    const data = { notificationId: message.id, purpose: message.purpose, channel: message.channel, audience: message.audience };
    const command: CaseCommand =
      outcome.kind === 'sent' ? { type: 'RecordResidentNotified', data: { ...data, recipient: message.recipient_masked } } : { type: 'RecordResidentNotificationFailed', data: { ...data, reason: outcome.reason } };
    await this.caseLog.execute(message.case_id, command, {
      metadata: { actor: NOTIFICATION_ACTOR, channel: message.channel === 'email' ? 'email' : 'system', at: new Date().toISOString(), correlationId: message.case_id },
      reactionTo: { eventId: message.id, consumer: 'notification' },
      alongside: () => [{ text: settle, parameters: settlement }],
    });
    this.logger.log(`case ${message.case_id}: "${message.purpose}" to the ${message.audience} by ${message.channel} ${outcome.kind}`);
  }

  private async settle(message: DueMessage, state: 'suppressed', reason: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE notification.outbox SET state = $2, last_error = $3, recipient = NULL, recipient_sealed = NULL, leased_until = NULL, settled_at = now() WHERE id = $1 AND leased_until = $4::timestamptz`,
      [message.id, state, reason, message.lease],
    );
  }

  private async postpone(message: DueMessage, until: Date): Promise<void> {
    await this.dataSource.query(`UPDATE notification.outbox SET next_attempt_at = $2, leased_until = NULL, sending_since = NULL WHERE id = $1 AND leased_until = $3::timestamptz`, [message.id, until, message.lease]);
  }

  /** Exponential backoff with jitter, from 2 s to 30 min. */
  private async retryLater(message: DueMessage, error: Error): Promise<void> {
    const seconds = Math.min(1800, 2 ** (message.attempts + 1)) * (0.5 + Math.random());
    this.logger.warn(`"${message.purpose}" by ${message.channel} for case ${message.case_id} failed (attempt ${message.attempts + 1}): ${error.message}`);
    await this.dataSource.query(
      `UPDATE notification.outbox SET attempts = attempts + 1, last_error = $2, leased_until = NULL, sending_since = NULL, next_attempt_at = now() + make_interval(secs => $3)
        WHERE id = $1 AND leased_until = $4::timestamptz`,
      [message.id, error.message.slice(0, 500), seconds, message.lease],
    );
  }
}
