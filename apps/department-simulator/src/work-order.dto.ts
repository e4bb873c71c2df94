import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsISO8601, IsNotEmpty, IsNumber, IsOptional, IsString, IsUrl, Max, MaxLength, Min } from 'class-validator';
import { UPDATE_STATUSES, UpdateStatus } from './work-order.store';

export class CreateWorkOrderDto {
  @IsString() @IsNotEmpty() @MaxLength(64) caseReference!: string;
  @IsString() @IsNotEmpty() @MaxLength(64) serviceCode!: string;
  @IsOptional() @IsString() @MaxLength(200) serviceName?: string;
  @IsString() @MaxLength(4000) description!: string;
  @IsOptional() location?: unknown;
  @IsOptional() @IsString() @MaxLength(20) priority?: string;
  @IsOptional() @IsString() @MaxLength(2000) mediaUrl?: string;
  @IsOptional() @IsISO8601() dueAt?: string;
  @IsOptional() @IsUrl({ require_tld: false, protocols: ['http', 'https'] }) callbackUrl?: string;
}

export class ControlDto {
  @IsOptional() @IsBoolean() down?: boolean;
  @IsOptional() @IsBoolean() refuse?: boolean;
  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) @Max(1) errorRate?: number;
  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) @Max(60_000) latencyMs?: number;
  @IsOptional() @IsArray() @ArrayMaxSize(10) @IsIn(UPDATE_STATUSES, { each: true }) statusSequence?: UpdateStatus[];
  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) @Max(3_600_000) autoProgressMs?: number;
  @IsOptional() @IsBoolean() open311Tokens?: boolean;
}

export class StatusChangeDto {
  @IsIn(UPDATE_STATUSES) status!: UpdateStatus;
  @IsOptional() @IsString() @MaxLength(2000) note?: string;
  @IsOptional() @IsISO8601() scheduledFor?: string;
}

/** Caseline's news about a work order. */
export class WorkOrderUpdateDto {
  @IsIn(['cancel', 'information']) kind!: 'cancel' | 'information';
  @IsOptional() @IsString() @MaxLength(4000) reason?: string;
  @IsOptional() @IsString() @MaxLength(4000) text?: string;
  @IsOptional() @IsString() @MaxLength(2000) mediaUrl?: string;
}
