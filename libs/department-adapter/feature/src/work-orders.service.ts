import { Injectable, Logger, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Actor, CaseEventEnvelope, CaseReported, CaseRouted } from '@caseline/case-contracts';
import { CaseDomainError } from '@caseline/case-domain';
import { Department, loadCityConfig } from '@caseline/city-config';
import { deterministicEventId } from '@caseline/event-store';
import { PermanentMessageError } from '@caseline/messaging';
import { asDelivery, CaseLog, currentTraceparent, env, envInt, ExecuteOptions, failpoint, Metrics, problem, SmtpSender, sqlFor, WorkLoop } from '@caseline/service-kit';
import { createDepartmentSystems, DepartmentStatusChange, DepartmentSystemClient, WorkOrderRefusedError, WorkOrderRequest, WorkOrderUpdate } from './adapter-contract';
import { CircuitBreaker } from './circuit-breaker';
import { WorkQueue } from './work-queue';

export const ADAPTER_ACTOR: Actor = { kind: 'service', id: 'department-adapter', name: 'Department adapter' };

interface PendingWorkOrder {
  id: string;
  case_id: string;
  department: string;
  /** The event it answers: the routing for a work order, the cancellation or added information for an update. */
  routed_event_id: string;
  kind: 'create' | 'cancel' | 'information';
  request: WorkOrderRequest | WorkOrderUpdate;
  attempts: number;
  /** Its place in the case's order: what was enqueued for a case first reaches the department first. */
  seq: string;
  /** The trace of the event that owed it (ADR 0017). */
  traceparent: string | null;
  /** Our lease, as PostgreSQL wrote it (text keeps its microseconds for an exact comparison). */
  lease: string;
}

/** A status change as a department pushes it, in its own words (mapped by its adapter's status map). */
export interface PushedStatus {
  updateId: string;
  workOrderId: string;
  status: string;
  note?: string;
  scheduledFor?: string;
  /** The staff member who made the change, where the system says. */
  by?: string;
}

/** Statuses after which a department does nothing more with a work order. */
const FINISHED = new Set(['completed', 'not_fixed', 'rejected']);

