import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import { isChannel, parseDateTimeWithZone } from '@caseline/catalog-domain';
import type { Actor } from '@caseline/case-contracts';
import { Access, Acting, contactHash, normalizeEmail, normalizePhone, onlyForDepartments, Permission, problem, Staff, StaffIdentity } from '@caseline/service-kit';
import { blindIndexes } from '@caseline/personal-data';
import { checkDepartmentScope, idempotencyCaller, reportingActor } from './actors';
import { AddInformationDto, AddNoteDto, CancelCaseDto, LinkCaseDto, ReopenCaseDto, RequestInformationDto, SearchCasesQuery, SplitCaseDto, UndoDuplicateDto } from './case-actions.dto';
import { CaseIndex, CaseSearchPage } from './case-index';
import { CaseFilter, decodeCursor, parseBoundingBox, parseStatuses, SEARCH_LIMIT, searchWords } from './case-search';
import { ReportCaseDto } from './report-case.dto';
import { nativeSubmissionFields, SubmissionRejected } from './case-submission';
import { invalidIdempotencyKey, isIdempotencyKey, requestFingerprint } from './idempotency-keys';
import { CaseView, HistoryEntry, IntakeService, StaffCaseView } from './intake.service';
import { ApiKeys } from './open311/api-keys';
import type { PublicCase } from './tracking/public-case';

/** The catalog's refusals in problem+json: 422, the body is well-formed but the city cannot take it. */
export function asProblem(error: unknown): unknown {
  if (!(error instanceof SubmissionRejected)) return error;
  const title = error.reason === 'unknown-service' ? 'Unknown service' : 'Invalid answers';
  return problem(422, 'Unprocessable Content', `${title}: ${error.message}`, error.violations);
}

/** The search query as the index takes it (the DTO has already checked every part). */
function caseFilterOf(query: SearchCasesQuery): CaseFilter {
  const date = (text?: string) => (text === undefined ? undefined : new Date(parseDateTimeWithZone(text)!));
  const email = query.reporterEmail && normalizeEmail(query.reporterEmail);
  return {
    statuses: query.status === undefined ? undefined : parseStatuses(query.status),
    serviceCode: query.serviceCode,
    department: query.department,
    reportedFrom: date(query.reportedFrom),
    reportedTo: date(query.reportedTo),
    bbox: query.bbox === undefined ? undefined : parseBoundingBox(query.bbox),
    words: query.text === undefined ? undefined : searchWords(query.text),
    reporterEmail: email ? { hash: contactHash(email), blindIndex: blindIndexes({ email })[0] } : undefined,
    reporterPhone: query.reporterPhone === undefined ? undefined : { hash: contactHash(normalizePhone(query.reporterPhone)), blindIndex: blindIndexes({ phone: query.reporterPhone })[0] },
    limit: query.limit ?? SEARCH_LIMIT.default,
    after: query.cursor === undefined ? undefined : decodeCursor(query.cursor),
  };
}

/**
 * The native API. Who acts is the verified member of staff (a bearer token), or a resident: on
 * public channels when reporting, with the case's tracking token when acting on it. Staff see
 * cases (department staff: their department's); the public view is GET /v1/public/cases/{reference}.
 * Each action answers with the updated staff view.
 */
@Controller('v1')
export class CasesController {
  constructor(
    private readonly intake: IntakeService,
    private readonly index: CaseIndex,
    private readonly apiKeys: ApiKeys,
  ) {}

  /** The request types offered on a channel (default web), with their questions. */
  @Get('services')
  @Access.public()
  services(@Query('channel') channel = 'web') {
    if (!isChannel(channel)) throw problem(400, 'Bad Request', `channel "${channel}" is not a channel`, [{ field: 'channel', rule: 'isIn', message: 'channel must be a known channel' }]);
    return this.intake.catalog(channel);
  }

