/** A numbered, forward-only schema change. */
export interface Migration {
  id: string;
  sql: string;
}

/**
 * The case event log. Append-only is enforced by the database itself: row triggers reject UPDATE
 * and DELETE, a statement trigger rejects TRUNCATE, and both fire ALWAYS (even with
 * session_replication_role = replica).
 * transaction_id (xid8) lets readers follow the log in commit order without skipping (ADR 0002).
 * chain_hash links each event to the one before it in its case (ADR 0011), so an edit by someone
 * the triggers do not stop (a superuser) still shows.
 */
export const caseLogMigrations: Migration[] = [
  {
    id: '0001-case-events',
    sql: `
      CREATE TABLE case_log.events (
        global_position bigserial PRIMARY KEY,
        transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
        event_id uuid NOT NULL CONSTRAINT events_event_id_unique UNIQUE,
        case_id uuid NOT NULL,
        case_version integer NOT NULL CHECK (case_version > 0),
        type text NOT NULL,
        schema_version smallint NOT NULL,
        data jsonb NOT NULL,
        metadata jsonb NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        CONSTRAINT events_case_version_unique UNIQUE (case_id, case_version)
      );
      CREATE INDEX events_commit_order ON case_log.events (transaction_id, global_position);

      CREATE FUNCTION case_log.reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'case_log.events is append-only: % is not allowed', TG_OP
          USING ERRCODE = 'restrict_violation';
      END $$;
      CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON case_log.events
        FOR EACH ROW EXECUTE FUNCTION case_log.reject_change();
      CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON case_log.events
        FOR EACH STATEMENT EXECUTE FUNCTION case_log.reject_change();
      ALTER TABLE case_log.events ENABLE ALWAYS TRIGGER events_append_only;
      ALTER TABLE case_log.events ENABLE ALWAYS TRIGGER events_no_truncate;
      REVOKE UPDATE, DELETE, TRUNCATE ON case_log.events FROM PUBLIC;

      CREATE TABLE case_log.relay_checkpoints (
        relay text PRIMARY KEY,
        transaction_id xid8 NOT NULL,
        global_position bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
    `,
  },
  {
    // Rows from before the chain keep NULL links (the verifier counts them as unchained). NOT VALID:
    // those rows satisfy the check anyway, and validating them would hold the table's lock for a scan.
    id: '0002-chain-links',
    sql: `
      ALTER TABLE case_log.events ADD COLUMN chain_hash bytea, ADD COLUMN chain_key_id smallint;
      ALTER TABLE case_log.events ADD CONSTRAINT events_chain_link
        CHECK (chain_hash IS NULL OR (octet_length(chain_hash) = 32 AND chain_key_id IS NOT NULL)) NOT VALID;
    `,
  },
];
