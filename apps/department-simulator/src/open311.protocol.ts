import { HttpException } from '@nestjs/common';
import type { Request } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { departmentSecret, isReadableText } from '@caseline/service-kit';
import { Open311Details, Open311Location, UpdateStatus, WorkOrderFields, WorkOrderStatus } from './work-order.store';

/** The wire side of the Open311 face: reading its parameters, its error list, its dates and statuses. */

/** An Open311 error answer: the HTTP status, and a body listing each problem as {code, description}. */
export class Open311Error extends HttpException {
  constructor(status: number, descriptions: string[]) {
    super(
      descriptions.map((description) => ({ code: status, description })),
      status,
    );
  }
}

function fail(status: number, ...descriptions: string[]): never {
  throw new Open311Error(status, descriptions);
}

/**
 * A form body's fields exactly as sent: the bootstrap keeps the raw bytes, so attribute[CODE] and
 * attribute[CODE][] are read by their names rather than through qs's nested objects. A body parsed
 * some other way (JSON, or a parser without the raw bytes) is flattened back into bracketed names.
 */
export function formParams(request: Request & { rawBody?: Buffer }): URLSearchParams {
  if (request.rawBody && request.is('application/x-www-form-urlencoded')) return new URLSearchParams(request.rawBody.toString('utf8'));
  const params = new URLSearchParams();
  const add = (name: string, value: unknown): void => {
    if (Array.isArray(value)) value.forEach((item) => add(`${name}[]`, item));
    else if (value !== null && typeof value === 'object') Object.entries(value).forEach(([key, child]) => add(name ? `${name}[${key}]` : key, child));
    else if (value !== undefined && value !== null && name) params.append(name, String(value));
  };
  add('', request.body);
  return params;
}

/** The query string as sent, read the same way as a form (no qs objects). */
export const queryParams = (request: Request): URLSearchParams => new URL(request.originalUrl, 'http://simulator.invalid').searchParams;

/** A parameter's value; an empty one counts as not given, as Open311 clients send empty fields. */
const text = (params: URLSearchParams, name: string): string | undefined => params.get(name) || undefined;

const DEPARTMENT = /^[A-Z0-9_]{1,20}$/;

/** Constant-time, whatever the lengths. */
const sameSecret = (given: string, expected: string): boolean => timingSafeEqual(createHash('sha256').update(given).digest(), createHash('sha256').update(expected).digest());

/**
 * The jurisdiction a call is for, once its api_key is that department's shared credential (the
 * secret its REST face signs with).
 */
export function authorise(params: URLSearchParams): string {
  const jurisdiction = text(params, 'jurisdiction_id');
  const apiKey = text(params, 'api_key');
  if (jurisdiction === undefined) fail(400, 'jurisdiction_id is required: the code of the department whose system this is');
  if (!DEPARTMENT.test(jurisdiction)) fail(400, 'jurisdiction_id must be a department code: 1 to 20 capital letters, digits or underscores');
  if (apiKey === undefined) fail(403, 'api_key is required: the department system\'s shared credential');
  if (!sameSecret(apiKey, departmentSecret(jurisdiction))) fail(403, `api_key is not the credential of jurisdiction ${jurisdiction}`);
  return jurisdiction;
}

/** GeoReport's tokens call needs no credentials; when some are sent, they are checked all the same. */
export const authoriseIfSent = (params: URLSearchParams): string | undefined =>
  text(params, 'jurisdiction_id') === undefined && text(params, 'api_key') === undefined ? undefined : authorise(params);

/** Every field whose value has control characters or broken characters (what the REST face's validation pipe refuses too). */
const unreadable = (params: URLSearchParams): string[] =>
  [...params].filter(([, value]) => !isReadableText(value)).map(([name]) => `${name} must be readable text, without control characters`);

