import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsObject,
  IsEmail,
  IsIn,
  IsLatitude,
  IsLongitude,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  MaxLength,
  ValidateBy,
  ValidateIf,
  ValidateNested,
  ValidationArguments,
} from 'class-validator';
import type { Channel } from '@caseline/case-contracts';

export const CHANNELS: Channel[] = ['web', 'mobile', 'phone', 'email', 'ivr', 'in-person', 'api'];

/** Where an operator is talking with the person, and so can answer an information-only request on the spot. */
export const FIRST_CONTACT_CHANNELS: Channel[] = ['phone', 'in-person'];

export class LocationDto {
  @ValidateIf((location: LocationDto) => location.address === undefined || location.long !== undefined)
  @IsLatitude({ message: 'location.lat must be a latitude between -90 and 90 (or give location.address)' })
  lat?: number;

  @ValidateIf((location: LocationDto) => location.address === undefined || location.lat !== undefined)
  @IsLongitude({ message: 'location.long must be a longitude between -180 and 180 (or give location.address)' })
  long?: number;

  @ValidateIf((location: LocationDto) => location.lat === undefined && location.long === undefined)
  @IsString()
  @IsNotEmpty({ message: 'location.address must not be empty' })
  @MaxLength(300)
  address?: string;
}

export class ReporterDto {
  @IsOptional() @IsString() @MaxLength(200) name?: string;
  @IsOptional() @IsEmail({}, { message: 'reporter.email must be an email address' }) @MaxLength(254) email?: string;
  @IsOptional() @IsString() @MaxLength(32) phone?: string;
  @IsOptional() @IsIn(['en', 'es'], { message: 'reporter.language must be one of: en, es' }) language?: 'en' | 'es';
  /** false: the reporter wants no messages about the case (the contact stays, for staff to call back). */
  @IsOptional() @IsBoolean({ message: 'reporter.notify must be true or false' }) notify?: boolean;
}

/** Answers by attribute code: a string, or a list of strings for a multivaluelist question. */
const isAnswers = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && !Array.isArray(value) &&
  Object.values(value).every((answer) => typeof answer === 'string' || (Array.isArray(answer) && answer.length <= 50 && answer.every((item) => typeof item === 'string')));

export class FirstContactAnswerDto {
  @IsString() @Matches(/\S/, { message: 'answeredAtFirstContact.answer must not be blank' }) @MaxLength(4000) answer!: string;
}

const onFirstContactChannel = (_value: unknown, args?: ValidationArguments): boolean => FIRST_CONTACT_CHANNELS.includes((args?.object as ReportCaseDto).channel);

/** POST /v1/cases */
export class ReportCaseDto {
  @IsString() @IsNotEmpty() @MaxLength(64) serviceCode!: string;

  @IsString() @IsNotEmpty() @MaxLength(4000) description!: string;

  // Found by fuzzing: @ValidateNested alone let a missing location through, to fail later (500).
  @IsObject({ message: 'location is required, as { lat, long } or { address }' }) @ValidateNested() @Type(() => LocationDto) location!: LocationDto;

  @IsIn(CHANNELS, { message: `channel must be one of: ${CHANNELS.join(', ')}` }) channel!: Channel;

  @IsOptional() @ValidateNested() @Type(() => ReporterDto) reporter?: ReporterDto;

  /** Answers to the service's questions (GET /v1/services), by attribute code; checked against the catalog. */
  @IsOptional()
  @ValidateBy({ name: 'answers', validator: { validate: isAnswers, defaultMessage: () => 'attributes must map attribute codes to a string or a list of strings' } })
  attributes?: Record<string, string | string[]>;

  @IsOptional() @IsUrl({ protocols: ['http', 'https'], require_protocol: true }, { message: 'mediaUrl must be an http(s) URL' }) @MaxLength(2000) mediaUrl?: string;

  /** What the resident tells only the city (e.g. "gate code 1234, call before coming"): sealed like their contact, shown to staff only. */
  @IsOptional() @IsString() @MaxLength(2000) privateDetails?: string;

  /** An operator answered an information-only call on the spot: the case is reported and resolved at once. */
  @IsOptional()
  @ValidateBy({ name: 'firstContactChannel', validator: { validate: onFirstContactChannel, defaultMessage: () => `answeredAtFirstContact is only for channel ${FIRST_CONTACT_CHANNELS.join(' or ')}` } })
  @ValidateNested()
  @Type(() => FirstContactAnswerDto)
  answeredAtFirstContact?: FirstContactAnswerDto;
}
