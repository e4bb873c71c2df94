import type { Actor, Channel, Location, ReporterContact } from '@caseline/case-contracts';
import type { AnswerInput, FieldNames } from '@caseline/catalog-domain';
import { nativeFieldNames, open311FieldNames } from '@caseline/catalog-domain';
import { Boundary, boundaryContains } from '@caseline/city-config';
import { EMAIL_ADDRESS, isReadableText, toE164 } from '@caseline/service-kit';

/** A new case as any channel hands it to intake, after the channel's own format is parsed. */
export interface CaseSubmission {
  serviceCode: string;
  description: string;
  location: Location;
  /** Answers to the service's questions, as sent (validated and normalized against the catalog). */
  attributes?: AnswerInput;
  mediaUrl?: string;
  reporter?: ReporterContact;
  /** Free text the resident marked private: sealed with their contact, never public. */
  privateDetails?: string;
  /** Who submitted it and how: the history's "who did it". */
  actor: Actor;
  channel: Channel;
  /** How this edge names fields in its errors (`attributes.X` natively, `attribute[X]` in Open311). */
  fieldNames: SubmissionFieldNames;
}

/** The names an edge gives the submission's fields, so an error names what the caller sent. */
export interface SubmissionFieldNames extends FieldNames {
  description: string;
  location: string;
  address: string;
  addressId: string;
  mediaUrl: string;
  name: string;
  email: string;
  phone: string;
  privateDetails: string;
}

export const nativeSubmissionFields: SubmissionFieldNames = {
  ...nativeFieldNames,
  description: 'description',
  location: 'location',
  address: 'location.address',
  addressId: 'location.addressId',
  mediaUrl: 'mediaUrl',
  name: 'reporter.name',
  email: 'reporter.email',
  phone: 'reporter.phone',
  privateDetails: 'privateDetails',
};
export const open311SubmissionFields: SubmissionFieldNames = {
  ...open311FieldNames,
  description: 'description',
  location: 'lat',
  address: 'address_string',
  addressId: 'address_id',
  mediaUrl: 'media_url',
  name: 'first_name',
  email: 'email',
  phone: 'phone',
  // Open311 has no such field: never set there.
  privateDetails: 'privateDetails',
};

/** One broken rule of a submission, named as the edge names the field (problem+json's shape). */
export interface SubmissionViolation {
  field: string;
  rule: string;
  message: string;
}

export const MAX_DESCRIPTION_LENGTH = 4000;

/** The longest each text field may be, whatever the channel (the same limits the native DTO states). */
const MAX_LENGTH = { address: 300, addressId: 100, mediaUrl: 2000, name: 200, email: 254, phone: 32, privateDetails: 2000 } as const;

// One address, nothing a mail header could split into two.
const isHttpUrl = (text: string): boolean => {
  try {
    return ['http:', 'https:'].includes(new URL(text).protocol);
  } catch {
    return false;
  }
};

/**
 * The rules every channel's submission obeys besides the catalog's: a description a person can
 * read (≤ 4,000 characters, after the edge's own limits), and a location inside the city.
 */
export function submissionViolations(submission: CaseSubmission, boundary: Boundary | undefined): SubmissionViolation[] {
  const { fieldNames, description, location, reporter, mediaUrl, privateDetails } = submission;
  const violations: SubmissionViolation[] = [];
  const texts: [keyof typeof MAX_LENGTH, string | undefined][] = [
    ['address', location.address],
    ['addressId', location.addressId],
    ['mediaUrl', mediaUrl],
    ['name', reporter?.name],
    ['email', reporter?.email],
    ['phone', reporter?.phone],
    ['privateDetails', privateDetails],
  ];
  for (const [name, value] of texts) {
    if (value !== undefined && value.length > MAX_LENGTH[name]) {
      violations.push({ field: fieldNames[name], rule: 'maxLength', message: `${fieldNames[name]} must be at most ${MAX_LENGTH[name]} characters` });
    }
  }
  const answers = Object.entries(submission.attributes ?? {}).flatMap(([code, answer]) => [answer].flat().map((text) => [fieldNames.attribute(code), text] as const));
  for (const [field, value] of [...texts.map(([name, value]) => [fieldNames[name], value] as const), [fieldNames.description, description] as const, ...answers]) {
    if (value !== undefined && !isReadableText(value)) {
      violations.push({ field, rule: 'noControlCharacters', message: `${field} must be readable text, without control characters` });
    }
  }
  if (reporter?.email !== undefined && !EMAIL_ADDRESS.test(reporter.email)) {
    violations.push({ field: fieldNames.email, rule: 'isEmail', message: `${fieldNames.email} must be one email address` });
  }
  // Found now, not when the first text message bounces.
  if (reporter?.phone !== undefined && !toE164(reporter.phone)) {
    violations.push({ field: fieldNames.phone, rule: 'isPhoneNumber', message: `${fieldNames.phone} must be a phone number, e.g. +1 212 555 0199 (with its country code outside North America)` });
  }
  if (mediaUrl !== undefined && !isHttpUrl(mediaUrl)) {
    violations.push({ field: fieldNames.mediaUrl, rule: 'isUrl', message: `${fieldNames.mediaUrl} must be an http(s) URL` });
  }
  if (description.length > MAX_DESCRIPTION_LENGTH) {
    violations.push({ field: fieldNames.description, rule: 'maxLength', message: `${fieldNames.description} must be at most ${MAX_DESCRIPTION_LENGTH} characters (got ${description.length})` });
  }
  if (boundary && location.lat !== undefined && !boundaryContains(boundary, location)) {
    violations.push({ field: fieldNames.location, rule: 'insideCity', message: `${fieldNames.location}: the location ${location.lat}, ${location.long} is outside the city's boundary` });
  }
  return violations;
}

/**
 * Intake refuses the submission: the service does not exist (or is closed to this channel), or a
 * field or an answer breaks a rule. Each edge turns it into its own error format; nothing is written.
 */
export class SubmissionRejected extends Error {
  constructor(
    readonly reason: 'unknown-service' | 'invalid',
    readonly violations: SubmissionViolation[],
  ) {
    super(violations.map((v) => v.message).join('; '));
    this.name = 'SubmissionRejected';
  }
}