function limit(params: URLSearchParams, name: string, max: number, errors: string[], required?: string): string | undefined {
  const value = text(params, name);
  if (value === undefined && required) errors.push(`${name} is required: ${required}`);
  if (value !== undefined && value.length > max) errors.push(`${name} must be at most ${max} characters`);
  return value;
}

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)$/;

function degrees(params: URLSearchParams, name: 'lat' | 'long', max: number, errors: string[]): number | undefined {
  const value = text(params, name);
  if (value === undefined) return undefined;
  const number = NUMBER.test(value.trim()) ? Number(value) : NaN;
  if (Math.abs(number) <= max) return number;
  errors.push(`${name} must be a number of degrees from -${max} to ${max} (WGS84)`);
  return undefined;
}

/** attribute[CODE] → a value, attribute[CODE][] (or [0], [1]… from a flattened body) → a list of values. */
function attributes(params: URLSearchParams): Record<string, string | string[]> {
  const result = new Map<string, string | string[]>();
  for (const [name, value] of params) {
    const match = /^attribute\[([^\]]+)\](\[\d*\])?$/.exec(name);
    if (!match) continue;
    const [, code, list] = match;
    const before = result.get(code);
    result.set(code, list ? [...(before === undefined ? [] : [before].flat()), value] : value);
  }
  return Object.fromEntries(result);
}

export interface ServiceRequest {
  caselineId: string;
  fields: WorkOrderFields & { location: Open311Location };
  details: Omit<Open311Details, 'token'>;
}

/** POST requests.json's fields, every broken rule named at once (400). */
export function readServiceRequest(params: URLSearchParams): ServiceRequest {
  const errors = unreadable(params);
  const serviceCode = limit(params, 'service_code', 64, errors, 'the code of the service requested');
  const description = limit(params, 'description', 4000, errors) ?? '';
  const address = limit(params, 'address_string', 4000, errors);
  const lat = degrees(params, 'lat', 90, errors);
  const long = degrees(params, 'long', 180, errors);
  const point = text(params, 'lat') !== undefined || text(params, 'long') !== undefined;
  if (point && (text(params, 'lat') === undefined || text(params, 'long') === undefined)) errors.push('lat and long must be given together');
  if (!point && address === undefined) errors.push('A location is required: lat and long, or address_string');
  const attribute = attributes(params);
  const caselineId = attribute.caseline_id;
  const reference = attribute.caseline_reference;
  if (caselineId === undefined || caselineId === '') errors.push('attribute[caseline_id] is required: Caseline\'s id for the request, so that a resent request creates nothing');
  else if (typeof caselineId !== 'string' || caselineId.length > 200) errors.push('attribute[caseline_id] must be a single value of at most 200 characters');
  if (reference !== undefined && (typeof reference !== 'string' || reference.length > 64)) errors.push('attribute[caseline_reference] must be a single value of at most 64 characters');
  if (errors.length > 0) fail(400, ...errors);
  return {
    caselineId: caselineId as string,
    fields: {
      caseReference: (reference as string | undefined) ?? '',
      serviceCode: serviceCode as string,
      description,
      location: { ...(lat !== undefined && long !== undefined ? { lat, long } : {}), ...(address !== undefined ? { address } : {}) },
    },
    details: {
      attributes: attribute,
      addressId: text(params, 'address_id'),
      email: text(params, 'email'),
      firstName: text(params, 'first_name'),
      lastName: text(params, 'last_name'),
      phone: text(params, 'phone'),
      mediaUrl: text(params, 'media_url'),
    },
  };
}

export interface ServiceRequestUpdate {
  serviceRequestId: string;
  updateId: string;
  closed: boolean;
  description?: string;
  mediaUrl?: string;
}

