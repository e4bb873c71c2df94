import type { Actor, Channel, Location, ReporterContact } from '@caseline/case-contracts';
import type { AnswerInput, FieldNames } from '@caseline/catalog-domain';
import { nativeFieldNames, open311FieldNames } from '@caseline/catalog-domain';
import { Boundary, boundaryContains } from '@caseline/city-config';

/** A new case as any channel hands it to intake, after the channel's own format is parsed. */
export interface CaseSubmission {
  serviceCode: string;
  description: string;
  location: Location;
  /** Answers to the service's questions, as sent (validated and normalized against the catalog). */
  attributes?: AnswerInput;
  mediaUrl?: string;
  reporter?: ReporterContact;
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
}

export const nativeSubmissionFields: SubmissionFieldNames = { ...nativeFieldNames, description: 'description', location: 'location' };
export const open311SubmissionFields: SubmissionFieldNames = { ...open311FieldNames, description: 'description', location: 'lat' };

/** One broken rule of a submission, named as the edge names the field (problem+json's shape). */
export interface SubmissionViolation {
  field: string;
  rule: string;
  message: string;
}

export const MAX_DESCRIPTION_LENGTH = 4000;

/**
 * The rules every channel's submission obeys besides the catalog's: a description a person can
 * read (≤ 4,000 characters, after the edge's own limits), and a location inside the city.
 */
export function submissionViolations(submission: CaseSubmission, boundary: Boundary | undefined): SubmissionViolation[] {
  const { fieldNames, description, location } = submission;
  const violations: SubmissionViolation[] = [];
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
