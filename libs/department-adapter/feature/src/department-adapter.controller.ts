import { Body, Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { IsIn, IsISO8601, IsNotEmpty, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { CaseEventEnvelope, CaseRouted, WORK_ORDER_STATUSES, WorkOrderStatus } from '@caseline/case-contracts';
import { DepartmentSignatureGuard } from './department-signature.guard';
import { WorkOrdersService } from './work-orders.service';

export class StatusUpdateDto {
  @IsUUID() updateId!: string;
  @IsString() @IsNotEmpty() @MaxLength(100) workOrderId!: string;
  @IsIn(WORK_ORDER_STATUSES) status!: WorkOrderStatus;
  @IsOptional() @IsString() @MaxLength(2000) note?: string;
  @IsOptional() @IsISO8601() scheduledFor?: string;
  @IsOptional() @IsString() caseReference?: string;
  @IsOptional() @IsISO8601() occurredAt?: string;
}

@Controller()
export class DepartmentAdapterController {
  constructor(private readonly workOrders: WorkOrdersService) {}

  @EventPattern('CaseRouted')
  onCaseRouted(@Payload() event: CaseEventEnvelope<'CaseRouted', CaseRouted['data']>): Promise<void> {
    return this.workOrders.enqueue(event);
  }

  /** Signed by the department's system (Caseline-Signature); unsigned, stale, replayed or forged: 401, nothing recorded. */
  @EventPattern('CaseCancelled')
  onCaseCancelled(@Payload() event: CaseEventEnvelope<'CaseCancelled'>): Promise<void> {
    return this.workOrders.enqueueUpdate(event);
  }

  @EventPattern('InformationAdded')
  onInformationAdded(@Payload() event: CaseEventEnvelope<'InformationAdded'>): Promise<void> {
    return this.workOrders.enqueueUpdate(event);
  }

  @Post('v1/department-systems/:department/status-updates')
  @UseGuards(DepartmentSignatureGuard)
  @HttpCode(202)
  async statusUpdate(@Param('department') department: string, @Body() dto: StatusUpdateDto): Promise<{ accepted: true }> {
    await this.workOrders.receiveStatus(department, dto);
    return { accepted: true };
  }
}
