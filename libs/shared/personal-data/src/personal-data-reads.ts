import type { Actor, PersonalFields } from '@caseline/case-contracts';
import type { Sql } from '@caseline/event-store';

/** One time staff were shown a resident's personal data. */
export interface PersonalDataRead {
  at: string;
  actor: { kind: string; id: string; name: string };
  reference: string;
  fields: (keyof PersonalFields)[];
  /** Through what: the endpoint that showed it. */
  purpose: string;
}

/**
 * The record of every read of personal data by staff (privacy.personal_data_reads, append-only).
 * Written before the data is answered: a read that cannot be recorded is not served.
 */
export class PersonalDataReads {
  constructor(private readonly sql: Sql) {}

  async record(read: { actor: Actor; caseId: string; reference: string; fields: (keyof PersonalFields)[]; purpose: string }): Promise<void> {
    await this.sql.query(
      'INSERT INTO privacy.personal_data_reads (actor_kind, actor_id, actor_name, case_id, reference, fields, purpose) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [read.actor.kind, read.actor.id, read.actor.name, read.caseId, read.reference, read.fields, read.purpose],
    );
  }

  /** Oldest first. */
  async ofCase(caseId: string): Promise<PersonalDataRead[]> {
    const rows = await this.sql.query<{ at: Date; actor_kind: string; actor_id: string; actor_name: string; reference: string; fields: (keyof PersonalFields)[]; purpose: string }>(
      'SELECT at, actor_kind, actor_id, actor_name, reference, fields, purpose FROM privacy.personal_data_reads WHERE case_id = $1 ORDER BY id',
      [caseId],
    );
    return rows.map((row) => ({ at: row.at.toISOString(), actor: { kind: row.actor_kind, id: row.actor_id, name: row.actor_name }, reference: row.reference, fields: row.fields, purpose: row.purpose }));
  }
}
