import type { Migration } from '@caseline/event-store';

/** The native API's tables: Idempotency-Keys of POST /v1/cases, and the staff search index. */
export const nativeApiMigration: Migration = {
  id: '0003-native-api',
  sql: `
    -- A submission's Idempotency-Key, claimed before its case is appended (see idempotency-keys.ts).
    -- Per caller; keys are hashed; a key is honoured for 24 hours after its first use.
    CREATE TABLE intake.idempotency_keys (
      caller text NOT NULL,
      key_sha256 bytea NOT NULL,
      request_sha256 bytea NOT NULL,
      reference text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (caller, key_sha256)
    );
    CREATE INDEX idempotency_keys_created_at ON intake.idempotency_keys (created_at);

    -- Staff search over cases (GET /v1/cases), kept from the case log by the intake projection.
    -- The reporter's email and phone only as SHA-256 of their normalized form, never in clear.
    CREATE TABLE intake.case_index (
      case_id uuid PRIMARY KEY,
      reference text NOT NULL UNIQUE,
      case_version integer NOT NULL,
      status text NOT NULL,
      service_code text NOT NULL,
      department text,
      channel text NOT NULL,
      description text NOT NULL,
      description_words tsvector GENERATED ALWAYS AS (to_tsvector('simple', description)) STORED,
      lat double precision,
      long double precision,
      reported_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      reporter_email_sha256 bytea,
      reporter_phone_sha256 bytea
    );
    -- Every search pages newest first on (reported_at, case_id).
    CREATE INDEX case_index_newest ON intake.case_index (reported_at DESC, case_id DESC);
    CREATE INDEX case_index_status ON intake.case_index (status, reported_at DESC, case_id DESC);
    CREATE INDEX case_index_service ON intake.case_index (service_code, reported_at DESC, case_id DESC);
    CREATE INDEX case_index_department ON intake.case_index (department, reported_at DESC, case_id DESC);
    CREATE INDEX case_index_location ON intake.case_index (lat, long) WHERE lat IS NOT NULL;
    CREATE INDEX case_index_words ON intake.case_index USING gin (description_words);
    CREATE INDEX case_index_reporter_email ON intake.case_index (reporter_email_sha256) WHERE reporter_email_sha256 IS NOT NULL;
    CREATE INDEX case_index_reporter_phone ON intake.case_index (reporter_phone_sha256) WHERE reporter_phone_sha256 IS NOT NULL;
  `,
};
