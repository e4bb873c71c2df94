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
];
