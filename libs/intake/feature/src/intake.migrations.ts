import type { Migration } from '@caseline/event-store';

export const intakeMigrations: Migration[] = [
  {
    id: '0001-reference-serials',
    // Each intake replica takes blocks of 50 serials at a time; a restart leaves a gap, never a repeat.
    sql: `CREATE SEQUENCE intake.case_reference_block START WITH 10000000 INCREMENT BY 50 MAXVALUE 99999999;`,
  },
];
