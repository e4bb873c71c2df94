import type { Migration } from '@caseline/event-store';

export const notificationMigrations: Migration[] = [
  {
    id: '0001-deliveries',
    sql: `
      -- One row per message sent; its id is derived from the event that owed it, so a
      -- redelivered event finds its message already sent.
      CREATE TABLE notification.deliveries (
        notification_id uuid PRIMARY KEY,
        case_id uuid NOT NULL,
        purpose text NOT NULL,
        channel text NOT NULL,
        recipient_masked text NOT NULL,
        sent_at timestamptz NOT NULL DEFAULT now()
      );
    `,
  },
  {
    id: '0002-delivery-outcome',
    sql: `
      -- A message the resident's server refused for good is recorded too, so it is not retried.
      ALTER TABLE notification.deliveries ADD COLUMN outcome text NOT NULL DEFAULT 'sent' CHECK (outcome IN ('sent', 'refused'));
      ALTER TABLE notification.deliveries ADD COLUMN reason text;
    `,
  },
  {
    id: '0003-outbox',
    sql: `
      -- Every message owed, one row per (event, recipient, channel), its id derived from them: a
      -- redelivered event adds nothing. Dispatchers lease due rows, send, and record the outcome on
      -- the case in the same transaction as the row's. The address is kept only until then; what
      -- stays is its keyed hash (for the unsubscribe list) and a masked form.
      CREATE TABLE notification.outbox (
        id uuid PRIMARY KEY,
        case_id uuid NOT NULL,
        cause_event_id uuid,
        purpose text NOT NULL,
        audience text NOT NULL,
        channel text NOT NULL CHECK (channel IN ('email', 'sms', 'webhook')),
        recipient text,
        recipient_hash bytea NOT NULL,
        recipient_masked text NOT NULL,
        language text NOT NULL,
        facts jsonb NOT NULL,
        state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed', 'suppressed')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        leased_until timestamptz,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        settled_at timestamptz
      );
      CREATE INDEX outbox_due ON notification.outbox (next_attempt_at) WHERE state = 'pending';
      -- What was sent before the outbox is kept as settled rows, so a redelivered old event sends nothing.
      INSERT INTO notification.outbox (id, case_id, purpose, audience, channel, recipient_hash, recipient_masked, language, facts, state, last_error, created_at, settled_at)
        SELECT notification_id, case_id, purpose, 'reporter', channel, '\\x'::bytea, recipient_masked, 'en', '{}', CASE WHEN outcome = 'sent' THEN 'sent' ELSE 'failed' END, reason, sent_at, sent_at
          FROM notification.deliveries;
      DROP TABLE notification.deliveries;
      -- Addresses that unsubscribed (keyed hashes): never contacted again on that channel.
      CREATE TABLE notification.suppressions (
        channel text NOT NULL,
        recipient_hash bytea NOT NULL,
        case_id uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (channel, recipient_hash)
      );
      -- Reference → case, for previews by reference.
      CREATE TABLE notification.cases (
        reference text PRIMARY KEY,
        case_id uuid NOT NULL
      );
    `,
  },
  {
    id: '0004-council-digests',
    sql: `
      -- A digest is about a district, not one case: its row has no case, and nothing goes in a case's history.
      ALTER TABLE notification.outbox ALTER COLUMN case_id DROP NOT NULL;
      -- Each case's council district, due date and whether it is still open, kept from its events
      -- for the council members' daily digests.
      CREATE TABLE notification.district_cases (
        case_id uuid PRIMARY KEY,
        reference text NOT NULL,
        service_name text NOT NULL,
        district text NOT NULL,
        routed_at timestamptz NOT NULL,
        due_at timestamptz,
        closed_at timestamptz
      );
      CREATE INDEX district_cases_open ON notification.district_cases (district, due_at) WHERE closed_at IS NULL;
      CREATE INDEX district_cases_routed ON notification.district_cases (district, routed_at);
    `,
  },
  {
    id: '0005-sealed-recipients',
    sql: `
      -- A resident's address rests sealed with their key (ADR 0014), opened only to send: once
      -- their data is erased, what is still owed to them cannot be sent. recipient stays for staff
      -- and partners, and for messages planned from events written before sealing.
      ALTER TABLE notification.outbox ADD COLUMN recipient_sealed jsonb;
    `,
  },
  {
    id: '0006-sending-marker',
    sql: `
      -- Set just before a message is handed to the SMTP server, SMS provider or partner: a lease
      -- that runs out with it set was cut while sending (the message may have gone: never sent
      -- again, recorded unconfirmed); without it, before sending (taken again and sent).
      ALTER TABLE notification.outbox ADD COLUMN sending_since timestamptz;
    `,
  },
  {
    id: '0007-trace-context',
    sql: `
      -- The trace of the event that owed the message (ADR 0017): its delivery continues it.
      ALTER TABLE notification.outbox ADD COLUMN traceparent text;
    `,
  },
];
