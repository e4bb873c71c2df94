import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { relayLag } from '@caseline/event-store';
import { CASE_EVENTS_RELAY } from '@caseline/service-kit';
import { asSql } from '@caseline/testing';
import { FaultRig, GROUPS } from './fault-rig';
import { Submission } from './resident-stream';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface LoggedEvent {
  case_id: string;
  case_version: number;
  global_position: string;
  recorded_at: Date;
  type: string;
  data: Record<string, unknown> & { department?: string; workOrderId?: string; description?: string; reference?: string; purpose?: string; channel?: string; reason?: string; relation?: string; notificationId?: string; status?: string; audience?: string };
}

interface DepartmentOrder {
  id: string;
  department: string;
  protocol: string;
  caseReference: string;
  status: string;
  history: { status: string; at: string; updateId?: string }[];
}

interface CaughtMessage {
  messageId?: string;
  to: string;
  subject: string;
}

/** What the reconciliation counted: losses and duplicates must be zero. */
export interface Reconciliation {
  figures: Record<string, number>;
  /** When each message recorded as unconfirmed was recorded so (its lease ran out after a crash), and whether it had gone out. */
  unconfirmed: { at: number; sent: boolean }[];
  losses: string[];
  duplicates: string[];
}

/** How each department takes work orders (config/demo-city/departments.json): its system's adapter, and a mailbox's address. */
function departmentSystems(): Map<string, { adapter: string; to?: string }> {
  const { departments } = JSON.parse(readFileSync(join(__dirname, '../../config/demo-city/departments.json'), 'utf8')) as { departments: { code: string; system?: { adapter: string; to?: string } }[] };
  return new Map(departments.flatMap((d) => (d.system ? [[d.code, d.system] as const] : [])));
}

/**
 * Waits until the system has nothing left to do: every group and the relay caught up, no work
 * order or message waiting, every work order finished by its crew and its case resolved, and the
 * log unchanged a while.
 */
export async function settle(rig: FaultRig, pool: Pool, timeoutMs: number): Promise<number> {
  const started = Date.now();
  let lastPosition = '';
  let waitingFor = '';
  let stuck: { order: DepartmentOrder; caseId: string }[] = [];
  while (Date.now() - started < timeoutMs) {
    try {
      const lags = await Promise.all(GROUPS.map(async (group) => [group, await rig.lag(group)] as const));
      const relay = await relayLag(asSql(pool), CASE_EVENTS_RELAY);
      const { rows } = await pool.query<{ orders: number; messages: number; figures: number; position: string }>(
        `SELECT (SELECT count(*) FROM department_adapter.work_orders WHERE state = 'pending')::int AS orders,
                (SELECT count(*) FROM notification.outbox WHERE state = 'pending')::int AS messages,
                ((SELECT count(*) FROM case_log.events WHERE type = 'CaseReported') - (SELECT count(*) FROM statistics.cases))::int AS figures,
                (SELECT coalesce(max(global_position), 0) FROM case_log.events)::text AS position`,
      );
      const orders = (await (await fetch(`${rig.system.url('department-simulator')}/work-orders`)).json()) as DepartmentOrder[];
      const unfinished = orders.filter((o) => !['completed', 'cancelled', 'rejected'].includes(o.status)).length;
      // A crew's completion reaches the case when its department's system pushes it or is next polled (DEPARTMENT_POLL_MS, 30 s): the log can rest for a while before it does.
      const completed = [...new Set(orders.filter((o) => o.status === 'completed').map((o) => o.caseReference))];
      const { rows: unresolvedCases } = await pool.query<{ case_id: string; reference: string }>(
        `SELECT r.case_id, r.data->>'reference' AS reference FROM case_log.events r
          WHERE r.type = 'CaseReported' AND r.data->>'reference' = ANY($1)
            AND NOT EXISTS (SELECT 1 FROM case_log.events e WHERE e.case_id = r.case_id AND e.type = 'CaseResolved')`,
        [completed],
      );
      stuck = unresolvedCases.flatMap(({ case_id, reference }) => orders.filter((o) => o.caseReference === reference && o.status === 'completed').map((order) => ({ order, caseId: case_id })));
      const behind = lags.filter(([, lag]) => lag > 0).map(([group, lag]) => `${group} ${lag}`);
      waitingFor = [...behind, relay.events ? `relay ${relay.events}` : '', rows[0].orders ? `work orders ${rows[0].orders}` : '', rows[0].messages ? `messages ${rows[0].messages}` : '', rows[0].figures > 0 ? `statistics ${rows[0].figures} cases behind` : '', unfinished ? `crews ${unfinished}` : '', unresolvedCases.length ? `completions not yet on their cases ${unresolvedCases.length}` : ''].filter(Boolean).join(', ');
      if (!waitingFor && rows[0].position === lastPosition) return (Date.now() - started) / 1000;
      lastPosition = rows[0].position;
    } catch (error) {
      waitingFor = (error as Error).message;
    }
    await sleep(3000);
  }
  // What the services that are behind last said (a stalled one's last lines are the clue).
  const behind = ['statistics', ...GROUPS].filter((service) => waitingFor.includes(service));
  const lastWords = rig.system.logs.filter((line) => behind.some((service) => line.startsWith(`[${service}`))).slice(-30).join('');
  throw new Error(`The system did not settle within ${timeoutMs / 1000} s; still waiting for: ${waitingFor || 'the log to stay unchanged'}\n${lastWords}${await stuckCompletions(rig, pool, stuck)}`);
}

