import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { DATABASE_ROLES, migrationDatabaseUrl, prepareDatabase } from '@caseline/service-kit';
import { cityDay, clientConnection, rebuildFigures, RebuildProgress, statisticsMigrations } from '@caseline/statistics-feature';
import { Command, UsageError } from '../command';

/** The read models the CLI can rebuild (docs/statistics.md). */
const READ_MODELS = ['figures'];

/** rebuild: a read model made again from the case log, into fresh tables swapped in once caught up, while the services run. */
export const rebuild: Command = {
  name: 'rebuild',
  summary: 'rebuilds a read model (figures) from the case log while the system runs',
  usage: [
    'Usage: npm run ops -- rebuild figures [--since <time>] [--batch <events>]',
    '  figures         the CitiStat figures (statistics.cases, daily, daily_durations, labels)',
    '  --since <time>  refold only the cases with events recorded at or after this time (ISO 8601); the rest are kept',
    '  --batch <n>     events per transaction (default 5000)',
    'Builds into fresh tables and swaps them in, in one transaction, when they have caught up with the log;',
    'the live projection pauses for that moment only. Connects as MIGRATION_DATABASE_URL (it creates tables).',
  ].join('\n'),

  async run(args) {
    const { model, since, batch } = parseOptions(args);
    if (model !== 'figures') throw new UsageError(`Unknown read model ${model}`);
    await prepareDatabase({ name: 'statistics', schema: 'statistics', migrations: statisticsMigrations });
    const client = new Client({ connectionString: migrationDatabaseUrl(), application_name: 'caseline-ops-rebuild' });
    await client.connect();
    const progress = progressPrinter();
    try {
      const result = await rebuildFigures(
        clientConnection(client),
        { dayOf: cityDay(), since, batchSize: batch, serviceRole: DATABASE_ROLES.statistics.role, onProgress: progress },
      );
      const seconds = result.elapsedMs / 1000;
      process.stderr.write('\n');
      process.stdout.write(
        `rebuild figures: ${result.events} events in ${seconds.toFixed(1)} s (${Math.round(result.events / Math.max(seconds, 0.001))} events/s)` +
          `${since === undefined ? '' : `, ${result.refolded} cases refolded since ${since}`}; swapped in\n`,
      );
      return 0;
    } finally {
      await client.end();
    }
  },
};

function parseOptions(args: string[]): { model: string; since?: string; batch?: number } {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { since: { type: 'string' }, batch: { type: 'string' } } });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const [model, ...rest] = parsed.positionals;
  if (model === undefined || rest.length > 0) throw new UsageError(`Name one read model: ${READ_MODELS.join(', ')}`);
  const { since, batch } = parsed.values;
  if (since !== undefined && Number.isNaN(Date.parse(since))) throw new UsageError(`--since ${since} is not a time (ISO 8601, e.g. 2026-11-01T00:00:00Z)`);
  if (batch !== undefined && !/^[1-9]\d{0,5}$/.test(batch)) throw new UsageError(`--batch ${batch} is not a number of events (1–999999)`);
  return { model, since: since === undefined ? undefined : new Date(since).toISOString(), batch: batch === undefined ? undefined : Number(batch) };
}

/** A progress bar with the rate on a terminal; a line every 5 s in a log. */
function progressPrinter(): (progress: RebuildProgress) => void {
  let lastLine = 0;
  return ({ events, total, elapsedMs }) => {
    const rate = events / Math.max(elapsedMs / 1000, 0.001);
    const done = total > 0 ? Math.min(events / total, 1) : 1;
    const eta = rate > 0 ? Math.max(total - events, 0) / rate : 0;
    const text = `${Math.round(done * 100)}% ${events.toLocaleString('en-US')}/${total.toLocaleString('en-US')} events  ${Math.round(rate).toLocaleString('en-US')} events/s  eta ${Math.ceil(eta)} s`;
    if (process.stderr.isTTY) {
      const width = 30;
      process.stderr.write(`\r[${'#'.repeat(Math.round(done * width)).padEnd(width, '.')}] ${text}   `);
    } else if (Date.now() - lastLine > 5000 || events >= total) {
      lastLine = Date.now();
      process.stderr.write(`rebuild figures: ${text}\n`);
    }
  };
}
