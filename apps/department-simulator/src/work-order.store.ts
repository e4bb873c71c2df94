import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { departmentSecret, SIGNATURE_HEADER, signBody } from '@caseline/service-kit';

export const UPDATE_STATUSES = ['acknowledged', 'scheduled', 'in_progress', 'on_hold', 'completed', 'not_fixed', 'rejected'] as const;
export type UpdateStatus = (typeof UPDATE_STATUSES)[number];
export type WorkOrderStatus = 'open' | 'cancelled' | UpdateStatus;

export interface WorkOrderFields {
  caseReference: string;
  serviceCode: string;
  description: string;
  location?: unknown;
  dueAt?: string;
  callbackUrl?: string;
}

export interface WorkOrder extends WorkOrderFields {
  id: string;
  idempotencyKey: string;
  /** The department whose system this simulator plays for the order (it signs its callbacks as that department). */
  department: string;
  status: WorkOrderStatus;
  history: { status: WorkOrderStatus; at: string; note?: string; updateId?: string }[];
  /** What Caseline told us after creating it (the reporter's added information). */
  information: { at: string; text?: string; mediaUrl?: string }[];
  createdAt: string;
}

export interface StatusUpdate {
  updateId: string;
  workOrderId: string;
  caseReference: string;
  status: UpdateStatus;
  note?: string;
  scheduledFor?: string;
  occurredAt: string;
}

export interface Knobs {
  down: boolean;
  /** Refuse every new work order with 422, as a system does with a request it will never accept. */
  refuse: boolean;
  errorRate: number;
  latencyMs: number;
  /** The order a department walks its statuses in; kept for scripted demos (no auto-progress). */
  statusSequence: UpdateStatus[];
}

const defaultKnobs = (): Knobs => ({ down: false, refuse: false, errorRate: 0, latencyMs: 0, statusSequence: ['scheduled', 'in_progress', 'completed'] });

const FIRST_RETRY_MS = 200;
const MAX_RETRY_MS = 5000;

/**
 * A department's own work-order system, in memory: the outside world that adapters talk to.
 * It honours idempotency keys like a well-behaved system, and pushes status changes to the
 * callback it was given, retrying until it is acknowledged.
 */
@Injectable()
export class WorkOrderStore implements OnApplicationShutdown {
  private readonly logger = new Logger('DepartmentSimulator');
  private orders: WorkOrder[] = [];
  private byKey = new Map<string, WorkOrder>();
  /** Idempotency keys of the updates already taken: a resent update changes nothing. */
  private updateKeys = new Set<string>();
  private knobs = defaultKnobs();
  /** Cancels pending deliveries on reset and shutdown. */
  private deliveries = new AbortController();
  /** Like a real system, ids are never reused: not after a reset, nor across restarts. */
  private readonly instance = Date.now().toString(36).toUpperCase().slice(-5);
  private sequence = 0;

  list(): WorkOrder[] {
    return this.orders;
  }

  get(id: string): WorkOrder | undefined {
    return this.orders.find((order) => order.id === id);
  }

  currentKnobs(): Knobs {
    return { ...this.knobs, statusSequence: [...this.knobs.statusSequence] };
  }

  setKnobs(changes: Partial<Knobs>): Knobs {
    this.knobs = {
      down: changes.down ?? this.knobs.down,
      refuse: changes.refuse ?? this.knobs.refuse,
      errorRate: changes.errorRate ?? this.knobs.errorRate,
      latencyMs: changes.latencyMs ?? this.knobs.latencyMs,
      statusSequence: changes.statusSequence ?? this.knobs.statusSequence,
    };
    return this.currentKnobs();
  }

  /** The knobs, applied to every call an adapter makes. */
  async behave(): Promise<'ok' | 'down' | 'refuse' | 'error'> {
    if (this.knobs.latencyMs > 0) await sleep(this.knobs.latencyMs);
    if (this.knobs.down) return 'down';
    if (this.knobs.refuse) return 'refuse';
    if (Math.random() < this.knobs.errorRate) return 'error';
    return 'ok';
  }

  create(idempotencyKey: string, department: string, fields: WorkOrderFields): { order: WorkOrder; created: boolean } {
    const existing = this.byKey.get(idempotencyKey);
    if (existing) return { order: existing, created: false };
    const now = new Date().toISOString();
    this.sequence += 1;
    const order: WorkOrder = {
      id: `WO-${this.instance}-${String(this.sequence).padStart(6, '0')}`,
      idempotencyKey,
      department,
      ...fields,
      status: 'open',
      history: [{ status: 'open', at: now }],
      information: [],
      createdAt: now,
    };
    this.orders.push(order);
    this.byKey.set(idempotencyKey, order);
    return { order, created: true };
  }

  /** Caseline's news: a cancellation closes the order (no crew goes out); information is kept with it. */
  receiveUpdate(order: WorkOrder, idempotencyKey: string, update: { kind: 'cancel' | 'information'; reason?: string; text?: string; mediaUrl?: string }): WorkOrder {
    if (this.updateKeys.has(idempotencyKey)) return order;
    this.updateKeys.add(idempotencyKey);
    const at = new Date().toISOString();
    if (update.kind === 'cancel' && order.status !== 'cancelled') {
      order.status = 'cancelled';
      order.history.push({ status: 'cancelled', at, note: update.reason });
    }
    if (update.kind === 'information') order.information.push({ at, text: update.text, mediaUrl: update.mediaUrl });
    return order;
  }

  changeStatus(order: WorkOrder, status: UpdateStatus, note?: string, scheduledFor?: string): StatusUpdate {
    const update: StatusUpdate = { updateId: randomUUID(), workOrderId: order.id, caseReference: order.caseReference, status, note, scheduledFor, occurredAt: new Date().toISOString() };
    order.status = status;
    order.history.push({ status, at: update.occurredAt, note, updateId: update.updateId });
    if (order.callbackUrl) void this.deliver(order.callbackUrl, order.department, update, this.deliveries.signal);
    return update;
  }

  /** Pushes a status change until the callback answers 2xx, with the same updateId every time (each try signed afresh, as the department). */
  private async deliver(url: string, department: string, update: StatusUpdate, cancelled: AbortSignal): Promise<void> {
    const body = JSON.stringify(update);
    const secret = departmentSecret(department);
    for (let delay = FIRST_RETRY_MS; !cancelled.aborted; delay = Math.min(delay * 2, MAX_RETRY_MS)) {
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signBody(secret, body) },
          body,
          signal: AbortSignal.any([cancelled, AbortSignal.timeout(MAX_RETRY_MS)]),
        });
        await response.body?.cancel();
        if (response.ok) return;
        this.logger.warn(`callback for ${update.workOrderId} answered ${response.status}; retrying in ${delay} ms`);
      } catch (error) {
        if (cancelled.aborted) return;
        this.logger.warn(`callback for ${update.workOrderId} failed (${(error as Error).message}); retrying in ${delay} ms`);
      }
      await sleep(delay, undefined, { signal: cancelled }).catch(() => undefined);
    }
  }

  reset(): void {
    this.deliveries.abort();
    this.deliveries = new AbortController();
    this.orders = [];
    this.byKey = new Map();
    this.updateKeys = new Set();
    this.knobs = defaultKnobs();
  }

  onApplicationShutdown(): void {
    this.deliveries.abort();
  }
}
