import type { DepartmentSystem } from '@caseline/city-config';
import { departmentSystemUrl } from '@caseline/city-config';
import { departmentSecret, SIGNATURE_HEADER, signBody } from '@caseline/service-kit';

/** What we send a department's system for one case. */
export interface WorkOrderRequest {
  caseReference: string;
  serviceCode: string;
  description: string;
  location: unknown;
  dueAt: string;
  callbackUrl: string;
}

/** What happened to a case after its work order was created. */
export type WorkOrderUpdate = { kind: 'cancel'; reason?: string } | { kind: 'information'; text?: string; mediaUrl?: string };

/** A department's own work-order system, whatever it speaks. */
export interface DepartmentSystemClient {
  /** Creates the work order; the same idempotency key always yields the same work order. */
  createWorkOrder(idempotencyKey: string, request: WorkOrderRequest): Promise<{ workOrderId: string }>;
  /** Tells the system about its work order: the case was cancelled, or the reporter added information. */
  sendUpdate(idempotencyKey: string, workOrderId: string, update: WorkOrderUpdate): Promise<void>;
}

/** The system answered that it will never accept this request: retrying cannot help. */
export class WorkOrderRefusedError extends Error {
  constructor(readonly reason: string) {
    super(`refused: ${reason}`);
    this.name = 'WorkOrderRefusedError';
  }
}

/** 4xx means "never", except the ones that mean "not now": timeout, conflict, too early, too many. */
const RETRYABLE_CLIENT_ERRORS = new Set([408, 409, 425, 429]);
const refuses = (status: number) => status >= 400 && status < 500 && !RETRYABLE_CLIENT_ERRORS.has(status);

/** REST/JSON systems (and the department simulator): every request signed with the department's secret. */
export class RestDepartmentSystem implements DepartmentSystemClient {
  private readonly secret: string;

  constructor(
    private readonly department: string,
    private readonly system: DepartmentSystem,
  ) {
    this.secret = departmentSecret(department, system.secretEnv);
  }

  async createWorkOrder(idempotencyKey: string, request: WorkOrderRequest): Promise<{ workOrderId: string }> {
    const response = await this.post('/work-orders', idempotencyKey, request);
    const answer = (await response.json()) as { id?: string };
    if (!answer.id) throw new Error(`${this.system.name} answered without a work order id`);
    return { workOrderId: answer.id };
  }

  async sendUpdate(idempotencyKey: string, workOrderId: string, update: WorkOrderUpdate): Promise<void> {
    const response = await this.post(`/work-orders/${encodeURIComponent(workOrderId)}/updates`, idempotencyKey, update);
    await response.body?.cancel();
  }

  /** A signed POST; 4xx that mean "never" throw WorkOrderRefusedError, other failures Error (retried). */
  private async post(path: string, idempotencyKey: string, payload: unknown): Promise<Response> {
    const body = JSON.stringify(payload);
    const response = await fetch(`${departmentSystemUrl(this.system)}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey, 'caseline-department': this.department, [SIGNATURE_HEADER]: signBody(this.secret, body) },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    if (refuses(response.status)) throw new WorkOrderRefusedError(`${response.status} ${response.statusText}`.trim());
    if (!response.ok) throw new Error(`${this.system.name} answered ${response.status}`);
    return response;
  }
}
