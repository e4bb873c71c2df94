/** The one thing the event store needs from a connection or a transaction: run a query, get rows. */
export interface Sql {
  /**
   * `preparedAs` names a statement run often with the same text: each connection parses and plans
   * it once, then only binds and runs it (an implementation may ignore the name).
   */
  query<Row = Record<string, unknown>>(text: string, parameters?: unknown[], preparedAs?: string): Promise<Row[]>;
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
 * Their placeholders are renumbered; they may hold no other `$` (no dollar quotes). With
 * `rowsOfFirst`, the statement answers with the rows the first write returns (its RETURNING).
 */
export function asOneStatement(writes: Statement[], rowsOfFirst = false): Statement {
  const parameters: unknown[] = [];
  const parts = writes.map((write, index) => {
    const offset = parameters.push(...write.parameters) - write.parameters.length;
    return `write_${index} AS (${write.text.replace(/\$(\d+)/g, (_placeholder, n: string) => `$${Number(n) + offset}`)})`;
  });
  const answer = rowsOfFirst && writes.length > 0 ? 'SELECT * FROM write_0' : `SELECT ${writes.length} AS writes`;
  return { text: `${parts.length > 0 ? `WITH ${parts.join(',\n')}\n` : ''}${answer}`, parameters };
}

/**
 * Group commit for writes of concurrent callers: while one statement is in flight, the writes
 * handed in meanwhile queue and then go together as one (asOneStatement), so a busy consumer
 * handling several partitions at once commits once for several events. Callers must never have
 * writes to the same row in the queue at once (a consumer's events of one case come one after
 * the other, from one partition). Should a combined statement fail, each caller's writes are
 * tried on their own, so one bad write fails only its own caller.
 */
export class WriteBatcher {
  private queue: { writes: Statement[]; resolve: () => void; reject: (error: unknown) => void }[] = [];
  private writing = false;

  constructor(
    private readonly sql: Sql,
    private readonly maxCallers = 32,
  ) {}

  write(writes: Statement[]): Promise<void> {
    if (writes.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ writes, resolve, reject });
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxCallers);
        try {
          await this.run(batch.flatMap((entry) => entry.writes));
          batch.forEach((entry) => entry.resolve());
        } catch (error) {
          if (batch.length === 1) batch[0].reject(error);
          else await Promise.all(batch.map((entry) => this.run(entry.writes).then(entry.resolve, entry.reject)));
        }
      }
    } finally {
      this.writing = false;
    }
  }

  private async run(writes: Statement[]): Promise<void> {
    const { text, parameters } = asOneStatement(writes);
    await this.sql.query(text, parameters);
  }
}
