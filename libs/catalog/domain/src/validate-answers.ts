import type { Channel } from '@caseline/case-contracts';
import { Attribute, AttributeDatatype, isPublicChannel, ServiceDefinition } from './service-definition';

/** Answers as they arrive: attribute code → value(s), from Open311 `attribute[CODE]` / `attribute[CODE][]` or JSON. */
export type AnswerInput = Record<string, string | string[]>;

/** Numbers as numbers, datetimes in UTC ISO 8601, multivaluelist answers as arrays, strings trimmed. */
export type Answer = string | number | string[];
export type Answers = Record<string, Answer>;

export type AnswerRule =
  | 'serviceActive'
  | 'channelAllowed'
  | 'staffOnly'
  | 'knownAttribute'
  | 'informationOnly'
  | 'required'
  | 'singleValue'
  | 'maxLength'
  | 'number'
  | 'dateTimeWithZone'
  | 'allowedValue';

/** Same shape as a problem+json field error, so the edge can pass it through as it is. */
export interface AnswerViolation {
  field: string;
  rule: AnswerRule;
  message: string;
}

export type AnswerValidation = { ok: true; answers: Answers } | { ok: false; violations: AnswerViolation[] };

/** How violations name the request's fields: the native API and Open311 spell them differently. */
export interface FieldNames {
  serviceCode: string;
  channel: string;
  attribute: (code: string) => string;
}

export const nativeFieldNames: FieldNames = { serviceCode: 'serviceCode', channel: 'channel', attribute: (code) => `attributes.${code}` };
// Open311 clients do not choose a channel: for them the service itself is what cannot be requested.
export const open311FieldNames: FieldNames = { serviceCode: 'service_code', channel: 'service_code', attribute: (code) => `attribute[${code}]` };

/** Long enough for any real answer, short enough that nobody stores a novel in a pole number. */
export const answerMaxLength = { string: 255, text: 4000 } as const;

type Outcome = { ok: true; value: Answer } | { ok: false; rule: AnswerRule; message: string };
const accept = (value: Answer): Outcome => ({ ok: true, value });
const reject = (rule: AnswerRule, message: string): Outcome => ({ ok: false, rule, message });

const label = (attribute: Attribute) => `${attribute.code} ("${attribute.description}")`;
const allowedKeys = (attribute: Attribute) => attribute.values.map((v) => `${v.key} (${v.name})`).join(', ');

const DECIMAL = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
// W3C datetime (ISO 8601 profile) with a zone: a time without one means nothing to a crew in another zone.
const DATETIME_WITH_ZONE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-](\d{2}):(\d{2}))$/;

const daysInMonth = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/** The instant in UTC ISO 8601, or undefined; checks the calendar too, since Date.parse rolls Feb 30 into March. */
export function parseDateTimeWithZone(text: string): string | undefined {
  const match = DATETIME_WITH_ZONE.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second, offsetHour, offsetMinute] = match.slice(1).map((part) => Number(part ?? 0));
  const valid =
    month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month) && hour <= 23 && minute <= 59 && second <= 59 && offsetHour <= 23 && offsetMinute <= 59;
  return valid ? new Date(text).toISOString() : undefined;
}

function readNumber(attribute: Attribute, value: string): Outcome {
  const number = Number(value);
  return DECIMAL.test(value) && Number.isFinite(number) ? accept(number) : reject('number', `${label(attribute)} must be a number, not "${value}"`);
}

function readDateTime(attribute: Attribute, value: string): Outcome {
  const instant = parseDateTimeWithZone(value);
  return instant
    ? accept(instant)
    : reject('dateTimeWithZone', `${label(attribute)} must be a date and time with a time zone, like 2026-03-14T21:30:00-05:00 (W3C/ISO 8601), not "${value}"`);
}

const readText = (limit: number) => (attribute: Attribute, value: string) =>
  value.length <= limit ? accept(value) : reject('maxLength', `${label(attribute)} must be at most ${limit} characters (got ${value.length})`);

function readListKey(attribute: Attribute, value: string): Outcome {
  return attribute.values.some((v) => v.key === value)
    ? accept(value)
    : reject('allowedValue', `${label(attribute)} must be one of ${allowedKeys(attribute)}, not "${value}"`);
}

