import { Type } from 'class-transformer';
import {
  IsEmail,
  IsIn,
  IsLatitude,
  IsLongitude,
  IsNotEmpty,
  IsOptional,
  IsString,
  MaxLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import type { Channel } from '@caseline/case-contracts';

export const CHANNELS: Channel[] = ['web', 'mobile', 'phone', 'email', 'ivr', 'in-person', 'api'];

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
}

/** POST /v1/cases */
export class ReportCaseDto {
  @IsString() @IsNotEmpty() @MaxLength(64) serviceCode!: string;

  @IsString() @IsNotEmpty() @MaxLength(4000) description!: string;

  @ValidateNested() @Type(() => LocationDto) location!: LocationDto;

  @IsIn(CHANNELS, { message: `channel must be one of: ${CHANNELS.join(', ')}` }) channel!: Channel;

  @IsOptional() @ValidateNested() @Type(() => ReporterDto) reporter?: ReporterDto;
}
