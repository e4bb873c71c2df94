import type { Migration } from '@caseline/event-store';

export const routingMigrations: Migration[] = [
  {
    id: '0001-areas-and-triage',
    sql: `
      -- The city's area layers as routing uses them: seeded from the city's files, replaceable at
      -- run time (every routing replica picks up a new version). The file is kept as sent.
      CREATE TABLE routing.area_layers (
        layer text PRIMARY KEY,
        spec jsonb NOT NULL,
        geojson text NOT NULL,
        sha256 text NOT NULL,
        version integer NOT NULL DEFAULT 1,
        areas integer NOT NULL,
        replaced_at timestamptz NOT NULL DEFAULT now(),
        replaced_by jsonb NOT NULL
      );
      -- Cases waiting for an operator to choose their department (written with the event that sent them there).
      CREATE TABLE routing.triage_queue (
        case_id uuid PRIMARY KEY,
        reference text NOT NULL,
        service_code text NOT NULL,
        service_name text NOT NULL,
        reason text NOT NULL,
        detail text NOT NULL,
        areas jsonb,
        since timestamptz NOT NULL
      );
      CREATE INDEX triage_queue_since ON routing.triage_queue (since, case_id);
    `,
  },
  {
    id: '0002-deadline-timers',
    sql: `
      -- One row per case with a deadline running: when to remind the department's queue and when
      -- the deadline passes. Written in the transaction of the event that sets the deadline, so a
      -- timer exists exactly when the log says a deadline runs; it survives any crash.
      CREATE TABLE routing.deadline_timers (
        case_id uuid PRIMARY KEY,
        department text NOT NULL,
        queue text,
        due_at timestamptz NOT NULL,
        remind_at timestamptz NOT NULL,
        reminded boolean NOT NULL DEFAULT false,
        escalated boolean NOT NULL DEFAULT false,
        paused boolean NOT NULL DEFAULT false,
        council_district text
      );
      CREATE INDEX deadline_timers_next ON routing.deadline_timers (LEAST(remind_at, due_at)) WHERE NOT paused AND NOT escalated;
    `,
  },
  {
    id: '0003-duplicates',
    sql: `
      -- Open located cases that others may duplicate (written with their routing, gone at resolution).
      CREATE TABLE routing.open_cases (
        case_id uuid PRIMARY KEY,
        reference text NOT NULL,
        service_code text NOT NULL,
        service_group text NOT NULL,
        lat double precision NOT NULL,
        long double precision NOT NULL,
        reported_at timestamptz NOT NULL
      );
      CREATE INDEX open_cases_place ON routing.open_cases (lat, long);
      -- Which case follows which (written with the CaseLinked event; settled with the original).
      CREATE TABLE routing.duplicates (
        duplicate_id uuid PRIMARY KEY,
        original_id uuid NOT NULL,
        original_reference text NOT NULL
      );
      CREATE INDEX duplicates_of_original ON routing.duplicates (original_id);
    `,
  },
];
