import { escapeIdentifier, escapeLiteral } from 'pg';
import type { Sql } from '@caseline/event-store';

/** What a role may do to a table. TRUNCATE, REFERENCES, TRIGGER, DDL and ownership are never granted. */
export type TablePrivilege = 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE';

/**
 * One LOGIN role and all it may touch; anything not listed is denied. `tables` names
 * 'schema.table', or 'schema.*' for every table the schema's migrations made (except its
 * schema_migrations: the owner's record of them); `sequences` likewise, for nextval().
 */
export interface DatabaseRole {
  role: string;
  tables: Record<string, TablePrivilege[]>;
  sequences?: string[];
}

/** A service's role: it appends to the case log, runs the log relay, and keeps its own schema. */
const serviceRole = (role: string, schema: string): DatabaseRole => ({
  role,
  tables: {
    'case_log.events': ['SELECT', 'INSERT'],
    // Every service runs the relay (one publishes at a time, by advisory lock) and moves its checkpoint.
    'case_log.relay_checkpoints': ['SELECT', 'INSERT', 'UPDATE'],
    [`${schema}.*`]: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
  },
  // global_position is a bigserial; intake draws case references from its own sequence.
  sequences: ['case_log.events_global_position_seq', `${schema}.*`],
});

/** Every role of the Caseline database: one per service (by service name), and the auditor. */
export const DATABASE_ROLES = {
  intake: serviceRole('caseline_intake', 'intake'),
  routing: serviceRole('caseline_routing', 'routing'),
  'department-adapter': serviceRole('caseline_department_adapter', 'department_adapter'),
  notification: serviceRole('caseline_notification', 'notification'),
  // The city's figures: a read model it builds from the log (ADR 0016); it appends nothing.
  statistics: {
    role: 'caseline_statistics',
    tables: { 'case_log.events': ['SELECT'], 'statistics.*': ['SELECT', 'INSERT', 'UPDATE', 'DELETE'] },
  },
  // Reads the log, and nothing else.
  auditor: { role: 'caseline_auditor', tables: { 'case_log.events': ['SELECT'] } },
} satisfies Record<string, DatabaseRole>;

export function databaseRoleOf(service: string): DatabaseRole {
  const role = (DATABASE_ROLES as Record<string, DatabaseRole>)[service];
  if (!role) throw new Error(`Service ${service} has no database role: add it to DATABASE_ROLES (libs/shared/service-kit/src/database-roles.ts)`);
  return role;
}

const schemaOf = (name: string): string => name.split('.')[0];
const schemasOf = (role: DatabaseRole): string[] => [...new Set([...Object.keys(role.tables), ...(role.sequences ?? [])].map(schemaOf))];

/** GRANT/REVOKE on 'schema.*' (every table or sequence in it) or on one named object. */
const objects = (name: string, kind: 'TABLE' | 'SEQUENCE'): string =>
  name.endsWith('.*') ? `ALL ${kind}S IN SCHEMA ${escapeIdentifier(schemaOf(name))}` : `${kind} ${name.split('.').map(escapeIdentifier).join('.')}`;

/**
 * Roles are cluster-wide: a start against another database (parallel test runs) may create the
 * same role at the same moment, so losing that race is fine. The password (development only) lets
 * a role sign in where the server asks for one (docker compose, testcontainers).
 */
async function ensureRole(sql: Sql, role: string, password: string | undefined): Promise<void> {
  const [{ exists }] = await sql.query<{ exists: boolean }>('SELECT EXISTS (SELECT FROM pg_roles WHERE rolname = $1) AS exists', [role]);
  if (exists) return;
  try {
    await sql.query(`CREATE ROLE ${escapeIdentifier(role)} LOGIN${password ? ` PASSWORD ${escapeLiteral(password)}` : ''}`);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code !== '42710' && code !== '23505') throw error; // duplicate_object, unique_violation
  }
}

/**
 * As the owner, after the migrations: creates the roles if missing and makes their privileges in
 * this database exactly what DATABASE_ROLES says, in one transaction (running replicas never see
 * a role without its grants). Run after every migration, so tables new since are covered.
 */
export async function grantDatabaseRoles(sql: Sql, roles: DatabaseRole[], password?: string): Promise<void> {
  for (const { role } of roles) await ensureRole(sql, role, password);
  const [{ database }] = await sql.query<{ database: string }>('SELECT current_database() AS database');
  await sql.query('BEGIN');
  try {
    // The same lock as the migrations: concurrent GRANTs on one object fail ("tuple concurrently updated").
    await sql.query("SELECT pg_advisory_xact_lock(hashtext('caseline-migrations'))");
    // Only the roles granted below may connect (or make temporary tables); superusers always may.
    await sql.query(`REVOKE ALL ON DATABASE ${escapeIdentifier(database)} FROM PUBLIC`);
    for (const grant of roles) {
      const role = escapeIdentifier(grant.role);
      await sql.query(`GRANT CONNECT ON DATABASE ${escapeIdentifier(database)} TO ${role}`);
      for (const schema of schemasOf(grant).map(escapeIdentifier)) {
        // Start from nothing in each schema the role names, so a privilege taken out of the table goes.
        await sql.query(`REVOKE ALL ON ALL TABLES IN SCHEMA ${schema} FROM ${role}`);
        await sql.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA ${schema} FROM ${role}`);
        await sql.query(`GRANT USAGE ON SCHEMA ${schema} TO ${role}`);
      }
      for (const [table, privileges] of Object.entries(grant.tables)) {
        await sql.query(`GRANT ${privileges.join(', ')} ON ${objects(table, 'TABLE')} TO ${role}`);
        if (table.endsWith('.*')) await sql.query(`REVOKE ALL ON ${escapeIdentifier(schemaOf(table))}.schema_migrations FROM ${role}`);
      }
      for (const sequence of grant.sequences ?? []) await sql.query(`GRANT USAGE ON ${objects(sequence, 'SEQUENCE')} TO ${role}`);
    }
    await sql.query('COMMIT');
  } catch (error) {
    await sql.query('ROLLBACK');
    throw error;
  }
}

/**
 * Why this connection could do more than its grants (a superuser, a role administrator, or able to
 * act as the owner of the database or of one of the role's schemas), or undefined when it cannot.
 */
export async function excessPrivilege(sql: Sql, role: DatabaseRole): Promise<string | undefined> {
  const [row] = await sql.query<{ user: string; superuser: boolean; createrole: boolean; owner: boolean }>(
    `SELECT current_user AS user, rolsuper AS superuser, rolcreaterole AS createrole,
            pg_has_role((SELECT datdba FROM pg_database WHERE datname = current_database()), 'MEMBER')
              OR EXISTS (SELECT FROM pg_namespace WHERE nspname = ANY($1) AND pg_has_role(nspowner, 'MEMBER')) AS owner
       FROM pg_roles WHERE rolname = current_user`,
    [schemasOf(role)],
  );
  if (row.superuser) return `${row.user} is a superuser`;
  if (row.createrole) return `${row.user} may create roles`;
  if (row.owner) return `${row.user} owns, or may act as the owner of, the database or one of ${schemasOf(role).join(', ')}`;
  return undefined;
}
