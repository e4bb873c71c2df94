import { Injectable } from '@nestjs/common';
import type { Actor, CaseEventEnvelope, CaseLinked, CaseReported, CaseSplit, Channel, EventMetadata } from '@caseline/case-contracts';
import { asCaseEvent, CaseCommand, CaseDomainError, caseDecider, summarize } from '@caseline/case-domain';
import { isOfferedOn, validateAnswers } from '@caseline/catalog-domain';
import { foldCase, WrongExpectedVersion } from '@caseline/event-store';
import { CatalogStore } from '@caseline/catalog-feature';
import { Boundary, loadCityConfig, ServiceType } from '@caseline/city-config';
import { formatReference, parseReference } from '@caseline/intake-domain';
import { PersonalDataReads, PersonalDataVault, reporterPersonalData, reporterPreferences } from '@caseline/personal-data';
import { CaseLog, envInt, failpoint, normalizeEmail, problem, ProblemException } from '@caseline/service-kit';
import { CaseSubmission, SubmissionRejected, SubmissionViolation, submissionViolations } from './case-submission';
import { CaseView, caseViewOf, StaffCaseView, staffViewOf } from './case-views';
import { IdempotencyKey, IdempotencyKeys } from './idempotency-keys';
import { caseIdForReference, ReferenceSerials } from './reference-serials';
import { PublicCase, PublicCases } from './tracking/public-case';

export type { CaseView, StaffCaseView } from './case-views';

export interface HistoryEntry {
  version: number;
  type: string;
  at: string;
  actor: Actor;
  channel?: string;
  summary: string;
}

export interface ReportOptions {
  /** An operator answered an information-only call: the case is reported and resolved in one append. */
  answeredAtFirstContact?: { answer: string };
  /** A retry with the same key gets the same case, never a second one. */
  idempotencyKey?: IdempotencyKey;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** A broken invariant of the case, in problem+json: 409 with the decider's code. */
const conflict = (code: string, detail: string): ProblemException => new ProblemException({ type: 'about:blank', title: 'Conflict', status: 409, detail, code });

@Injectable()
export class IntakeService {
  private readonly boundary: Boundary | undefined;
  private readonly departments: Set<string>;
  /** How long after its resolution a resident may reopen a case as "not fixed". */
  private readonly reopenWindowDays = envInt('REOPEN_WINDOW_DAYS', 14);

  constructor(
    private readonly caseLog: CaseLog,
    private readonly serials: ReferenceSerials,
    private readonly idempotencyKeys: IdempotencyKeys,
    private readonly catalogStore: CatalogStore,
    private readonly publicCases: PublicCases,
    private readonly vault: PersonalDataVault,
    private readonly reads: PersonalDataReads,
  ) {
    const city = loadCityConfig();
    this.boundary = city.boundary;
    this.departments = new Set(city.departments.map((d) => d.code));
    if (this.reopenWindowDays < 0) throw new Error('REOPEN_WINDOW_DAYS must not be negative');
  }

  /** The request types a channel may offer the public: active, and not staff-only. */
  catalog(channel: Channel = 'web'): ServiceType[] {
    return this.catalogStore.all().filter((service) => isOfferedOn(service, channel));
  }

  service(code: string): ServiceType | undefined {
    return this.catalogStore.find(code);
  }

