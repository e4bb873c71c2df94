import type { Migration } from '@caseline/event-store';

/** The email channel's tables (see email/README.md). */
export const emailIntakeMigration: Migration = {
  id: '0004-email-intake',
  sql: `
    -- Every request message taken in, by SHA-256 of its Message-ID (the id itself often names the
    -- sender's host): a redelivered message finds its case here instead of opening another, and
    -- is answered once. The reference of an opened case is set once its CaseReported is committed.
    CREATE TABLE intake.email_messages (
      message_id_hash bytea PRIMARY KEY,
      action text NOT NULL CHECK (action IN ('opened', 'added')),
      reference text,
      received_at timestamptz NOT NULL DEFAULT now(),
      -- When the reply was sent (or refused for good by the mail server), with its ResidentNotified.
      replied_at timestamptz
    );
    -- Attachments of email requests, served at GET /v1/attachments/{id} (a random UUID v4).
    -- (message_id_hash, position) keeps a redelivered message from storing them twice.
    CREATE TABLE intake.attachments (
      id uuid PRIMARY KEY,
      message_id_hash bytea NOT NULL,
      position smallint NOT NULL,
      content_type text NOT NULL,
      bytes bytea NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (message_id_hash, position)
    );
  `,
};
