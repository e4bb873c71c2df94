import { open, rename, rm } from 'node:fs/promises';
import { readCsv } from './csv';
import type { CompiledMapping } from './mapping';
import { ImportedCase, NoteKind, RejectionReason, RowMapper } from './row-events';

/** Where imported cases go: the case log (or nothing, for a dry run). */
export interface CaseSink {
  /** Appends those of the cases not in the log yet, all or none; resolves to those it appended. */
  append(cases: ImportedCase[]): Promise<ImportedCase[]>;
}

export interface ImportOptions {
  source: string;
  mapping: CompiledMapping;
  /** The export, as bytes. */
  input: AsyncIterable<Buffer | string> | Iterable<Buffer | string>;
  /** Undefined: a dry run, nothing is written. */
  sink?: CaseSink;
  /** At most this many rows (after the header). */
  limit?: number;
  /** Cases per transaction. */
  batchSize?: number;
  /** Every rejected row is written here as CSV (line, id, reason, detail). */
  reportFile?: string;
  /** Called as rows go by (the caller decides how often to show it). */
  onProgress?: (rows: number) => void;
  /** Examples kept per reason for the report. */
  examples?: number;
}

export interface Rejections {
  count: number;
  examples: { line: number; detail: string }[];
}

export interface ImportResult {
  rows: number;
  imported: number;
  events: number;
  alreadyImported: number;
  rejected: number;
  rejections: Map<RejectionReason, Rejections>;
  /** Per kind of note, how many rows, and how many per value. */
  notes: Map<NoteKind, { count: number; values: Map<string, number> }>;
  seconds: number;
}

const csvField = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

/** The rejected rows' file, written to FILE.partial and renamed once complete (removed if the import fails). */
async function rejectionsFile(file: string) {
  const partial = `${file}.partial`;
  const handle = await open(partial, 'w');
  let lines = ['line,id,reason,detail\n'];
  const flush = async () => {
    await handle.write(lines.join(''));
    lines = [];
  };
  return {
    add: async (line: number, id: string, reason: string, detail: string) => {
      lines.push(`${[String(line), id, reason, detail].map(csvField).join(',')}\n`);
      if (lines.length >= 1000) await flush();
    },
    close: async (complete: boolean) => {
      await flush();
      await handle.close();
      await (complete ? rename(partial, file) : rm(partial, { force: true }));
    },
  };
}

/**
 * Reads an export row by row and appends the cases in batches, one transaction each; a batch is
 * written while the next is being read. Rows that cannot be imported are counted by reason, never
 * written. What was appended stays if a later batch fails: importing again adds only the rest.
 */
export async function importRows(options: ImportOptions): Promise<ImportResult> {
  const { source, mapping, sink, limit = Infinity, batchSize = 500, examples = 5 } = options;
  const started = process.hrtime.bigint();
  const result: ImportResult = { rows: 0, imported: 0, events: 0, alreadyImported: 0, rejected: 0, rejections: new Map(), notes: new Map(), seconds: 0 };
  const report = options.reportFile === undefined ? undefined : await rejectionsFile(options.reportFile);
  let mapper: RowMapper | undefined;
  let batch: ImportedCase[] = [];
  let writing: Promise<void> | undefined;

  const write = async (cases: ImportedCase[]) => {
    const appended = sink ? await sink.append(cases) : cases;
    result.alreadyImported += cases.length - appended.length;
    result.imported += appended.length;
    result.events += appended.reduce((sum, c) => sum + c.events.length, 0);
  };
  const flush = async () => {
    if (batch.length === 0) return;
    await writing;
    const cases = batch;
    batch = [];
    writing = write(cases);
    // Awaited before the next batch or at the end; this only keeps an early failure from being "unhandled".
    writing.catch(() => undefined);
  };

  let complete = false;
  try {
    for await (const record of readCsv(options.input)) {
      if (!mapper) {
        if (record.problem) throw new Error(`the header (line ${record.line}) is not CSV: ${record.problem}`);
        mapper = new RowMapper(source, mapping, record.fields);
        if (limit <= 0) break;
        continue;
      }
      result.rows++;
      const outcome = mapper.map(record);
      if ('rejected' in outcome) {
        const { reason, detail, legacyId } = outcome.rejected;
        result.rejected++;
        const entry = result.rejections.get(reason) ?? { count: 0, examples: [] };
        entry.count++;
        if (entry.examples.length < examples) entry.examples.push({ line: record.line, detail });
        result.rejections.set(reason, entry);
        await report?.add(record.line, legacyId ?? '', reason, detail);
      } else {
        for (const note of outcome.notes) {
          const entry = result.notes.get(note.kind) ?? { count: 0, values: new Map() };
          entry.count++;
          if (note.value !== undefined) entry.values.set(note.value, (entry.values.get(note.value) ?? 0) + 1);
          result.notes.set(note.kind, entry);
        }
        batch.push(outcome.imported);
        if (batch.length >= batchSize) await flush();
      }
      if (result.rows % 1000 === 0) options.onProgress?.(result.rows);
      if (result.rows >= limit) break;
    }
    if (!mapper) throw new Error('the file is empty: no header');
    await flush();
    await writing;
    complete = true;
  } finally {
    await writing?.catch(() => undefined);
    await report?.close(complete);
  }
  result.seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return result;
}
