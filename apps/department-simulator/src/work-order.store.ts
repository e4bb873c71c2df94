import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';

export type WorkOrderStatus = 'open' | 'scheduled' | 'in_progress' | 'completed' | 'rejected';

export interface WorkOrder {
  id: string;
  idempotencyKey: string;
  caseReference: string;
  serviceCode: string;
  description: string;
  location?: unknown;
  dueAt?: string;
  callbackUrl?: string;
  status: WorkOrderStatus;
  history: { status: WorkOrderStatus; at: string; note?: string; updateId?: string }[];
  createdAt: string;
}

export interface StatusUpdate {
  updateId: string;
  workOrderId: string;
  caseReference: string;
  status: WorkOrderStatus;
  note?: string;
  scheduledFor?: string;
  occurredAt: string;
}

export interface Knobs {
  down: boolean;
  errorRate: number;
  latencyMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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
  knobs: Knobs = { down: false, errorRate: 0, latencyMs: 0 };
  private closing = false;
  /** Like a real system, ids are never reused, even across restarts of the simulator. */
  private readonly instance = Date.now().toString(36).toUpperCase().slice(-5);

  list(): WorkOrder[] {
    return this.orders;
  }

  get(id: string): WorkOrder | undefined {
    return this.orders.find((o) => o.id === id);
  }

  /** The knobs, applied to every call an adapter makes. */
  async behave(): Promise<'ok' | 'down' | 'error'> {
    if (this.knobs.latencyMs > 0) await sleep(this.knobs.latencyMs);
    if (this.knobs.down) return 'down';
    if (Math.random() < this.knobs.errorRate) return 'error';
    return 'ok';
  }

  create(idempotencyKey: string, fields: Omit<WorkOrder, 'id' | 'idempotencyKey' | 'status' | 'history' | 'createdAt'>): { order: WorkOrder; created: boolean } {
    const existing = this.byKey.get(idempotencyKey);
    if (existing) return { order: existing, created: false };
    const now = new Date().toISOString();
    const order: WorkOrder = {
      id: `WO-${this.instance}-${String(this.orders.length + 1).padStart(6, '0')}`,
      idempotencyKey,
      ...fields,
      status: 'open',
      history: [{ status: 'open', at: now }],
      createdAt: now,
    };
    this.orders.push(order);
    this.byKey.set(idempotencyKey, order);
    return { order, created: true };
  }

  changeStatus(order: WorkOrder, status: WorkOrderStatus, note?: string, scheduledFor?: string): StatusUpdate {
    const update: StatusUpdate = { updateId: randomUUID(), workOrderId: order.id, caseReference: order.caseReference, status, note, scheduledFor, occurredAt: new Date().toISOString() };
    order.status = status;
    order.history.push({ status, at: update.occurredAt, note, updateId: update.updateId });
    if (order.callbackUrl) void this.push(order.callbackUrl, update);
    return update;
  }

  /** Delivers a status change until the callback answers 2xx (same updateId every time). */
  private async push(url: string, update: StatusUpdate): Promise<void> {
    for (let delay = 200; !this.closing; delay = Math.min(delay * 2, 5000)) {
      try {
        const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(update), signal: AbortSignal.timeout(5000) });
        if (response.ok) return;
        this.logger.warn(`callback for ${update.workOrderId} answered ${response.status}; retrying`);
      } catch (error) {
        this.logger.warn(`callback for ${update.workOrderId} failed (${(error as Error).message}); retrying`);
      }
      await sleep(delay);
    }
  }

  reset(): void {
    this.orders = [];
    this.byKey = new Map();
    this.knobs = { down: false, errorRate: 0, latencyMs: 0 };
  }

  onApplicationShutdown(): void {
    this.closing = true;
  }
}
