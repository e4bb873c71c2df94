import type { Migration } from '@caseline/event-store';

export const intakeMigrations: Migration[] = [
  {
    id: '0001-case-references',
    sql: `
      CREATE SEQUENCE intake.case_reference_serial START WITH 10000000 MAXVALUE 99999999;
      CREATE TABLE intake.case_references (
        reference text PRIMARY KEY,
        case_id uuid NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now()
      );
    `,
  },
];