@Injectable()
export class WorkOrdersService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WorkOrdersService.name);
  private readonly departments: Map<string, Department>;
  private readonly systems: Map<string, DepartmentSystemClient>;
  /** How long a dispatcher owns a work order it is delivering; a crashed one's work is retried after it. */
  private readonly leaseSeconds = envInt('WORK_ORDER_LEASE_SECONDS', 15);
  private readonly publicUrl = env('DEPARTMENT_ADAPTER_PUBLIC_URL', `http://127.0.0.1:${process.env.DEPARTMENT_ADAPTER_PORT ?? 3002}`);
  /** Deliveries under way at once for any one department (its system's share of our attention). */
  private readonly perDepartment = envInt('WORK_ORDER_CONCURRENCY_PER_DEPARTMENT', 8);
  /** After this many failed deliveries a work order waits for an operator (dead-letter list), never dropped. */
  private readonly maxAttempts = envInt('WORK_ORDER_MAX_ATTEMPTS', 40);
  private readonly breakers = new Map<string, CircuitBreaker>();
  private readonly underWay = new Map<string, number>();
  private readonly deliveries = new Set<Promise<void>>();
  private readonly dispatcher = new WorkLoop('dispatcher', () => this.dispatchDue(), 250, this.logger);
  /**
   * Orders may be due that were not leased: new ones came, or a department's room was full or
   * filled. Only then does a finished delivery look again at once; otherwise the next tick does.
   */
  private mayBeDue = true;
  private readonly wake = () => {
    this.mayBeDue = true;
    this.dispatcher.wake();
  };

  constructor(
    private readonly dataSource: DataSource,
    private readonly caseLog: CaseLog,
    private readonly queue: WorkQueue,
    mailer: SmtpSender,
    private readonly metrics: Metrics,
  ) {
    const config = loadCityConfig();
    this.departments = new Map(config.departments.map((d) => [d.code, d]));
    this.systems = createDepartmentSystems([...this.departments.values()], { publicUrl: this.publicUrl, timeZone: config.city.timeZone, sendEmail: (email) => mailer.send(email) });
    for (const department of this.systems.keys()) {
      this.breakers.set(department, new CircuitBreaker(envInt('DEPARTMENT_BREAKER_THRESHOLD', 10), envInt('DEPARTMENT_BREAKER_PAUSE_MS', 10_000), envInt('DEPARTMENT_BREAKER_MAX_PAUSE_MS', 30_000)));
    }
  }

  /** A routed case becomes a pending work order; delivery happens apart, so one slow department blocks no other. */
  async enqueue(event: CaseEventEnvelope<'CaseRouted', CaseRouted['data']>): Promise<void> {
    const history = await this.caseLog.history(event.caseId);
    const reported = history.find((e) => e.type === 'CaseReported') as CaseEventEnvelope<'CaseReported', CaseReported['data']> | undefined;
    if (!reported) throw new PermanentMessageError(`Case ${event.caseId} has no CaseReported event`);
    // A department without a system of its own works from Caseline's queue.
    if (!this.systems.has(event.data.department)) return this.queue.file(event, reported.data, ADAPTER_ACTOR);
    const request: WorkOrderRequest = {
      caseReference: reported.data.reference,
      serviceCode: reported.data.serviceCode,
      serviceName: reported.data.serviceName,
      description: reported.data.description,
      location: reported.data.location,
      ...(event.data.priority ? { priority: event.data.priority } : {}),
      dueAt: event.data.dueAt,
      callbackUrl: `${this.publicUrl}/v1/department-systems/${encodeURIComponent(event.data.department)}/status-updates`,
      ...(reported.data.mediaUrl ? { mediaUrl: reported.data.mediaUrl } : {}),
    };
    await this.dataSource.query(
      `INSERT INTO department_adapter.work_orders (id, case_id, department, routed_event_id, request, traceparent) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (id) DO NOTHING`,
      [deterministicEventId('work-order', event.eventId), event.caseId, event.data.department, event.eventId, JSON.stringify(request), currentTraceparent() ?? null],
    );
    this.wake();
  }

  /**
   * What happens to a case after its work order goes to the department too: a cancellation (a work
   * order not yet delivered is then never delivered) or information the reporter added. Departments
   * on the built-in queue see the case itself; a cancelled case leaves their queue.
   */
  async enqueueUpdate(event: CaseEventEnvelope<'CaseCancelled' | 'InformationAdded'>): Promise<void> {
    const state = await this.caseLog.state(event.caseId);
    if (!state.exists) return;
    const department = state.workOrder?.department ?? state.department;
    if (!department) return;
    if (!this.systems.has(department)) {
      await (event.type === 'CaseCancelled' ? this.queue.cancel(event.caseId) : this.queue.informationReceived(event.caseId));
      return;
    }
    const data = event.data as { reason?: string; text?: string; mediaUrl?: string };
    const update: WorkOrderUpdate = event.type === 'CaseCancelled' ? { kind: 'cancel', ...(data.reason ? { reason: data.reason } : {}) } : { kind: 'information', text: data.text, mediaUrl: data.mediaUrl };
    await this.dataSource.query(
      `INSERT INTO department_adapter.work_orders (id, case_id, department, routed_event_id, kind, request, traceparent) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING`,
      [deterministicEventId('work-order-update', event.eventId), event.caseId, department, event.eventId, update.kind, JSON.stringify(update), currentTraceparent() ?? null],
    );
    this.wake();
  }

  onApplicationBootstrap(): void {
    this.dispatcher.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.dispatcher.stop();
    await Promise.all(this.deliveries);
  }

  /**
   * Leases due work orders, at most `perDepartment` under way for any one department, and starts
   * delivering them without waiting: a slow or hanging department holds up only its own work.
   * Leasing is a short statement, no long transaction. True when a department's lease took all it
   * had room for (more may be due).
   */
  async dispatchDue(): Promise<boolean> {
    this.mayBeDue = false;
    const waiting = await sqlFor(this.dataSource).query<{ department: string }>(
      `SELECT DISTINCT department FROM department_adapter.work_orders
        WHERE state = 'pending' AND next_attempt_at <= now() AND (leased_until IS NULL OR leased_until < now())`,
      [],
      'department-adapter-departments-due',
    );
    let more = false;
    for (const { department } of waiting) {
      // A department whose system keeps failing gets nothing but a probe now and then (its circuit breaker).
      const free = this.perDepartment - (this.underWay.get(department) ?? 0);
      if (free <= 0) this.mayBeDue = true;
      const room = this.breakers.get(department)!.admit(Math.max(0, free));
      if (room <= 0) continue;
      const due = await sqlFor(this.dataSource).query<PendingWorkOrder>(
        // A CTE, so TypeORM returns the rows (a bare UPDATE … RETURNING comes back as [rows, count]).
        `WITH leased AS (
           UPDATE department_adapter.work_orders SET leased_until = now() + make_interval(secs => $3)
            WHERE id IN (SELECT id FROM department_adapter.work_orders w
                          WHERE department = $1 AND state = 'pending' AND next_attempt_at <= now() AND (leased_until IS NULL OR leased_until < now())
                            -- In order per case: nothing overtakes what was enqueued before it for the same case
                            -- (a cancellation may: it withdraws what has not been delivered).
                            AND (kind = 'cancel' OR NOT EXISTS (
                                  SELECT 1 FROM department_adapter.work_orders earlier
                                   WHERE earlier.case_id = w.case_id AND earlier.department = w.department AND earlier.state = 'pending' AND earlier.seq < w.seq))
                          ORDER BY next_attempt_at, seq LIMIT $2 FOR UPDATE SKIP LOCKED)
            RETURNING id, case_id, department, routed_event_id, kind, request, attempts, seq, traceparent, leased_until::text AS lease)
         SELECT * FROM leased`,
        [department, room, this.leaseSeconds],
        'department-adapter-lease-due',
      );
      for (const order of due) this.start(order);
      more ||= due.length === room;
      this.mayBeDue ||= due.length === room;
    }
    return more;
  }

  private start(order: PendingWorkOrder): void {
    this.underWay.set(order.department, (this.underWay.get(order.department) ?? 0) + 1);
    const attributes = { 'caseline.case_id': order.case_id, 'caseline.department': order.department, 'caseline.work_order_kind': order.kind };
    const delivery = asDelivery('work order deliver', { caseId: order.case_id, causationId: order.routed_event_id, traceparent: order.traceparent, attributes }, () => this.deliver(order))
      .catch((error: Error) => this.logger.error(`work order ${order.id}: ${error.message}`))
      .finally(() => {
        this.underWay.set(order.department, this.underWay.get(order.department)! - 1);
        this.deliveries.delete(delivery);
        if (this.mayBeDue) this.dispatcher.wake();
      });
    this.deliveries.add(delivery);
  }

  private async deliver(order: PendingWorkOrder): Promise<void> {
    if (order.kind !== 'create') return this.deliverUpdate(order);
    const system = this.departments.get(order.department)!.system!;
    const metadata = { actor: ADAPTER_ACTOR, channel: 'system' as const, at: new Date().toISOString(), correlationId: order.case_id, causationId: order.routed_event_id };
    const reactionTo = { eventId: order.routed_event_id, consumer: 'department-adapter' };
    try {
      const { workOrderId } = await this.systems.get(order.department)!.createWorkOrder(order.id, order.request as WorkOrderRequest);
      await this.succeeded(order.department);
      failpoint('department-adapter:after-create');
      await this.caseLog.execute(
        order.case_id,
        { type: 'RecordWorkOrderCreated', data: { department: order.department, system: system.name, workOrderId } },
        {
          metadata,
          reactionTo,
          alongside: () => [{ text: `UPDATE department_adapter.work_orders SET state = 'created', external_id = $2, leased_until = NULL, last_error = NULL WHERE id = $1`, parameters: [order.id, workOrderId] }],
        },
      );
      this.logger.log(`case ${order.case_id}: work order ${workOrderId} created in ${system.name}`);
    } catch (error) {
      if (error instanceof WorkOrderRefusedError) {
        await this.succeeded(order.department); // an answer: the system is up
        return this.recordRefusal(order, system.name, error.reason, metadata, reactionTo);
      }
      await this.recordFailure(order, error as Error);
    }
  }

  /** A failed delivery: back off (exponential, with 0.5–1.5× jitter so a returning system is not hit by every order at once), or, at the last attempt, wait for an operator. */
  private async recordFailure(order: PendingWorkOrder, error: Error): Promise<void> {
    this.breakers.get(order.department)!.failure();
    const backoffSeconds = Math.min(300, 2 ** Math.min(order.attempts, 8)) * (0.5 + Math.random());
    const dead = order.attempts + 1 >= this.maxAttempts;
    this.metrics.deliveryFailures.inc({ kind: 'work-order', target: order.department, outcome: dead ? 'dead' : 'retried' });
    this.logger.warn(`${order.kind} for case ${order.case_id} to ${order.department} failed (attempt ${order.attempts + 1}${dead ? ', the last: it waits for an operator' : ''}): ${error.message}`);
    await this.dataSource.query(
      // Only while the lease is still ours: past it, another dispatcher may be delivering this order.
      `UPDATE department_adapter.work_orders SET attempts = attempts + 1, last_error = $2, leased_until = NULL,
              next_attempt_at = now() + make_interval(secs => $3), state = CASE WHEN $5 THEN 'dead' ELSE state END
        WHERE id = $1 AND leased_until = $4::timestamptz`,
      [order.id, error.message.slice(0, 500), backoffSeconds, order.lease, dead],
    );
  }

  /**
   * An update goes once its work order exists in the department's system, after everything sent
   * before it for the case (the dispatcher leases in order). A cancellation withdraws what was never
   * delivered instead — a work order cancelled before delivery is never delivered; with no work
   * order there (refused, dead, withdrawn), there is nothing to tell.
   */
  private async deliverUpdate(order: PendingWorkOrder): Promise<void> {
    const finish = (state: 'created' | 'cancelled' | 'refused', note?: string) =>
      this.dataSource.query(`UPDATE department_adapter.work_orders SET state = $2, last_error = $4, leased_until = NULL WHERE id = $1 AND leased_until = $3::timestamptz`, [order.id, state, order.lease, note ?? null]);
    if (order.kind === 'cancel') {
      const [{ onTheWay }] = await this.dataSource.query<{ onTheWay: number }[]>(
        `WITH withdrawn AS (
           UPDATE department_adapter.work_orders SET state = 'cancelled', last_error = 'the case was cancelled before delivery'
            WHERE case_id = $1 AND department = $2 AND seq < $3 AND state = 'pending' AND (leased_until IS NULL OR leased_until < now()) RETURNING id)
         SELECT count(*)::int AS "onTheWay" FROM department_adapter.work_orders
          WHERE case_id = $1 AND department = $2 AND seq < $3 AND state = 'pending' AND id NOT IN (SELECT id FROM withdrawn)`,
        [order.case_id, order.department, order.seq],
      );
      // Something is being delivered right now: the cancellation follows it, shortly.
      if (onTheWay > 0) return this.retrySoon(order);
    }
    const [target] = await this.dataSource.query<{ id: string; state: string; external_id: string | null; request: WorkOrderRequest }[]>(
      `SELECT id, state, external_id, request FROM department_adapter.work_orders
        WHERE case_id = $1 AND department = $2 AND kind = 'create' AND seq < $3 ORDER BY seq DESC LIMIT 1`,
      [order.case_id, order.department, order.seq],
    );
    if (target?.state === 'cancelled' && order.kind === 'cancel') return void (await finish('created', 'its work order was withdrawn before delivery'));
    if (!target || target.state !== 'created') {
      if (target?.state === 'pending') return this.retrySoon(order);
      return void (await finish('cancelled', 'no work order in the department system'));
    }
    try {
      await this.systems.get(order.department)!.sendUpdate(order.id, target.external_id!, order.request as WorkOrderUpdate, { idempotencyKey: target.id, request: target.request });
      await this.succeeded(order.department);
      await finish('created');
    } catch (error) {
      if (error instanceof WorkOrderRefusedError) return void (await finish('refused', error.reason));
      await this.recordFailure(order, error as Error);
    }
  }

  /** Not a failure of the department's: look again in a second. */
  private async retrySoon(order: PendingWorkOrder): Promise<void> {
    await this.dataSource.query(`UPDATE department_adapter.work_orders SET leased_until = NULL, next_attempt_at = now() + interval '1 second' WHERE id = $1 AND leased_until = $2::timestamptz`, [order.id, order.lease]);
  }

  /**
   * The system answered. If that closed its circuit, it is back from an outage: its backlog failed
   * because the system was down, not because of each order, so all of it is due now (in order).
   */
  private async succeeded(department: string): Promise<void> {
    if (!this.breakers.get(department)!.success()) return;
    this.logger.log(`${department}'s system is back: its backlog is due now`);
    await this.dataSource.query(`UPDATE department_adapter.work_orders SET next_attempt_at = now() WHERE department = $1 AND state = 'pending' AND next_attempt_at > now()`, [department]);
    this.wake();
  }

  /** For operators: each connected system's circuit and how much waits for it. */
  async systemsStatus(): Promise<{ department: string; system: string; circuit: ReturnType<CircuitBreaker['describe']>; pending: number; dead: number }[]> {
    const counts = await this.dataSource.query<{ department: string; pending: number; dead: number }[]>(
      `SELECT department, count(*) FILTER (WHERE state = 'pending')::int AS pending, count(*) FILTER (WHERE state = 'dead')::int AS dead
         FROM department_adapter.work_orders WHERE state IN ('pending', 'dead') GROUP BY department`,
    );
    return [...this.systems.keys()].map((department) => {
      const count = counts.find((c) => c.department === department);
      return { department, system: this.departments.get(department)!.system!.name, circuit: this.breakers.get(department)!.describe(), pending: count?.pending ?? 0, dead: count?.dead ?? 0 };
    });
  }

  /** The dead-letter list: work orders that failed every attempt, oldest first. */
  async deadLetters(): Promise<{ id: string; caseId: string; department: string; attempts: number; lastError: string | null; createdAt: string }[]> {
    return this.dataSource.query(
      `SELECT id, case_id AS "caseId", department, attempts, last_error AS "lastError", created_at AS "createdAt"
         FROM department_adapter.work_orders WHERE state = 'dead' ORDER BY created_at LIMIT 500`,
    );
  }

  /** An operator sends a dead work order again: from the start of its backoff, same idempotency key (never a second work order). */
  async redrive(id: string): Promise<void> {
    const rows = await this.dataSource.query<unknown[]>(
      `WITH redriven AS (UPDATE department_adapter.work_orders SET state = 'pending', attempts = 0, next_attempt_at = now(), leased_until = NULL WHERE id = $1 AND state = 'dead' RETURNING id)
       SELECT id FROM redriven`,
      [id],
    );
    if (rows.length === 0) throw problem(404, 'Not Found', `No dead work order ${id}`);
    this.wake();
  }

  /** The system will never take this work order: say so on the case, once, and stop trying. */
  private async recordRefusal(order: PendingWorkOrder, system: string, reason: string, metadata: ExecuteOptions['metadata'], reactionTo: ExecuteOptions['reactionTo']): Promise<void> {
    this.metrics.deliveryFailures.inc({ kind: 'work-order', target: order.department, outcome: 'refused' });
    this.logger.warn(`work order for case ${order.case_id} refused by ${order.department}: ${reason}`);
    await this.caseLog.execute(
      order.case_id,
      { type: 'RecordWorkOrderRefused', data: { department: order.department, system, reason } },
      {
        metadata,
        reactionTo,
        alongside: () => [{ text: `UPDATE department_adapter.work_orders SET state = 'refused', attempts = attempts + 1, leased_until = NULL, last_error = $2 WHERE id = $1`, parameters: [order.id, reason] }],
      },
    );
  }

  /** A department's connected system, for adapters that take requests of their own (e.g. email links). */
  system(department: string): DepartmentSystemClient | undefined {
    return this.systems.get(department);
  }

  /** The systems whose changes we must fetch (they do not push). */
  polledSystems(): [string, DepartmentSystemClient][] {
    return [...this.systems].filter(([, system]) => system.pollChanges);
  }

  /** A department system pushes a status change in its own words: mapped by its adapter, or refused naming the statuses it may use. */
  async receivePushed(department: string, update: PushedStatus): Promise<{ recorded: boolean }> {
    const system = this.systems.get(department);
    if (!system) throw problem(404, 'Not Found', `Department ${department} has no connected system`);
    const status = system.statuses.map(update.status);
    if (!status) {
      const message = `status "${update.status}" is not one of ${department}'s statuses (${system.statuses.known().join(', ')})`;
      throw problem(400, 'Bad Request', message, [{ field: 'status', rule: 'known-status', message }]);
    }
    if (status === 'ignore') return { recorded: false };
    const { updateId, by, ...change } = update;
    await this.recordStatusChange(department, { ...change, changeId: updateId, status, departmentStatus: update.status }, by);
    return { recorded: true };
  }

  /**
   * Records what a department system says happened to a work order, once per change (its id): the
   * actor is the system, and the staff member where it names one. Unknown work order: 404; a
   * change the case cannot take: 409; one that changes nothing (late, or the case is closed) is
   * not recorded.
   */
  async recordStatusChange(department: string, change: DepartmentStatusChange, by?: string): Promise<{ changed: boolean }> {
    const rows = await this.dataSource.query<{ case_id: string }[]>(
      `SELECT case_id FROM department_adapter.work_orders WHERE department = $1 AND external_id = $2 AND kind = 'create'`,
      [department, change.workOrderId],
    );
    if (rows.length === 0) {
      this.logger.warn(`${department} reported on work order ${change.workOrderId}, which is not one of ours`);
      throw problem(404, 'Not Found', `Work order ${change.workOrderId} is unknown for ${department}`);
    }
    const system = this.departments.get(department)!.system!.name;
    const actor: Actor = { kind: 'department-system', id: department, name: by ? `${system} (${by})` : system };
    try {
      const { appended, duplicate } = await this.caseLog.execute(
        rows[0].case_id,
        {
          type: 'RecordWorkOrderStatus',
          data: { department, workOrderId: change.workOrderId, status: change.status, departmentStatus: change.departmentStatus, note: change.note, scheduledFor: change.scheduledFor },
        },
        {
          metadata: { actor, channel: 'system', at: new Date().toISOString(), correlationId: rows[0].case_id },
          reactionTo: { eventId: change.changeId, consumer: `department-system:${department}` },
          alongside: () =>
            FINISHED.has(change.status) ? [{ text: `UPDATE department_adapter.work_orders SET finished_at = now() WHERE department = $1 AND external_id = $2 AND finished_at IS NULL`, parameters: [department, change.workOrderId] }] : [],
        },
      );
      // A change already recorded (sent twice) counts as changed: it is what the case shows.
      return { changed: duplicate || appended.length > 0 };
    } catch (error) {
      if (error instanceof CaseDomainError) throw problem(409, 'Conflict', error.message);
      throw error;
    }
  }

  /** The department's work orders in its system that are not yet finished (for systems asked one by one). */
  async openWorkOrders(department: string): Promise<string[]> {
    const rows = await this.dataSource.query<{ external_id: string }[]>(
      `SELECT external_id FROM department_adapter.work_orders WHERE department = $1 AND kind = 'create' AND state = 'created' AND finished_at IS NULL ORDER BY seq DESC LIMIT 5000`,
      [department],
    );
    return rows.map((r) => r.external_id);
  }
}
