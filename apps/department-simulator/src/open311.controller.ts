import { ArgumentsHost, Catch, Controller, ExceptionFilter, Get, HttpCode, HttpException, Logger, Param, Post, Req, UseFilters } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ProblemException } from '@caseline/service-kit';
import {
  authorise,
  authoriseIfSent,
  CLOSED_STATUSES,
  formParams,
  OPEN311_STATUS,
  Open311Error,
  queryParams,
  readServiceRequest,
  readServiceRequestUpdate,
  readWindow,
  w3c,
  wholeSeconds,
} from './open311.protocol';
import { Open311Order, Open311StatusChange, WorkOrderStore } from './work-order.store';

const PAGE_LIMIT = 1000;

/**
 * Open311 errors are a list of {code, description}, not problem+json: this face answers every error
 * that way, whoever threw it (a ProblemException from shared code, Nest, or something unexpected).
 */
@Catch()
export class Open311ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Open311');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const status = exception instanceof HttpException ? exception.getStatus() : 500;
    response.status(status).json(this.describe(exception, status));
  }

  private describe(exception: unknown, status: number): { code: number; description: string }[] {
    if (exception instanceof Open311Error) return exception.getResponse() as { code: number; description: string }[];
    if (exception instanceof ProblemException) {
      const { detail, title, errors } = exception.problem;
      return errors?.length ? errors.map((error) => ({ code: status, description: `${error.field}: ${error.message}` })) : [{ code: status, description: detail ?? title }];
    }
    if (exception instanceof HttpException) return [{ code: status, description: exception.message }];
    this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    return [{ code: 500, description: 'An unexpected error occurred' }];
  }
}

/**
 * The department system's second face: an Open311 GeoReport v2 back office (as FixMyStreet talks to
 * councils'), over the same store and knobs as the REST face. Clients post requests and updates as
 * forms and poll for the crew's status changes; nothing is pushed.
 */
@Controller('open311')
@UseFilters(Open311ErrorFilter)
export class Open311Controller {
  constructor(private readonly store: WorkOrderStore) {}

  @Post('requests.json')
  @HttpCode(200)
  async createRequest(@Req() request: Request): Promise<object[]> {
    const params = formParams(request);
    const jurisdiction = authorise(params);
    const { caselineId, fields, details } = readServiceRequest(params);
    await this.behave(true);
    const { order } = this.store.createOpen311(caselineId, jurisdiction, fields, details);
    if (this.store.currentKnobs().open311Tokens) return [{ token: order.open311.token }];
    return [{ service_request_id: order.id, service_notice: `Received by ${jurisdiction}'s work-order system`, account_id: null }];
  }

  /** What a token handed out by requests.json became (always created at once here). */
  @Get('tokens/:token.json')
  async token(@Param('token') token: string, @Req() request: Request): Promise<object[]> {
    const jurisdiction = authoriseIfSent(queryParams(request));
    const order = this.store.open311ByToken(token);
    if (!order || (jurisdiction !== undefined && order.department !== jurisdiction)) throw new Open311Error(404, [`No request has token ${token}`]);
    await this.behave(false);
    return [{ service_request_id: order.id, token }];
  }

  /** Caseline's news about a request: CLOSED cancels it, OPEN adds information to it. */
  @Post('servicerequestupdates.json')
  @HttpCode(200)
  async postUpdate(@Req() request: Request): Promise<object[]> {
    const params = formParams(request);
    const jurisdiction = authorise(params);
    const update = readServiceRequestUpdate(params);
    const order = this.find(jurisdiction, update.serviceRequestId);
    await this.behave(false);
    const updateId = this.store.receiveOpen311Update(
      order,
      update.updateId,
      update.closed ? { kind: 'cancel', reason: update.description } : { kind: 'information', text: update.description, mediaUrl: update.mediaUrl },
    );
    return [{ update_id: updateId }];
  }

  /** The crew's status changes in [start_date, end_date] (whole seconds), oldest first, a page at most. */
  @Get('servicerequestupdates.json')
  async updates(@Req() request: Request): Promise<object[]> {
    const params = queryParams(request);
    const jurisdiction = authorise(params);
    const { start, end } = readWindow(params);
    await this.behave(false);
    return this.store
      .open311StatusChanges(jurisdiction)
      .filter((change) => wholeSeconds(Date.parse(change.at)) >= start && wholeSeconds(Date.parse(change.at)) <= end)
      .slice(0, PAGE_LIMIT)
      .map(toUpdate);
  }

  /** The requests named (comma-separated; unknown ones left out), or the jurisdiction's latest ones. */
  @Get('requests.json')
  async requests(@Req() request: Request): Promise<object[]> {
    const params = queryParams(request);
    const jurisdiction = authorise(params);
    const ids = [...new Set(params.getAll('service_request_id').flatMap((value) => value.split(',').map((id) => id.trim())))].filter(Boolean);
    await this.behave(false);
    const orders = ids.length > 0 ? ids.flatMap((id) => this.store.open311Order(jurisdiction, id) ?? []) : this.store.open311Orders(jurisdiction).slice(-PAGE_LIMIT);
    return orders.map(toRequest);
  }

  /** One request (GeoReport's GET requests/{id}.json): a list of one. */
  @Get('requests/:id.json')
  async request(@Param('id') id: string, @Req() request: Request): Promise<object[]> {
    const jurisdiction = authorise(queryParams(request));
    const order = this.find(jurisdiction, id);
    await this.behave(false);
    return [toRequest(order)];
  }

  private find(jurisdiction: string, id: string): Open311Order {
    const order = this.store.open311Order(jurisdiction, id);
    if (!order) throw new Open311Error(404, [`service_request_id ${id} is not a request of jurisdiction ${jurisdiction}`]);
    return order;
  }

  /** The knobs, as an Open311 back office fails: only a new request can be refused. */
  private async behave(refusable: boolean): Promise<void> {
    const behaviour = await this.store.behave(refusable);
    if (behaviour === 'down') throw new Open311Error(503, ['The work-order system is down']);
    if (behaviour === 'refuse') throw new Open311Error(400, ['The work-order system refuses this request']);
    if (behaviour === 'error') throw new Open311Error(500, ['Simulated failure']);
  }
}

const toUpdate = (change: Open311StatusChange) => ({
  update_id: change.updateId,
  service_request_id: change.order.id,
  status: OPEN311_STATUS[change.status].status,
  updated_datetime: w3c(change.at),
  description: change.note ?? null,
  media_url: null,
  external_status_code: OPEN311_STATUS[change.status].code,
});

function toRequest(order: Open311Order) {
  const notes = order.history.filter((entry) => entry.note !== undefined);
  const updatedAt = [order.history.at(-1)?.at, order.information.at(-1)?.at].filter((at): at is string => at !== undefined).sort().at(-1) ?? order.createdAt;
  return {
    service_request_id: order.id,
    status: CLOSED_STATUSES.has(order.status) ? 'closed' : 'open',
    status_notes: notes.at(-1)?.note ?? null,
    service_code: order.serviceCode,
    description: order.description,
    requested_datetime: w3c(order.createdAt),
    updated_datetime: w3c(updatedAt),
    expected_datetime: null,
    address: order.location.address ?? null,
    lat: order.location.lat ?? null,
    long: order.location.long ?? null,
  };
}
