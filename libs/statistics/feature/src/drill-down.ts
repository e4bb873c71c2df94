import type { Sql } from '@caseline/event-store';
import type { FiguresFilter } from '@caseline/statistics-domain';

/** Which cases are behind a number (docs/statistics.md names each). */
export const MEASURES = ['received', 'resolved', 'late', 'first-contact', 'repeat', 'backlog', 'overdue'] as const;
export type Measure = (typeof MEASURES)[number];

/** $1 and $2: the period's first and last instant (exclusive end). */
const CONDITIONS: Record<Measure, string> = {
  received: 'c.reported_at >= $1 AND c.reported_at < $2',
  resolved: "c.status = 'resolved' AND c.resolved_at >= $1 AND c.resolved_at < $2",
  late: "c.status = 'resolved' AND c.resolved_at >= $1 AND c.resolved_at < $2 AND c.resolved_at > c.due_at",
  'first-contact': "c.reported_at >= $1 AND c.reported_at < $2 AND c.resolution = 'answered-at-first-contact'",
  repeat: 'c.reported_at >= $1 AND c.reported_at < $2 AND c.duplicate_of IS NOT NULL',
  backlog: 'c.reported_at < $2 AND (c.closed_at IS NULL OR c.closed_at >= $2)',
  overdue: 'c.reported_at < $2 AND (c.closed_at IS NULL OR c.closed_at >= $2) AND c.due_at < $2',
};

export interface DrillDownCase {
  reference: string;
  service: string;
  serviceName: string;
  department: string;
  departmentName: string;
  area: string;
  areaName: string;
  channel: string;
  status: string;
  resolution: string | null;
  reportedAt: string;
  firstActionAt: string | null;
  resolvedAt: string | null;
  dueAt: string | null;
  source: string;
}

export const DRILL_DOWN_COLUMNS: (keyof DrillDownCase)[] = ['reference', 'service', 'serviceName', 'department', 'departmentName', 'area', 'areaName', 'channel', 'status', 'resolution', 'reportedAt', 'firstActionAt', 'resolvedAt', 'dueAt', 'source'];

/** A cursor: the last case of a page (reported_at, case_id), opaque to callers. */
const encode = (reportedAt: string, caseId: string) => Buffer.from(`${reportedAt}|${caseId}`).toString('base64url');
export function decodeCursor(cursor: string): [string, string] | undefined {
  const [at, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  return at && id && !Number.isNaN(Date.parse(at)) && /^[0-9a-f-]{36}$/.test(id) ? [at, id] : undefined;
}

/** The cases behind a figure, oldest report first, a page at a time. */
export async function casesBehind(
  sql: Sql,
  filter: FiguresFilter,
  bounds: { start: string; end: string },
  measure: Measure,
  page: { limit: number; after?: [string, string] },
): Promise<{ cases: DrillDownCase[]; next?: string }> {
  const parameters: unknown[] = [bounds.start, bounds.end];
  const clauses = [CONDITIONS[measure]];
  const add = (clause: string, value: unknown) => {
    parameters.push(value);
    clauses.push(clause.replace('?', `$${parameters.length}`));
  };
  if (filter.department !== undefined) add('c.department = ?', filter.department);
  if (filter.area !== undefined) add('c.area_id = ?', filter.area);
  if (filter.service !== undefined) add('c.service_code = ?', filter.service);
  if (page.after) {
    parameters.push(page.after[0], page.after[1]);
    clauses.push(`(c.reported_at, c.case_id) > ($${parameters.length - 1}::timestamptz, $${parameters.length}::uuid)`);
  }
  parameters.push(page.limit + 1);
  const rows = await sql.query<{ case_id: string; reported: Date; row: DrillDownCase }>(
    `SELECT c.case_id, c.reported_at AS reported, json_build_object(
            'reference', c.reference, 'service', c.service_code, 'serviceName', coalesce(s.name, c.service_code),
            'department', c.department, 'departmentName', coalesce(d.name, c.department), 'area', c.area_id, 'areaName', coalesce(a.name, c.area_id),
            'channel', c.channel, 'status', c.status, 'resolution', c.resolution, 'reportedAt', c.reported_at, 'firstActionAt', c.first_action_at,
            'resolvedAt', c.resolved_at, 'dueAt', c.due_at, 'source', c.source) AS row
       FROM statistics.cases c
       LEFT JOIN statistics.labels s ON s.kind = 'service' AND s.id = c.service_code
       LEFT JOIN statistics.labels d ON d.kind = 'department' AND d.id = c.department
       LEFT JOIN statistics.labels a ON a.kind = 'area' AND a.id = c.area_id
      WHERE ${clauses.join(' AND ')}
      ORDER BY c.reported_at, c.case_id LIMIT $${parameters.length}`,
    parameters,
  );
  const more = rows.length > page.limit;
  const shown = rows.slice(0, page.limit);
  const last = shown[shown.length - 1];
  return { cases: shown.map((r) => r.row), ...(more && last ? { next: encode(last.reported.toISOString(), last.case_id) } : {}) };
}
