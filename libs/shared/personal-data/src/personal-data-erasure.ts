import { Logger } from '@nestjs/common';
import type { Actor, PersonalDataErased, PersonalFields } from '@caseline/case-contracts';
import { CaseDomainError } from '@caseline/case-domain';
import type { Sql } from '@caseline/event-store';
import { CaseLog, WorkLoop } from '@caseline/service-kit';
import { blindIndexes } from './sealing';

/** Who records a retention erasure on the cases (nobody asked: the period ran out). */
export const RETENTION_ACTOR: Actor = { kind: 'service', id: 'personal-data-retention', name: 'Personal data retention' };

type Reason = PersonalDataErased['data']['reason'];

interface Unrecorded {
  key_id: string;
  case_id: string;
  role: 'reporter' | 'follower';
  destroyed_because: Reason;
  destroyed_by: Actor | null;
}

/**
 * Erasure by destroying keys (crypto-shredding, ADR 0014): on request (a resident's email or
 * phone, or the reporter of a case) and when a key has sealed nothing for the retention period.
 * A destroyed key's blind indexes go with it, from both the key and its cases. Each case that held data under it then gets
 * PersonalDataErased, whose id derives from key, case and role: a replica racing, or a retry
 * after a crash between the destruction and the append, records it once.
 */
export class PersonalDataErasure {
  private readonly logger = new Logger('PersonalDataErasure');

  constructor(
    private readonly sql: Sql,
    private readonly caseLog: CaseLog,
    /** Keys unused this many days are destroyed; undefined: never. */
    private readonly retentionDays: number | undefined,
  ) {}

  /** The live keys that sealed data of this email or phone. */
  async keysOfResident(identity: Pick<PersonalFields, 'email' | 'phone'>): Promise<string[]> {
    const rows = await this.sql.query<{ key_id: string }>('SELECT DISTINCT key_id FROM privacy.resident_identifiers WHERE blind_index = ANY($1::bytea[])', [blindIndexes(identity)]);
    return rows.map((row) => row.key_id);
  }

  /** The key(s) its reporter's data on this case is sealed with (then every case of theirs goes with it). */
  async keysOfReporter(caseId: string): Promise<string[]> {
    const rows = await this.sql.query<{ key_id: string }>(`SELECT key_id FROM privacy.sealed_cases WHERE case_id = $1 AND role = 'reporter'`, [caseId]);
    return rows.map((row) => row.key_id);
  }

  /** Destroys the keys at a resident's request and records it on their cases; how many keys and cases. */
  async eraseOnRequest(keyIds: string[], actor: Actor): Promise<{ keys: number; cases: number }> {
    const destroyed = await this.destroy(`id IN (SELECT id FROM privacy.resident_keys WHERE id = ANY($1::uuid[]) FOR UPDATE)`, [keyIds], 'request', actor);
    const { cases } = await this.recordErasures(destroyed);
    return { keys: destroyed.length, cases };
  }

  /** One round of the background loop: expired keys destroyed, then every erasure not yet on its cases recorded. */
  async sweep(): Promise<number> {
    const expired = this.retentionDays === undefined ? [] : await this.destroy(`id IN (SELECT id FROM privacy.resident_keys WHERE destroyed_at IS NULL AND last_used_at < now() - make_interval(days => $1) ORDER BY last_used_at LIMIT 500 FOR UPDATE SKIP LOCKED)`, [this.retentionDays], 'retention', RETENTION_ACTOR);
    if (expired.length > 0) this.logger.log(`${expired.length} resident key(s) unused for ${this.retentionDays} days destroyed`);
    const recorded = await this.recordErasures();
    return expired.length + recorded.cases + recorded.keys;
  }

