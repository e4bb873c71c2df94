import { Controller, Get, Query } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { CaseEventEnvelope } from '@caseline/case-contracts';
import { deterministicEventId } from '@caseline/event-store';
import { caseSnapshot, LANGUAGES, Language, MessagePurpose, missingTranslations, Rendering } from '@caseline/notification-domain';
import { Access, caseLinkUrl, CaseLog, problem, trackingUrl } from '@caseline/service-kit';
import { NotificationDispatcher } from './notification-dispatcher';

const PURPOSES: readonly MessagePurpose[] = ['received', 'assigned', 'scheduled', 'in-progress', 'information-requested', 'resolved', 'closed', 'linked-as-duplicate', 'deadline-approaching', 'escalated'];

const invalid = (field: string, allowed: readonly string[]) => problem(400, 'Bad Request', `${field} must be one of ${allowed.join(', ')}`, [{ field, rule: 'isIn', message: `one of ${allowed.join(', ')}` }]);

/** For staff: what any message would say about a case, and which translations are missing. */
@Controller('v1/notifications')
export class NotificationsAdminController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly caseLog: CaseLog,
    private readonly dispatcher: NotificationDispatcher,
  ) {}

  /** Renders a template for a case, with the case's own facts (the latest note, question, schedule) and the reporter's language unless one is asked for. */
  @Get('preview')
  @Access.staff('cases:handle')
  async preview(@Query() query: Record<string, unknown>): Promise<Rendering & { purpose: MessagePurpose; channel: 'email' | 'sms' }> {
    const { reference, purpose, channel = 'email', language } = query as Record<string, string | undefined>;
    if (!PURPOSES.includes(purpose as MessagePurpose)) throw invalid('purpose', PURPOSES);
    if (channel !== 'email' && channel !== 'sms') throw invalid('channel', ['email', 'sms']);
    if (language !== undefined && !LANGUAGES.includes(language as Language)) throw invalid('language', LANGUAGES);
    const [known] = await this.dataSource.query<{ case_id: string }[]>('SELECT case_id FROM notification.cases WHERE reference = $1', [String(reference ?? '')]);
    if (!known) throw problem(404, 'Not Found', `No case ${reference}`);
    const history = await this.caseLog.history(known.case_id);
    const snapshot = caseSnapshot(history)!;
    const latest = (type: string) => [...history].reverse().find((e) => e.type === type) as CaseEventEnvelope<string, Record<string, string | undefined>> | undefined;
    const expires = Math.floor(Date.now() / 1000) + 14 * 86_400;
    const facts = {
      reference: snapshot.reference,
      serviceName: snapshot.serviceName,
      trackingUrl: trackingUrl(snapshot.reference),
      departmentName: snapshot.departmentName,
      dueAt: snapshot.dueAt,
      scheduledFor: latest('WorkOrderStatusChanged')?.data.scheduledFor,
      note: latest('CaseResolved')?.data.note ?? latest('CaseCancelled')?.data.reason,
      question: latest('InformationRequested')?.data.question ?? '(the question the city asks)',
      originalReference: latest('CaseLinked')?.data.relatedReference,
      reopenUrl: caseLinkUrl(snapshot.reference, 'reopen', expires),
      surveyUrl: caseLinkUrl(snapshot.reference, 'survey', expires),
    };
    const rendered = this.dispatcher.render({
      id: deterministicEventId('notification-preview', known.case_id),
      purpose: purpose as MessagePurpose,
      channel,
      language: (language as Language | undefined) ?? snapshot.reporter?.language ?? 'en',
      facts,
    });
    return { purpose: purpose as MessagePurpose, channel, ...rendered };
  }

  @Get('templates')
  @Access.staff('config:read')
  templates(): { languages: readonly Language[]; purposes: readonly MessagePurpose[]; missingTranslations: ReturnType<typeof missingTranslations> } {
    return { languages: LANGUAGES, purposes: PURPOSES, missingTranslations: missingTranslations() };
  }
}