  /** With an Idempotency-Key, a retry (for 24 hours) answers with the same case instead of opening another. */
  @Post('cases')
  @HttpCode(201)
  @Access.public()
  async report(@Body() dto: ReportCaseDto, @Staff() staff: StaffIdentity | undefined, @Headers('idempotency-key') idempotencyKey?: string): Promise<CaseView> {
    if (idempotencyKey !== undefined && !isIdempotencyKey(idempotencyKey)) throw invalidIdempotencyKey();
    const actor = reportingActor(dto.channel, staff);
    const { lat, long, address } = dto.location;
    try {
      return await this.intake.report(
        {
          serviceCode: dto.serviceCode,
          description: dto.description,
          location: lat !== undefined ? { lat, long: long!, address } : { address: address! },
          attributes: dto.attributes,
          mediaUrl: dto.mediaUrl,
          reporter: dto.reporter && { ...dto.reporter },
          privateDetails: dto.privateDetails,
          actor,
          channel: dto.channel,
          fieldNames: nativeSubmissionFields,
        },
        {
          answeredAtFirstContact: dto.answeredAtFirstContact && { answer: dto.answeredAtFirstContact.answer },
          idempotencyKey: idempotencyKey === undefined ? undefined : { caller: idempotencyCaller(staff), key: idempotencyKey, fingerprint: requestFingerprint(dto) },
        },
      );
    } catch (error) {
      throw asProblem(error);
    }
  }

  /** Staff search, newest first, a page at a time (`next` is the cursor of the following page). */
  @Get('cases')
  @Access.staff('cases:read')
  search(@Query() query: SearchCasesQuery, @Staff() staff: StaffIdentity): Promise<CaseSearchPage> {
    const filter = caseFilterOf(query);
    if (onlyForDepartments(staff, 'cases:read')) {
      // Department staff search within their departments only.
      if (filter.department !== undefined && !staff.departments.includes(filter.department)) throw problem(403, 'Forbidden', `Your role reads ${staff.departments.join(', ') || 'no department'}'s cases only`);
      filter.departments = staff.departments;
    }
    return this.index.search(filter);
  }

  @Get('cases/:reference')
  @Access.staff('cases:read')
  async find(@Param('reference') reference: string, @Staff() staff: StaffIdentity, @Acting() actor: Actor): Promise<StaffCaseView> {
    const view = await this.intake.find(reference);
    checkDepartmentScope(staff, 'cases:read', view.reference, view.department);
    // The reporter's contact and private details: opened for this reader, and the read recorded.
    return this.intake.withPersonalData(view, actor, 'GET /v1/cases/{reference}');
  }

  @Get('cases/:reference/history')
  @Access.staff('cases:read')
  async history(@Param('reference') reference: string, @Staff() staff: StaffIdentity): Promise<{ reference: string; events: HistoryEntry[] }> {
    await this.inScope(staff, 'cases:read', reference);
    return this.intake.history(reference);
  }

  @Get('public/cases/:reference')
  @Access.public()
  findPublic(@Param('reference') reference: string): Promise<PublicCase> {
    return this.intake.findPublic(reference);
  }

  @Post('cases/:reference/information')
  @HttpCode(200)
  @Access.reporterOrStaff('cases:handle')
  async addInformation(@Param('reference') reference: string, @Body() dto: AddInformationDto, @Acting() actor: Actor): Promise<StaffCaseView | PublicCase> {
    return this.answerFor(actor, await this.intake.addInformation(reference, { ...(dto.text !== undefined ? { text: dto.text } : {}), ...(dto.mediaUrl !== undefined ? { mediaUrl: dto.mediaUrl } : {}) }, actor));
  }

  /** Staff ask the reporter for something; the deadline's clock stops until the reporter adds information. */
  @Post('cases/:reference/information-requests')
  @HttpCode(200)
  @Access.staff('cases:handle')
  requestInformation(@Param('reference') reference: string, @Body() dto: RequestInformationDto, @Acting() actor: Actor): Promise<StaffCaseView> {
    return this.intake.requestInformation(reference, dto.question, actor);
  }

  /** Staff agree with a duplicate link routing made. */
  @Post('cases/:reference/duplicate/confirm')
  @HttpCode(200)
  @Access.staff('cases:handle')
  confirmDuplicate(@Param('reference') reference: string, @Acting() actor: Actor): Promise<StaffCaseView> {
    return this.intake.confirmDuplicate(reference, actor);
  }

