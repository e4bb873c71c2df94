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
  serviceName?: string;
  description: string;
  location?: unknown;
  priority?: string;
  mediaUrl?: string;
  dueAt?: string;
  callbackUrl?: string;
}

/** How the order reached the department: the signed REST/JSON API, or its Open311 back office. */
export type Protocol = 'rest' | 'open311';

export interface WorkOrder extends WorkOrderFields {
  id: string;
  idempotencyKey: string;
  /** The department whose system this simulator plays for the order (it signs its callbacks as that department). */
  department: string;
  protocol: Protocol;
  status: WorkOrderStatus;
  history: { status: WorkOrderStatus; at: string; note?: string; updateId?: string }[];
  /** What Caseline told us after creating it (the reporter's added information). */
  information: { at: string; text?: string; mediaUrl?: string }[];
  createdAt: string;
}

export interface Open311Location {
  lat?: number;
  long?: number;
  address?: string;
}

/** What an Open311 request carried beyond a work order's own fields, kept as sent for tests to look at. */
export interface Open311Details {
  /** Every attribute[CODE] (a list for attribute[CODE][]), caseline_id and caseline_reference included. */
  attributes: Record<string, string | string[]>;
  /** Handed out instead of the id while the open311Tokens knob is on, as back offices that queue requests do. */
  token: string;
  addressId?: string;
  email?: string;
  firstName?: string;
  lastName?: string;
  phone?: string;
  mediaUrl?: string;
}

/** An order created through the Open311 face: no callbackUrl (Open311 clients poll), location as Open311 gives it. */
export interface Open311Order extends WorkOrder {
  protocol: 'open311';
  location: Open311Location;
  open311: Open311Details;
}

/** A crew's status change of an Open311 order, as its back office reports it to a polling client. */
export interface Open311StatusChange {
  /** Stable: the order's id and the change's place in its history. */
  updateId: string;
  order: Open311Order;
  status: UpdateStatus;
  at: string;
  note?: string;
}

const isOpen311 = (order: WorkOrder): order is Open311Order => order.protocol === 'open311';
const isUpdateStatus = (status: WorkOrderStatus): status is UpdateStatus => (UPDATE_STATUSES as readonly string[]).includes(status);

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
  /** Refuse every new work order (422 on REST, 400 on Open311), as a system does with a request it will never accept. */
  refuse: boolean;
  errorRate: number;
  latencyMs: number;
  /** The statuses a crew walks each new work order through on its own, when autoProgressMs is set. */
  statusSequence: UpdateStatus[];
  /** Time between a work order's steps of statusSequence; 0 (the default) leaves every change to the caller. */
  autoProgressMs: number;
  /** The Open311 face answers a new request with a token instead of its id (GET tokens/{token}.json tells the id). */
  open311Tokens: boolean;
}