  /** Opens a case from any channel: the catalog checks the service and the answers, then one append. */
  async report(submission: CaseSubmission, options: ReportOptions = {}): Promise<CaseView> {
    const { fieldNames, channel } = submission;
    const service = this.catalogStore.find(submission.serviceCode);
    if (!service) {
      throw new SubmissionRejected('unknown-service', [
        { field: fieldNames.serviceCode, rule: 'serviceActive', message: `${fieldNames.serviceCode} "${submission.serviceCode}" is not in the service catalog` },
      ]);
    }
    const answers = validateAnswers(service, submission.attributes ?? {}, channel, fieldNames);
    if (!answers.ok) {
      const closed = answers.violations.every((v) => v.rule === 'serviceActive' || v.rule === 'channelAllowed' || v.rule === 'staffOnly');
      throw new SubmissionRejected(closed ? 'unknown-service' : 'invalid', answers.violations);
    }
    const violations = submissionViolations(submission, this.boundary);
    if (violations.length > 0) throw new SubmissionRejected('invalid', violations);
    const fresh = formatReference(await this.serials.take());
    // Claimed only after the checks: a refused request leaves its key free for the corrected one.
    const reference = options.idempotencyKey ? await this.idempotencyKeys.claim(options.idempotencyKey, fresh) : fresh;
    failpoint('intake:after-idempotency-claim');
    const caseId = caseIdForReference(reference);
    // The contact and the private details go into the log only sealed with the resident's key.
    const { name, email, phone } = submission.reporter ?? {};
    const personal = await this.vault.seal({ name, email, phone, privateDetails: submission.privateDetails }, { caseId, role: 'reporter' });
    const preferences = reporterPreferences(submission.reporter);
    const data: CaseReported['data'] = {
      reference,
      serviceCode: service.code,
      serviceName: service.name,
      serviceGroup: service.group,
      description: submission.description,
      location: submission.location,
      channel,
      ...(preferences && Object.keys(preferences).length > 0 ? { reporter: preferences } : {}),
      ...(personal ? { personal } : {}),
      ...(Object.keys(answers.answers).length > 0 ? { attributes: answers.answers } : {}),
      ...(submission.mediaUrl ? { mediaUrl: submission.mediaUrl } : {}),
    };
    const { answeredAtFirstContact } = options;
    try {
      const { appended } = await this.caseLog.open(
        caseId,
        { type: 'ReportCase', data, ...(answeredAtFirstContact ? { answeredAtFirstContact } : {}) },
        { actor: submission.actor, channel, at: new Date().toISOString(), correlationId: caseId },
      );
      return caseViewOf(appended);
    } catch (error) {
      // The key's case is already in the log: an earlier try, or a concurrent one that won the race.
      if (options.idempotencyKey && error instanceof WrongExpectedVersion) return caseViewOf(await this.caseLog.history(caseId));
      throw error;
    }
  }

  /**
   * Staff split a multi-agency problem: one child case per part, each for its department, at the
   * parent's place. The parent's CaseSplit (with the children's references) is the record; the
   * children are opened from it — here, and again by intake's projection should this process stop
   * in between (opening an existing case adds nothing).
   */
  async split(reference: string, input: { reason: string; children: { department: string; serviceCode?: string; description: string }[] }, actor: Actor): Promise<StaffCaseView> {
    const { caseId, history } = await this.caseByReference(reference);
    const parent = history[0].data as CaseReported['data'];
    const violations = input.children.flatMap((child, index) => {
      const problems: SubmissionViolation[] = [];
      if (!this.departments.has(child.department)) problems.push({ field: `children[${index}].department`, rule: 'known', message: `department "${child.department}" does not exist` });
      const service = this.catalogStore.find(child.serviceCode ?? parent.serviceCode);
      if (!service?.active) problems.push({ field: `children[${index}].serviceCode`, rule: 'serviceActive', message: `service "${child.serviceCode}" is not in the service catalog` });
      return problems;
    });
    if (violations.length > 0) throw new SubmissionRejected('invalid', violations);
    const children = [];
    for (const child of input.children) {
      const childReference = formatReference(await this.serials.take());
      children.push({ caseId: caseIdForReference(childReference), reference: childReference, department: child.department, serviceCode: child.serviceCode ?? parent.serviceCode, description: child.description });
    }
    const view = await this.act(caseId, { type: 'SplitCase', data: { reason: input.reason, children } }, actor);
    const split = (await this.caseLog.history(caseId)).reverse().find((e) => e.type === 'CaseSplit') as CaseEventEnvelope<'CaseSplit', CaseSplit['data']>;
    await this.openChildren(split);
    return view;
  }

  /** Opens the child cases a CaseSplit names that are not open yet. */
  async openChildren(split: CaseEventEnvelope<'CaseSplit', CaseSplit['data']>): Promise<void> {
    const [reported] = await this.caseLog.history(split.caseId);
    const parent = reported.data as CaseReported['data'];
    for (const child of split.data.children) {
      const service = this.catalogStore.find(child.serviceCode);
      const data: CaseReported['data'] = {
        reference: child.reference,
        serviceCode: child.serviceCode,
        serviceName: service?.name ?? child.serviceCode,
        ...(service ? { serviceGroup: service.group } : {}),
        description: child.description,
        location: parent.location,
        channel: 'system',
        parent: { caseId: split.caseId, reference: parent.reference, department: child.department },
      };
      try {
        await this.caseLog.open(child.caseId, { type: 'ReportCase', data }, { ...split.metadata, channel: 'system', causationId: split.eventId, correlationId: split.caseId });
      } catch (error) {
        if (!(error instanceof WrongExpectedVersion)) throw error; // already open: an earlier try
      }
    }
  }