  /**
   * `where` selects the keys FOR UPDATE, the lock a seal's FOR KEY SHARE holds off: the sweep skips
   * locked keys (SKIP LOCKED), so replicas never wait on each other nor take a key a seal is using
   * (that seal makes it recent again); an erasure on request waits for such a seal, and its data is
   * erased with the rest.
   */
  private async destroy(where: string, parameters: unknown[], reason: Reason, actor: Actor): Promise<string[]> {
    const at = parameters.length + 1;
    const rows = await this.sql.query<{ id: string }>(
      `WITH destroyed AS (
         UPDATE privacy.resident_keys SET wrapped_key = NULL, destroyed_at = now(), destroyed_because = $${at}, destroyed_by = $${at + 1}
          WHERE destroyed_at IS NULL AND ${where} RETURNING id),
       forgotten AS (DELETE FROM privacy.resident_identifiers WHERE key_id IN (SELECT id FROM destroyed)),
       unfound AS (UPDATE privacy.sealed_cases SET blind_indexes = '{}' WHERE key_id IN (SELECT id FROM destroyed))
       SELECT id FROM destroyed`,
      [...parameters, reason, JSON.stringify(actor)],
    );
    return rows.map((row) => row.id);
  }

  /**
   * Appends PersonalDataErased to each case of destroyed keys (of these keys only, when given) that
   * lacks it, then marks the keys whose every case has it. A key's cases are fixed once it is
   * destroyed (a seal holds its key until it has recorded its case), so a mark is final, and the
   * sweep reads the few destroyed keys without one, not every sealed case.
   */
  private async recordErasures(keyIds?: string[]): Promise<{ cases: number; keys: number }> {
    const ofKeys = keyIds ? 'AND id = ANY($1::uuid[])' : '';
    const parameters = keyIds ? [keyIds] : [];
    const rows = await this.sql.query<Unrecorded>(
      `WITH pending AS (
         SELECT id, destroyed_because, destroyed_by FROM privacy.resident_keys
          WHERE destroyed_at IS NOT NULL AND erasures_recorded_at IS NULL ${ofKeys} LIMIT 100)
       SELECT s.key_id, s.case_id, s.role, p.destroyed_because, p.destroyed_by
         FROM pending p JOIN privacy.sealed_cases s ON s.key_id = p.id AND s.erasure_recorded_at IS NULL
        LIMIT 500`,
      parameters,
    );
    for (const row of rows) await this.recordOn(row);
    const marked = await this.sql.query<{ id: string }>(
      `UPDATE privacy.resident_keys k SET erasures_recorded_at = now()
        WHERE destroyed_at IS NOT NULL AND erasures_recorded_at IS NULL ${ofKeys}
          AND NOT EXISTS (SELECT 1 FROM privacy.sealed_cases s WHERE s.key_id = k.id AND s.erasure_recorded_at IS NULL)
        RETURNING id`,
      parameters,
    );
    return { cases: rows.length, keys: marked.length };
  }

  private async recordOn(row: Unrecorded): Promise<void> {
    const recorded = `UPDATE privacy.sealed_cases SET erasure_recorded_at = now() WHERE key_id = $1 AND case_id = $2 AND role = $3`;
    const parameters = [row.key_id, row.case_id, row.role];
    try {
      const { duplicate } = await this.caseLog.execute(
        row.case_id,
        { type: 'RecordPersonalDataErased', data: { reason: row.destroyed_because, of: row.role } },
        {
          metadata: { actor: row.destroyed_by ?? RETENTION_ACTOR, channel: 'system', at: new Date().toISOString(), correlationId: row.case_id },
          reactionTo: { eventId: `${row.key_id}:${row.case_id}:${row.role}`, consumer: 'personal-data-erasure' },
          alongside: () => [{ text: recorded, parameters }],
        },
      );
      if (duplicate) await this.sql.query(recorded, parameters);
    } catch (error) {
      // Sealed for a case that was never appended (its submission failed after sealing): nothing to record.
      if (!(error instanceof CaseDomainError)) throw error;
      await this.sql.query(recorded, parameters);
    }
  }

  /** The loop of one service (intake): sweeps every `idleMs`. */
  loop(idleMs: number): WorkLoop {
    return new WorkLoop('personal data erasure', async () => (await this.sweep()) > 0, idleMs, this.logger);
  }
}
