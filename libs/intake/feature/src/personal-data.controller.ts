import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { IsEmail, IsOptional, IsString, MaxLength, ValidateBy } from 'class-validator';
import type { Actor } from '@caseline/case-contracts';
import { PersonalDataErasure, PersonalDataRead, PersonalDataReads } from '@caseline/personal-data';
import { Access, Acting } from '@caseline/service-kit';
import { IntakeService } from './intake.service';

// The messages never quote what was sent: it is personal data.
const exactlyOne = (_value: unknown, args?: { object: object }): boolean =>
  ['email', 'phone', 'reference'].filter((field) => (args?.object as Record<string, unknown>)[field] !== undefined).length === 1;

/** POST /v1/personal-data/erasures: whose data — a resident's email or phone, or the reporter of a case. */
export class ErasureRequestDto {
  @ValidateBy({ name: 'exactlyOne', validator: { validate: exactlyOne, defaultMessage: () => 'give exactly one of email, phone, reference' } })
  @IsOptional() @IsEmail({}, { message: 'email must be an email address' }) @MaxLength(254) email?: string;
  @IsOptional() @IsString() @MaxLength(32) phone?: string;
  @IsOptional() @IsString() @MaxLength(20) reference?: string;
}

export class PersonalDataReadsQuery {
  @IsString() @MaxLength(20) reference!: string;
}

/**
 * Residents' rights over their personal data, for staff: erasure ("delete my data") destroys the
 * resident's key, so every copy of what it sealed is unreadable, and records it on each of their
 * cases; auditors see who read a case's personal data, when.
 */
@Controller('v1/personal-data')
export class PersonalDataController {
  constructor(
    private readonly intake: IntakeService,
    private readonly erasure: PersonalDataErasure,
    private readonly reads: PersonalDataReads,
  ) {}

  @Post('erasures')
  @HttpCode(200)
  @Access.staff('personal-data:erase')
  async erase(@Body() dto: ErasureRequestDto, @Acting() actor: Actor): Promise<{ erasedKeys: number; cases: number }> {
    const keys = dto.reference !== undefined ? await this.erasure.keysOfReporter((await this.intake.caseByReference(dto.reference)).caseId) : await this.erasure.keysOfResident(dto);
    const { keys: erasedKeys, cases } = await this.erasure.eraseOnRequest(keys, actor);
    return { erasedKeys, cases };
  }

  @Get('reads')
  @Access.staff('personal-data:audit')
  async readsOf(@Query() query: PersonalDataReadsQuery): Promise<{ reference: string; reads: PersonalDataRead[] }> {
    const { reference, caseId } = await this.intake.caseByReference(query.reference);
    return { reference, reads: await this.reads.ofCase(caseId) };
  }
}
