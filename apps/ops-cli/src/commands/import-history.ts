import { constants, createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { appendNewCases, caseLogMigrations, migrate, Sql, WrongExpectedVersion } from '@caseline/event-store';
import { caseLogChainKeys, databaseUrl } from '@caseline/service-kit';
import { Command, UsageError } from '../command';
import { CaseSink, ImportResult, importRows } from '../import/importer';
import { CompiledMapping, importMappingsDir, loadMapping } from '../import/mapping';
import { ImportedCase, NoteKind, REJECTION_LABELS } from '../import/row-events';

const SOURCE = /^[a-z0-9]+(-[a-z0-9]+)*$/;

interface Options {
  source: string;
  file: string;
  mappingFile: string;
  dryRun: boolean;
  limit?: number;
  reportFile?: string;
}

/** import-history: a legacy 311 system's CSV export becomes cases in the log, with their past (once, however often it runs). */
export const importHistory: Command = {
  name: 'import-history',
  summary: "imports a legacy 311 system's CSV export as case history, once",
  usage: [
    'Usage: npm run ops -- import-history --source <name> <file.csv> [--dry-run] [--limit N] [--report FILE] [--mapping FILE]',
    '  --source <name>   the legacy system, e.g. baltimore: its mapping is config/imports/<name>.json (IMPORT_MAPPINGS_DIR moves the',
    '                    directory), and each case id derives from it and the row\'s legacy id',
    '  --dry-run         read and check every row, write nothing (needs no database)',
    '  --limit N         only the first N rows',
    '  --report FILE     every rejected row as CSV: line, id, reason, detail',
    '  --mapping FILE    this mapping instead of config/imports/<name>.json',
    'Each row becomes CaseReported, CaseRouted and, when closed, CaseResolved, at the times the legacy system recorded,',
    'marked imported (metadata.importedFrom): they feed read models, no service acts on them. Cases already in the log',
    'are skipped, so a file may be imported again (after an interruption, or with more rows).',
    'Reads DATABASE_URL and CASE_LOG_CHAIN_KEYS ("id:key,…", as the services have them).',
    'Exit code: 0 every row imported (or already), 1 rows rejected, 2 usage, mapping, file or connection error.',
  ].join('\n'),

  async run(args) {
    const options = parseOptions(args);
    const mapping = loadMapping(options.mappingFile);
    try {
      await access(options.file, constants.R_OK);
    } catch (error) {
      throw new UsageError(`Cannot read ${options.file}: ${(error as Error).message}`);
    }
    const client = options.dryRun ? undefined : new Client({ connectionString: databaseUrl(), application_name: 'caseline-ops-import' });
    await client?.connect();
    try {
      // A city's first import may come before any service has started: the log is made as they would make it.
      if (client) await migrate({ query: async (text, parameters) => (await client.query(text, parameters)).rows, release: async () => undefined }, 'case_log', caseLogMigrations);
      const result = await importRows({
        source: options.source,
        mapping,
        input: createReadStream(options.file, { highWaterMark: 1 << 16 }),
        sink: client && caseLogSink(client),
        limit: options.limit,
        reportFile: options.reportFile,
        onProgress: progress(),
      });
      process.stdout.write(report(options, mapping, result));
      return result.rejected === 0 ? 0 : 1;
    } finally {
      await client?.end();
    }
  },
};

function parseOptions(args: string[]): Options {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { source: { type: 'string' }, 'dry-run': { type: 'boolean' }, limit: { type: 'string' }, report: { type: 'string' }, mapping: { type: 'string' } },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.source === undefined) throw new UsageError('--source is missing: which legacy system the file comes from');
  if (!SOURCE.test(values.source)) throw new UsageError(`--source ${values.source}: lower-case letters, digits and dashes (it is part of every imported case's id)`);
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'Which file? One CSV file is needed' : `One file at a time (got ${positionals.join(', ')})`);
  if (values.limit !== undefined && !/^\d+$/.test(values.limit)) throw new UsageError(`--limit ${values.limit} is not a number of rows`);
  const mappingFile = values.mapping ?? join(importMappingsDir(), `${values.source}.json`);
  return {
    source: values.source,
    file: positionals[0],
    mappingFile,
    dryRun: values['dry-run'] ?? false,
    limit: values.limit === undefined ? undefined : Number(values.limit),
    reportFile: values.report,
  };
}

/**
 * The case log, one transaction per batch: the cases whose ids are in the log already are left out,
 * the others appended in one statement. Should another import append some of them in between, the
 * append fails as a whole and the batch is looked at again.
 */
