import { Injectable, Logger } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { HeaderValue, ParsedMail } from 'mailparser';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { Actor, CaseReported, ReporterContact } from '@caseline/case-contracts';
import { CaseCommand, CaseDomainError, caseDecider } from '@caseline/case-domain';
import { loadCityConfig } from '@caseline/city-config';
import { deterministicEventId, foldCase } from '@caseline/event-store';
import { PersonalDataVault, reporterPersonalData } from '@caseline/personal-data';
import { CaseLog, EMAIL_ADDRESS, EmailRefused, env, failpoint, isReadableText, maskEmail, normalizeEmail, SmtpSender, trackingUrl } from '@caseline/service-kit';
import { CaseSubmission, MAX_DESCRIPTION_LENGTH, nativeSubmissionFields, SubmissionRejected } from '../case-submission';
import { IntakeService } from '../intake.service';
import { caseIdForReference } from '../reference-serials';
import { Attachments, KeptAttachments, MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS } from './attachments';
import { automaticMessage, cleanText, clip, findAddress, guessLanguage, matchServiceType, newText, quotedReferences } from './email-rules';
import { parseMail } from './parse-mail';
import { renderReply } from './replies';

export const DEFAULT_REQUEST_ADDRESS = 'requests@demo-city.caseline.local';
export const requestAddress = (): string => env('REQUEST_ADDRESS', DEFAULT_REQUEST_ADDRESS).toLowerCase();

const RESIDENT: Actor = { kind: 'resident', id: 'email', name: 'Resident (email)' };
const EMAIL_CHANNEL: Actor = { kind: 'service', id: 'intake', name: 'Intake (email channel)' };
/** At most this many quoted references are looked up per message. */
const MAX_QUOTED_REFERENCES = 5;
/** Messages handled at once: each holds a database connection for its lock while it is handled. */
const CONCURRENT_MESSAGES = 4;

export type EmailOutcome =
  | { kind: 'opened' | 'added' | 'already-taken'; reference: string }
  | { kind: 'dropped'; reason: string }
  /** The same message is being handled right now (a concurrent redelivery): try again later. */
  | { kind: 'busy' };

interface MessageRow {
  action: 'opened' | 'added';
  reference: string | null;
  replied_at: Date | null;
}

const sha256 = (data: string | Buffer): Buffer => createHash('sha256').update(data).digest();
const headerText = (value: HeaderValue | undefined): string | undefined =>
  value === undefined ? undefined : typeof value === 'string' ? value : typeof value === 'object' && value !== null && 'value' in value && typeof value.value === 'string' ? value.value : String(value);

/** The resident's text first, the links of further attachments after it, within the case's limit. */
function withLinks(text: string, kept: KeptAttachments): string {
  const others = kept.urls.filter((url) => url !== kept.mediaUrl);
  const links = others.length > 0 ? `\n\nMore attachments: ${others.join(' ')}` : '';
  const room = MAX_DESCRIPTION_LENGTH - links.length;
  return (text.length > room ? `${clip(text, room - 1)}…` : text) + links;
}

/** At most `size` tasks at a time; the others wait their turn. */
class Slots {
  private readonly waiting: (() => void)[] = [];
  constructor(private free: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    }
  }
}

/**
 * Turns a resident's email into a case, or into more information on the case it quotes, and
 * answers it once. Each step can be repeated after a crash without doing its effect twice: the
 * message's row (by Message-ID) says what it became; a new case's reference is reserved under the
 * message's Idempotency-Key before the case is appended; added information and the reply's record
 * have ids derived from the message. See README.md in this folder.
 */
@Injectable()
export class EmailIntake {
  private readonly logger = new Logger('EmailIntake');
  private readonly slots = new Slots(CONCURRENT_MESSAGES);
  private readonly replyFrom = `${loadCityConfig().city.name} 311 <${requestAddress()}>`;
  private readonly triageCode = env('EMAIL_TRIAGE_SERVICE', 'GENERAL-QUESTION');

  constructor(
    private readonly dataSource: DataSource,
    private readonly caseLog: CaseLog,
    private readonly sender: SmtpSender,
    private readonly attachments: Attachments,
    private readonly moduleRef: ModuleRef,
    private readonly vault: PersonalDataVault,
  ) {}

  /** IntakeModule's own IntakeService (it imports this module, so it cannot be injected here). */
  private intake(): IntakeService {
    return this.moduleRef.get(IntakeService, { strict: false });
  }

