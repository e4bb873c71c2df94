import { Controller, Get, HttpException, Logger, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Location } from '@caseline/case-contracts';
import { loadCityConfig } from '@caseline/city-config';
import {
  checkJurisdiction,
  open311Failure,
  Open311Failure,
  Open311Format,
  Open311Payloads,
  Open311Resource,
  parseRequestsQuery,
  parseServiceRequestForm,
  parseUpdatesQuery,
  render,
  ServiceRequestSubmission,
} from '@caseline/intake-open311';
import { CatalogStore } from '@caseline/catalog-feature';
import { Access, isTrackingToken, trackingToken } from '@caseline/service-kit';
import { open311SubmissionFields, SubmissionRejected } from '../case-submission';
import { IntakeService } from '../intake.service';
import { ApiKeys } from './api-keys';
import { open311Definition, open311Service, serviceRequestOf } from './open311-documents';
import { ServiceRequestsReadModel, withoutExtensions } from './service-requests.projection';
import { addressKey, IntakeRateLimits, tooManyRequests } from '../rate-limits';

class RateLimited extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('rate limited');
  }
}

/** Thrown inside a handler to answer with Open311's error list. */
class Open311Error extends Error {
  constructor(readonly failure: Open311Failure) {
    super(failure.errors.map((e) => e.description).join('; '));
  }
}

const fail = (failure: Open311Failure): never => {
  throw new Open311Error(failure);
};

/** The `.json` / `.xml` of a route; anything else is not a resource of ours (404, rendered as JSON). */
const formatFrom = (format: string): Open311Format | undefined => (format === 'json' || format === 'xml' ? format : undefined);

/** The form body as sent: Open311's `attribute[CODE][]` must be read from the raw form, not qs's objects. */
function formOf(request: Request): URLSearchParams {
  const raw = (request as Request & { rawBody?: Buffer }).rawBody;
  if (raw) return new URLSearchParams(raw.toString('utf8'));
  return new URLSearchParams(request.is('application/x-www-form-urlencoded') ? '' : (request.url.split('?')[1] ?? ''));
}

const queryOf = (request: Request) => new URLSearchParams(request.url.split('?')[1] ?? '');

/**
 * Open311 GeoReport v2 under /open311/v2/, with the page/page_size, extensions=true and
 * servicerequestupdates extensions: existing city apps and FixMyStreet-style back offices work
 * unchanged. Errors are Open311's list of {code, description}, never problem+json.
 */
@Controller('open311/v2')
@Access.public()
export class Open311Controller {
  private readonly logger = new Logger('Open311');
  private readonly city = loadCityConfig().city;
  private readonly served = [this.city.jurisdictionId];

  constructor(
    private readonly intake: IntakeService,
    private readonly readModel: ServiceRequestsReadModel,
    private readonly apiKeys: ApiKeys,
    private readonly limits: IntakeRateLimits,
    private readonly catalog: CatalogStore,
  ) {}

  @Get('discovery.:format')
  discovery(@Param('format') format: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    return this.answer(request, response, format, 'discovery', () => {
      const base = `${request.protocol}://${request.get('host')}/open311/v2/`;
      // Changes when the catalog does, so clients know to refresh their list of services.
      const changeset = this.catalog.changedAt();
      return {
        changeset,
        contact: this.city.contact,
        key_service: this.city.keyService,
        endpoints: [{ specification: 'http://wiki.open311.org/GeoReport_v2', url: base, changeset, type: 'production', formats: ['text/xml', 'application/json'] }],
      };
    });
  }

  @Get('services.:format')
  services(@Param('format') format: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    return this.answer(request, response, format, 'services', () => {
      this.checkJurisdiction(request);
      return this.intake.catalog('api').map(open311Service);
    });
  }

  @Get('services/:code.:format')
  definition(@Param('code') code: string, @Param('format') format: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    return this.answer(request, response, format, 'service_definition', () => {
      this.checkJurisdiction(request);
      const service = this.intake.catalog('api').find((s) => s.code === code);
      return service ? open311Definition(service) : fail(open311Failure('not_found', `service_code ${code} was not found`));
    });
  }

  @Get('requests.:format')
  requests(@Param('format') format: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    return this.answer(request, response, format, 'service_requests', async () => {
      this.checkJurisdiction(request);
      const parsed = parseRequestsQuery(queryOf(request));
      if (!parsed.ok) return fail(parsed);
      const query = parsed.value;
      const documents =
        query.by === 'ids'
          ? await this.readModel.byReferences(query.service_request_ids)
          : await this.readModel.search({ from: query.start_date, to: query.end_date, serviceCodes: query.service_codes, statuses: query.statuses, page: query.page, pageSize: query.page_size });
      return query.extensions ? documents : documents.map(withoutExtensions);
    });
  }

  /** One request, read from its case's own events: right after the POST it is already there. */
  @Get('requests/:id.:format')
  request(@Param('id') id: string, @Param('format') format: string, @Query('extensions') extensions: string | undefined, @Req() request: Request, @Res() response: Response): Promise<void> {
    return this.answer(request, response, format, 'service_requests', async () => {
      this.checkJurisdiction(request);
      const history = await this.historyOf(id);
      const document = serviceRequestOf(history, this.city.timeZone, this.intake.service((history[0].data as { serviceCode: string }).serviceCode), true);
      return [extensions === 'true' ? document : withoutExtensions(document)];
    });
  }

