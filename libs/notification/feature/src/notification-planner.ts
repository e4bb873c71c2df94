import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { CaseEventEnvelope, CaseReported, CaseRouted, DeadlineMoved, SealedPersonalData } from '@caseline/case-contracts';
import { asCaseEvent } from '@caseline/case-domain';
import { loadCityConfig } from '@caseline/city-config';
import { deterministicEventId, FollowedHistories, Statement, WriteBatcher } from '@caseline/event-store';
import { CaseSnapshot, caseSnapshot, Directory, duplicateCaseIds, Follower, Language, PlannedMessage, planNotifications, QuietHours, smsAllowedAt } from '@caseline/notification-domain';
import { OpenedHistory, openHistory, PersonalDataVault } from '@caseline/personal-data';
import { caseLinkUrl, CaseLog, contactHash, currentTraceparent, envInt, maskEmail, maskPhone, normalizeEmail, normalizePhone, sqlFor, trackingUrl } from '@caseline/service-kit';
import { WebhookChannel } from './channels';
import { smsQuietHours } from './quiet-hours-setting';

/** The events someone may hear of; others are not even read. */
const HEARD_OF = new Set(['CaseReported', 'CaseRouted', 'WorkOrderStatusChanged', 'InformationRequested', 'CaseResolved', 'CaseCancelled', 'CaseReopened', 'CaseLinked', 'DeadlineApproaching', 'CaseEscalated']);

const DAY_SECONDS = 86_400;

/** The area layer whose members hear of escalations and get digests (areas.json). */
export const COUNCIL_LAYER = 'council-district';

/** One row of notification.outbox, as the planner writes it. */
interface OutboxRow {
  id: string;
  audience: string;
  channel: string;
  purpose: string;
  /** Staff and partners in clear; a resident's address sealed with their key (clear only from events of before sealing). */
  recipient: string | null;
  sealed: SealedPersonalData | null;
  hash: Buffer;
  masked: string;
  language: Language;
  facts: Record<string, unknown>;
  dueAt: Date;
}

/**
 * Turns case events into messages owed (notification.outbox), once per (event, recipient,
 * channel): the row's id derives from them, so a redelivered event adds nothing. Sending is the
 * dispatcher's; a slow mail server never holds up the Kafka partition.
 */
@Injectable()
export class NotificationPlanner {
  private readonly logger = new Logger(NotificationPlanner.name);
  private readonly directory: Directory;
  private readonly timeZone: string;
  private readonly quietHours?: QuietHours;
  /** How long after its resolution the reporter may say "not fixed" (intake checks the same window). */
  private readonly reopenWindowDays = envInt('REOPEN_WINDOW_DAYS', 14);
  private readonly surveyWindowDays = envInt('SURVEY_WINDOW_DAYS', 30);
  /** Called after rows were added, so the dispatcher need not wait for its next look. */
  onPlanned?: () => void;

  private readonly writes;
  /** The histories of the cases this consumer follows, grown from their events (read back only after a gap). */
  private readonly histories;

  constructor(
    dataSource: DataSource,
    private readonly caseLog: CaseLog,
    webhooks: WebhookChannel,
    private readonly vault: PersonalDataVault,
  ) {
    this.writes = new WriteBatcher(sqlFor(dataSource));
    this.histories = new FollowedHistories((caseId) => caseLog.history(caseId));
    const { city, departments } = loadCityConfig();
    this.timeZone = city.timeZone;
    this.quietHours = smsQuietHours(city);
    const byCode = new Map(departments.map((d) => [d.code, { name: d.name, ...d.contact }]));
    this.directory = { department: (code) => byCode.get(code), hasWebhook: (partner) => webhooks.has(partner) };
  }

  /** What the event changes here — the previews' and digests' read models, the messages owed — in one statement. */
  async plan(event: CaseEventEnvelope): Promise<void> {
    let messages: Statement[] = [];
    if (HEARD_OF.has(event.type)) messages = await this.messagesOwed(event);
    else this.histories.note(event);
    // Committed with other partitions' events (the rows are this case's: no other event of it is in flight).
    await this.writes.write([...this.readModelWrites(event), ...messages]);
    if (messages.length > 0) this.onPlanned?.();
  }

