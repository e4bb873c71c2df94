import { randomUUID } from 'node:crypto';
import type { PersonalFields, SealedPersonalData } from '@caseline/case-contracts';
import type { Sql } from '@caseline/event-store';
import { blindIndexes, isSealed, masterKey, newDataKey, open, seal, unwrapKey, wrapKey } from './sealing';

/** Who a sealed value belongs to on a case: its reporter, or a resident following it. */
export type Holder = { caseId: string; role: 'reporter' | 'follower' };

/** A value opened in memory, with the means to seal more under the same resident's key (e.g. the address a message goes to). */
export interface Opened {
  fields: PersonalFields;
  sealAlike(fields: PersonalFields): SealedPersonalData;
}

type KeyRow = { id: string; wrapped_key: Buffer };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The fields that hold something: nothing else is sealed, and an empty contact is no contact. */
export const presentFields = (fields: PersonalFields): PersonalFields =>
  Object.fromEntries(Object.entries(fields).filter(([, value]) => typeof value === 'string' && value !== '')) as PersonalFields;

/**
 * Residents' keys (privacy.resident_keys) and what they seal. Keys are fetched for each use and
 * never cached: once one is destroyed, no process may open with it again.
 */
export class PersonalDataVault {
  private readonly master = masterKey();

  constructor(private readonly sql: Sql) {}

  /**
   * Seals a resident's fields with their key — the one their email or phone already has, else a
   * new one (an anonymous report gets its own) — and records that this case holds data under it.
   * Undefined when there is nothing to seal.
   */
  async seal(fields: PersonalFields, holder: Holder): Promise<SealedPersonalData | undefined> {
    const present = presentFields(fields);
    if (Object.keys(present).length === 0) return undefined;
    const { id, dataKey } = await this.keyFor(blindIndexes(present), holder);
    return seal(id, dataKey, present);
  }

  /** Opens sealed values; one whose key was destroyed (or never existed) is undefined: erased. */
  async openAll(values: SealedPersonalData[]): Promise<(Opened | undefined)[]> {
    const ids = [...new Set(values.filter(isSealed).map((value) => value.k).filter((k) => UUID.test(k)))];
    const rows = await this.keysOf(ids);
    const keys = new Map(rows.map((row) => [row.id, unwrapKey(this.master, row.id, row.wrapped_key)]));
    return values.map((value) => {
      const dataKey = isSealed(value) ? keys.get(value.k) : undefined;
      return dataKey && { fields: open(dataKey, value), sealAlike: (fields: PersonalFields) => seal(value.k, dataKey, presentFields(fields)) };
    });
  }

  /**
   * The live keys of these ids. One id (the usual case: a case's values share its resident's key)
   * has a statement of its own: PostgreSQL plans `= ANY($1)` afresh each call, since its generic
   * plan reckons with ten elements and looks dearer than a custom one.
   */
  private async keysOf(ids: string[]): Promise<KeyRow[]> {
    if (ids.length === 0) return [];
    if (ids.length === 1) return this.sql.query<KeyRow>('SELECT id, wrapped_key FROM privacy.resident_keys WHERE id = $1 AND wrapped_key IS NOT NULL', ids, 'privacy-open-key');
    return this.sql.query<KeyRow>('SELECT id, wrapped_key FROM privacy.resident_keys WHERE id = ANY($1::uuid[]) AND wrapped_key IS NOT NULL', [ids], 'privacy-open-keys');
  }

  async open(value: SealedPersonalData): Promise<PersonalFields | undefined> {
    return (await this.openAll([value]))[0]?.fields;
  }

  /**
   * In one statement: the oldest live key any of the resident's blind indexes points to, or a new
   * one; every index given then points to it too, and the case is recorded as holding data under
   * it (with the indexes it was given with). The key's row is held FOR KEY SHARE for the statement, which destroying it (FOR UPDATE)
   * must wait for, and other seals need not: an erasure or the retention sweep either waits for
   * this seal or has destroyed the key before it is chosen, never in between. last_used_at moves at
   * most daily (retention counts in days), so one resident's seals seldom queue on its update.
   * A resident has at most two indexes (email, phone), passed as two parameters (null for one
   * missing): with an array PostgreSQL would plan the statement afresh on every call.
   */
  private async keyFor(indexes: Buffer[], holder: Holder): Promise<{ id: string; dataKey: Buffer }> {
    const [first = null, second = null, ...more] = indexes;
    if (more.length > 0) throw new Error(`a resident has at most two blind indexes, not ${indexes.length}`);
    const candidate = { id: randomUUID(), dataKey: newDataKey() };
    const [row] = await this.sql.query<KeyRow>(
      `WITH given AS (SELECT b FROM (VALUES ($1::bytea), ($2::bytea)) AS v (b) WHERE b IS NOT NULL),
       found AS (
         SELECT k.id, k.wrapped_key FROM privacy.resident_keys k
          WHERE k.id = ANY (ARRAY(SELECT key_id FROM privacy.resident_identifiers WHERE blind_index IN ($1, $2))) AND k.wrapped_key IS NOT NULL
          ORDER BY k.created_at, k.id LIMIT 1 FOR KEY SHARE),
       created AS (
         INSERT INTO privacy.resident_keys (id, wrapped_key) SELECT $3, $4 WHERE NOT EXISTS (SELECT 1 FROM found) RETURNING id, wrapped_key),
       chosen AS (SELECT id, wrapped_key FROM found UNION ALL SELECT id, wrapped_key FROM created),
       identified AS (
         INSERT INTO privacy.resident_identifiers (blind_index, key_id) SELECT g.b, c.id FROM given g, chosen c ON CONFLICT DO NOTHING),
       held AS (
         INSERT INTO privacy.sealed_cases (key_id, case_id, role, blind_indexes) SELECT id, $5, $6, ARRAY(SELECT b FROM given) FROM chosen ON CONFLICT DO NOTHING),
       used AS (
         UPDATE privacy.resident_keys SET last_used_at = now() WHERE id IN (SELECT id FROM found) AND last_used_at < now() - interval '1 day')
       SELECT id, wrapped_key FROM chosen`,
      [first, second, candidate.id, wrapKey(this.master, candidate.id, candidate.dataKey), holder.caseId, holder.role],
      'privacy-key-for',
    );
    return row.id === candidate.id ? candidate : { id: row.id, dataKey: unwrapKey(this.master, row.id, row.wrapped_key) };
  }
}
