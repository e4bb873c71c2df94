import { Client } from 'pg';
import type { Sql } from '@caseline/event-store';
import { databaseUrl } from '@caseline/service-kit';

/**
 * Runs `work` in one read-only REPEATABLE READ transaction on DATABASE_URL: a single snapshot of a
 * log the services keep appending to. Reading is all it does, so the auditor's role is enough.
 */
export async function readSnapshot<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: databaseUrl(), application_name: 'caseline-ops' });
  await client.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const result = await work({ query: async <Row>(text: string, parameters?: unknown[]) => (await client.query(text, parameters)).rows as Row[] });
    await client.query('COMMIT');
    return result;
  } finally {
    await client.end();
  }
}
