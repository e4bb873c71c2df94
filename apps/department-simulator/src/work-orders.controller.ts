import { Body, Controller, Get, Headers, HttpCode, Param, Post, Put, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { departmentSecret, problem, SIGNATURE_HEADER, SignatureRefused, verifySignature } from '@caseline/service-kit';
import { ControlDto, CreateWorkOrderDto, StatusChangeDto, WorkOrderUpdateDto } from './work-order.dto';
import { Knobs, StatusUpdate, WorkOrder, WorkOrderStore } from './work-order.store';

/** Like a careful department system, it takes requests only signed with its department's secret. */
function verifyCaseline(department: string | undefined, request: Request & { rawBody?: Buffer }): string {
  if (!department || !/^[A-Z0-9_]{1,20}$/.test(department)) throw problem(401, 'Unauthorized', 'Say which department this is for (Caseline-Department)');
  try {
    verifySignature(departmentSecret(department), request.headers[SIGNATURE_HEADER] as string | undefined, request.rawBody);
  } catch (error) {
    if (error instanceof SignatureRefused) throw problem(error.status, 'Unauthorized', error.message);
    throw error;
  }
  return department;
}

@Controller()
export class WorkOrdersController {
  constructor(private readonly store: WorkOrderStore) {}

  /** Like a careful department system, it takes work orders only signed with its department's secret. */
  @Post('work-orders')
  async create(
    @Headers('idempotency-key') key: string | undefined,
    @Headers('caseline-department') department: string | undefined,
    @Req() request: Request & { rawBody?: Buffer },
    @Body() dto: CreateWorkOrderDto,
    @Res({ passthrough: true }) response: Response,
  ): Promise<WorkOrder> {
    const caller = verifyCaseline(department, request);
    if (!key) throw problem(400, 'Bad Request', 'The Idempotency-Key header is required', [{ field: 'Idempotency-Key', rule: 'required', message: 'send an Idempotency-Key header' }]);
    const behaviour = await this.store.behave();
    if (behaviour === 'down') throw problem(503, 'Service Unavailable', 'The work-order system is down');
    if (behaviour === 'refuse') throw problem(422, 'Unprocessable Content', 'The work-order system refuses this request');
    if (behaviour === 'error') throw problem(500, 'Internal Server Error', 'Simulated failure');
    const { order, created } = this.store.create(key, caller, dto);
    response.status(created ? 201 : 200);
    return order;
  }

  /** Caseline tells us about a work order: the case was cancelled, or the reporter added information. */
  @Post('work-orders/:id/updates')
  @HttpCode(200)
  update(
    @Param('id') id: string,
    @Headers('caseline-department') department: string | undefined,
    @Headers('idempotency-key') key: string | undefined,
    @Req() request: Request & { rawBody?: Buffer },
    @Body() dto: WorkOrderUpdateDto,
  ): WorkOrder {
    verifyCaseline(department, request);
    if (!key) throw problem(400, 'Bad Request', 'The Idempotency-Key header is required', [{ field: 'Idempotency-Key', rule: 'required', message: 'send an Idempotency-Key header' }]);
    return this.store.receiveUpdate(this.get(id), key, dto);
  }

  @Get('work-orders')
  list(): WorkOrder[] {
    return this.store.list();
  }

  @Get('work-orders/:id')
  get(@Param('id') id: string): WorkOrder {
    const order = this.store.get(id);
    if (!order) throw problem(404, 'Not Found', `No work order ${id}`);
    return order;
  }

  /** A crew or clerk changes the work order's status; the change is pushed to the callback in the background. */
  @Post('work-orders/:id/status')
  @HttpCode(202)
  changeStatus(@Param('id') id: string, @Body() dto: StatusChangeDto): StatusUpdate {
    return this.store.changeStatus(this.get(id), dto.status, dto.note, dto.scheduledFor);
  }

  @Get('control')
  knobs(): Knobs {
    return this.store.currentKnobs();
  }

  @Put('control')
  control(@Body() dto: ControlDto): Knobs {
    return this.store.setKnobs(dto);
  }

  @Post('reset')
  @HttpCode(204)
  reset(): void {
    this.store.reset();
  }
}
