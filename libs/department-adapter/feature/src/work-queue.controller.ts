import { Body, Controller, DefaultValuePipe, Get, HttpCode, Param, ParseIntPipe, Post, Query } from '@nestjs/common';
import { IsISO8601, IsString, Matches, MaxLength } from 'class-validator';
import { loadCityConfig } from '@caseline/city-config';
import type { Actor } from '@caseline/case-contracts';
import { Access, Acting, problem } from '@caseline/service-kit';
import { QueueAction, QueueItem, WorkQueue } from './work-queue';

const NOT_BLANK = /\S/;

export class ScheduleDto {
  @IsISO8601({ strict: true }, { message: 'scheduledFor must be an ISO 8601 date-time' }) scheduledFor!: string;
}
export class CompleteDto {
  @IsString() @Matches(NOT_BLANK, { message: 'note must say what was done (the resident reads it)' }) @MaxLength(2000) note!: string;
}
export class RejectDto {
  @IsString() @Matches(NOT_BLANK, { message: 'reason must say why (the history and the resident read it)' }) @MaxLength(2000) reason!: string;
}
export class HoldDto {
  @IsString() @Matches(NOT_BLANK, { message: 'question must say what the reporter should tell us' }) @MaxLength(1000) question!: string;
}

/** A department's staff work their queue (departments without a system of their own). Department staff act for their own departments; supervisors for any; operators only look. */
@Controller('v1/departments/:department/work')
export class WorkQueueController {
  private readonly departments = new Set(loadCityConfig().departments.map((d) => d.code));

  constructor(private readonly queue: WorkQueue) {}

  @Get()
  @Access.staff('work:read', { departmentParam: 'department' })
  list(@Param('department') department: string, @Query('limit', new DefaultValuePipe(100), ParseIntPipe) limit: number, @Query('reference') reference?: string): Promise<QueueItem[]> {
    this.known(department);
    if (limit < 1 || limit > 500) throw problem(400, 'Bad Request', 'limit must be from 1 to 500', [{ field: 'limit', rule: 'range', message: 'limit must be from 1 to 500' }]);
    // A caller on the phone gives their reference: staff find its work order however long the queue.
    return this.queue.open(department, limit, reference);
  }

  @Post(':workOrderId/accept')
  @HttpCode(200)
  @Access.staff('work:change', { departmentParam: 'department' })
  accept(@Param('department') department: string, @Param('workOrderId') id: string, @Acting() actor: Actor) {
    return this.act(department, id, { action: 'acknowledged' }, actor);
  }

  @Post(':workOrderId/schedule')
  @HttpCode(200)
  @Access.staff('work:change', { departmentParam: 'department' })
  schedule(@Param('department') department: string, @Param('workOrderId') id: string, @Body() dto: ScheduleDto, @Acting() actor: Actor) {
    return this.act(department, id, { action: 'scheduled', scheduledFor: new Date(dto.scheduledFor).toISOString() }, actor);
  }

  @Post(':workOrderId/start')
  @HttpCode(200)
  @Access.staff('work:change', { departmentParam: 'department' })
  start(@Param('department') department: string, @Param('workOrderId') id: string, @Acting() actor: Actor) {
    return this.act(department, id, { action: 'in_progress' }, actor);
  }

  /** Done, with a note the resident reads: this (and only this) resolves the case. */
  @Post(':workOrderId/complete')
  @HttpCode(200)
  @Access.staff('work:change', { departmentParam: 'department' })
  complete(@Param('department') department: string, @Param('workOrderId') id: string, @Body() dto: CompleteDto, @Acting() actor: Actor) {
    return this.act(department, id, { action: 'completed', note: dto.note }, actor);
  }

  /** Closed without fixing it, saying why (the resident reads it): resolves the case as "no action possible". */
  @Post(':workOrderId/not-fixed')
  @HttpCode(200)
  @Access.staff('work:change', { departmentParam: 'department' })
  notFixed(@Param('department') department: string, @Param('workOrderId') id: string, @Body() dto: RejectDto, @Acting() actor: Actor) {
    return this.act(department, id, { action: 'not_fixed', reason: dto.reason }, actor);
  }

  /** Not this department's: routing refers the case on. */
  @Post(':workOrderId/reject')
  @HttpCode(200)
  @Access.staff('work:change', { departmentParam: 'department' })
  reject(@Param('department') department: string, @Param('workOrderId') id: string, @Body() dto: RejectDto, @Acting() actor: Actor) {
    return this.act(department, id, { action: 'rejected', reason: dto.reason }, actor);
  }

  /** On hold until the reporter answers: the deadline's clock stops meanwhile. */
  @Post(':workOrderId/hold')
  @HttpCode(200)
  @Access.staff('work:change', { departmentParam: 'department' })
  hold(@Param('department') department: string, @Param('workOrderId') id: string, @Body() dto: HoldDto, @Acting() actor: Actor) {
    return this.act(department, id, { action: 'on_hold', question: dto.question }, actor);
  }

  private act(department: string, id: string, action: QueueAction, actor: Actor): Promise<QueueItem> {
    this.known(department);
    return this.queue.act(department, id, action, actor);
  }

  private known(department: string): void {
    if (!this.departments.has(department)) throw problem(404, 'Not Found', `No department ${department}`);
  }
}
