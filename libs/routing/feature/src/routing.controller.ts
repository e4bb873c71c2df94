import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { IsIn, IsNotEmpty, IsOptional, IsString } from 'class-validator';
import type { CaseEventEnvelope, CaseReopened, CaseReported } from '@caseline/case-contracts';
import { problem } from '@caseline/service-kit';
import { RoutingService } from './routing.service';

export class DryRunDto {
  @IsString() @IsNotEmpty() serviceCode!: string;
  @IsOptional() @IsIn(['web', 'mobile', 'phone', 'email', 'ivr', 'in-person', 'api']) channel?: string;
}

@Controller()
export class RoutingController {
  constructor(private readonly routing: RoutingService) {}

  @Post('v1/routing/dry-run')
  @HttpCode(200)
  dryRun(@Body() dto: DryRunDto) {
    const decision = this.routing.dryRun({ serviceCode: dto.serviceCode, channel: dto.channel ?? 'web' });
    if (!decision) throw problem(422, 'Unprocessable Content', `No routing rule matches serviceCode "${dto.serviceCode}"`);
    return decision;
  }

  @EventPattern('CaseReported')
  onCaseReported(@Payload() event: CaseEventEnvelope<'CaseReported', CaseReported['data']>): Promise<void> {
    return this.routing.routeReportedCase(event);
  }

  @EventPattern('CaseReopened')
  onCaseReopened(@Payload() event: CaseEventEnvelope<'CaseReopened', CaseReopened['data']>): Promise<void> {
    return this.routing.routeReopenedCase(event);
  }
}
