import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Client, PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/** Writes rows with COPY … FROM STDIN: the statement, and the rows as lines of COPY's text format, a chunk at a time. */
export type CopyRows = (statement: string, chunks: Iterable<string>) => Promise<void>;

/** CopyRows on one client of the pg driver. */
export const copyThrough =
  (client: Client | PoolClient): CopyRows =>
  (statement, chunks) =>
    pipeline(Readable.from(chunks), client.query(copyFrom(statement)));

const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
/** A value in COPY's text format: \N for null, arrays as {…}, tabs, newlines and backslashes escaped. */
export function copyValue(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (Array.isArray(value)) return `{${value.join(',')}}`;
  return String(value).replace(/[\\\t\n\r]/g, (character) => COPY_ESCAPES[character]);
}

/** Rows as COPY's text lines, 10,000 rows to a chunk. */
export function* copyLines(rows: Iterable<unknown[]>): Iterable<string> {
  let lines = '';
  let count = 0;
  for (const row of rows) {
    lines += `${row.map(copyValue).join('\t')}\n`;
    if (++count % 10_000 === 0) {
      yield lines;
      lines = '';
    }
  }
  if (lines) yield lines;
}
