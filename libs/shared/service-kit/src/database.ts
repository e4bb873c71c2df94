import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { caseLogMigrations, migrate, Migration, SessionConnection, Sql, Transactor } from '@caseline/event-store';
import { databaseUrl, isProduction, migrationDatabaseUrl } from './config';
import { DATABASE_ROLES, databaseRoleOf, grantDatabaseRoles } from './database-roles';

/**
 * Sql over TypeORM: a DataSource (queries on the service's pool, one connection each) or a
 * transaction's EntityManager. A named statement goes to the pg driver as its query config, which
 * prepares it once per connection (TypeORM passes it through).
 */
export const sqlFor = (source: { query(text: string, parameters?: unknown[]): Promise<unknown> }): Sql => ({
  query: (text, parameters, preparedAs) => source.query((preparedAs ? { name: preparedAs, text } : text) as string, parameters) as Promise<never>,
});

export const transactorFor =
  (dataSource: DataSource): Transactor =>
  (work) =>
    dataSource.transaction((manager) => work(sqlFor(manager)));

export const sessionFor = (dataSource: DataSource) => async (): Promise<SessionConnection> => {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  return { ...sqlFor(runner), release: () => runner.release() };
};

export interface ServiceDatabase {
  /** e.g. "department-adapter": names its role in DATABASE_ROLES. */
  name: string;
  /** The service's own PostgreSQL schema and its migrations. */
  schema: string;
  migrations: Migration[];
}

/**
 * As the owner (MIGRATION_DATABASE_URL), on a connection of its own that is closed afterwards: the
 * case log's migrations, the service's, then its role's and the auditor's grants. Runs before the
 * service connects as its role, which may not exist until then.
 */
export async function prepareDatabase(service: ServiceDatabase): Promise<void> {
  const log = (line: string) => Logger.log(line, 'Migrations');
  const client = new Client({ connectionString: migrationDatabaseUrl(), application_name: `caseline-${service.name}-migrations` });
  const session: SessionConnection = { query: async (text, parameters) => (await client.query(text, parameters)).rows, release: async () => undefined };
  await client.connect();
  try {
    await migrate(session, 'case_log', caseLogMigrations, log);
    await migrate(session, service.schema, service.migrations, log);
    // In development every role signs in with the owner's password; in production operators set them (ADR 0012).
    const password = isProduction() ? undefined : decodeURIComponent(new URL(databaseUrl()).password);
    await grantDatabaseRoles(session, [databaseRoleOf(service.name), DATABASE_ROLES.auditor], password);
  } finally {
    await client.end();
  }
}