const defaultKnobs = (): Knobs => ({ down: false, refuse: false, errorRate: 0, latencyMs: 0, statusSequence: ['scheduled', 'in_progress', 'completed'], autoProgressMs: 0, open311Tokens: false });

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
  /** Open311 requests by jurisdiction and attribute[caseline_id]: a key space apart from REST's Idempotency-Keys. */
  private open311ByKey = new Map<string, Open311Order>();
  /** Idempotency keys of the updates already taken: a resent update changes nothing. */
  private updateKeys = new Set<string>();
  /** Open311 updates by the client's update_id → the id we answered with, to answer a resend the same. */
  private open311UpdateIds = new Map<string, string>();
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
      autoProgressMs: changes.autoProgressMs ?? this.knobs.autoProgressMs,
      open311Tokens: changes.open311Tokens ?? this.knobs.open311Tokens,
    };
    return this.currentKnobs();
  }

  /** The knobs, applied to every call an adapter makes; only a new work order can be refused. */
  async behave(refusable = true): Promise<'ok' | 'down' | 'refuse' | 'error'> {
    if (this.knobs.latencyMs > 0) await sleep(this.knobs.latencyMs);
    if (this.knobs.down) return 'down';
    if (refusable && this.knobs.refuse) return 'refuse';
    if (Math.random() < this.knobs.errorRate) return 'error';
    return 'ok';
  }

  create(idempotencyKey: string, department: string, fields: WorkOrderFields): { order: WorkOrder; created: boolean } {
    const existing = this.byKey.get(idempotencyKey);
    if (existing) return { order: existing, created: false };
    const order: WorkOrder = { ...this.fresh(idempotencyKey, department), protocol: 'rest', ...fields };
    this.orders.push(order);
    this.byKey.set(idempotencyKey, order);
    this.progress(order);
    return { order, created: true };
  }

  /** A request through the Open311 face, once per jurisdiction and caseline_id (FixMyStreet's fixmystreet_id convention). */
  createOpen311(caselineId: string, department: string, fields: WorkOrderFields & { location: Open311Location }, details: Omit<Open311Details, 'token'>): { order: Open311Order; created: boolean } {
    const key = `${department}/${caselineId}`;
    const existing = this.open311ByKey.get(key);
    if (existing) return { order: existing, created: false };
    const order: Open311Order = { ...this.fresh(caselineId, department), protocol: 'open311', ...fields, open311: { ...details, token: randomUUID() } };
    this.orders.push(order);
    this.open311ByKey.set(key, order);
    this.progress(order);
    return { order, created: true };
  }

  /** A crew working on its own: each step of statusSequence after autoProgressMs, until the order is cancelled. */
  private progress(order: WorkOrder): void {
    const { autoProgressMs, statusSequence } = this.knobs;
    if (autoProgressMs <= 0) return;
    const signal = this.deliveries.signal;
    void (async () => {
      for (const status of statusSequence) {
        await sleep(autoProgressMs, undefined, { signal }).catch(() => undefined);
        if (signal.aborted || order.status === 'cancelled') return;
        this.changeStatus(order, status, status === 'completed' ? 'Done by the crew' : undefined);
      }
    })();
  }

  /** The parts every new order starts with: an id never issued before, and status open. */
  private fresh(idempotencyKey: string, department: string): Pick<WorkOrder, 'id' | 'idempotencyKey' | 'department' | 'status' | 'history' | 'information' | 'createdAt'> {
    const now = new Date().toISOString();
    this.sequence += 1;
    return { id: `WO-${this.instance}-${String(this.sequence).padStart(6, '0')}`, idempotencyKey, department, status: 'open', history: [{ status: 'open', at: now }], information: [], createdAt: now };
  }

  /** A jurisdiction's Open311 orders: all its back office knows of (REST orders are another system's). */
  open311Orders(department: string): Open311Order[] {
    return this.orders.filter((order): order is Open311Order => isOpen311(order) && order.department === department);
  }

  open311Order(department: string, id: string): Open311Order | undefined {
    return this.open311Orders(department).find((order) => order.id === id);
  }

  open311ByToken(token: string): Open311Order | undefined {
    return this.orders.filter(isOpen311).find((order) => order.open311.token === token);
  }

  /**
   * The crew's status changes of a jurisdiction's Open311 orders, oldest first. Open311 has no
   * callbacks, so the history is the record a polling client reads (kept while the API is down too);
   * an entry's place in the history makes its update id stable.
   */
  open311StatusChanges(department: string): Open311StatusChange[] {
    const changes = this.open311Orders(department).flatMap((order) =>
      order.history.flatMap((entry, index) => {
        const { status } = entry;
        return isUpdateStatus(status) ? [{ updateId: `${order.id}-u${index}`, order, status, at: entry.at, note: entry.note }] : [];
      }),
    );
    return changes.sort((a, b) => a.at.localeCompare(b.at));
  }

  /** Caseline's news through Open311: the client's update_id is the idempotency key, and a resend gets the id the first one got. */
  receiveOpen311Update(order: Open311Order, clientUpdateId: string, update: { kind: 'cancel' | 'information'; reason?: string; text?: string; mediaUrl?: string }): string {
    const key = `open311/${order.id}/${clientUpdateId}`;
    const known = this.open311UpdateIds.get(key);
    if (known) return known;
    this.receiveUpdate(order, key, update);
    const id = randomUUID();
    this.open311UpdateIds.set(key, id);
    return id;
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
    this.open311ByKey = new Map();
    this.updateKeys = new Set();
    this.open311UpdateIds = new Map();
    this.knobs = defaultKnobs();
  }

  onApplicationShutdown(): void {
    this.deliveries.abort();
  }
}