  /** Resolves once the message's case is committed and its reply sent: only then may SMTP answer 250. */
  async take(raw: Buffer, envelopeSender: string): Promise<EmailOutcome> {
    const mail = await parseMail(raw);
    if (!mail) return { kind: 'dropped', reason: 'the message could not be read' };
    const from = mail.from?.value[0];
    const sender = from?.address?.trim() ?? '';
    const subject = clip(cleanText(mail.subject ?? '').trim(), 500);
    const automatic = automaticMessage({ envelopeSender, fromAddress: sender, ownAddress: requestAddress(), header: (name) => headerText(mail.headers.get(name)), subject });
    if (automatic) return { kind: 'dropped', reason: automatic };
    // The address must pass the checks every case's reporter email does (case-submission.ts): one that
    // fails them ("a@b") would be refused at every retry, and the sender told to retry for days.
    if (!EMAIL_ADDRESS.test(sender) || sender.length > 254 || !isReadableText(sender)) return { kind: 'dropped', reason: 'no From address to answer' };
    // A message is known by its sender and Message-ID (another sender reusing an id is another
    // message); one without a Message-ID by its bytes: a sender's retry sends the same ones.
    const hash = sha256(mail.messageId ? `message-id:${sender.toLowerCase()}:${mail.messageId.trim()}` : raw);
    return this.slots.run(() => this.exclusively(hash, () => this.handle(mail, hash, { email: sender, name: clip(cleanText(from?.name ?? '').trim(), 100) || undefined }, subject)));
  }

