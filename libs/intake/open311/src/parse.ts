import { parseW3cDateTime } from './datetime';
import { open311Failure, type Parsed } from './errors';
import type { RequestStatus } from './model';

/** The spec's response volume ("a span of 90 days or first 1000 requests") and our paging defaults. */
export const OPEN311_LIMITS = {
  /** The longest start_date..end_date span, and the default span when dates are left out. */
  windowDays: 90,
  /** The most results one answer holds: page_size, and service_request_id lists. */
  maxResults: 1000,
  /** page_size when not given: the spec's 1000, so clients that do not page see what the spec promises. */
  defaultPageSize: 1000,
} as const;

const WINDOW_MS = OPEN311_LIMITS.windowDays * 24 * 60 * 60 * 1000;

type Input = URLSearchParams | string;
const paramsOf = (input: Input) => (typeof input === 'string' ? new URLSearchParams(input) : input);

/** A parameter's value; an empty one counts as not sent, as the spec's "Optional Arguments" require. */
function single(params: URLSearchParams, name: string): string | undefined {
  return params.get(name)?.trim() || undefined;
}

/** The parameters among `names` that were sent. */
function present<N extends string>(params: URLSearchParams, names: readonly N[]): Partial<Record<N, string>> {
  return Object.fromEntries(names.map((name) => [name, single(params, name)]).filter(([, value]) => value !== undefined));
}

/** A comma-delimited list, which clients may also send as the parameter repeated. */
function list(params: URLSearchParams, name: string): string[] | undefined {
  const items = params
    .getAll(name)
    .flatMap((value) => value.split(','))
    .map((item) => item.trim())
    .filter(Boolean);
  return items.length ? items : undefined;
}

const failed = (problems: string[]) => ({ ok: false as const, ...open311Failure('invalid', ...problems) });

/** `POST requests`, as the client sent it. Text fields are trimmed; empty ones are left out. */
export interface ServiceRequestSubmission {
  jurisdiction_id?: string;
  /** Present; whether it is a key we accept is the caller's check (403 otherwise). */
  api_key: string;
  service_code: string;
  /** Location: lat and long together, address_string, or address_id; at least one of the three. */
  lat?: number;
  long?: number;
  address_string?: string;
  address_id?: string;
  email?: string;
  device_id?: string;
  account_id?: string;
  first_name?: string;
  last_name?: string;
  phone?: string;
  description?: string;
  media_url?: string;
  /** By attribute code: `attribute[CODE]=v` gives a string; `attribute[CODE][]=v` (repeatable) or a repeated `attribute[CODE]` a list. */
  attributes: Record<string, string | string[]>;
}

const TEXT_FIELDS = [
  'jurisdiction_id',
  'address_string',
  'address_id',
  'email',
  'device_id',
  'account_id',
  'first_name',
  'last_name',
  'phone',
  'description',
  'media_url',
] as const satisfies readonly (keyof ServiceRequestSubmission)[];

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function coordinate(params: URLSearchParams, name: 'lat' | 'long', limit: number, problems: string[]): number | undefined {
  const raw = single(params, name);
  if (raw === undefined) return undefined;
  const value = DECIMAL.test(raw) ? Number(raw) : NaN;
  if (Number.isNaN(value)) problems.push(`${name} must be a decimal number in degrees (WGS84), not '${raw}'`);
  else if (Math.abs(value) > limit) problems.push(`${name} must be between -${limit} and ${limit}, not ${raw}`);
  else return value;
  return undefined;
}

// attribute[CODE], attribute[CODE][] and, as PHP's http_build_query writes lists, attribute[CODE][0].
const ATTRIBUTE_KEY = /^attribute\[([^[\]]*)\](\[\d*\])?$/;

function attributesOf(params: URLSearchParams, problems: string[]): Record<string, string | string[]> {
  const attributes = new Map<string, string | string[]>();
  for (const [key, raw] of params) {
    const match = ATTRIBUTE_KEY.exec(key);
    if (!match) continue;
    const [, code, listSuffix] = match;
    const value = raw.trim();
    if (!code) problems.push(`'${key}' names no attribute code; send attribute[CODE]=value`);
    if (!code || !value) continue;
    const previous = attributes.get(code);
    attributes.set(code, listSuffix !== undefined || previous !== undefined ? [previous ?? []].flat().concat(value) : value);
  }
  return Object.fromEntries(attributes);
}

/**
 * Parses the form body of `POST requests` (application/x-www-form-urlencoded). A missing api_key is
 * answered 403 before anything else is looked at; every other problem is collected into one 400.
 * Whether service_code exists (404) and whether the attributes fit its definition are the caller's.
 */
export function parseServiceRequestForm(form: Input): Parsed<ServiceRequestSubmission> {
  const params = paramsOf(form);
  const api_key = single(params, 'api_key');
  if (!api_key) return { ok: false, ...open311Failure('api_key', 'api_key is required to submit a service request') };

  const problems: string[] = [];
  const service_code = single(params, 'service_code');
  if (!service_code) problems.push('service_code is required');
  const lat = coordinate(params, 'lat', 90, problems);
  const long = coordinate(params, 'long', 180, problems);
  const sentLat = single(params, 'lat') !== undefined;
  const sentLong = single(params, 'long') !== undefined;
  if (sentLat !== sentLong) problems.push('lat and long must be sent together');
  const text = present(params, TEXT_FIELDS);
  if (!sentLat && !sentLong && !text.address_string && !text.address_id) {
    problems.push('a location is required: lat and long, address_string, or address_id');
  }
  const attributes = attributesOf(params, problems);
  if (problems.length || !service_code) return failed(problems);
  return {
    ok: true,
    value: { ...text, api_key, service_code, ...(lat !== undefined && long !== undefined ? { lat, long } : {}), attributes },
  };
}

