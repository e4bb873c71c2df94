import type { Migration } from '@caseline/event-store';

export const departmentAdapterMigrations: Migration[] = [
  {
    id: '0001-work-orders',
    sql: `
      -- The adapter's outbox of work orders: a routed case lands here first (one row per routing),
      -- then a dispatcher delivers it to the department's system, retrying until it answers.
      CREATE TABLE department_adapter.work_orders (
        id uuid PRIMARY KEY,
        case_id uuid NOT NULL,
        department text NOT NULL,
        routed_event_id uuid NOT NULL,
        request jsonb NOT NULL,
        state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'created')),
        external_id text,
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        leased_until timestamptz,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT work_orders_external_unique UNIQUE (department, external_id)
      );
      CREATE INDEX work_orders_due ON department_adapter.work_orders (next_attempt_at) WHERE state = 'pending';
    `,
  },
  {
    id: '0002-refused-work-orders',
    sql: `
      -- A work order the department's system refused for good is kept, not retried.
      ALTER TABLE department_adapter.work_orders DROP CONSTRAINT work_orders_state_check;
      ALTER TABLE department_adapter.work_orders ADD CONSTRAINT work_orders_state_check CHECK (state IN ('pending', 'created', 'refused'));
      CREATE INDEX work_orders_due_by_department ON department_adapter.work_orders (department, next_attempt_at) WHERE state = 'pending';
    `,
  },
  {
    id: '0003-seen-signatures',
    sql: `
      -- Signatures of department updates accepted within the replay window: the same one twice is a replay.
      CREATE TABLE department_adapter.seen_signatures (
        department text NOT NULL,
        signature text NOT NULL,
        seen_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (department, signature)
      );
      CREATE INDEX seen_signatures_age ON department_adapter.seen_signatures (seen_at);
    `,
  },
];
