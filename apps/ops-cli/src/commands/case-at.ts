import { asCaseEvent, CaseState, evolve, initialState } from '@caseline/case-domain';
import { Command, UsageError } from '../command';
import { readSnapshot } from '../database';
import { findCase, instant, isKnown, parse, summaryOf } from './timeline';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/i;

/** The moment asked for, in ms: a date alone is the end of that day (UTC); a time without a zone is UTC. */
function momentOf(text: string): number {
  const moment = DATE.test(text) ? Date.parse(`${text}T23:59:59.999Z`) : DATE_TIME.test(text) ? Date.parse(/(Z|[+-]\d{2}:\d{2})$/i.test(text) ? text : `${text}Z`) : NaN;
  const day = text.slice(0, 10);
  if (Number.isNaN(moment) || new Date(`${day}T00:00:00Z`).toISOString().slice(0, 10) !== day) {
    throw new UsageError(`${text} is not a time (ISO 8601, e.g. 2025-03-01T14:30:00Z) or a date (2025-03-01)`);
  }
  return moment;
}

/** The state without personal data: no reporter contact (in clear before schema 2), followers' addresses masked as the history masks them. */
function withoutPersonalData(state: CaseState & { exists: true }): Record<string, unknown> {
  const safe: Record<string, unknown> = { ...state };
  delete safe.reporter;
  if (state.followers) safe.followers = state.followers.map((f) => (/^(resident|partner):/.test(f) ? f : f.replace(/^(.).*@/, '$1***@')));
  return safe;
}

/**
 * case-at: the case as it stood at a past moment: its events that had happened by then (by
 * metadata.at, when each happened, rather than recorded_at, when the log stored it), folded in
 * version order by the case decider.
 */
export const caseAt: Command = {
  name: 'case-at',
  summary: 'prints the state of a case as it was at a past moment',
  usage: [
    'Usage: npm run ops -- case-at <reference|case-id> <time> [--json]',
    '  <reference|case-id>    the case reference (e.g. 100-000-123) or its id (a uuid)',
    '  <time>                 ISO 8601 (2025-03-01T14:30:00Z; UTC when no zone is given) or a date (2025-03-01: the end of that day, UTC)',
    '  --json                 the state object (personal data left out) instead',
    'Counts the events that happened (metadata.at) by then, in version order.',
    'Reads DATABASE_URL. Exit code: 0 printed, 1 no such case or not reported yet at that time, 2 usage or connection error.',
  ].join('\n'),

  async run(args) {
    const { values, positionals } = parse(args, 2);
    const [wanted, time] = positionals;
    const moment = momentOf(time);
    const found = await readSnapshot((sql) => findCase(sql, wanted));
    if (!found) {
      process.stderr.write(`case-at: no case ${wanted}\n`);
      return 1;
    }
    const happened = found.events.filter((e) => isKnown(e) && Date.parse(e.metadata.at) <= moment);
    const state = happened.reduce((s, e) => evolve(s, asCaseEvent(e)), initialState());
    const last = happened[happened.length - 1];
    if (!state.exists) {
      process.stderr.write(`case-at: case ${found.reference} was not reported yet at ${instant(moment)} (reported ${instant(found.events[0].metadata.at)})\n`);
      return 1;
    }
    if (values.json) {
      process.stdout.write(`${JSON.stringify(withoutPersonalData(state))}\n`);
      return 0;
    }
    const lines = [
      `Case ${found.reference} (${found.caseId}) at ${instant(moment)}:`,
      `  status      ${state.status}`,
      `  department  ${state.department ? `${state.department}${state.queue ? ` (queue ${state.queue})` : ''}` : '-'}`,
      `  due         ${state.dueAt ? instant(state.dueAt) : '-'}`,
      `  version     ${last.caseVersion} (the log now holds ${found.events[found.events.length - 1].caseVersion})`,
      `  last event  ${instant(last.metadata.at)} v${last.caseVersion}: ${summaryOf(last)}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  },
};
