import { Pool } from 'pg';
import type { SessionConnection, Sql, Transactor } from '@caseline/event-store';

/** The test run's database (a fresh one per run, created by tools/jest/global-setup.js). */
export const testPool = (max = 10): Pool => new Pool({ connectionString: process.env.DATABASE_URL, max });

export const asSql = (client: { query: Pool['query'] }): Sql => ({
  query: async <Row>(text: string, parameters?: unknown[], preparedAs?: string) => (await client.query(preparedAs ? { name: preparedAs, text } : text, parameters as unknown[])).rows as Row[],
});

/** A dedicated connection (for transactions held open on purpose, and advisory locks). */
export const sessionOf = (pool: Pool) => async (): Promise<SessionConnection> => {
  const client = await pool.connect();
  return { ...asSql(client), release: async () => client.release() };
};

/** Runs work in one transaction on a connection of the pool (committed, or rolled back if it throws). */
export const transactionOf =
  (pool: Pool): Transactor =>
  async (work) => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(asSql(client));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  };

/**
 * What a superuser can do to the case log: switch the append-only trigger off, run one statement,
 * switch it back on (ENABLE ALWAYS, as the migration left it) — one transaction, so no other session
 * ever sees the table unguarded. For tests of tamper evidence.
 */
export const alterLogAsSuperuser = (pool: Pool, statement: string, parameters: unknown[]): Promise<void> =>
  transactionOf(pool)(async (sql) => {
    await sql.query('ALTER TABLE case_log.events DISABLE TRIGGER events_append_only');
    await sql.query(statement, parameters);
    await sql.query('ALTER TABLE case_log.events ENABLE ALWAYS TRIGGER events_append_only');
  });