/** For completions the crews made that never reached their cases: each order's story in the department's system, its case's, and what the logs say of it. */
async function stuckCompletions(rig: FaultRig, pool: Pool, stuck: { order: DepartmentOrder; caseId: string }[]): Promise<string> {
  const stories = await Promise.all(
    stuck.slice(0, 5).map(async ({ order, caseId }) => {
      const { rows } = await pool.query<{ type: string; data: { workOrderId?: string; status?: string } }>('SELECT type, data FROM case_log.events WHERE case_id = $1 ORDER BY case_version', [caseId]);
      const history = rows.map((e) => (e.data.workOrderId ? `${e.type}(${e.data.workOrderId}${e.data.status ? ` ${e.data.status}` : ''})` : e.type)).join(' → ');
      const told = order.history.map((h) => `${h.status}${h.updateId ? ` [${h.updateId}]` : ''} ${h.at}`).join(', ');
      const said = rig.system.logs.filter((line) => line.includes(order.id)).slice(-8).join('');
      return `\n${order.caseReference}: ${order.department} order ${order.id} (${order.protocol}): ${told}\n  case: ${history}\n${said}`;
    }),
  );
  return stories.length > 0 ? `\ncompletions that did not reach their cases (${stuck.length}; the first ${stories.length}):${stories.join('')}` : '';
}

/**
 * Every report the residents sent against the log, the department system and the mailboxes:
 * each report one case, each history whole and in order, one work order per case routed to a
 * department with a system, each case the crew finished resolved once, each message owed sent once.
 */
