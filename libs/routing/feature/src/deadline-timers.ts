import { Injectable, Logger, BeforeApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Actor, CaseRouted } from '@caseline/case-contracts';
import type { Statement } from '@caseline/event-store';
import { addBusinessMinutes, BusinessCalendar, businessMinutesBetween } from '@caseline/city-calendar';
import { CaseLog, envInt, failpoint } from '@caseline/service-kit';

export const TIMERS_ACTOR: Actor = { kind: 'service', id: 'routing-timers', name: 'Routing service (deadlines)' };

interface DueTimer {
  case_id: string;
  due_at: Date;
  /** The stored value exactly (microseconds included), to mark this very timer fired. */
  due_key: string;
  reminded: boolean;
  overdue: boolean;
  council_district: string | null;
}

/** The council member of a council district, from the areas in force. */
export type CouncilMemberOf = (district: string) => { district: string; name: string; email?: string } | undefined;

/**
 * Deadline timers that survive crashes: a row per running deadline (written with the event that
 * set it), fired by a poller. Each reminder and escalation is a case command whose event id derives
 * from the case and the deadline, and the decider acts only on the deadline in force and only once
 * for it — so replicas racing, a crash after the append, or a restart can never send one twice.
 */
@Injectable()
export class DeadlineTimers implements BeforeApplicationShutdown {
  private readonly logger = new Logger('DeadlineTimers');
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly caseLog: CaseLog,
  ) {}

  /** The reminder goes out when three quarters of the deadline's working time has passed. */
  static remindAt(calendar: BusinessCalendar, clockStart: Date, dueAt: Date): Date {
    return addBusinessMinutes(calendar, clockStart, Math.floor(0.75 * businessMinutesBetween(calendar, clockStart, dueAt)));
  }

  /** (Re)arms the case's timer for a new deadline, inside the transaction that records it. */
  schedule(caseId: string, routed: Pick<CaseRouted['data'], 'department' | 'queue' | 'dueAt'>, remindAt: Date, councilDistrict?: string): Statement {
    return {
      text: `INSERT INTO routing.deadline_timers (case_id, department, queue, due_at, remind_at, council_district) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (case_id) DO UPDATE SET department = EXCLUDED.department, queue = EXCLUDED.queue, due_at = EXCLUDED.due_at, remind_at = EXCLUDED.remind_at,
              council_district = EXCLUDED.council_district, reminded = false, escalated = false, paused = false`,
      parameters: [caseId, routed.department, routed.queue ?? null, routed.dueAt, remindAt.toISOString(), councilDistrict ?? null],
    };
  }

  /** A moved deadline (after a pause): same timer, new times, nothing fired yet for them. */
  move(caseId: string, dueAt: string, remindAt: Date): Statement {
    return { text: `UPDATE routing.deadline_timers SET due_at = $2, remind_at = $3, reminded = false, escalated = false, paused = false WHERE case_id = $1`, parameters: [caseId, dueAt, remindAt.toISOString()] };
  }

  /** The clock stops while the city waits for the reporter. */
  async pause(caseId: string): Promise<void> {
    await this.dataSource.query('UPDATE routing.deadline_timers SET paused = true WHERE case_id = $1', [caseId]);
  }

  /** Resolved, cancelled or back in triage: no deadline runs. */
  remove(caseId: string): Statement {
    return { text: 'DELETE FROM routing.deadline_timers WHERE case_id = $1', parameters: [caseId] };
  }

  async forget(caseId: string): Promise<void> {
    const { text, parameters } = this.remove(caseId);
    await this.dataSource.query(text, parameters);
  }

  start(councilMemberOf: CouncilMemberOf): void {
    const every = envInt('ROUTING_TIMERS_MS', 1000);
    this.timer = setInterval(() => {
      this.running ??= this.fireDue(councilMemberOf)
        .catch((error: Error) => this.logger.warn(`timers: ${error.message}`))
        .finally(() => (this.running = undefined));
    }, every);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Fires every reminder and escalation that is due; returns when this round is done. */
  async fireDue(councilMemberOf: CouncilMemberOf): Promise<void> {
    const due = await this.dataSource.query<DueTimer[]>(
      `SELECT case_id, due_at, due_at::text AS due_key, reminded, due_at <= now() AS overdue, council_district FROM routing.deadline_timers
        WHERE NOT paused AND NOT escalated AND LEAST(CASE WHEN reminded THEN due_at ELSE remind_at END, due_at) <= now()
        ORDER BY LEAST(remind_at, due_at) LIMIT 100`,
    );
    for (const timer of due) {
      if (timer.overdue) {
        const member = timer.council_district ? councilMemberOf(timer.council_district) : undefined;
        await this.fire(timer, 'escalation', { type: 'EscalateCase', data: { to: member ? ['supervisor', 'council-member'] : ['supervisor'], ...(member ? { councilMember: member } : {}) } }, 'reminded = true, escalated = true');
      } else {
        await this.fire(timer, 'reminder', { type: 'RemindDeadline', data: {} }, 'reminded = true');
      }
    }
  }

  private async fire(timer: DueTimer, kind: string, command: Parameters<CaseLog['execute']>[1], flags: string): Promise<void> {
    const caseId = timer.case_id;
    await this.caseLog.execute(caseId, command, {
      metadata: { actor: TIMERS_ACTOR, channel: 'system', at: new Date().toISOString(), correlationId: caseId },
      reactionTo: { eventId: `${caseId}/${timer.due_at.toISOString()}/${kind}`, consumer: 'routing-timers' },
      // Only the timer this round read: a deadline moved meanwhile has its own, unfired one.
      alongside: () => [{ text: `UPDATE routing.deadline_timers SET ${flags} WHERE case_id = $1 AND due_at = $2::timestamptz`, parameters: [caseId, timer.due_key] }],
    });
    failpoint('routing:after-timer');
  }
}
