import { departmentSecret, SIGNATURE_HEADER, signBody, tracedFetch } from '@caseline/service-kit';
import { AdapterSettings, DepartmentSystemClient, IDENTITY_STATUSES, isHttpUrl, refusesForGood, registerAdapter, StatusMap, urlSetting, validateEnvNames, WorkOrderRefusedError, WorkOrderRequest, WorkOrderUpdate } from '../../adapter-contract';

/** REST/JSON settings: where the system is, which variables override it and hold the secret, and how our fields are named there. */
export interface RestSettings extends AdapterSettings {
  baseUrl: string;
  /** Environment variable that overrides baseUrl in a deployment. */
  baseUrlEnv?: string;
  /** Environment variable holding the secret both sides sign with (default <CODE>_SYSTEM_SECRET). */
  secretEnv?: string;
  /** Our field name → the system's, e.g. { "caseReference": "external_ref" }; unnamed fields keep ours. */
  fieldMap?: Record<string, string>;
  /** The system's statuses onto ours, over the default (it speaks ours). */
  statusMap?: Record<string, string>;
}

const REQUEST_FIELDS: readonly (keyof WorkOrderRequest)[] = ['caseReference', 'serviceCode', 'serviceName', 'description', 'location', 'priority', 'dueAt', 'callbackUrl', 'mediaUrl'];

/** The request with the department's own field names. */
export const mapFields = (request: WorkOrderRequest, fieldMap: Record<string, string> = {}): Record<string, unknown> =>
  Object.fromEntries(Object.entries(request).map(([field, value]) => [fieldMap[field] ?? field, value]));

/** REST/JSON systems (and the department simulator): every request signed with the department's secret. */
export class RestDepartmentSystem implements DepartmentSystemClient {
  private readonly secret: string;
  private readonly baseUrl: string;
  readonly statuses: StatusMap;

  constructor(
    private readonly department: string,
    private readonly system: RestSettings,
  ) {
    this.secret = departmentSecret(department, system.secretEnv);
    this.baseUrl = urlSetting(system, 'baseUrl');
    this.statuses = new StatusMap(IDENTITY_STATUSES, system.statusMap);
  }

  async createWorkOrder(idempotencyKey: string, request: WorkOrderRequest): Promise<{ workOrderId: string }> {
    const response = await this.post('/work-orders', idempotencyKey, mapFields(request, this.system.fieldMap));
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
    const response = await tracedFetch(`${this.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey, 'caseline-department': this.department, [SIGNATURE_HEADER]: signBody(this.secret, body) },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    if (refusesForGood(response.status)) throw new WorkOrderRefusedError(`${response.status} ${response.statusText}`.trim());
    if (!response.ok) throw new Error(`${this.system.name} answered ${response.status}`);
    return response;
  }
}

registerAdapter({
  name: 'rest',
  validate(settings) {
    const { baseUrl, fieldMap } = settings as RestSettings;
    const problems = validateEnvNames(settings, ['baseUrlEnv']);
    if (!isHttpUrl(baseUrl)) problems.push(`baseUrl "${String(baseUrl)}" must be an http(s) URL`);
    for (const [ours, theirs] of Object.entries(fieldMap ?? {})) {
      if (!(REQUEST_FIELDS as readonly string[]).includes(ours)) problems.push(`fieldMap.${ours} is not a field of ours (${REQUEST_FIELDS.join(', ')})`);
      if (typeof theirs !== 'string' || theirs === '') problems.push(`fieldMap.${ours} must name the system's field`);
    }
    return problems;
  },
  create: (department, settings) => new RestDepartmentSystem(department, settings as RestSettings),
});
