/** The one thing the event store needs from a connection or a transaction: run a query, get rows. */
export interface Sql {
  query<Row = Record<string, unknown>>(text: string, parameters?: unknown[]): Promise<Row[]>;
}

/** Runs work in one database transaction (TypeORM's DataSource.transaction fits). */
export type Transactor = <T>(work: (sql: Sql) => Promise<T>) => Promise<T>;