function caseLogSink(client: Client): CaseSink {
  const keys = caseLogChainKeys();
  const sql: Sql = { query: async <Row>(text: string, parameters?: unknown[]) => (await client.query(text, parameters)).rows as Row[] };
  return {
    async append(cases: ImportedCase[]) {
      for (let attempt = 1; ; attempt++) {
        await client.query('BEGIN');
        try {
          const rows = await sql.query<{ case_id: string }>('SELECT DISTINCT case_id FROM case_log.events WHERE case_id = ANY($1::uuid[])', [cases.map((c) => c.caseId)]);
          const existing = new Set(rows.map((row) => row.case_id));
          const fresh = cases.filter((c) => !existing.has(c.caseId));
          if (fresh.length > 0) await appendNewCases(sql, fresh.map(({ caseId, events }) => ({ caseId, events })), keys);
          await client.query('COMMIT');
          return fresh;
        } catch (error) {
          await client.query('ROLLBACK');
          if (error instanceof WrongExpectedVersion && attempt < 3) continue;
          throw error;
        }
      }
    },
  };
}

/** Rows read so far, on stderr: as it goes on a terminal, else every 10,000 rows. */
function progress(): (rows: number) => void {
  const started = Date.now();
  const tty = process.stderr.isTTY === true;
  let shown = 0;
  return (rows) => {
    const now = Date.now();
    const line = `import-history: ${rows} rows, ${Math.round(rows / Math.max((now - started) / 1000, 0.001))} rows/s`;
    if (tty && now - shown >= 500) {
      shown = now;
      process.stderr.write(`\r${line}\x1b[K`);
    } else if (!tty && rows % 10000 === 0) {
      process.stderr.write(`${line}\n`);
    }
  };
}

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

function valuesOf(values: Map<string, number>, shown = 5): string {
  const sorted = [...values].sort((a, b) => b[1] - a[1]);
  const listed = sorted.slice(0, shown).map(([value, count]) => `"${value}" ${count}`);
  if (sorted.length > shown) listed.push(`${sorted.length - shown} more`);
  return listed.length > 0 ? `: ${listed.join(', ')}` : '';
}

function report(options: Options, { mapping }: CompiledMapping, result: ImportResult): string {
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  const lines = [`import-history ${options.source} (${mapping.description}): ${options.file}`];
  if (result.rejected > 0) {
    lines.push(`rejected ${plural(result.rejected, 'row')}:`);
    for (const [reason, { count, examples }] of [...result.rejections].sort((a, b) => b[1].count - a[1].count)) {
      lines.push(`  ${REJECTION_LABELS[reason]}: ${count}`);
      for (const { line, detail } of examples) lines.push(`    line ${line}: ${detail}`);
    }
    if (options.reportFile) lines.push(`  every rejected row is in ${options.reportFile}`);
  }
  const { times, position, area, channel, status } = mapping;
  const box = position && `${position.within.south}..${position.within.north}, ${position.within.west}..${position.within.east}`;
  const describe: Record<NoteKind, (count: number, values: Map<string, number>) => string> = {
    'no-due-date': (n) => `${n} without a due date (${times.due ?? 'no column'}): due ${times.defaultDueDays} days after the report, as CaseRouted's reason says`,
    'position-outside': (n, v) => `${n} with a position outside ${box}, taken as unknown${valuesOf(v)}`,
    'no-position': (n) => `${n} without a position`,
    'no-area': (n) => `${n} without a ${area?.column}, so no area`,
    'area-not-recognized': (n, v) => `${n} with a ${area?.column} the mapping does not recognize, so no area${valuesOf(v)}`,
    'channel-not-mapped': (n, v) => `${n} with a ${channel.column} the mapping does not name, taken as ${channel.otherwise}${valuesOf(v)}`,
    'closed-without-time': (n, v) => `${n} closed without a closed time (${times.closed ?? 'no column'}), so left open${valuesOf(v)}`,
    'closed-time-but-open': (n, v) => `${n} with a closed time but a ${status.column} that is not closed, so left open${valuesOf(v)}`,
    'time-skipped': (n, v) => `${n} with a time the clocks skipped (spring forward), read with the offset before the change${valuesOf(v, 3)}`,
    'time-repeated': (n, v) => `${n} with a time the clocks showed twice (fall back), read as the first${valuesOf(v, 3)}`,
  };
  if (result.notes.size > 0) {
    lines.push('notes on the rows not rejected:');
    for (const [kind, { count, values }] of result.notes) lines.push(`  ${describe[kind](count, values)}`);
  }
  const speed = `${result.seconds.toFixed(1)} s, ${Math.round(result.rows / Math.max(result.seconds, 0.001))} rows/s`;
  const imported = options.dryRun
    ? `${result.imported} would be imported (${plural(result.events, 'event')}; dry run: nothing written, the log not read)`
    : `${result.imported} imported (${plural(result.events, 'event')}), ${result.alreadyImported} already imported`;
  lines.push(`import-history: ${plural(result.rows, 'row')} read, ${imported}, ${result.rejected} rejected (${speed})`);
  return `${lines.join('\n')}\n`;
}
