import type { Actor, Channel, Location, ReporterContact } from '@caseline/case-contracts';
import type { AnswerInput, AnswerViolation, FieldNames } from '@caseline/catalog-domain';

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
  fieldNames: FieldNames;
}

/**
 * The catalog refuses the submission: the service does not exist (or is closed to this channel), or
 * an answer breaks a question's rule. Each edge turns it into its own error format; nothing is written.
 */
export class SubmissionRejected extends Error {
  constructor(
    readonly reason: 'unknown-service' | 'invalid-answers',
    readonly violations: AnswerViolation[],
  ) {
    super(violations.map((v) => v.message).join('; '));
    this.name = 'SubmissionRejected';
  }
}
