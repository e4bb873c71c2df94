import { createReadStream } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { Anchor, BrokenLink, CaseVerdict, LogVerdict, verifyCaseLog } from '@caseline/event-store';
import { caseLogChainKeys } from '@caseline/service-kit';
import { Command, UsageError } from '../command';
import { readSnapshot } from '../database';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** verify-log: checks each case's hash chain in the case log (ADR 0011) and reports the first broken link of each broken case. */
export const verifyLog: Command = {
  name: 'verify-log',
  summary: "checks every case's hash chain in the case log and reports broken links",
  usage: [
    'Usage: npm run ops -- verify-log [--case <uuid>] [--anchors FILE] [--write-anchors FILE]',
    '  --case <uuid>          only this case',
    '  --anchors FILE         also compare with heads recorded earlier: finds cases that lost their newest events or vanished',
    '  --write-anchors FILE   record the head (version and link) of each intact case, to keep outside the database',
    'Reads DATABASE_URL and CASE_LOG_CHAIN_KEYS ("id:key,…", as the services have them).',
    'Exit code: 0 intact, 1 broken, 2 usage or connection error.',
  ].join('\n'),

  async run(args) {
    const options = parseOptions(args);
    const anchors = options.anchors === undefined ? undefined : await readAnchors(options.anchors);
    const keys = caseLogChainKeys();
    const writer = options.writeAnchors === undefined ? undefined : await anchorWriter(options.writeAnchors);
    const verdict = await readSnapshot((sql) => verifyCaseLog(sql, keys, { caseId: options.caseId, anchors, onCase: writer?.add }));
    await writer?.close();
    process.stdout.write(report(verdict, anchors, writer));
    return verdict.broken.length === 0 ? 0 : 1;
  },
};

function parseOptions(args: string[]): { caseId?: string; anchors?: string; writeAnchors?: string } {
  let values;
  try {
    ({ values } = parseArgs({ args, options: { case: { type: 'string' }, anchors: { type: 'string' }, 'write-anchors': { type: 'string' } } }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.case !== undefined && !UUID.test(values.case)) throw new UsageError(`--case ${values.case} is not a case id (a uuid)`);
  return { caseId: values.case?.toLowerCase(), anchors: values.anchors, writeAnchors: values['write-anchors'] };
}

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

function report(verdict: LogVerdict, anchors: ReadonlyMap<string, Anchor> | undefined, writer: AnchorWriter | undefined): string {
  const position = (link: BrokenLink) => (link.globalPosition === undefined ? '' : ` (global position ${link.globalPosition})`);
  const lines = verdict.broken.map((link) => `BROKEN case ${link.caseId} version ${link.version}${position(link)}: ${link.problem}: ${link.detail}`);
  if (anchors) lines.push(`compared with ${plural(anchors.size, 'anchor')}`);
  if (writer) lines.push(`wrote ${plural(writer.written, 'anchor')} to ${writer.file}${verdict.broken.length > 0 ? ' (broken cases left out)' : ''}`);
  lines.push(`verify-log: ${plural(verdict.cases, 'case')}, ${plural(verdict.events, 'event')} checked (${verdict.unchained} from before the chain began), ${verdict.broken.length} broken`);
  return `${lines.join('\n')}\n`;
}

/**
 * An anchor file: one line per case, "case-id version link", the link in hex ("-" for a case never
 * linked); lines starting with # are comments.
 */
async function readAnchors(file: string): Promise<Map<string, Anchor>> {
  const anchors = new Map<string, Anchor>();
  let number = 0;
  try {
    for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
      number++;
      if (line.trim() === '' || line.startsWith('#')) continue;
      const [caseId, version, link] = line.trim().split(/\s+/);
      if (!UUID.test(caseId) || !/^\d+$/.test(version ?? '') || !/^([0-9a-f]{64}|-)$/.test(link ?? '')) throw new UsageError(`${file}:${number}: not an anchor ("case-id version link")`);
      anchors.set(caseId.toLowerCase(), { version: Number(version), link: link === '-' ? null : Buffer.from(link, 'hex') });
    }
  } catch (error) {
    throw error instanceof UsageError ? error : new UsageError(`Cannot read the anchors: ${(error as Error).message}`);
  }
  return anchors;
}

interface AnchorWriter {
  file: string;
  written: number;
  add(verdict: CaseVerdict): Promise<void>;
  close(): Promise<void>;
}

/**
 * Writes heads as the walk goes, to FILE.partial, renamed to FILE once complete: a failed run never
 * leaves a truncated anchor file where the last good one was. Broken cases are left out, so that
 * their state never becomes the reference they are judged by.
 */
async function anchorWriter(file: string): Promise<AnchorWriter> {
  const partial = `${file}.partial`;
  const handle = await open(partial, 'w');
  let lines = [`# caseline case-log anchors, ${new Date().toISOString()}: case-id version link\n`];
  const flush = async () => {
    await handle.write(lines.join(''));
    lines = [];
  };
  const writer: AnchorWriter = {
    file,
    written: 0,
    add: async ({ caseId, head, broken }) => {
      if (broken) return;
      lines.push(`${caseId} ${head.version} ${head.link?.toString('hex') ?? '-'}\n`);
      writer.written++;
      if (lines.length >= 1000) await flush();
    },
    close: async () => {
      await flush();
      await handle.close();
      await rename(partial, file);
    },
  };
  return writer;
}
