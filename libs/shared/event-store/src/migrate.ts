import type { Migration } from './case-log.schema';
import type { SessionConnection } from './log-relay';

const IDENTIFIER = /^[a-z][a-z0-9_]*$/;

/** Applies a schema's migrations once, in order; every replica of every service queues on one lock. */
export async function migrate(connection: SessionConnection, schema: string, migrations: Migration[], log: (line: string) => void = () => undefined): Promise<void> {
  if (!IDENTIFIER.test(schema)) throw new Error(`Invalid schema name ${schema}`);
  try {
    await connection.query("SELECT pg_advisory_lock(hashtext('caseline-migrations'))");
    await connection.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await connection.query(`CREATE TABLE IF NOT EXISTS ${schema}.schema_migrations (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    const applied = new Set((await connection.query<{ id: string }>(`SELECT id FROM ${schema}.schema_migrations`)).map((row) => row.id));
    for (const migration of migrations.filter((m) => !applied.has(m.id))) {
      await connection.query('BEGIN');
      try {
        await connection.query(migration.sql);
        await connection.query(`INSERT INTO ${schema}.schema_migrations (id) VALUES ($1)`, [migration.id]);
        await connection.query('COMMIT');
        log(`Applied migration ${schema}/${migration.id}`);
      } catch (error) {
        await connection.query('ROLLBACK');
        throw error;
      }
    }
  } finally {
    await connection.query("SELECT pg_advisory_unlock(hashtext('caseline-migrations'))").catch(() => undefined);
    await connection.release();
  }
}
