import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Actor, CaseEventEnvelope, CaseReported, CaseRouted, WorkOrderStatus } from '@caseline/case-contracts';
import { CaseCommand, CaseDomainError } from '@caseline/case-domain';
import { deterministicEventId } from '@caseline/event-store';
import { CaseLog, problem } from '@caseline/service-kit';

export const WORK_QUEUE_SYSTEM = 'Caseline work queue';

export interface QueueItem {
  workOrderId: string;
  caseId: string;
  reference: string;
  serviceCode: string;
  description: string;
  location: unknown;
  dueAt: string;
  status: string;
  createdAt: string;
}

/** What staff do to a work order in the queue, as the case records it. */
export type QueueAction =
  | { action: 'acknowledged' | 'in_progress' }
  | { action: 'scheduled'; scheduledFor: string }
  | { action: 'completed'; note: string }
  | { action: 'not_fixed'; reason: string }
  | { action: 'rejected'; reason: string }
  | { action: 'on_hold'; question: string };

/**
 * The built-in work queue for departments without a system of their own: a routed case becomes a
 * work order here (WorkOrderCreated, system "Caseline work queue"), and the department's staff work
 * it through an API — accept, schedule, start, complete with a note, close as not fixed with the
 * reason, put on hold awaiting the reporter's information, or reject with a reason (routing then
 * refers the case on).
 */
@Injectable()
export class WorkQueue {
  constructor(
    private readonly dataSource: DataSource,
    private readonly caseLog: CaseLog,
  ) {}

  /** Files the routed case in the department's queue, once (a redelivery finds it there). */
  async file(event: CaseEventEnvelope<'CaseRouted', CaseRouted['data']>, reported: CaseReported['data'], actor: Actor): Promise<void> {
    const workOrderId = `Q-${deterministicEventId('work-queue', event.eventId).slice(0, 13).toUpperCase()}`;
    await this.caseLog.execute(
      event.caseId,
      { type: 'RecordWorkOrderCreated', data: { department: event.data.department, system: WORK_QUEUE_SYSTEM, workOrderId } },
      {
        metadata: { actor, channel: 'system', at: new Date().toISOString(), correlationId: event.caseId, causationId: event.eventId },
        reactionTo: { eventId: event.eventId, consumer: 'department-adapter' },
        alongside: (events) =>
          events.length === 0
            ? []
            : [
                {
                  text: `INSERT INTO department_adapter.queue_items (work_order_id, case_id, department, reference, service_code, description, location, due_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (work_order_id) DO NOTHING`,
                  parameters: [workOrderId, event.caseId, event.data.department, reported.reference, reported.serviceCode, reported.description, JSON.stringify(reported.location), event.data.dueAt],
                },
              ],
      },
    );
  }

  /** A cancelled case leaves the queue. */
  async cancel(caseId: string): Promise<void> {
    await this.dataSource.query(`UPDATE department_adapter.queue_items SET status = 'cancelled', updated_at = now() WHERE case_id = $1 AND status NOT IN ('completed', 'not_fixed', 'rejected')`, [caseId]);
  }

  /** The reporter answered: work on hold shows it is ready to go on. */
  async informationReceived(caseId: string): Promise<void> {
    await this.dataSource.query(`UPDATE department_adapter.queue_items SET status = 'information_received', updated_at = now() WHERE case_id = $1 AND status = 'on_hold'`, [caseId]);
  }

  /** The department's open work, the nearest deadline first. */
  async open(department: string, limit: number, reference?: string): Promise<QueueItem[]> {
    return this.dataSource.query<QueueItem[]>(
      `SELECT work_order_id AS "workOrderId", case_id AS "caseId", reference, service_code AS "serviceCode", description, location, due_at AS "dueAt", status, created_at AS "createdAt"
         FROM department_adapter.queue_items WHERE department = $1 AND status NOT IN ('completed', 'not_fixed', 'rejected', 'cancelled') AND ($3::text IS NULL OR reference = $3) ORDER BY due_at, work_order_id LIMIT $2`,
      [department, limit, reference ?? null],
    );
  }

  /** A staff member's action on a work order of their department's queue; 404 if it is not theirs, 409 if the case cannot take it. */
  async act(department: string, workOrderId: string, input: QueueAction, actor: Actor): Promise<QueueItem> {
    const [item] = await this.dataSource.query<{ case_id: string }[]>('SELECT case_id FROM department_adapter.queue_items WHERE department = $1 AND work_order_id = $2', [department, workOrderId]);
    if (!item) throw problem(404, 'Not Found', `Work order ${workOrderId} is not in ${department}'s queue`);
    const command: CaseCommand = { type: 'RecordWorkOrderStatus', data: { department, workOrderId, status: input.action as WorkOrderStatus, departmentStatus: input.action, ...this.details(input) } };
    try {
      await this.caseLog.execute(item.case_id, command, {
        metadata: { actor, channel: 'system', at: new Date().toISOString(), correlationId: item.case_id },
        alongside: () => [{ text: 'UPDATE department_adapter.queue_items SET status = $3, updated_at = now() WHERE department = $1 AND work_order_id = $2', parameters: [department, workOrderId, input.action] }],
      });
    } catch (error) {
      if (error instanceof CaseDomainError) throw problem(409, 'Conflict', error.message);
      throw error;
    }
    const [updated] = await this.dataSource.query<QueueItem[]>(
      `SELECT work_order_id AS "workOrderId", case_id AS "caseId", reference, service_code AS "serviceCode", description, location, due_at AS "dueAt", status, created_at AS "createdAt"
         FROM department_adapter.queue_items WHERE work_order_id = $1`,
      [workOrderId],
    );
    return updated;
  }

  private details(input: QueueAction): { note?: string; scheduledFor?: string } {
    if (input.action === 'completed') return { note: input.note };
    if (input.action === 'rejected' || input.action === 'not_fixed') return { note: input.reason };
    if (input.action === 'on_hold') return { note: input.question };
    if (input.action === 'scheduled') return { scheduledFor: input.scheduledFor };
    return {};
  }
}
