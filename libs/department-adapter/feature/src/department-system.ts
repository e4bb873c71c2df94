import type { DepartmentSystem } from '@caseline/city-config';
import { departmentSystemUrl } from '@caseline/city-config';

/** What we send a department's system for one case. */
export interface WorkOrderRequest {
  caseReference: string;
  serviceCode: string;
  description: string;
  location: unknown;
  dueAt: string;
  callbackUrl: string;
}

/** A department's own work-order system, whatever it speaks. */
export interface DepartmentSystemClient {
  /** Creates the work order; the same idempotency key always yields the same work order. */
  createWorkOrder(idempotencyKey: string, request: WorkOrderRequest): Promise<{ workOrderId: string }>;
}

/** REST/JSON systems (and the department simulator). */
export class RestDepartmentSystem implements DepartmentSystemClient {
  constructor(private readonly system: DepartmentSystem) {}

  async createWorkOrder(idempotencyKey: string, request: WorkOrderRequest): Promise<{ workOrderId: string }> {
    const response = await fetch(`${departmentSystemUrl(this.system)}/work-orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
      body: JSON.stringify(request),
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) throw new Error(`${this.system.name} answered ${response.status}`);
    const body = (await response.json()) as { id?: string };
    if (!body.id) throw new Error(`${this.system.name} answered without a work order id`);
    return { workOrderId: body.id };
  }
}
