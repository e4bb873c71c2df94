import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import type { Actor } from '@caseline/case-contracts';
import { isChannel } from '@caseline/catalog-domain';
import { problem } from '@caseline/service-kit';
import { ReportCaseDto } from './report-case.dto';
import { nativeSubmissionFields, SubmissionRejected } from './case-submission';
import { CaseView, HistoryEntry, IntakeService } from './intake.service';

const residentActor = (dto: ReportCaseDto): Actor => ({ kind: 'resident', id: 'resident', name: dto.reporter?.name ? 'Resident (named)' : 'Resident' });

/** The catalog's refusals in problem+json: 422, the body is well-formed but the city cannot take it. */
export function asProblem(error: unknown): unknown {
  if (!(error instanceof SubmissionRejected)) return error;
  const title = error.reason === 'unknown-service' ? 'Unknown service' : 'Invalid answers';
  return problem(422, 'Unprocessable Content', `${title}: ${error.message}`, error.violations);
}

@Controller('v1')
export class CasesController {
  constructor(private readonly intake: IntakeService) {}

  /** The request types offered on a channel (default web), with their questions. */
  @Get('services')
  services(@Query('channel') channel = 'web') {
    if (!isChannel(channel)) throw problem(400, 'Bad Request', `channel "${channel}" is not a channel`, [{ field: 'channel', rule: 'isIn', message: 'channel must be a known channel' }]);
    return this.intake.catalog(channel);
  }

  @Post('cases')
  @HttpCode(201)
  async report(@Body() dto: ReportCaseDto): Promise<CaseView> {
    const { lat, long, address } = dto.location;
    try {
      return await this.intake.report({
        serviceCode: dto.serviceCode,
        description: dto.description,
        location: lat !== undefined ? { lat, long: long!, address } : { address: address! },
        attributes: dto.attributes,
        mediaUrl: dto.mediaUrl,
        reporter: dto.reporter && { ...dto.reporter },
        actor: residentActor(dto),
        channel: dto.channel,
        fieldNames: nativeSubmissionFields,
      });
    } catch (error) {
      throw asProblem(error);
    }
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
