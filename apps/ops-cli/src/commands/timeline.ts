import { parseArgs } from 'node:util';
import { CASE_EVENT_TYPES, CaseEventEnvelope, CaseEventType } from '@caseline/case-contracts';
import { asCaseEvent, summarize } from '@caseline/case-domain';
import { readCase, Sql } from '@caseline/event-store';
import { Command, UsageError } from '../command';
import { readSnapshot } from '../database';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The case named by its reference (as on the resident's receipt) or its id, and its events; none when there is no such case. */
export async function findCase(sql: Sql, referenceOrId: string): Promise<{ caseId: string; reference: string; events: CaseEventEnvelope[] } | undefined> {
  const wanted = referenceOrId.trim();
  const [found] = UUID.test(wanted)
    ? [{ case_id: wanted.toLowerCase() }]
    : await sql.query<{ case_id: string }>(`SELECT case_id FROM case_log.events WHERE type = 'CaseReported' AND data->>'reference' = $1 ORDER BY global_position LIMIT 1`, [wanted.toUpperCase()]);
  const events = found ? await readCase(sql, found.case_id) : [];
  const reported = events.find((e) => e.type === 'CaseReported')?.data as { reference?: string } | undefined;
  return events.length > 0 ? { caseId: found.case_id, reference: reported?.reference ?? '(no reference)', events } : undefined;
}

/** Only the case events this code knows: a type it does not know has no summary, and no effect on the state. */
export const isKnown = (envelope: CaseEventEnvelope): boolean => CASE_EVENT_TYPES.includes(envelope.type as CaseEventType);

/** An ISO 8601 instant in UTC to the second, as the commands print them. */
export const instant = (at: string | number): string => new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The event's line in the history, in plain words (case-history's summaries hold nothing personal). */
export const summaryOf = (envelope: CaseEventEnvelope): string => (isKnown(envelope) ? summarize(asCaseEvent(envelope)) : `${envelope.type} (not a case event this tool knows)`);

/** The envelope without personal data: the reporter's contact (in clear in schema 1, sealed in schema 2) and a follower's address. */
function withoutPersonalData(envelope: CaseEventEnvelope): CaseEventEnvelope {
  const data = { ...(envelope.data as Record<string, unknown>) };
  if (envelope.type === 'CaseReported') {
    delete data.reporter;
    delete data.personal;
  }
  if (envelope.type === 'CaseFollowed' && data.follower && typeof data.follower === 'object' && !('partner' in data.follower)) {
    data.follower = { language: (data.follower as { language?: string }).language };
  }
  return { ...envelope, data };
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]))).join('  ')).join('\n');
}

/** timeline: a case's whole history, one line per event in version order: when, version, who, channel, what happened. */
export const timeline: Command = {
  name: 'timeline',
  summary: "prints a case's history, one line per event, without personal data",
  usage: [
    'Usage: npm run ops -- timeline <reference|case-id> [--json]',
    '  <reference|case-id>    the case reference (e.g. 100-000-123) or its id (a uuid)',
    '  --json                 the events as JSON lines (envelopes, personal data left out) instead',
    'Each line: when it happened (metadata.at, UTC), version, who (actor kind and name), channel, what happened.',
    'Reads DATABASE_URL. Exit code: 0 printed, 1 no such case, 2 usage or connection error.',
  ].join('\n'),

  async run(args) {
    const { values, positionals } = parse(args, 1);
    const found = await readSnapshot((sql) => findCase(sql, positionals[0]));
    if (!found) {
      process.stderr.write(`timeline: no case ${positionals[0]}\n`);
      return 1;
    }
    if (values.json) {
      process.stdout.write(found.events.map((e) => `${JSON.stringify(withoutPersonalData(e))}\n`).join(''));
      return 0;
    }
    const rows = found.events.map((e) => [instant(e.metadata.at), `v${e.caseVersion}`, `${e.metadata.actor.kind} ${e.metadata.actor.name}`, e.metadata.channel ?? '-', summaryOf(e)]);
    process.stdout.write(`Case ${found.reference} (${found.caseId}), ${found.events.length} event${found.events.length === 1 ? '' : 's'}:\n${table(rows)}\n`);
    return 0;
  },
};

/** The options both case commands take: --json, and `count` positional arguments. */
export function parse(args: string[], count: number): { values: { json?: boolean }; positionals: string[] } {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { json: { type: 'boolean' } }, allowPositionals: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (parsed.positionals.length !== count) throw new UsageError(`Expected ${count === 1 ? 'a case' : `${count} arguments`}, got ${parsed.positionals.length === 0 ? 'none' : parsed.positionals.join(' ')}`);
  return parsed;
}
