import type { Migration } from '@caseline/event-store';
import { nativeApiMigration } from './native-api.migration';
import { emailIntakeMigration } from './email/email-intake.migration';

export const intakeMigrations: Migration[] = [
  {
    id: '0001-reference-serials',
    // Each intake replica takes blocks of 50 serials at a time; a restart leaves a gap, never a repeat.
    sql: `CREATE SEQUENCE intake.case_reference_block START WITH 10000000 INCREMENT BY 50 MAXVALUE 99999999;`,
  },
  {
    id: '0002-open311',
    sql: `
      -- Open311 API keys of portals and partners: only a hash of each key is kept.
      CREATE TABLE intake.api_keys (
        partner text PRIMARY KEY,
        key_sha256 bytea NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      );
      -- Read model for Open311 searches (GET requests), rebuilt from the case log by the projection:
      -- one row per case with its Open311 document (extensions included) and the columns searched on.
      CREATE TABLE intake.service_requests (
        case_id uuid PRIMARY KEY,
        reference text NOT NULL UNIQUE,
        service_code text NOT NULL,
        status text NOT NULL,
        requested_at timestamptz NOT NULL,
        case_version integer NOT NULL,
        document jsonb NOT NULL
      );
      CREATE INDEX service_requests_requested_at ON intake.service_requests (requested_at DESC, case_id);
      -- Read model for servicerequestupdates: one row per public step of a case.
      CREATE TABLE intake.service_request_updates (
        update_id uuid PRIMARY KEY,
        case_id uuid NOT NULL,
        updated_at timestamptz NOT NULL,
        document jsonb NOT NULL
      );
      CREATE INDEX service_request_updates_updated_at ON intake.service_request_updates (updated_at, update_id);
    `,
  },
  nativeApiMigration,
  emailIntakeMigration,
  {
    id: '0005-api-key-scopes',
    // Several keys per partner (rotation without a gap), each scoped and revocable, with who issued and revoked it.
    sql: `
      ALTER TABLE intake.api_keys DROP CONSTRAINT api_keys_pkey;
      ALTER TABLE intake.api_keys
        ADD COLUMN id uuid NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
        ADD COLUMN source text NOT NULL DEFAULT 'environment' CHECK (source IN ('environment', 'api')),
        ADD COLUMN operations text[] NOT NULL DEFAULT '{requests:create,cases:subscribe}',
        ADD COLUMN jurisdictions text[],
        ADD COLUMN issued_by text,
        ADD COLUMN revoked_by text,
        ADD COLUMN last_used_at timestamptz;
      CREATE INDEX api_keys_partner ON intake.api_keys (partner);
    `,
  },
];