  /** One message is handled by one process at a time: a transaction-scoped advisory lock (it writes nothing, so it holds back no log reader). */
  private async exclusively(hash: Buffer, work: () => Promise<EmailOutcome>): Promise<EmailOutcome> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      const [{ locked }] = await runner.query('SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS locked', [`caseline-email:${hash.toString('hex')}`]);
      return locked ? await work() : { kind: 'busy' };
    } finally {
      await runner.rollbackTransaction().catch(() => undefined);
      await runner.release();
    }
  }

  private async handle(mail: ParsedMail, hash: Buffer, from: { email: string; name?: string }, subject: string): Promise<EmailOutcome> {
    const [row] = await this.dataSource.query<MessageRow[]>('SELECT action, reference, replied_at FROM intake.email_messages WHERE message_id_hash = $1', [hash]);
    if (row?.replied_at && row.reference) return { kind: 'already-taken', reference: row.reference };

    const text = newText(mail.text ?? '');
    const language = guessLanguage(`${subject}\n${text}`);
    const kept = await this.attachments.keep(hash, mail.attachments);
    let action = row?.action;
    let reference = row?.reference ?? undefined;
    if (!row) {
      reference = await this.caseToAddTo(from.email, subject, mail.text ?? '');
      action = reference ? 'added' : 'opened';
      await this.dataSource.query('INSERT INTO intake.email_messages (message_id_hash, action, reference) VALUES ($1, $2, $3)', [hash, action, reference ?? null]);
    }

    // A reply with only a photo adds the photo; the subject ("Re: …") is said only when nothing else is.
    if (action === 'added' && !(await this.addInformation(reference!, hash, text || (kept.urls.length > 0 ? '' : subject), kept))) {
      // The case was cancelled in between: the message becomes a case of its own.
      action = 'opened';
      reference = undefined;
      await this.dataSource.query(`UPDATE intake.email_messages SET action = 'opened', reference = NULL WHERE message_id_hash = $1`, [hash]);
    }
    if (action === 'opened' && !reference) {
      reference = await this.open(hash, from, language, subject, text, kept);
      failpoint('intake:email-after-open');
      await this.dataSource.query('UPDATE intake.email_messages SET reference = $2 WHERE message_id_hash = $1', [hash, reference]);
    }

    await this.reply(mail, hash, from.email, language, action!, reference!, kept.dropped);
    this.logger.log(`message ${hash.toString('hex').slice(0, 12)}: ${action} ${reference}`);
    return { kind: action!, reference: reference! };
  }

  /** The first case the message quotes that this sender reported (and that still takes information). */
  private async caseToAddTo(sender: string, subject: string, text: string): Promise<string | undefined> {
    for (const reference of quotedReferences(subject, text).slice(0, MAX_QUOTED_REFERENCES)) {
      const history = await this.caseLog.history(caseIdForReference(reference));
      const state = foldCase(caseDecider, history);
      if (!state.exists || state.status === 'cancelled') continue;
      // Opened only to compare: the sender must be the reporter (an erased reporter is nobody's).
      const reporter = await reporterPersonalData(this.vault, history[0].data as CaseReported['data']);
      if (typeof reporter === 'object' && reporter.email && normalizeEmail(reporter.email) === normalizeEmail(sender)) return reference;
    }
    return undefined;
  }

  /** False when the case no longer takes information. The event's id derives from the message: a redelivery adds nothing. */
  private async addInformation(reference: string, hash: Buffer, text: string, kept: KeptAttachments): Promise<boolean> {
    const caseId = caseIdForReference(reference);
    const information = withLinks(text, kept);
    try {
      await this.caseLog.execute(
        caseId,
        { type: 'AddInformation', data: { ...(information ? { text: information } : {}), ...(kept.mediaUrl ? { mediaUrl: kept.mediaUrl } : {}) } },
        { metadata: { actor: RESIDENT, channel: 'email', at: new Date().toISOString(), correlationId: caseId }, reactionTo: { eventId: hash.toString('hex'), consumer: 'intake:email' } },
      );
      return true;
    } catch (error) {
      if (error instanceof CaseDomainError) return false;
      throw error;
    }
  }

  /** Opens the case under the message's Idempotency-Key: a retry after a crash gets the same case. */
  private async open(hash: Buffer, from: { email: string; name?: string }, language: 'en' | 'es', subject: string, text: string, kept: KeptAttachments): Promise<string> {
    const intake = this.intake();
    const triage = intake.catalog('email').find((service) => service.code === this.triageCode);
    if (!triage) throw new Error(`EMAIL_TRIAGE_SERVICE ${this.triageCode} is not offered on email by the catalog`);
    // A type whose questions must be answered cannot be chosen for an email: it goes to triage.
    const answerable = intake.catalog('email').filter((service) => !service.attributes.some((attribute) => attribute.required && attribute.variable));
    const address = findAddress(text) ?? findAddress(subject);
    const reporter: ReporterContact = { email: from.email, ...(from.name ? { name: from.name } : {}), language };
    const submission: CaseSubmission = {
      serviceCode: matchServiceType(answerable, `${subject}\n${text}`) ?? triage.code,
      description: withLinks([subject, text].filter(Boolean).join('\n\n') || '(no text)', kept),
      location: address ? { address } : {},
      ...(kept.mediaUrl ? { mediaUrl: kept.mediaUrl } : {}),
      reporter,
      actor: RESIDENT,
      channel: 'email',
      fieldNames: nativeSubmissionFields,
    };
    const idempotencyKey = { caller: 'email', key: hash.toString('hex'), fingerprint: hash };
    try {
      return (await intake.report(submission, { idempotencyKey })).reference;
    } catch (error) {
      // The catalog changed under us (the type was retired): an operator sorts it out.
      if (!(error instanceof SubmissionRejected) || submission.serviceCode === triage.code) throw error;
      return (await intake.report({ ...submission, serviceCode: triage.code }, { idempotencyKey })).reference;
    }
  }

  /**
   * Sends the answer and records it (ResidentNotified, and the row's replied_at, in one
   * transaction). A crash between the two resends it with the same Message-ID, as notification does.
   */
  private async reply(mail: ParsedMail, hash: Buffer, to: string, language: 'en' | 'es', outcome: 'opened' | 'added', reference: string, droppedAttachments: number): Promise<void> {
    const caseId = caseIdForReference(reference);
    const reported = (await this.caseLog.history(caseId))[0].data as CaseReported['data'];
    const notificationId = deterministicEventId('intake:email-reply', hash.toString('hex'));
    const message = renderReply(language, {
      outcome,
      reference,
      serviceName: reported.serviceName,
      trackingUrl: trackingUrl(reference),
      triaged: reported.serviceCode === this.triageCode,
      droppedAttachments,
      limits: { attachments: MAX_ATTACHMENTS, attachmentMegabytes: MAX_ATTACHMENT_BYTES / 1024 / 1024 },
    });
    // mailparser gives a string, an array, or (for an empty References header) false.
    const references = typeof mail.references === 'string' ? [mail.references] : Array.isArray(mail.references) ? mail.references : [];
    const thread = [...references, ...(mail.messageId ? [mail.messageId] : [])];
    let command: CaseCommand;
    const recipient = maskEmail(to);
    try {
      await this.sender.send({
        to,
        from: this.replyFrom,
        ...message,
        messageId: `<${notificationId}@caseline>`,
        ...(mail.messageId ? { inReplyTo: mail.messageId } : {}),
        references: thread,
        // Marks it as automatic (RFC 3834), so no auto-responder answers it and we never take it in.
        headers: { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' },
      });
      command = { type: 'RecordResidentNotified', data: { notificationId, purpose: 'received', channel: 'email', recipient } };
    } catch (error) {
      if (!(error instanceof EmailRefused)) throw error;
      command = { type: 'RecordResidentNotificationFailed', data: { notificationId, purpose: 'received', channel: 'email', reason: error.reason } };
    }
    failpoint('intake:email-after-reply');
    await this.caseLog.execute(caseId, command, {
      metadata: { actor: EMAIL_CHANNEL, channel: 'email', at: new Date().toISOString(), correlationId: caseId },
      reactionTo: { eventId: notificationId, consumer: 'intake:email-reply' },
      alongside: () => [{ text: 'UPDATE intake.email_messages SET replied_at = now() WHERE message_id_hash = $1', parameters: [hash] }],
    });
  }
}
