import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Actor, CaseEventEnvelope, CaseLinked, CaseReported, CaseResolved, NotificationPurpose, ReporterContact } from '@caseline/case-contracts';
import { CatalogStore } from '@caseline/catalog-feature';
import { deterministicEventId } from '@caseline/event-store';
import type { CaseCommand } from '@caseline/case-domain';
import { CaseLog, EmailRefused, failpoint, maskEmail, SmtpSender, trackingUrl } from '@caseline/service-kit';
import { MessageFacts, render } from './templates';

export const NOTIFICATION_ACTOR: Actor = { kind: 'service', id: 'notification', name: 'Notification service' };

@Injectable()
export class NotificationService {
  private readonly logger = new Logger(NotificationService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly caseLog: CaseLog,
    private readonly email: SmtpSender,
    private readonly catalog: CatalogStore,
  ) {}

  async onCaseReported(event: CaseEventEnvelope<'CaseReported', CaseReported['data']>): Promise<void> {
    const { reporter, reference, serviceName, channel } = event.data;
    // The email channel answers a resident's email itself, in its thread (intake's EmailIntake).
    if (channel === 'email') return;
    return this.notify(event, 'received', reporter, { reference, serviceName });
  }

  /** A resident whose report turned out to be a duplicate hears that the city already works on it. */
  async onCaseLinked(event: CaseEventEnvelope<'CaseLinked', CaseLinked['data']>): Promise<void> {
    if (event.data.relation !== 'duplicate-of') return;
    const state = await this.caseLog.state(event.caseId);
    if (!state.exists) return;
    const serviceName = this.catalog.find(state.serviceCode)?.name ?? state.serviceCode;
    return this.notify(event, 'linked-as-duplicate', state.reporter, { reference: state.reference, serviceName, originalReference: event.data.relatedReference });
  }

  async onCaseResolved(event: CaseEventEnvelope<'CaseResolved', CaseResolved['data']>): Promise<void> {
    const state = await this.caseLog.state(event.caseId);
    if (!state.exists) return;
    const serviceName = this.catalog.find(state.serviceCode)?.name ?? state.serviceCode;
    return this.notify(event, 'resolved', state.reporter, { reference: state.reference, serviceName, note: event.data.note });
  }

  /**
   * Sends at most once per (event, purpose): a delivery already recorded is skipped. The record and
   * the ResidentNotified event are written together after the SMTP server accepted the message.
   */
  private async notify(
    cause: CaseEventEnvelope,
    purpose: NotificationPurpose,
    reporter: ReporterContact | undefined,
    facts: Omit<MessageFacts, 'trackingUrl'>,
  ): Promise<void> {
    if (!reporter?.email) return;
    const notificationId = deterministicEventId('notification', cause.eventId, purpose, 'email');
    const sent = await this.dataSource.query('SELECT 1 FROM notification.deliveries WHERE notification_id = $1', [notificationId]);
    if (sent.length > 0) return;

    const message = render(purpose, reporter.language, { ...facts, trackingUrl: trackingUrl(facts.reference) });
    const recipient = maskEmail(reporter.email);
    let command: CaseCommand;
    try {
      await this.email.send({ to: reporter.email, ...message, messageId: `<${notificationId}@caseline>` });
      command = { type: 'RecordResidentNotified', data: { notificationId, purpose, channel: 'email', recipient } };
    } catch (error) {
      if (!(error instanceof EmailRefused)) throw error;
      command = { type: 'RecordResidentNotificationFailed', data: { notificationId, purpose, channel: 'email', reason: error.reason } };
    }
    failpoint('notification:after-send');
    const outcome = command.type === 'RecordResidentNotified' ? 'sent' : 'refused';
    await this.caseLog.execute(cause.caseId, command, {
      metadata: { actor: NOTIFICATION_ACTOR, channel: 'email', at: new Date().toISOString(), correlationId: cause.metadata.correlationId, causationId: cause.eventId },
      reactionTo: { eventId: cause.eventId, consumer: `notification:${purpose}` },
      alongside: async (sql) =>
        void (await sql.query(
          `INSERT INTO notification.deliveries (notification_id, case_id, purpose, channel, recipient_masked, outcome, reason) VALUES ($1, $2, $3, 'email', $4, $5, $6)`,
          [notificationId, cause.caseId, purpose, recipient, outcome, command.type === 'RecordResidentNotificationFailed' ? command.data.reason : null],
        )),
    });
    failpoint('notification:after-record');
    this.logger.log(`case ${cause.caseId}: "${purpose}" email ${outcome}`);
  }
}
