import { Body, Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { IsISO8601, IsNotEmpty, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { CaseEventEnvelope, CaseRouted } from '@caseline/case-contracts';
import { Access } from '@caseline/service-kit';
import { DepartmentSignatureGuard } from './department-signature.guard';
import { WorkOrdersService } from './work-orders.service';

export class StatusUpdateDto {
  @IsUUID() updateId!: string;
  @IsString() @IsNotEmpty() @MaxLength(100) workOrderId!: string;
  /** The system's own status, mapped by the department's status map (ours unless it says otherwise). */
  @IsString() @IsNotEmpty() @MaxLength(64) status!: string;
  @IsOptional() @IsString() @MaxLength(2000) note?: string;
  @IsOptional() @IsISO8601() scheduledFor?: string;
  @IsOptional() @IsString() caseReference?: string;
  @IsOptional() @IsISO8601() occurredAt?: string;
  /** The staff member who made the change, where the system says. */
  @IsOptional() @IsString() @MaxLength(100) by?: string;
}

@Controller()
export class DepartmentAdapterController {
  constructor(private readonly workOrders: WorkOrdersService) {}

  @EventPattern('CaseRouted')
  onCaseRouted(@Payload() event: CaseEventEnvelope<'CaseRouted', CaseRouted['data']>): Promise<void> {
    return this.workOrders.enqueue(event);
  }

  @EventPattern('CaseCancelled')
  onCaseCancelled(@Payload() event: CaseEventEnvelope<'CaseCancelled'>): Promise<void> {
    return this.workOrders.enqueueUpdate(event);
  }

  @EventPattern('InformationAdded')
  onInformationAdded(@Payload() event: CaseEventEnvelope<'InformationAdded'>): Promise<void> {
    return this.workOrders.enqueueUpdate(event);
  }

  /** Signed by the department's system (Caseline-Signature); unsigned, stale, replayed or forged: 401, nothing recorded. */
  @Post('v1/department-systems/:department/status-updates')
  @UseGuards(DepartmentSignatureGuard)
  @Access.signed('department system signature')
  @HttpCode(202)
  async statusUpdate(@Param('department') department: string, @Body() dto: StatusUpdateDto): Promise<{ accepted: true; recorded: boolean }> {
    const { caseReference: _reference, occurredAt: _occurredAt, ...update } = dto;
    return { accepted: true, ...(await this.workOrders.receivePushed(department, update)) };
  }
}