  /** Staff: the whole case with its internal notes, but without the reporter's personal data (see withPersonalData). */
  async find(reference: string): Promise<StaffCaseView> {
    return staffViewOf((await this.caseByReference(reference)).history);
  }

  /**
   * The view with the reporter's contact and private details opened for `reader`, who is recorded
   * as having read them (through `purpose`) before they are answered; "erased" once their key is gone.
   */
  async withPersonalData(view: StaffCaseView, reader: Actor, purpose: string): Promise<StaffCaseView> {
    const [reported] = await this.caseLog.history(view.id);
    const personal = await reporterPersonalData(this.vault, reported.data as CaseReported['data']);
    if (personal === undefined) return view;
    if (personal === 'erased') return { ...view, personalData: 'erased' };
    await this.reads.record({ actor: reader, caseId: view.id, reference: view.reference, fields: Object.keys(personal) as (keyof typeof personal)[], purpose });
    const { privateDetails, ...contact } = personal;
    return { ...view, ...(Object.keys(contact).length > 0 ? { reporter: { ...view.reporter, ...contact } } : {}), ...(privateDetails ? { privateDetails } : {}) };
  }

  /** Anyone: what the tracking page shows (the same cached view), no personal data and no internal notes. */
  async findPublic(input: string): Promise<PublicCase> {
    const reference = this.parsedReference(input);
    const view = await this.publicCases.find(reference);
    if (!view) throw problem(404, 'Not Found', `No case has reference ${reference}`);
    return view;
  }

  async history(reference: string): Promise<{ reference: string; events: HistoryEntry[] }> {
    const { reference: canonical, history } = await this.caseByReference(reference);
    return {
      reference: canonical,
      events: history.map((event) => ({
        version: event.caseVersion,
        type: event.type,
        at: event.metadata.at,
        actor: event.metadata.actor,
        channel: event.metadata.channel,
        summary: summarize(asCaseEvent(event)),
      })),
    };
  }

  async addInformation(reference: string, data: { text?: string; mediaUrl?: string }, actor: Actor): Promise<StaffCaseView> {
    const { caseId } = await this.caseByReference(reference);
    return this.act(caseId, { type: 'AddInformation', data }, actor);
  }

  async requestInformation(reference: string, question: string, actor: Actor): Promise<StaffCaseView> {
    const { caseId } = await this.caseByReference(reference);
    return this.act(caseId, { type: 'RequestInformation', data: { question } }, actor);
  }

  async confirmDuplicate(reference: string, actor: Actor): Promise<StaffCaseView> {
    const { caseId } = await this.caseByReference(reference);
    return this.act(caseId, { type: 'ConfirmDuplicate', data: {} }, actor);
  }

  async undoDuplicate(reference: string, reason: string, actor: Actor): Promise<StaffCaseView> {
    const { caseId } = await this.caseByReference(reference);
    return this.act(caseId, { type: 'UnlinkDuplicate', data: { reason } }, actor);
  }

  async addNote(reference: string, text: string, actor: Actor): Promise<StaffCaseView> {
    const { caseId } = await this.caseByReference(reference);
    return this.act(caseId, { type: 'AddNote', data: { text } }, actor);
  }

  async cancel(reference: string, reason: string | undefined, actor: Actor): Promise<StaffCaseView> {
    const { caseId } = await this.caseByReference(reference);
    return this.act(caseId, { type: 'CancelCase', data: reason ? { reason } : {} }, actor);
  }

