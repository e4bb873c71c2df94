import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { caseLogMigrations, Migration, SessionConnection, Sql, Transactor } from '@caseline/event-store';

const IDENTIFIER = /^[a-z][a-z0-9_]*$/;

/** Applies a schema's migrations once, in order, with every replica of every service queued on one lock. */
export async function migrate(dataSource: DataSource, schema: string, migrations: Migration[]): Promise<void> {
  if (!IDENTIFIER.test(schema)) throw new Error(`Invalid schema name ${schema}`);
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query("SELECT pg_advisory_lock(hashtext('caseline-migrations'))");
    await runner.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await runner.query(`CREATE TABLE IF NOT EXISTS ${schema}.schema_migrations (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    const applied = new Set((await runner.query(`SELECT id FROM ${schema}.schema_migrations`)).map((row: { id: string }) => row.id));
    for (const migration of migrations.filter((m) => !applied.has(m.id))) {
      await runner.startTransaction();
      try {
        await runner.query(migration.sql);
        await runner.query(`INSERT INTO ${schema}.schema_migrations (id) VALUES ($1)`, [migration.id]);
        await runner.commitTransaction();
        Logger.log(`Applied migration ${schema}/${migration.id}`, 'Migrations');
      } catch (error) {
        await runner.rollbackTransaction();
        throw error;
      }
    }
  } finally {
    await runner.query("SELECT pg_advisory_unlock(hashtext('caseline-migrations'))").catch(() => undefined);
    await runner.release();
  }
}

export const transactorFor =
  (dataSource: DataSource): Transactor =>
  (work) =>
    dataSource.transaction((manager) => work({ query: (text, parameters) => manager.query(text, parameters) }));

export const sqlFor = (dataSource: DataSource): Sql => ({ query: (text, parameters) => dataSource.query(text, parameters) });

export const sessionFor = (dataSource: DataSource) => async (): Promise<SessionConnection> => {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  return { query: (text, parameters) => runner.query(text, parameters), release: () => runner.release() };
};

export const SERVICE_SCHEMA = Symbol('SERVICE_SCHEMA');
export interface ServiceSchema {
  schema: string;
  migrations: Migration[];
}

/** Migrations run on start: the shared case log first, then the service's own schema. */
@Injectable()
export class SchemaMigrations implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(SERVICE_SCHEMA) private readonly service: ServiceSchema,
  ) {}

  async onModuleInit(): Promise<void> {
    await migrate(this.dataSource, 'case_log', caseLogMigrations);
    await migrate(this.dataSource, this.service.schema, this.service.migrations);
  }
}