  @Get('tokens/:token.:format')
  token(@Param('token') token: string, @Param('format') format: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    return this.answer(request, response, format, 'token', async () => {
      this.checkJurisdiction(request);
      // Our tokens are "<reference>~<tracking token>": the request exists as soon as its token does.
      const [reference, mac] = token.split('~');
      if (!reference || !mac || !isTrackingToken(reference, mac)) fail(open311Failure('not_found', `token ${token} was not found`));
      await this.historyOf(reference);
      return { token, service_request_id: reference };
    });
  }

  @Get('servicerequestupdates.:format')
  updates(@Param('format') format: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    return this.answer(request, response, format, 'service_request_updates', async () => {
      this.checkJurisdiction(request);
      const parsed = parseUpdatesQuery(queryOf(request));
      if (!parsed.ok) return fail(parsed);
      const { start_date, end_date, page, page_size } = parsed.value;
      return this.readModel.updates({ from: start_date, to: end_date, page, pageSize: page_size });
    });
  }

  @Post('requests.:format')
  @Access.signed('partner API key')
  submit(@Param('format') format: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    return this.answer(
      request,
      response,
      format,
      'service_request_created',
      async () => {
        this.checkJurisdiction(request);
        if (request.headers['content-type'] && !request.is('application/x-www-form-urlencoded')) {
          fail(open311Failure('invalid', 'POST requests must be sent as application/x-www-form-urlencoded, as the GeoReport v2 specification says'));
        }
        const parsed = parseServiceRequestForm(formOf(request));
        if (!parsed.ok) return fail(parsed);
        const key = await this.apiKeys.check(parsed.value.api_key, 'requests:create', this.jurisdictionOf(request));
        // A wrong key counts against the caller's address (no guessing keys); a right one against its partner.
        const decision = key.ok ? this.limits.byApiKey.take(key.partner) : this.limits.byAddress.take(addressKey(request.ip));
        if (!decision.allowed) throw new RateLimited(decision.retryAfterSeconds);
        if (!key.ok) return fail(open311Failure('api_key', key.detail));
        const partner = key.partner;
        const view = await this.intake.report(this.submissionOf(parsed.value, partner));
        return { service_request_id: view.reference, token: `${view.reference}~${trackingToken(view.reference)}`, service_notice: null, account_id: null };
      },
      201,
    );
  }

  private submissionOf(form: ServiceRequestSubmission, partner: string) {
    const location: Location =
      form.lat !== undefined && form.long !== undefined
        ? { lat: form.lat, long: form.long, address: form.address_string, addressId: form.address_id }
        : { address: form.address_string, addressId: form.address_id };
    const name = [form.first_name, form.last_name].filter(Boolean).join(' ');
    const reporter = form.email || form.phone || name ? { ...(name ? { name } : {}), ...(form.email ? { email: form.email } : {}), ...(form.phone ? { phone: form.phone } : {}) } : undefined;
    return {
      serviceCode: form.service_code,
      description: form.description ?? '',
      location,
      attributes: form.attributes,
      mediaUrl: form.media_url,
      reporter,
      actor: { kind: 'partner' as const, id: partner, name: `Open311 client ${partner}` },
      channel: 'api' as const,
      fieldNames: open311SubmissionFields,
    };
  }




  private jurisdictionOf(request: Request): string | undefined {
    return queryOf(request).get('jurisdiction_id') ?? formOf(request).get('jurisdiction_id') ?? undefined;
  }

  private checkJurisdiction(request: Request): void {
    const failure = checkJurisdiction(this.jurisdictionOf(request), this.served);
    if (failure) fail(failure);
  }


  private async historyOf(reference: string) {
    try {
      return (await this.intake.caseByReference(reference)).history;
    } catch (error) {
      if (error instanceof HttpException && error.getStatus() < 500) return fail(open311Failure('not_found', `service_request_id ${reference} was not found`));
      throw error;
    }
  }

  /** Runs a handler and answers in the requested format: its result, or Open311's error list. */
  private async answer<R extends Open311Resource>(request: Request, response: Response, requested: string, resource: R, produce: () => Promise<Open311Payloads[R]> | Open311Payloads[R], status = 200): Promise<void> {
    const format = formatFrom(requested) ?? 'json';
    try {
      if (!formatFrom(requested)) fail(open311Failure('not_found', `No such format .${requested}; use .json or .xml`));
      const { contentType, body } = render(format, resource, await produce());
      response.status(status).type(contentType).send(body);
    } catch (error) {
      if (error instanceof RateLimited) return tooManyRequests(request, response, error.retryAfterSeconds);
      const failure = this.failureOf(error);
      const { contentType, body } = render(format, 'errors', failure.errors);
      response.status(failure.status).type(contentType).send(body);
    }
  }

  private failureOf(error: unknown): Open311Failure {
    if (error instanceof Open311Error) return error.failure;
    if (error instanceof SubmissionRejected) {
      return open311Failure(error.reason === 'unknown-service' ? 'not_found' : 'invalid', ...error.violations.map((v) => `${v.field}: ${v.message}`));
    }
    this.logger.error(`Open311 request failed: ${(error as Error).message}`);
    return open311Failure('service_error', 'The request could not be processed; please try again later');
  }
}
