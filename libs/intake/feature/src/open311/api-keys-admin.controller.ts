import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import type { Actor } from '@caseline/case-contracts';
import { Access, Acting, problem } from '@caseline/service-kit';
import { API_KEY_OPERATIONS, ApiKeyOperation, ApiKeys, ApiKeySummary } from './api-keys';

class IssueApiKeyDto {
  @IsString() @Matches(/^[a-z0-9][a-z0-9-]{0,62}$/, { message: 'partner must be lower-case letters, digits and "-" (e.g. "city-app")' }) partner!: string;
  @IsOptional() @IsArray() @ArrayMinSize(1) @IsIn(API_KEY_OPERATIONS, { each: true, message: `operations must be some of: ${API_KEY_OPERATIONS.join(', ')}` }) operations?: ApiKeyOperation[];
  /** Omitted: every jurisdiction this deployment serves. */
  @IsOptional() @IsArray() @ArrayMinSize(1) @ArrayMaxSize(50) @IsString({ each: true }) @MaxLength(100, { each: true }) jurisdictions?: string[];
}

/** Administrators issue, list and revoke the API keys of portals and partners. */
@Controller('v1/admin/api-keys')
@Access.staff('api-keys:manage')
export class ApiKeysAdminController {
  constructor(private readonly keys: ApiKeys) {}

  @Get()
  list(): Promise<ApiKeySummary[]> {
    return this.keys.list();
  }

  /** The key is in this answer only: we keep its hash. */
  @Post()
  @HttpCode(201)
  issue(@Body() dto: IssueApiKeyDto, @Acting() actor: Actor): Promise<ApiKeySummary & { key: string }> {
    return this.keys.issue({ partner: dto.partner, operations: dto.operations ?? [...API_KEY_OPERATIONS], jurisdictions: dto.jurisdictions ?? null }, actor);
  }

  @Post(':id/revoke')
  @HttpCode(200)
  async revoke(@Param('id', new ParseUUIDPipe()) id: string, @Acting() actor: Actor): Promise<ApiKeySummary> {
    const revoked = await this.keys.revoke(id, actor);
    if (!revoked) throw problem(404, 'Not Found', `No API key ${id}`);
    return revoked;
  }
}
