/** The one thing the event store needs from a connection or a transaction: run a query, get rows. */
export interface Sql {
  query<Row = Record<string, unknown>>(text: string, parameters?: unknown[]): Promise<Row[]>;
}

/** Runs work in one database transaction (TypeORM's DataSource.transaction fits). */
export type Transactor = <T>(work: (sql: Sql) => Promise<T>) => Promise<T>;

/** A parameterized SQL statement, ready to run. */
export interface Statement {
  text: string;
  parameters: unknown[];
}

/**
 * Writes (INSERT, UPDATE or DELETE) run as one statement: each becomes a data-modifying `WITH`
 * query of it, so they all take effect or none, in one round trip and no explicit transaction.
 * They see the same snapshot — none sees another's rows — so they must touch different rows.
 * Their placeholders are renumbered; they may hold no other `$` (no dollar quotes).
 */
export function asOneStatement(writes: Statement[]): Statement {
  const parameters: unknown[] = [];
  const parts = writes.map((write, index) => {
    const offset = parameters.push(...write.parameters) - write.parameters.length;
    return `write_${index} AS (${write.text.replace(/\$(\d+)/g, (_placeholder, n: string) => `$${Number(n) + offset}`)})`;
  });
  return { text: `${parts.length > 0 ? `WITH ${parts.join(',\n')}\n` : ''}SELECT ${writes.length} AS writes`, parameters };
}
