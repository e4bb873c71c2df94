import { Body, Controller, DefaultValuePipe, Get, HttpCode, Param, ParseIntPipe, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsLatitude, IsLongitude, IsNotEmpty, IsObject, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import { Actor, ALL_CHANNELS, AttributeAnswer, CaseEventEnvelope, CaseLinked, CaseReopened, CaseReported, CaseUnlinked, WorkOrderStatusChanged } from '@caseline/case-contracts';
import { CaseDomainError } from '@caseline/case-domain';
import { PRIORITIES, Priority } from '@caseline/routing-domain';
import { Access, Acting, problem } from '@caseline/service-kit';
import { RoutingService } from './routing.service';
import { TriageQueue } from './triage-queue';

export class DryRunLocationDto {
  @IsLatitude({ message: 'location.lat must be a latitude between -90 and 90' }) lat!: number;
  @IsLongitude({ message: 'location.long must be a longitude between -180 and 180' }) long!: number;
}

export class DryRunDto {
  @IsString() @IsNotEmpty() @MaxLength(100) serviceCode!: string;
  @IsOptional() @IsIn(ALL_CHANNELS) channel?: string;
  @IsOptional() @ValidateNested() @Type(() => DryRunLocationDto) location?: DryRunLocationDto;
  @IsOptional() @IsObject() attributes?: Record<string, AttributeAnswer>;
  @IsOptional() @IsString() @MaxLength(4000) description?: string;
  @IsOptional() @IsArray() @ArrayMaxSize(20) @IsString({ each: true }) excludeDepartments?: string[];
}

export class TriageDecisionDto {
  @IsString() @IsNotEmpty() department!: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(100) queue?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(100) crew?: string;
  @IsOptional() @IsIn(PRIORITIES) priority?: Priority;
  @IsString() @IsNotEmpty({ message: 'reason must say why this department (the history shows it)' }) @MaxLength(1000) reason!: string;
}

@Controller()
export class RoutingController {
  constructor(
    private readonly routing: RoutingService,
    private readonly triage: TriageQueue,
  ) {}

  /** Where would this case go, and why? Nothing is written. */
  @Post('v1/routing/dry-run')
  @HttpCode(200)
  @Access.staff('config:read')
  dryRun(@Body() dto: DryRunDto) {
    return this.routing.dryRun({ ...dto, channel: dto.channel ?? 'web' });
  }

  /** Cases no rule could place, oldest first, for an operator to decide. */
  @Get('v1/routing/triage')
  @Access.staff('triage:decide')
  triageQueue(@Query('limit', new DefaultValuePipe(50), ParseIntPipe) limit: number) {
    if (limit < 1 || limit > 500) throw problem(400, 'Bad Request', 'limit must be from 1 to 500', [{ field: 'limit', rule: 'range', message: 'limit must be from 1 to 500' }]);
    return this.triage.list(limit);
  }

  /** An operator's decision for a case in triage: an event like any other, with the operator as its actor. */
  @Post('v1/routing/triage/:caseId/decision')
  @HttpCode(200)
  @Access.staff('triage:decide')
  async decide(@Param('caseId', new ParseUUIDPipe()) caseId: string, @Body() dto: TriageDecisionDto, @Acting() actor: Actor) {
    if (!this.routing.departmentExists(dto.department)) {
      throw problem(422, 'Unprocessable Content', `department "${dto.department}" is not one of the city's departments`, [{ field: 'department', rule: 'known', message: `department "${dto.department}" does not exist` }]);
    }
    try {
      return await this.routing.decideTriage(caseId, dto, actor);
    } catch (error) {
      if (error instanceof CaseDomainError) throw problem(409, 'Conflict', error.message);
      throw error;
    }
  }

  @EventPattern('CaseReported')
  onCaseReported(@Payload() event: CaseEventEnvelope<'CaseReported', CaseReported['data']>): Promise<void> {
    return this.routing.routeReportedCase(event);
  }

  @EventPattern('WorkOrderStatusChanged')
  onWorkOrderStatusChanged(@Payload() event: CaseEventEnvelope<'WorkOrderStatusChanged', WorkOrderStatusChanged['data']>): Promise<void> {
    return this.routing.referRejectedCase(event);
  }

  @EventPattern('CaseReopened')
  onCaseReopened(@Payload() event: CaseEventEnvelope<'CaseReopened', CaseReopened['data']>): Promise<void> {
    return this.routing.routeReopenedCase(event);
  }

  @EventPattern('CaseCancelled')
  onCaseCancelled(@Payload() event: CaseEventEnvelope): Promise<void> {
    return this.routing.closeCase(event);
  }

  @EventPattern('CaseResolved')
  onCaseResolved(@Payload() event: CaseEventEnvelope): Promise<void> {
    return this.routing.closeCase(event);
  }

  @EventPattern('CaseLinked')
  onCaseLinked(@Payload() event: CaseEventEnvelope<'CaseLinked', CaseLinked['data']>): Promise<void> {
    return this.routing.countDuplicate(event);
  }

  @EventPattern('CaseUnlinked')
  onCaseUnlinked(@Payload() event: CaseEventEnvelope<'CaseUnlinked', CaseUnlinked['data']>): Promise<void> {
    return this.routing.detachDuplicate(event);
  }

  @EventPattern('InformationRequested')
  onInformationRequested(@Payload() event: CaseEventEnvelope): Promise<void> {
    return this.routing.pauseClock(event.caseId);
  }

  @EventPattern('InformationAdded')
  onInformationAdded(@Payload() event: CaseEventEnvelope<'InformationAdded'>): Promise<void> {
    return this.routing.resumeClock(event);
  }
}
