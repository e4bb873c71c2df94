/*
 * The operators' and auditors' command line: `npm run ops -- <command> [options]`. Exit codes: 0 all
 * well, 1 the command found a problem, 2 it could not run (usage, configuration, connection).
 */
import { Command, UsageError } from './command';
import { verifyLog } from './commands/verify-log';
import { timeline } from './commands/timeline';
import { caseAt } from './commands/case-at';
import { rebuild } from './commands/rebuild';
import { importHistory } from './commands/import-history';

const COMMANDS: Command[] = [verifyLog, timeline, caseAt, rebuild, importHistory];

const overview = (): string =>
  ['Usage: npm run ops -- <command> [options]', '', ...COMMANDS.map((c) => `  ${c.name.padEnd(14)} ${c.summary}`), '', 'npm run ops -- <command> --help shows its options.', ''].join('\n');

async function main([name, ...args]: string[]): Promise<number> {
  if (name === '--help') {
    process.stdout.write(overview());
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`${name === undefined ? 'No command given' : `Unknown command ${name}`}\n\n${overview()}`);
    return 2;
  }
  if (args.includes('--help')) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(args);
  } catch (error) {
    process.stderr.write(error instanceof UsageError ? `${error.message}\n\n${command.usage}\n` : `${command.name}: ${(error as Error).message}\n`);
    return 2;
  }
}

// exitCode rather than exit(): what is still being written to a pipe gets out first.
void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