function readKeys(attribute: Attribute, values: string[]): Outcome {
  const keys = [...new Set(values)];
  const unknown = keys.filter((key) => !attribute.values.some((v) => v.key === key));
  return unknown.length === 0
    ? accept(keys)
    : reject('allowedValue', `${label(attribute)} allows ${allowedKeys(attribute)}; ${unknown.map((key) => `"${key}"`).join(', ')} not among them`);
}

const singleValueReaders: Record<Exclude<AttributeDatatype, 'multivaluelist'>, (attribute: Attribute, value: string) => Outcome> = {
  string: readText(answerMaxLength.string),
  text: readText(answerMaxLength.text),
  number: readNumber,
  datetime: readDateTime,
  singlevaluelist: readListKey,
};

function readAnswer(attribute: Attribute, values: string[]): Outcome {
  if (attribute.datatype === 'multivaluelist') return readKeys(attribute, values);
  if (values.length > 1) return reject('singleValue', `${label(attribute)} takes one value, got ${values.length}`);
  return singleValueReaders[attribute.datatype](attribute, values[0]);
}

/** A blank form field is no answer: Open311 forms post every field, answered or not. */
function givenValues(answers: AnswerInput, code: string): string[] {
  // hasOwn: an attribute coded "constructor" must not find Object.prototype's.
  const raw = Object.hasOwn(answers, code) ? answers[code] : [];
  // String(): a JSON client may well send 3 for a number.
  return (Array.isArray(raw) ? raw : [raw]).map((value) => String(value).trim()).filter((value) => value !== '');
}

function serviceViolations(service: ServiceDefinition, channel: Channel, fields: FieldNames): AnswerViolation[] {
  const violations: AnswerViolation[] = [];
  if (!service.active) {
    violations.push({ field: fields.serviceCode, rule: 'serviceActive', message: `${service.code} (${service.name}) has been retired and takes no new requests` });
  }
  if (service.channels && !service.channels.includes(channel)) {
    violations.push({
      field: fields.channel,
      rule: 'channelAllowed',
      message: `${service.code} (${service.name}) cannot be requested by ${channel}; only by ${service.channels.join(', ')}`,
    });
  }
  if (service.staffOnly && isPublicChannel(channel)) {
    violations.push({ field: fields.channel, rule: 'staffOnly', message: `${service.code} (${service.name}) is for city staff only and cannot be requested by ${channel}` });
  }
  return violations;
}

/**
 * Checks a request's answers against its service, and whether the service may be requested on this
 * channel at all. Every violation is reported at once, so a client can fix them in one go.
 */
export function validateAnswers(service: ServiceDefinition, answers: AnswerInput, channel: Channel, fields: FieldNames = nativeFieldNames): AnswerValidation {
  const violations = serviceViolations(service, channel, fields);
  const normalized: Answers = {};
  const byCode = new Map(service.attributes.map((attribute) => [attribute.code, attribute]));

  for (const attribute of [...service.attributes].sort((a, b) => a.order - b.order)) {
    const values = givenValues(answers, attribute.code);
    const field = fields.attribute(attribute.code);
    if (!attribute.variable) {
      if (values.length > 0) violations.push({ field, rule: 'informationOnly', message: `${label(attribute)} is information only and takes no answer` });
      continue;
    }
    if (values.length === 0) {
      if (attribute.required) violations.push({ field, rule: 'required', message: `${label(attribute)} is required for ${service.code}` });
      continue;
    }
    const outcome = readAnswer(attribute, values);
    if (outcome.ok) normalized[attribute.code] = outcome.value;
    else violations.push({ field, rule: outcome.rule, message: outcome.message });
  }

  for (const code of Object.keys(answers).filter((code) => !byCode.has(code))) {
    const known = service.attributes.length > 0 ? `its attributes are ${[...byCode.keys()].join(', ')}` : 'it asks no questions';
    violations.push({ field: fields.attribute(code), rule: 'knownAttribute', message: `${service.code} has no attribute ${code}; ${known}` });
  }

  return violations.length === 0 ? { ok: true, answers: normalized } : { ok: false, violations };
}