  /** The outbox rows (and a routed case's digest row) the event owes, from the case's history through it; none when nobody hears of it. */
  private async messagesOwed(event: CaseEventEnvelope): Promise<Statement[]> {
    // Residents' contacts are opened here, in memory, to address what is owed; rows keep them sealed.
    const opened = await openHistory(this.vault, await this.histories.through(event));
    const duplicates = await this.duplicateReporters(opened.events);
    const snapshot = caseSnapshot(opened.events, duplicates.followers);
    if (!snapshot) return [];
    const writes = event.type === 'CaseRouted' ? this.routedInDistrict(event as CaseEventEnvelope<'CaseRouted', CaseRouted['data']>, snapshot) : [];
    const planned = planNotifications(asCaseEvent(event), event.metadata.actor, snapshot, this.directory);
    if (planned.length === 0) return writes;
    const sealerOf = (address: string) => opened.sealerOf(address) ?? duplicates.sealerOf(address);
    const rows = planned.map((message) => this.row(event, snapshot, message, sealerOf));
    return [
      ...writes,
      {
        text: `INSERT INTO notification.outbox (id, case_id, cause_event_id, audience, channel, purpose, recipient, recipient_sealed, recipient_hash, recipient_masked, language, facts, next_attempt_at, traceparent)
       SELECT r.id, $1, $2, r.audience, r.channel, r.purpose, r.recipient, r.sealed, decode(r.hash, 'hex'), r.masked, r.language, r.facts, r.due, $4
         FROM jsonb_to_recordset($3::jsonb) AS r(id uuid, audience text, channel text, purpose text, recipient text, sealed jsonb, hash text, masked text, language text, facts jsonb, due timestamptz)
       ON CONFLICT (id) DO NOTHING`,
        parameters: [event.caseId, event.eventId, JSON.stringify(rows.map((r) => ({ ...r, hash: r.hash.toString('hex'), due: r.dueAt.toISOString() }))), currentTraceparent() ?? null],
      },
    ];
  }

  /** A routed case counts in its council district's digest (new today, overdue later) until it is closed. */
  private routedInDistrict(event: CaseEventEnvelope<'CaseRouted', CaseRouted['data']>, snapshot: CaseSnapshot): Statement[] {
    const district = event.data.areas?.[COUNCIL_LAYER]?.id;
    if (!district) return [];
    return [
      {
        text: `INSERT INTO notification.district_cases (case_id, reference, service_name, district, routed_at, due_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (case_id) DO UPDATE SET district = EXCLUDED.district, due_at = EXCLUDED.due_at, closed_at = NULL`,
        parameters: [event.caseId, snapshot.reference, snapshot.serviceName, district, event.metadata.at, event.data.dueAt],
      },
    ];
  }

  /** A new case for previews by reference; the digest's read model follows the deadline and the closing of each case. */
  private readModelWrites(event: CaseEventEnvelope): Statement[] {
    const district = (set: string, value?: unknown): Statement[] => [{ text: `UPDATE notification.district_cases SET ${set} WHERE case_id = $1`, parameters: value === undefined ? [event.caseId] : [event.caseId, value] }];
    switch (event.type) {
      case 'CaseReported':
        return [{ text: 'INSERT INTO notification.cases (reference, case_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', parameters: [(event.data as CaseReported['data']).reference, event.caseId] }];
      case 'DeadlineMoved':
        return district('due_at = $2', (event.data as DeadlineMoved['data']).dueAt);
      case 'CaseResolved':
      case 'CaseCancelled':
        return district('closed_at = coalesce(closed_at, $2)', event.metadata.at);
      case 'CaseReopened':
        return district('closed_at = NULL');
      default:
        return [];
    }
  }

  /** The reporters of this case's duplicates follow it (their contacts opened from their own cases). */
  private async duplicateReporters(history: readonly CaseEventEnvelope[]): Promise<{ followers: Follower[]; sealerOf: OpenedHistory['sealerOf'] }> {
    const followers: Follower[] = [];
    const opened: OpenedHistory[] = [];
    for (const caseId of duplicateCaseIds(history)) {
      const duplicateHistory = await openHistory(this.vault, await this.caseLog.history(caseId));
      opened.push(duplicateHistory);
      const duplicate = caseSnapshot(duplicateHistory.events);
      const reporter = duplicate?.reporter;
      if (duplicate && (reporter?.email || reporter?.phone)) followers.push({ email: reporter?.email, phone: reporter?.phone, language: reporter?.language, source: 'duplicate', reference: duplicate.reference });
    }
    return { followers, sealerOf: (address) => opened.map((o) => o.sealerOf(address)).find(Boolean) };
  }

