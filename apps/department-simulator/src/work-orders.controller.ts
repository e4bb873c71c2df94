import { Body, Controller, Get, Headers, HttpCode, Param, Post, Put, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsISO8601, IsNotEmpty, IsNumber, IsOptional, IsString, IsUrl, Max, MaxLength, Min } from 'class-validator';
import { problem } from '@caseline/service-kit';
import { Knobs, WorkOrder, WorkOrderStore } from './work-order.store';

export class CreateWorkOrderDto {
  @IsString() @IsNotEmpty() @MaxLength(64) caseReference!: string;
  @IsString() @IsNotEmpty() @MaxLength(64) serviceCode!: string;
  @IsString() @MaxLength(4000) description!: string;
  @IsOptional() location?: unknown;
  @IsOptional() @IsISO8601() dueAt?: string;
  @IsOptional() @IsUrl({ require_tld: false, protocols: ['http', 'https'] }) callbackUrl?: string;
}

export class ControlDto {
  @IsOptional() @IsBoolean() down?: boolean;
  @IsOptional() @Type(() => Number) @IsNumber() @Min(0) @Max(1) errorRate?: number;
  @IsOptional() @Type(() => Number) @IsNumber() @Min(0) @Max(60000) latencyMs?: number;
}

export class StatusChangeDto {
  @IsIn(['scheduled', 'in_progress', 'completed', 'rejected']) status!: 'scheduled' | 'in_progress' | 'completed' | 'rejected';
  @IsOptional() @IsString() @MaxLength(2000) note?: string;
  @IsOptional() @IsISO8601() scheduledFor?: string;
}

@Controller()
export class WorkOrdersController {
  constructor(private readonly store: WorkOrderStore) {}

  @Post('work-orders')
  async create(@Headers('idempotency-key') key: string | undefined, @Body() dto: CreateWorkOrderDto, @Res({ passthrough: true }) response: Response): Promise<WorkOrder> {
    if (!key) throw problem(400, 'Bad Request', 'The Idempotency-Key header is required', [{ field: 'Idempotency-Key', rule: 'required', message: 'send an Idempotency-Key header' }]);
    const behaviour = await this.store.behave();
    if (behaviour === 'down') throw problem(503, 'Service Unavailable', 'The work-order system is down');
    if (behaviour === 'error') throw problem(500, 'Internal Server Error', 'Simulated failure');
    const { order, created } = this.store.create(key, dto);
    response.status(created ? 201 : 200);
    return order;
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

  /** A crew or clerk changes the work order's status; the change is pushed to the adapter. */
  @Post('work-orders/:id/status')
  @HttpCode(202)
  changeStatus(@Param('id') id: string, @Body() dto: StatusChangeDto) {
    const order = this.get(id);
    return this.store.changeStatus(order, dto.status, dto.note, dto.scheduledFor);
  }

  @Get('control')
  knobs(): Knobs {
    return this.store.knobs;
  }

  @Put('control')
  control(@Body() dto: ControlDto): Knobs {
    this.store.knobs = { ...this.store.knobs, ...dto };
    return this.store.knobs;
  }

  @Post('reset')
  @HttpCode(204)
  reset(): void {
    this.store.reset();
  }
}
