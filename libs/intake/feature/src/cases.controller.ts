import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import { isChannel, parseDateTimeWithZone } from '@caseline/catalog-domain';
import { contactHash, normalizeEmail, normalizePhone, problem } from '@caseline/service-kit';
import { idempotencyCaller, reportingActor, residentActor, staffActor } from './actors';
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
    reporterEmailHash: email ? contactHash(email) : undefined,
    reporterPhoneHash: query.reporterPhone === undefined ? undefined : contactHash(normalizePhone(query.reporterPhone)),
    limit: query.limit ?? SEARCH_LIMIT.default,
    after: query.cursor === undefined ? undefined : decodeCursor(query.cursor),
  };
}

/**
 * The native API. Until issue 7 brings authentication, who acts comes from actors.ts. Staff see
 * everything (GET /v1/cases, /v1/cases/{reference}, its history); the public view is
 * GET /v1/public/cases/{reference}. Each action answers with the updated staff view.
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
  services(@Query('channel') channel = 'web') {
    if (!isChannel(channel)) throw problem(400, 'Bad Request', `channel "${channel}" is not a channel`, [{ field: 'channel', rule: 'isIn', message: 'channel must be a known channel' }]);
    return this.intake.catalog(channel);
  }

  /** With an Idempotency-Key, a retry (for 24 hours) answers with the same case instead of opening another. */
  @Post('cases')
  @HttpCode(201)
  async report(@Body() dto: ReportCaseDto, @Headers('idempotency-key') idempotencyKey?: string): Promise<CaseView> {
    if (idempotencyKey !== undefined && !isIdempotencyKey(idempotencyKey)) throw invalidIdempotencyKey();
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
          actor: reportingActor(dto.channel),
          channel: dto.channel,
          fieldNames: nativeSubmissionFields,
        },
        {
          answeredAtFirstContact: dto.answeredAtFirstContact && { answer: dto.answeredAtFirstContact.answer },
          idempotencyKey: idempotencyKey === undefined ? undefined : { caller: idempotencyCaller(), key: idempotencyKey, fingerprint: requestFingerprint(dto) },
        },
      );
    } catch (error) {
      throw asProblem(error);
    }
  }

  /** Staff search, newest first, a page at a time (`next` is the cursor of the following page). */
  @Get('cases')
  search(@Query() query: SearchCasesQuery): Promise<CaseSearchPage> {
    return this.index.search(caseFilterOf(query));
  }

  @Get('cases/:reference')
  find(@Param('reference') reference: string): Promise<StaffCaseView> {
    return this.intake.find(reference);
  }

  @Get('cases/:reference/history')
  history(@Param('reference') reference: string): Promise<{ reference: string; events: HistoryEntry[] }> {
    return this.intake.history(reference);
  }

  @Get('public/cases/:reference')
  findPublic(@Param('reference') reference: string): Promise<PublicCase> {
    return this.intake.findPublic(reference);
  }

  @Post('cases/:reference/information')
  @HttpCode(200)
  addInformation(@Param('reference') reference: string, @Body() dto: AddInformationDto): Promise<StaffCaseView> {
    return this.intake.addInformation(reference, { ...(dto.text !== undefined ? { text: dto.text } : {}), ...(dto.mediaUrl !== undefined ? { mediaUrl: dto.mediaUrl } : {}) }, residentActor());
  }

  /** Staff ask the reporter for something; the deadline's clock stops until the reporter adds information. */
  @Post('cases/:reference/information-requests')
  @HttpCode(200)
  requestInformation(@Param('reference') reference: string, @Body() dto: RequestInformationDto): Promise<StaffCaseView> {
    return this.intake.requestInformation(reference, dto.question, staffActor());
  }

  /** Staff agree with a duplicate link routing made. */
  @Post('cases/:reference/duplicate/confirm')
  @HttpCode(200)
  confirmDuplicate(@Param('reference') reference: string): Promise<StaffCaseView> {
    return this.intake.confirmDuplicate(reference, staffActor());
  }

  /** Staff undo a duplicate link: the case stands on its own, and routing routes it. */
  @Post('cases/:reference/duplicate/undo')
  @HttpCode(200)
  undoDuplicate(@Param('reference') reference: string, @Body() dto: UndoDuplicateDto): Promise<StaffCaseView> {
    return this.intake.undoDuplicate(reference, dto.reason, staffActor());
  }

  /** Staff split a multi-agency problem into child cases for other departments; the parent resolves when they all do. */
  @Post('cases/:reference/split')
  @HttpCode(200)
  async split(@Param('reference') reference: string, @Body() dto: SplitCaseDto): Promise<StaffCaseView> {
    try {
      return await this.intake.split(reference, dto, staffActor());
    } catch (error) {
      throw asProblem(error);
    }
  }

  @Post('cases/:reference/notes')
  @HttpCode(200)
  addNote(@Param('reference') reference: string, @Body() dto: AddNoteDto): Promise<StaffCaseView> {
    return this.intake.addNote(reference, dto.text, staffActor());
  }

  @Post('cases/:reference/cancel')
  @HttpCode(200)
  cancel(@Param('reference') reference: string, @Body() dto: CancelCaseDto): Promise<StaffCaseView> {
    return this.intake.cancel(reference, dto.reason, residentActor());
  }

  @Post('cases/:reference/reopen')
  @HttpCode(200)
  reopen(@Param('reference') reference: string, @Body() dto: ReopenCaseDto): Promise<StaffCaseView> {
    return this.intake.reopen(reference, dto.reason, residentActor());
  }

  /** A portal or partner (its Open311 API key in X-Api-Key) subscribes to a case it did not submit: its webhook hears of it from now on. */
  @Post('cases/:reference/subscriptions')
  @HttpCode(200)
  async subscribe(@Param('reference') reference: string, @Headers('x-api-key') apiKey: string | undefined): Promise<{ reference: string; partner: string; subscribed: true }> {
    const partner = apiKey ? await this.apiKeys.partnerFor(apiKey) : undefined;
    if (!partner) throw problem(401, 'Unauthorized', 'Send the partner\'s API key in X-Api-Key', [{ field: 'X-Api-Key', rule: 'apiKey', message: apiKey ? 'not a valid API key' : 'required' }]);
    await this.intake.subscribePartner(reference, partner);
    // The partner learns nothing of the case here: it has the public views and, from now on, its webhook.
    return { reference, partner, subscribed: true };
  }

  @Post('cases/:reference/links')
  @HttpCode(200)
  link(@Param('reference') reference: string, @Body() dto: LinkCaseDto): Promise<StaffCaseView> {
    return this.intake.link(reference, dto.reference, dto.relation, staffActor());
  }
}
