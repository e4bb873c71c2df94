import type { Migration } from '@caseline/event-store';

/** The privacy schema: residents' keys, kept apart from the log they unlock, and the record of who read what. */
export const privacyMigrations: Migration[] = [
  {
    id: '0001-resident-keys',
    sql: `
      -- One data key per resident (or per anonymous report), wrapped by PERSONAL_DATA_MASTER_KEY.
      -- Destroying it (wrapped_key NULL) erases everything it sealed, in every copy of the log.
      CREATE TABLE privacy.resident_keys (
        id uuid PRIMARY KEY,
        wrapped_key bytea,
        created_at timestamptz NOT NULL DEFAULT now(),
        -- When it last sealed something: retention counts from here.
        last_used_at timestamptz NOT NULL DEFAULT now(),
        destroyed_at timestamptz,
        destroyed_because text CHECK (destroyed_because IN ('request', 'retention')),
        -- Who asked (the staff member's actor), for the history's record of the erasure.
        destroyed_by jsonb,
        CHECK ((wrapped_key IS NULL) = (destroyed_at IS NOT NULL))
      );
      CREATE INDEX resident_keys_last_used ON privacy.resident_keys (last_used_at) WHERE destroyed_at IS NULL;

      -- Blind indexes (keyed hashes of a normalized email or phone) → the keys that sealed its data.
      -- Several keys may share one (two first reports racing each other): erasure takes them all.
      -- Removed when the key is destroyed.
      CREATE TABLE privacy.resident_identifiers (
        blind_index bytea NOT NULL,
        key_id uuid NOT NULL REFERENCES privacy.resident_keys (id),
        PRIMARY KEY (blind_index, key_id)
      );
      CREATE INDEX resident_identifiers_key ON privacy.resident_identifiers (key_id);

      -- Which cases hold data sealed with which key, so erasure can record itself on each.
      -- erasure_recorded_at: its PersonalDataErased is in the case's history.
      CREATE TABLE privacy.sealed_cases (
        key_id uuid NOT NULL REFERENCES privacy.resident_keys (id),
        case_id uuid NOT NULL,
        role text NOT NULL CHECK (role IN ('reporter', 'follower')),
        erasure_recorded_at timestamptz,
        PRIMARY KEY (key_id, case_id, role)
      );
      CREATE INDEX sealed_cases_case ON privacy.sealed_cases (case_id);
      CREATE INDEX sealed_cases_unrecorded ON privacy.sealed_cases (key_id) WHERE erasure_recorded_at IS NULL;

      -- Every time staff were shown a resident's personal data: who, which case, which fields,
      -- when, through what. Append-only, like the case log.
      CREATE TABLE privacy.personal_data_reads (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        actor_kind text NOT NULL,
        actor_id text NOT NULL,
        actor_name text NOT NULL,
        case_id uuid NOT NULL,
        reference text NOT NULL,
        fields text[] NOT NULL,
        purpose text NOT NULL
      );
      CREATE INDEX personal_data_reads_case ON privacy.personal_data_reads (case_id, at);
      CREATE FUNCTION privacy.reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'privacy.personal_data_reads is append-only: % is not allowed', TG_OP
          USING ERRCODE = 'restrict_violation';
      END $$;
      CREATE TRIGGER personal_data_reads_append_only BEFORE UPDATE OR DELETE ON privacy.personal_data_reads
        FOR EACH ROW EXECUTE FUNCTION privacy.reject_change();
      CREATE TRIGGER personal_data_reads_no_truncate BEFORE TRUNCATE ON privacy.personal_data_reads
        FOR EACH STATEMENT EXECUTE FUNCTION privacy.reject_change();
      ALTER TABLE privacy.personal_data_reads ENABLE ALWAYS TRIGGER personal_data_reads_append_only;
      ALTER TABLE privacy.personal_data_reads ENABLE ALWAYS TRIGGER personal_data_reads_no_truncate;
    `,
  },
  {
    id: '0002-case-blind-indexes',
    sql: `
      -- The blind indexes of the email and phone each case was reported with, for staff to find a
      -- reporter's cases by what they gave on them (not by all their key sealed). Emptied when the
      -- key is destroyed.
      ALTER TABLE privacy.sealed_cases ADD COLUMN blind_indexes bytea[] NOT NULL DEFAULT '{}';
      CREATE INDEX sealed_cases_blind_indexes ON privacy.sealed_cases USING gin (blind_indexes) WHERE role = 'reporter';
    `,
  },
  {
    id: '0003-key-erasures-recorded',
    sql: `
      -- A destroyed key whose erasure is in the history of every case it sealed: the sweep looks
      -- only at destroyed keys without it (few), never at every sealed case (all of them).
      ALTER TABLE privacy.resident_keys ADD COLUMN erasures_recorded_at timestamptz;
      CREATE INDEX resident_keys_erasures_unrecorded ON privacy.resident_keys (id) WHERE destroyed_at IS NOT NULL AND erasures_recorded_at IS NULL;
    `,
  },
];