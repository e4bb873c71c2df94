import type { Migration } from '@caseline/event-store';

/**
 * The read model behind the city's figures (docs/statistics.md), built only by the projection
 * (projection.ts) from the case log and rebuildable from it at any time (`npm run ops -- rebuild`):
 * - cases: one row per case, its facts (nothing personal);
 * - daily: additive counts per department, area and request type, for each local day, week
 *   (Monday to Sunday) and month (span 'day', 'week', 'month', `day` its first day): a period adds
 *   up from its whole months, then whole weeks, then odd days (coveringSpans);
 * - daily_durations: time-to-first-action and time-to-resolve histograms per department and area,
 *   in the same spans;
 * - labels: the names of departments, areas and request types as last seen;
 * - checkpoints: where in the log each projection stands, moved in the same transaction as its rows.
 */
export const statisticsMigrations: Migration[] = [
  {
    id: '0001-figures',
    sql: `
      CREATE TABLE statistics.cases (
        case_id uuid PRIMARY KEY,
        reference text NOT NULL,
        source text NOT NULL,
        service_code text NOT NULL,
        channel text NOT NULL,
        department text NOT NULL,
        area_id text NOT NULL,
        lat double precision,
        long double precision,
        reported_at timestamptz NOT NULL,
        first_action_at timestamptz,
        status text NOT NULL,
        resolved_at timestamptz,
        resolution text,
        closed_at timestamptz,
        due_at timestamptz,
        duplicate_of uuid,
        referral_hops integer NOT NULL,
        reopened integer NOT NULL,
        escalated boolean NOT NULL,
        satisfaction smallint,
        first_action_bucket smallint,
        resolve_bucket smallint
      );
      CREATE INDEX cases_reported ON statistics.cases (reported_at);
      CREATE INDEX cases_resolved ON statistics.cases (resolved_at);
      CREATE INDEX cases_department ON statistics.cases (department, reported_at);
      CREATE INDEX cases_area ON statistics.cases (area_id, reported_at);
      CREATE INDEX cases_service ON statistics.cases (service_code, reported_at);
      CREATE INDEX cases_closed ON statistics.cases (closed_at);
      CREATE INDEX cases_open ON statistics.cases (reported_at) WHERE closed_at IS NULL;

      CREATE TABLE statistics.daily (
        span text NOT NULL CHECK (span IN ('day', 'week', 'month')),
        day date NOT NULL,
        department text NOT NULL,
        area_id text NOT NULL,
        service_code text NOT NULL,
        received integer NOT NULL DEFAULT 0,
        web integer NOT NULL DEFAULT 0,
        mobile integer NOT NULL DEFAULT 0,
        phone integer NOT NULL DEFAULT 0,
        email integer NOT NULL DEFAULT 0,
        ivr integer NOT NULL DEFAULT 0,
        in_person integer NOT NULL DEFAULT 0,
        api integer NOT NULL DEFAULT 0,
        system integer NOT NULL DEFAULT 0,
        first_contact integer NOT NULL DEFAULT 0,
        repeat_contacts integer NOT NULL DEFAULT 0,
        resolved integer NOT NULL DEFAULT 0,
        resolved_with_due integer NOT NULL DEFAULT 0,
        resolved_late integer NOT NULL DEFAULT 0,
        referral_hops integer NOT NULL DEFAULT 0,
        referred integer NOT NULL DEFAULT 0,
        reopened integer NOT NULL DEFAULT 0,
        satisfaction_count integer NOT NULL DEFAULT 0,
        satisfaction_sum integer NOT NULL DEFAULT 0,
        PRIMARY KEY (span, day, department, area_id, service_code)
      );

      CREATE TABLE statistics.daily_durations (
        span text NOT NULL CHECK (span IN ('day', 'week', 'month')),
        day date NOT NULL,
        department text NOT NULL,
        area_id text NOT NULL,
        measure text NOT NULL,
        histogram integer[] NOT NULL,
        PRIMARY KEY (span, day, department, area_id, measure)
      );

      CREATE TABLE statistics.labels (
        kind text NOT NULL,
        id text NOT NULL,
        name text NOT NULL,
        PRIMARY KEY (kind, id)
      );

      CREATE TABLE statistics.checkpoints (
        projection text PRIMARY KEY,
        transaction_id xid8 NOT NULL,
        global_position bigint NOT NULL,
        events bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );

      -- Element-wise sum of two histograms (the shorter one is zero beyond its end).
      CREATE FUNCTION statistics.add_histograms(a integer[], b integer[]) RETURNS integer[]
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
          SELECT coalesce(array_agg(coalesce(a[i], 0) + coalesce(b[i], 0) ORDER BY i), '{}')
            FROM generate_series(1, greatest(coalesce(cardinality(a), 0), coalesce(cardinality(b), 0))) AS i
        $$;
    `,
  },
];

/** The tables a rebuild makes afresh and swaps in together. */
export const FIGURES_TABLES = ['cases', 'daily', 'daily_durations', 'labels'] as const;