  /** Staff undo a duplicate link: the case stands on its own, and routing routes it. */
  @Post('cases/:reference/duplicate/undo')
  @HttpCode(200)
  @Access.staff('cases:handle')
  undoDuplicate(@Param('reference') reference: string, @Body() dto: UndoDuplicateDto, @Acting() actor: Actor): Promise<StaffCaseView> {
    return this.intake.undoDuplicate(reference, dto.reason, actor);
  }

  /** Staff split a multi-agency problem into child cases for other departments; the parent resolves when they all do. */
  @Post('cases/:reference/split')
  @HttpCode(200)
  @Access.staff('cases:handle')
  async split(@Param('reference') reference: string, @Body() dto: SplitCaseDto, @Acting() actor: Actor): Promise<StaffCaseView> {
    try {
      return await this.intake.split(reference, dto, actor);
    } catch (error) {
      throw asProblem(error);
    }
  }

  @Post('cases/:reference/notes')
  @HttpCode(200)
  @Access.staff('cases:note')
  async addNote(@Param('reference') reference: string, @Body() dto: AddNoteDto, @Staff() staff: StaffIdentity, @Acting() actor: Actor): Promise<StaffCaseView> {
    await this.inScope(staff, 'cases:note', reference);
    return this.intake.addNote(reference, dto.text, actor);
  }

  @Post('cases/:reference/cancel')
  @HttpCode(200)
  @Access.reporterOrStaff('cases:handle')
  async cancel(@Param('reference') reference: string, @Body() dto: CancelCaseDto, @Acting() actor: Actor): Promise<StaffCaseView | PublicCase> {
    return this.answerFor(actor, await this.intake.cancel(reference, dto.reason, actor));
  }

  @Post('cases/:reference/reopen')
  @HttpCode(200)
  @Access.reporterOrStaff('cases:handle')
  async reopen(@Param('reference') reference: string, @Body() dto: ReopenCaseDto, @Acting() actor: Actor): Promise<StaffCaseView | PublicCase> {
    return this.answerFor(actor, await this.intake.reopen(reference, dto.reason, actor));
  }

  /** A portal or partner (its Open311 API key in X-Api-Key) subscribes to a case it did not submit: its webhook hears of it from now on. */
  @Post('cases/:reference/subscriptions')
  @HttpCode(200)
  @Access.signed('partner API key')
  async subscribe(@Param('reference') reference: string, @Headers('x-api-key') apiKey: string | undefined): Promise<{ reference: string; partner: string; subscribed: true }> {
    const key = apiKey ? await this.apiKeys.check(apiKey, 'cases:subscribe') : undefined;
    if (!key?.ok) throw problem(key?.reason === 'operation' ? 403 : 401, key?.reason === 'operation' ? 'Forbidden' : 'Unauthorized', 'Send the partner\'s API key in X-Api-Key', [{ field: 'X-Api-Key', rule: 'apiKey', message: key?.detail ?? 'required' }]);
    const partner = key.partner;
    await this.intake.subscribePartner(reference, partner);
    // The partner learns nothing of the case here: it has the public views and, from now on, its webhook.
    return { reference, partner, subscribed: true };
  }

  @Post('cases/:reference/links')
  @HttpCode(200)
  @Access.staff('cases:handle')
  link(@Param('reference') reference: string, @Body() dto: LinkCaseDto, @Acting() actor: Actor): Promise<StaffCaseView> {
    return this.intake.link(reference, dto.reference, dto.relation, actor);
  }

  /** A resident acting with the tracking token sees what the tracking page shows, not the staff view. */
  private async answerFor(actor: Actor, view: StaffCaseView): Promise<StaffCaseView | PublicCase> {
    return actor.kind === 'resident' ? this.intake.findPublic(view.reference) : view;
  }

  /** Department staff reach only their department's cases (the extra read is only theirs). */
  private async inScope(staff: StaffIdentity, permission: Permission, reference: string): Promise<void> {
    if (!onlyForDepartments(staff, permission)) return;
    const view = await this.intake.find(reference);
    checkDepartmentScope(staff, permission, view.reference, view.department);
  }
}