/** A page of results: page counts from 1, page_size at most 1000. */
export interface Paging {
  page: number;
  page_size: number;
}

/** The requested_datetime (or updated_datetime, for updates) range, both ends included. */
export interface DateWindow {
  start_date: Date;
  end_date: Date;
}

/** `GET requests`: either an explicit list of ids, which "overrides all other arguments", or a search. */
export type RequestsQuery = { jurisdiction_id?: string; extensions: boolean } & (
  | { by: 'ids'; service_request_ids: string[] }
  | ({ by: 'search'; service_codes?: string[]; statuses?: RequestStatus[] } & DateWindow & Paging)
);

/** `GET servicerequestupdates`: updates whose updated_datetime is in the window. */
export type UpdatesQuery = { jurisdiction_id?: string; api_key?: string } & DateWindow & Paging;

function dateParam(params: URLSearchParams, name: string, problems: string[]): Date | undefined | null {
  const raw = single(params, name);
  if (raw === undefined) return undefined;
  try {
    return parseW3cDateTime(raw);
  } catch (error) {
    problems.push(`${name}: ${(error as Error).message}`);
    return null;
  }
}

/** Dates left out default to the most recent 90 days, or to 90 days from (or up to) the one given. */
function dateWindow(params: URLSearchParams, now: Date, problems: string[]): DateWindow | undefined {
  const start = dateParam(params, 'start_date', problems);
  const end = dateParam(params, 'end_date', problems);
  if (start === null || end === null) return undefined;
  const end_date = end ?? (start ? new Date(start.getTime() + WINDOW_MS) : now);
  const start_date = start ?? new Date(end_date.getTime() - WINDOW_MS);
  if (start_date > end_date) problems.push('start_date must not be after end_date');
  else if (end_date.getTime() - start_date.getTime() > WINDOW_MS) {
    problems.push(`start_date and end_date may not span more than ${OPEN311_LIMITS.windowDays} days`);
  }
  return { start_date, end_date };
}

function positiveInteger(params: URLSearchParams, name: string, fallback: number, problems: string[], max = Number.MAX_SAFE_INTEGER): number {
  const raw = single(params, name);
  if (raw === undefined) return fallback;
  const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(value >= 1 && value <= max)) {
    problems.push(`${name} must be a whole number from 1${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ''}, not '${raw}'`);
  }
  return value;
}

function paging(params: URLSearchParams, problems: string[]): Paging {
  return {
    page: positiveInteger(params, 'page', 1, problems),
    page_size: positiveInteger(params, 'page_size', OPEN311_LIMITS.defaultPageSize, problems, OPEN311_LIMITS.maxResults),
  };
}

function extensionsFlag(params: URLSearchParams, problems: string[]): boolean {
  const raw = single(params, 'extensions')?.toLowerCase();
  if (raw !== undefined && raw !== 'true' && raw !== 'false') problems.push(`extensions must be true or false, not '${raw}'`);
  return raw === 'true';
}

const STATUSES: readonly string[] = ['open', 'closed'] satisfies RequestStatus[];

/** Parses the query of `GET requests`; `now` anchors the default window. */
export function parseRequestsQuery(query: Input, now = new Date()): Parsed<RequestsQuery> {
  const params = paramsOf(query);
  const problems: string[] = [];
  const common = { ...present(params, ['jurisdiction_id']), extensions: extensionsFlag(params, problems) };

  const ids = list(params, 'service_request_id');
  if (ids) {
    if (ids.length > OPEN311_LIMITS.maxResults) problems.push(`at most ${OPEN311_LIMITS.maxResults} service_request_id may be asked for at once`);
    return problems.length ? failed(problems) : { ok: true, value: { ...common, by: 'ids', service_request_ids: ids } };
  }

  const service_codes = list(params, 'service_code');
  const statuses = list(params, 'status')?.map((status) => status.toLowerCase());
  const unknown = statuses?.filter((status) => !STATUSES.includes(status));
  if (unknown?.length) problems.push(`status must be open or closed (or both, comma-separated), not '${unknown.join(',')}'`);
  const window = dateWindow(params, now, problems);
  const page = paging(params, problems);
  if (problems.length || !window) return failed(problems);
  return {
    ok: true,
    value: {
      ...common,
      by: 'search',
      ...(service_codes ? { service_codes } : {}),
      ...(statuses ? { statuses: statuses as RequestStatus[] } : {}),
      ...window,
      ...page,
    },
  };
}

/** Parses the query of `GET servicerequestupdates`: the same window and paging rules as `GET requests`. */
export function parseUpdatesQuery(query: Input, now = new Date()): Parsed<UpdatesQuery> {
  const params = paramsOf(query);
  const problems: string[] = [];
  const window = dateWindow(params, now, problems);
  const page = paging(params, problems);
  if (problems.length || !window) return failed(problems);
  return { ok: true, value: { ...present(params, ['jurisdiction_id', 'api_key']), ...window, ...page } };
}