export async function reconcile(rig: FaultRig, pool: Pool, submissions: Submission[], run: string): Promise<Reconciliation> {
  const losses: string[] = [];
  const duplicates: string[] = [];
  const unconfirmedMessages: Reconciliation['unconfirmed'] = [];
  const { rows: events } = await pool.query<LoggedEvent>(
    `SELECT e.case_id, e.case_version, e.global_position, e.recorded_at, e.type, e.data
       FROM case_log.events e
      WHERE e.case_id IN (SELECT case_id FROM case_log.events WHERE type = 'CaseReported' AND data->>'description' LIKE $1)
      ORDER BY e.case_id, e.case_version`,
    [`%(${run} #%`],
  );
  const byCase = new Map<string, LoggedEvent[]>();
  for (const event of events) byCase.set(event.case_id, [...(byCase.get(event.case_id) ?? []), event]);

  // Each report exactly one case, and the one intake answered with.
  const casesOfReport = new Map<number, string[]>();
  for (const [caseId, history] of byCase) {
    const n = Number(/ #(\d+)\)$/.exec(history[0].data.description ?? '')?.[1]);
    casesOfReport.set(n, [...(casesOfReport.get(n) ?? []), caseId]);
  }
  for (const submission of submissions) {
    const cases = casesOfReport.get(submission.n) ?? [];
    if (cases.length === 0) losses.push(`report #${submission.n}: no case in the log`);
    if (cases.length > 1) duplicates.push(`report #${submission.n}: ${cases.length} cases`);
    if (submission.caseId && !cases.includes(submission.caseId)) losses.push(`report #${submission.n}: intake answered case ${submission.caseId}, not in the log`);
  }

  // Each history whole and in order: versions 1..n in commit order, starting with the report.
  for (const [caseId, history] of byCase) {
    const inOrder = history.every((event, i) => event.case_version === i + 1 && (i === 0 || BigInt(event.global_position) > BigInt(history[i - 1].global_position)));
    if (!inOrder || history[0].type !== 'CaseReported') losses.push(`case ${caseId}: history out of order or with a gap`);
  }

  const orders = (await (await fetch(`${rig.system.url('department-simulator')}/work-orders`)).json()) as DepartmentOrder[];
  const ordersOf = new Map<string, DepartmentOrder[]>();
  for (const order of orders) ordersOf.set(order.caseReference, [...(ordersOf.get(order.caseReference) ?? []), order]);
  const messages = (await (await fetch(`${rig.system.url('mail-catcher')}/messages`)).json()) as CaughtMessage[];
  const messagesTo = new Map<string, CaughtMessage[]>();
  for (const message of messages) messagesTo.set(message.to, [...(messagesTo.get(message.to) ?? []), message]);
  const systems = departmentSystems();
  // Departments without a system of their own work from Caseline's queue.
  const { rows: queue } = await pool.query<{ reference: string; n: number }>('SELECT reference, count(*)::int AS n FROM department_adapter.queue_items GROUP BY reference');
  const queued = new Map(queue.map((row) => [row.reference, row.n]));
  const figures: Record<string, number> = {
    'reports sent': submissions.length,
    'intake attempts (with retries)': submissions.reduce((sum, s) => sum + s.attempts, 0),
    'cases in the log': byCase.size,
    'case events': events.length,
    'cases routed': 0,
    'cases linked as duplicates': 0,
    'work orders in department systems': 0,
    'cases resolved': 0,
    'messages sent': 0,
    'messages recorded as unconfirmed (crash while sending)': 0,
  };
  const count = (history: LoggedEvent[], type: string, where: (e: LoggedEvent) => boolean = () => true) => history.filter((e) => e.type === type && where(e)).length;

  for (const submission of submissions) {
    const caseId = (casesOfReport.get(submission.n) ?? [])[0];
    const history = caseId ? byCase.get(caseId)! : [];
    if (!caseId) continue;
    const reference = history[0].data.reference!;
    const routed = history.filter((e) => e.type === 'CaseRouted');
    const duplicateOf = count(history, 'CaseLinked', (e) => e.data.relation === 'duplicate-of') > 0;
    if (routed.length) figures['cases routed']++;
    if (duplicateOf) figures['cases linked as duplicates']++;
    // A duplicate is linked to the case it repeats instead of being routed (its reporter follows that case).
    if (!routed.length && !duplicateOf && !count(history, 'CaseSentToTriage')) losses.push(`${reference}: never routed`);
    if (routed.length > 1) duplicates.push(`${reference}: routed ${routed.length} times`);

    // One work order per routed case (a duplicate joins its original's): in the simulated work-order
    // systems by case reference, in a department's mailbox by work-order id, or in Caseline's own
    // queue for departments without a system.
    const recorded = history.filter((e) => e.type === 'WorkOrderCreated');
    const created = recorded.length + count(history, 'WorkOrderRefused');
    const inSimulator = ordersOf.get(reference) ?? [];
    // A mailbox shows an email resent with the same Message-ID once (the adapter resends after a crash between sending and recording).
    const byEmail = new Set(
      recorded.flatMap((e) => {
        const to = systems.get(e.data.department!)?.to;
        return to ? (messagesTo.get(to) ?? []).filter((m) => m.subject.startsWith(`Work order ${e.data.workOrderId}:`)).map((m) => m.messageId ?? m.subject) : [];
      }),
    );
    const delivered = inSimulator.length + byEmail.size + (queued.get(reference) ?? 0);
    const department = routed[0]?.data.department;
    figures['work orders in department systems'] += delivered;
    const owesWorkOrder = routed.length > 0 && !duplicateOf;
    if (owesWorkOrder && created === 0) losses.push(`${reference}: routed, no work order recorded (${department})`);
    if (created > 1) duplicates.push(`${reference}: ${created} work orders recorded`);
    if (delivered > 1) duplicates.push(`${reference}: ${delivered} work orders in the department's system (${department})`);
    if (recorded.length === 1 && delivered === 0) losses.push(`${reference}: work order recorded, none in the department's system (${department})`);
    if (inSimulator.length && recorded.length === 0) losses.push(`${reference}: a work order in the department's system the case does not know`);

    // The crew finished it: the case is resolved, once.
    const resolved = count(history, 'CaseResolved');
    if (resolved) figures['cases resolved']++;
    if (inSimulator.some((o) => o.status === 'completed') && resolved === 0) losses.push(`${reference}: completed by the crew, not resolved`);
    if (resolved > 1) duplicates.push(`${reference}: resolved ${resolved} times`);

    // Every message owed went out once: recorded sent and in the mailbox, or recorded as unconfirmed
    // (the notification service died while sending it: it may have gone, so it is never sent again).
    // The reporter's own messages: a case's history also records what its followers (the reporters of its duplicates) were told.
    const toReporter = (e: LoggedEvent) => e.data.channel === 'email' && e.data.audience === 'reporter';
    const sent = history.filter((e) => e.type === 'ResidentNotified' && toReporter(e));
    const unconfirmed = history.filter((e) => e.type === 'ResidentNotificationFailed' && toReporter(e) && /unconfirmed/.test(e.data.reason ?? ''));
    const inbox = messagesTo.get(submission.report.reporter.email) ?? [];
    figures['messages sent'] += inbox.length;
    figures['messages recorded as unconfirmed (crash while sending)'] += unconfirmed.length;
    // An unconfirmed message went out if the mailbox holds more than those recorded sent (subjects tell which purpose, but not in every language).
    const unconfirmedSent = Math.max(0, inbox.length - sent.length);
    unconfirmed.forEach((e, i) => unconfirmedMessages.push({ at: e.recorded_at.getTime(), sent: i < unconfirmedSent }));
    const subjects = new Set(inbox.map((m) => m.subject));
    if (subjects.size < inbox.length) duplicates.push(`${reference}: ${inbox.length - subjects.size} message(s) sent twice`);
    if (inbox.length < sent.length) losses.push(`${reference}: ${sent.length} messages recorded as sent, ${inbox.length} in the mailbox`);
    // A duplicate's reporter also hears, as a follower, what the original case's history records.
    if (inbox.length > sent.length + unconfirmed.length && !duplicateOf) duplicates.push(`${reference}: ${inbox.length} messages in the mailbox, ${sent.length + unconfirmed.length} recorded`);
    const purposes = [...sent, ...unconfirmed].map((e) => e.data.purpose!);
    if (new Set(purposes).size < purposes.length) {
      // Evidence to tell a message sent twice from two messages owed: their outbox ids, the events that owed them, and what the mailbox holds.
      const records = [...sent, ...unconfirmed].map((e) => `${e.data.purpose} ${String(e.data.notificationId).slice(0, 8)}`);
      const statuses = history.filter((e) => e.type === 'WorkOrderStatusChanged').map((e) => `${String(e.data.status)}@v${e.case_version}`);
      duplicates.push(`${reference}: a purpose recorded twice (${records.join(', ')}; status changes ${statuses.join(', ')}; mailbox ${inbox.map((m) => m.messageId?.slice(1, 9)).join(', ')})`);
    }
    const owed = ['received', ...(routed.length && !duplicateOf ? ['assigned'] : []), ...(resolved ? ['resolved'] : [])];
    for (const purpose of owed) if (!purposes.includes(purpose)) losses.push(`${reference}: the "${purpose}" message was never sent`);
  }

  // The figures read model has every case.
  const { rows: statistics } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM statistics.cases WHERE case_id = ANY($1)', [[...byCase.keys()]]);
  figures['cases in the statistics read model'] = statistics[0].n;
  if (statistics[0].n < byCase.size) losses.push(`statistics: ${byCase.size - statistics[0].n} cases missing from its read model`);

  for (const group of GROUPS) {
    const lag = await rig.lag(group);
    if (lag > 0) losses.push(`consumer group ${group} is ${lag} messages behind`);
  }
  figures['  of which had gone out'] = unconfirmedMessages.filter((m) => m.sent).length;
  figures['  of which had not (told the resident nothing)'] = unconfirmedMessages.filter((m) => !m.sent).length;
  figures.losses = losses.length;
  figures.duplicates = duplicates.length;
  return { figures, unconfirmed: unconfirmedMessages, losses, duplicates };
}
