import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ReportCaseDto } from './report-case.dto';
import { CaseView, HistoryEntry, IntakeService } from './intake.service';

@Controller('v1')
export class CasesController {
  constructor(private readonly intake: IntakeService) {}

  @Get('services')
  services() {
    return this.intake.catalog();
  }

  @Post('cases')
  @HttpCode(201)
  report(@Body() dto: ReportCaseDto): Promise<CaseView> {
    return this.intake.report(dto);
  }

  @Get('cases/:reference')
  find(@Param('reference') reference: string): Promise<CaseView> {
    return this.intake.find(reference);
  }

  @Get('cases/:reference/history')
  history(@Param('reference') reference: string): Promise<{ reference: string; events: HistoryEntry[] }> {
    return this.intake.history(reference);
  }
}
