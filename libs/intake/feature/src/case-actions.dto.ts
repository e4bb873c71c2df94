import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsEmail, IsIn, IsInt, IsOptional, IsString, IsUrl, Matches, Max, MaxLength, Min, ValidateBy, ValidateIf, ValidateNested } from 'class-validator';
import type { CaseLinked } from '@caseline/case-contracts';
import { parseDateTimeWithZone } from '@caseline/catalog-domain';
import { parseReference } from '@caseline/intake-domain';
import { CASE_STATUSES, decodeCursor, parseBoundingBox, parseStatuses, SEARCH_LIMIT } from './case-search';

const NOT_BLANK = /\S/;

const parsedBy = (name: string, parse: (text: string) => unknown, message: string) =>
  ValidateBy({ name, validator: { validate: (value: unknown) => typeof value === 'string' && parse(value) !== undefined, defaultMessage: () => message } });

/** POST /v1/cases/{reference}/information: more detail or a photo link, at least one of them. */
export class AddInformationDto {
  @ValidateIf((dto: AddInformationDto) => dto.mediaUrl === undefined || dto.text !== undefined)
  @IsString({ message: 'text must be a string (give text, mediaUrl or both)' })
  @Matches(NOT_BLANK, { message: 'text must not be blank (give text, mediaUrl or both)' })
  @MaxLength(4000)
  text?: string;

  @IsOptional() @IsUrl({ protocols: ['http', 'https'], require_protocol: true }, { message: 'mediaUrl must be an http(s) URL' }) @MaxLength(2000) mediaUrl?: string;
}

/** POST /v1/cases/{reference}/notes: a staff note, never shown to the public. */
export class AddNoteDto {
  @IsString() @Matches(NOT_BLANK, { message: 'text must not be blank' }) @MaxLength(4000) text!: string;
}

/** POST /v1/cases/{reference}/information-requests: staff ask the reporter; the deadline waits for the answer. */
export class RequestInformationDto {
  @IsString() @Matches(NOT_BLANK, { message: 'question must not be blank' }) @MaxLength(1000) question!: string;
}

/** POST /v1/cases/{reference}/duplicate/undo: staff say it is not the same problem after all. */
export class UndoDuplicateDto {
  @IsString() @Matches(NOT_BLANK, { message: 'reason must not be blank' }) @MaxLength(1000) reason!: string;
}

export class SplitChildDto {
  @IsString() @Matches(NOT_BLANK, { message: 'department must not be blank' }) @MaxLength(50) department!: string;
  @IsOptional() @IsString() @MaxLength(100) serviceCode?: string;
  @IsString() @Matches(NOT_BLANK, { message: 'description must not be blank' }) @MaxLength(4000) description!: string;
}

/** POST /v1/cases/{reference}/split: a multi-agency problem becomes child cases, one per department's part. */
export class SplitCaseDto {
  @IsString() @Matches(NOT_BLANK, { message: 'reason must not be blank' }) @MaxLength(1000) reason!: string;
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(10) @ValidateNested({ each: true }) @Type(() => SplitChildDto) children!: SplitChildDto[];
}

/** POST /v1/cases/{reference}/cancel */
export class CancelCaseDto {
  @IsOptional() @IsString() @MaxLength(1000) reason?: string;
}

/** POST /v1/cases/{reference}/reopen: "not fixed". */
export class ReopenCaseDto {
  @IsString() @Matches(NOT_BLANK, { message: 'reason must say what is still wrong' }) @MaxLength(1000) reason!: string;
}

export const LINK_RELATIONS: CaseLinked['data']['relation'][] = ['related', 'duplicate-of'];

/** POST /v1/cases/{reference}/links */
export class LinkCaseDto {
  @parsedBy('referenceFormat', parseReference, 'reference must be nine digits like 100-000-123 (the last one is a check digit)')
  reference!: string;

  @IsIn(LINK_RELATIONS, { message: `relation must be one of: ${LINK_RELATIONS.join(', ')}` }) relation!: CaseLinked['data']['relation'];
}

/** GET /v1/cases: the staff search (see case-search.ts). */
export class SearchCasesQuery {
  @IsOptional() @parsedBy('statusList', parseStatuses, `status must be a comma-separated list of: ${CASE_STATUSES.join(', ')}`) status?: string;

  @IsOptional() @IsString() @MaxLength(64) serviceCode?: string;

  @IsOptional() @IsString() @MaxLength(64) department?: string;

  @IsOptional() @parsedBy('dateTimeWithZone', parseDateTimeWithZone, 'reportedFrom must be a date and time with a zone, like 2026-11-27T00:00:00-05:00') reportedFrom?: string;

  @IsOptional() @parsedBy('dateTimeWithZone', parseDateTimeWithZone, 'reportedTo must be a date and time with a zone, like 2026-11-28T00:00:00-05:00') reportedTo?: string;

  @IsOptional() @parsedBy('boundingBox', parseBoundingBox, 'bbox must be minLong,minLat,maxLong,maxLat with min ≤ max') bbox?: string;

  @IsOptional() @IsString() @MaxLength(200) @Matches(/[\p{L}\p{N}]/u, { message: 'text must contain a letter or a digit' }) text?: string;

  @IsOptional() @IsEmail({}, { message: 'reporterEmail must be an email address' }) @MaxLength(254) reporterEmail?: string;

  @IsOptional() @IsString() @MaxLength(32) @Matches(/\d/, { message: 'reporterPhone must contain digits' }) reporterPhone?: string;

  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(SEARCH_LIMIT.max) limit?: number;

  @IsOptional() @parsedBy('cursor', decodeCursor, 'cursor must be the next value of a previous page, as it was given') cursor?: string;
}