  private row(event: CaseEventEnvelope, snapshot: CaseSnapshot, message: PlannedMessage, sealerOf: OpenedHistory['sealerOf']): OutboxRow {
    const normalized = message.channel === 'email' ? normalizeEmail(message.to) : message.channel === 'sms' ? normalizePhone(message.to) : message.to;
    const hash = contactHash(`${message.channel}:${normalized}`);
    // The reporter's ids are those the service gave before other audiences, so nothing sent then is sent again.
    const id =
      message.audience === 'reporter'
        ? deterministicEventId('notification', event.eventId, message.purpose, message.channel)
        : deterministicEventId('notification', event.eventId, message.purpose, message.channel, message.audience, hash.toString('hex'));
    const now = new Date();
    // A resident's address rests sealed with their key: erasing it stops what is still owed to them.
    const sealer = message.channel === 'webhook' ? undefined : sealerOf(message.to);
    const sealed = sealer ? sealer(message.channel === 'email' ? { email: message.to } : { phone: message.to }) : null;
    return {
      id,
      audience: message.audience,
      channel: message.channel,
      purpose: message.purpose,
      recipient: sealed ? null : message.to,
      sealed,
      hash,
      masked: message.channel === 'email' ? maskEmail(message.to) : message.channel === 'sms' ? maskPhone(message.to) : message.to,
      language: message.language,
      facts: message.channel === 'webhook' ? webhookPayload(id, event, snapshot) : this.facts(event, snapshot, message),
      dueAt: message.channel === 'sms' ? smsAllowedAt(now, this.quietHours, this.timeZone) : now,
    };
  }

  /** The case's facts for the template, the event's own, and the reporter's links after a resolution. */
  private facts(event: CaseEventEnvelope, snapshot: CaseSnapshot, message: PlannedMessage): Record<string, unknown> {
    // A duplicate's reporter hears under their own reference, with their own tracking link.
    const reference = message.facts.reference ?? snapshot.reference;
    const facts: Record<string, unknown> = {
      serviceName: snapshot.serviceName,
      ...(snapshot.departmentName ? { departmentName: snapshot.departmentName } : {}),
      ...(snapshot.dueAt ? { dueAt: snapshot.dueAt } : {}),
      ...message.facts,
      reference,
      trackingUrl: trackingUrl(reference),
    };
    if (message.purpose === 'resolved' && message.audience === 'reporter') {
      const resolvedAt = Math.floor(Date.parse(event.metadata.at) / 1000);
      facts.reopenUrl = caseLinkUrl(snapshot.reference, 'reopen', resolvedAt + this.reopenWindowDays * DAY_SECONDS);
      facts.surveyUrl = caseLinkUrl(snapshot.reference, 'survey', resolvedAt + this.surveyWindowDays * DAY_SECONDS);
    }
    return facts;
  }
}

/** What a partner's webhook says: the step, and the case's public facts (never the reporter's). */
function webhookPayload(id: string, event: CaseEventEnvelope, snapshot: CaseSnapshot): Record<string, unknown> {
  const data = event.data as Record<string, unknown>;
  const pick = (...keys: string[]) => Object.fromEntries(keys.filter((k) => data[k] !== undefined).map((k) => [k, data[k]]));
  const details: Record<string, Record<string, unknown>> = {
    CaseRouted: pick('departmentName', 'dueAt', 'priority'),
    WorkOrderStatusChanged: pick('status', 'scheduledFor', 'note'),
    CaseResolved: pick('resolution', 'note'),
    CaseCancelled: pick('reason'),
    CaseReopened: {},
    InformationRequested: {},
    CaseLinked: pick('relation', 'relatedReference'),
  };
  return {
    deliveryId: id,
    event: { id: event.eventId, type: event.type, at: event.metadata.at },
    case: { reference: snapshot.reference, serviceName: snapshot.serviceName, ...(snapshot.departmentName ? { departmentName: snapshot.departmentName } : {}) },
    details: details[event.type] ?? {},
  };
}
