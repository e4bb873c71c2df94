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
  {
    id: '0004-work-queue',
    sql: `
      -- The built-in work queue of departments without a system of their own: one row per work
      -- order, written with its WorkOrderCreated; its status follows the staff's actions.
      CREATE TABLE department_adapter.queue_items (
        work_order_id text PRIMARY KEY,
        case_id uuid NOT NULL,
        department text NOT NULL,
        reference text NOT NULL,
        service_code text NOT NULL,
        description text NOT NULL,
        location jsonb NOT NULL,
        due_at timestamptz NOT NULL,
        status text NOT NULL DEFAULT 'open',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX queue_items_open ON department_adapter.queue_items (department, due_at) WHERE status NOT IN ('completed', 'rejected');
    `,
  },
  {
    id: '0005-dead-work-orders',
    sql: `
      -- A work order that failed WORK_ORDER_MAX_ATTEMPTS times waits, never dropped, for an operator to re-drive it.
      ALTER TABLE department_adapter.work_orders DROP CONSTRAINT work_orders_state_check;
      ALTER TABLE department_adapter.work_orders ADD CONSTRAINT work_orders_state_check CHECK (state IN ('pending', 'created', 'refused', 'dead'));
    `,
  },
  {
    id: '0006-work-order-updates',
    sql: `
      -- The same outbox carries what happens to a case after its work order: a cancellation, or
      -- information the reporter added. An update waits until its work order exists there; a work
      -- order cancelled before it was ever delivered is never delivered ('cancelled').
      ALTER TABLE department_adapter.work_orders ADD COLUMN kind text NOT NULL DEFAULT 'create' CHECK (kind IN ('create', 'cancel', 'information'));
      ALTER TABLE department_adapter.work_orders DROP CONSTRAINT work_orders_state_check;
      ALTER TABLE department_adapter.work_orders ADD CONSTRAINT work_orders_state_check CHECK (state IN ('pending', 'created', 'refused', 'dead', 'cancelled'));
    `,
  },
  {
    id: '0007-order-per-case-and-polling',
    sql: `
      -- In order per case: what is enqueued for a case reaches its department in that order.
      ALTER TABLE department_adapter.work_orders ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY;
      CREATE INDEX work_orders_pending_by_case ON department_adapter.work_orders (case_id, department, seq) WHERE state = 'pending';
      -- A work order the department finished (completed, not fixed, rejected) is no longer asked after.
      ALTER TABLE department_adapter.work_orders ADD COLUMN finished_at timestamptz;
      -- Systems that do not push are polled: where each poll starts, and which process is polling now.
      CREATE TABLE department_adapter.poll_cursors (
        department text PRIMARY KEY,
        cursor text,
        leased_until timestamptz,
        last_polled_at timestamptz,
        last_error text,
        unmapped_statuses text[] NOT NULL DEFAULT '{}'
      );
    `,
  },
  {
    id: '0008-trace-context',
    sql: `
      -- The trace of the event that owed the work order (ADR 0017): its delivery continues it.
      ALTER TABLE department_adapter.work_orders ADD COLUMN traceparent text;
    `,
  },
  {
    id: '0009-pending-by-department-and-case',
    sql: `
      -- The lease's "nothing earlier pending for this case" looks up (department, case): keyed by
      -- case first, the planner preferred the department's due index and checked every pending
      -- order of the department for each candidate (quadratic in a backlog: 10 ms at 400 pending).
      DROP INDEX department_adapter.work_orders_pending_by_case;
      CREATE INDEX work_orders_pending_by_case ON department_adapter.work_orders (department, case_id, seq) WHERE state = 'pending';
    `,
  },
];
