/**
 * The adapter contract: what every department-system adapter does. An adapter is a folder under
 * adapters/ that registers a factory (adapters/index.ts lists them); which adapter and settings a
 * department uses is its `system` entry in departments.json, checked at start.
 */

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

/** A department's `system` settings as departments.json holds them (each adapter reads its own). */
export type AdapterSettings = { adapter: string; name: string } & Record<string, unknown>;

export interface AdapterFactory {
  /** The `adapter` value in departments.json. */
  readonly name: string;
  /** Problems with a department's settings, each naming the setting and the rule. */
  validate(settings: AdapterSettings): string[];
  create(department: string, settings: AdapterSettings): DepartmentSystemClient;
}

const factories = new Map<string, AdapterFactory>();

export function registerAdapter(factory: AdapterFactory): void {
  factories.set(factory.name, factory);
}

/** Every department's client; refuses to start (naming the department and setting) on any problem. */
export function createDepartmentSystems(departments: readonly { code: string; system?: AdapterSettings }[]): Map<string, DepartmentSystemClient> {
  const problems: string[] = [];
  const systems = new Map<string, DepartmentSystemClient>();
  for (const { code, system } of departments) {
    if (!system) continue;
    const where = `departments.json: department ${code}: system`;
    const factory = factories.get(system.adapter);
    if (!factory) {
      problems.push(`${where}.adapter "${system.adapter}" is not an adapter Caseline has (${[...factories.keys()].join(', ')})`);
      continue;
    }
    if (typeof system.name !== 'string' || system.name.trim() === '') problems.push(`${where}.name is required (the history names the system by it)`);
    const own = factory.validate(system).map((problem) => `${where}.${problem}`);
    problems.push(...own);
    if (own.length === 0) systems.set(code, factory.create(code, system));
  }
  if (problems.length > 0) throw new Error(`The department systems' configuration has ${problems.length} problem(s):\n${problems.map((p) => `- ${p}`).join('\n')}`);
  return systems;
}