/** POST servicerequestupdates.json's fields (FixMyStreet's update posting), every broken rule named at once (400). */
export function readServiceRequestUpdate(params: URLSearchParams): ServiceRequestUpdate {
  const errors = unreadable(params);
  const serviceRequestId = limit(params, 'service_request_id', 64, errors, 'the id of the request updated');
  const updateId = limit(params, 'update_id', 200, errors, 'the client\'s id for the update, so that a resent update changes nothing');
  const status = text(params, 'status')?.toUpperCase();
  if (status !== 'OPEN' && status !== 'CLOSED') errors.push('status must be OPEN or CLOSED');
  const description = limit(params, 'description', 4000, errors);
  const mediaUrl = limit(params, 'media_url', 2000, errors);
  const updated = text(params, 'updated_datetime');
  if (updated !== undefined && parseW3C(updated) === undefined) errors.push(`updated_datetime ${W3C_RULE}`);
  if (errors.length > 0) fail(400, ...errors);
  return { serviceRequestId: serviceRequestId as string, updateId: updateId as string, closed: status === 'CLOSED', description, mediaUrl };
}

const DAY_MS = 24 * 3600_000;

/** GET servicerequestupdates.json's window in whole seconds, both ends inclusive: by default the last 24 hours. */
export function readWindow(params: URLSearchParams, now = Date.now()): { start: number; end: number } {
  const errors = unreadable(params);
  const date = (name: string): number | undefined => {
    const value = text(params, name);
    const time = value === undefined ? undefined : parseW3C(value);
    if (value !== undefined && time === undefined) errors.push(`${name} ${W3C_RULE}`);
    return time;
  };
  const givenStart = date('start_date');
  const givenEnd = date('end_date');
  const end = wholeSeconds(givenEnd ?? now);
  const start = wholeSeconds(givenStart ?? (givenEnd ?? now) - DAY_MS);
  if (start > end) errors.push('start_date must not be after end_date (by default, now)');
  if (errors.length > 0) fail(400, ...errors);
  return { start, end };
}

export const wholeSeconds = (time: number): number => Math.floor(time / 1000);

const W3C_RULE = 'must be a W3C datetime, e.g. 2026-11-27T06:12:00Z or 2026-11-27T07:12:00+01:00';
const W3C = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-](\d{2}):(\d{2})))?$/;

/** A W3C datetime (a date, or a time with its zone) as epoch ms; undefined for anything else, impossible dates included. */
export function parseW3C(value: string): number | undefined {
  // A "+" sent unencoded in a query string arrives as a space: read it as the offset it was.
  const normalised = value.replace(/ (\d{2}:\d{2})$/, '+$1');
  const match = W3C.exec(normalised);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second, offsetHours, offsetMinutes] = match.slice(1).map((part) => Number(part ?? 0));
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const valid = month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && hour <= 23 && minute <= 59 && second <= 59 && offsetHours <= 23 && offsetMinutes <= 59;
  return valid ? Date.parse(normalised) : undefined;
}

/** W3C datetime, whole seconds, UTC: 2026-11-27T06:12:00Z. */
export const w3c = (iso: string): string => new Date(iso).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The simulator's statuses as an Open311 back office reports them (FixMyStreet's extended statuses), with its own code. */
export const OPEN311_STATUS: Record<UpdateStatus, { status: string; code: string }> = {
  acknowledged: { status: 'investigating', code: 'ACKNOWLEDGED' },
  scheduled: { status: 'action_scheduled', code: 'SCHEDULED' },
  in_progress: { status: 'in_progress', code: 'IN_PROGRESS' },
  on_hold: { status: 'investigating', code: 'AWAITING_INFORMATION' },
  completed: { status: 'fixed', code: 'FIXED' },
  not_fixed: { status: 'no_further_action', code: 'NOT_FIXED' },
  rejected: { status: 'not_councils_responsibility', code: 'NOT_OURS' },
};

/** Statuses after which no crew goes out: GeoReport's "closed". */
export const CLOSED_STATUSES: ReadonlySet<WorkOrderStatus> = new Set<WorkOrderStatus>(['completed', 'not_fixed', 'rejected', 'cancelled']);