  /** "Not fixed": only within the reopen window after the case's resolution (the decider checks that it is resolved). */
  async reopen(reference: string, reason: string, actor: Actor): Promise<StaffCaseView> {
    const { caseId, history } = await this.caseByReference(reference);
    const state = foldCase(caseDecider, history);
    const resolution = [...history].reverse().find((event) => event.type === 'CaseResolved');
    if (state.exists && state.status === 'resolved' && resolution && Date.now() > Date.parse(resolution.metadata.at) + this.reopenWindowDays * DAY_MS) {
      throw conflict(
        'reopen-window-closed',
        `Case ${state.reference} was resolved at ${resolution.metadata.at}; it can be reopened only within ${this.reopenWindowDays} days of its resolution. Please report the problem again as a new case.`,
      );
    }
    return this.act(caseId, { type: 'ReopenCase', data: { reason } }, actor);
  }

  /** A resident follows the case (their address confirmed from its mailbox): they hear of it as it moves on. */
  async follow(reference: string, email: string, language: 'en' | 'es', actor: Actor): Promise<StaffCaseView> {
    const { caseId } = await this.caseByReference(reference);
    // Sealed with the follower's own key: erasing their data reaches every case they follow.
    const personal = (await this.vault.seal({ email: normalizeEmail(email) }, { caseId, role: 'follower' }))!;
    return this.act(caseId, { type: 'FollowCase', data: { follower: { personal, language } } }, actor);
  }

  /** A partner system (by its API key) hears of the case by webhook from now on, as for the cases it submitted. */
  async subscribePartner(reference: string, partner: string): Promise<void> {
    const { caseId } = await this.caseByReference(reference);
    await this.act(caseId, { type: 'FollowCase', data: { follower: { partner } } }, { kind: 'partner', id: partner, name: `Open311 client ${partner}` });
  }

  /** The reporter's answer to the survey after the resolution, once. */
  async recordSatisfaction(reference: string, rating: 1 | 2 | 3 | 4 | 5, comment: string | undefined, actor: Actor): Promise<StaffCaseView> {
    const { caseId } = await this.caseByReference(reference);
    return this.act(caseId, { type: 'RecordSatisfaction', data: { rating, ...(comment ? { comment } : {}) } }, actor);
  }

  /** Records on this case that it is related to, or a duplicate of, another case, which must exist. */
  async link(reference: string, related: string, relation: CaseLinked['data']['relation'], actor: Actor): Promise<StaffCaseView> {
    const { caseId } = await this.caseByReference(reference);
    const relatedReference = parseReference(related);
    const relatedCaseId = relatedReference ? caseIdForReference(relatedReference) : undefined;
    if (!relatedReference || !relatedCaseId || (await this.caseLog.history(relatedCaseId)).length === 0) {
      throw problem(422, 'Unprocessable Content', `No case has reference ${related}`, [{ field: 'reference', rule: 'caseExists', message: `reference ${related} is not a case` }]);
    }
    return this.act(caseId, { type: 'LinkCase', data: { relatedCaseId, relatedReference, relation } }, actor);
  }

  /** The canonical form of a reference a person reads out, or 400 naming the rule. */
  private parsedReference(input: string): string {
    const reference = parseReference(input);
    if (!reference) {
      throw problem(400, 'Bad Request', 'reference must be nine digits like 100-000-123 (the last one is a check digit)', [
        { field: 'reference', rule: 'referenceFormat', message: 'reference must be nine digits with a valid check digit' },
      ]);
    }
    return reference;
  }

  /** A case by the reference a person reads out: 400 for a malformed one, 404 for none. */
  async caseByReference(input: string): Promise<{ reference: string; caseId: string; history: CaseEventEnvelope[] }> {
    const reference = this.parsedReference(input);
    const caseId = caseIdForReference(reference);
    const history = await this.caseLog.history(caseId);
    if (history.length === 0) throw problem(404, 'Not Found', `No case has reference ${reference}`);
    return { reference, caseId, history };
  }

  /** One action on an existing case, by its actor; the case's domain errors become 409 here, and only here. */
  private async act(caseId: string, command: CaseCommand, actor: Actor): Promise<StaffCaseView> {
    const metadata: EventMetadata = { actor, at: new Date().toISOString(), correlationId: caseId };
    try {
      await this.caseLog.execute(caseId, command, { metadata });
    } catch (error) {
      if (error instanceof CaseDomainError) throw conflict(error.code, error.message);
      throw error;
    }
    return staffViewOf(await this.caseLog.history(caseId));
  }
}
