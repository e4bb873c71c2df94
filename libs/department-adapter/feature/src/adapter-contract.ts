/**
 * The adapter contract: what every department-system adapter does. An adapter is a folder under
 * adapters/ that registers a factory (adapters/index.ts lists them); which adapter and settings a
 * department uses is its `system` entry in departments.json, checked at start.
 */
import { WORK_ORDER_STATUSES, WorkOrderStatus } from '@caseline/case-contracts';
import type { OutgoingEmail } from '@caseline/service-kit';

/** What we send a department's system for one case. */
export interface WorkOrderRequest {
  caseReference: string;
  serviceCode: string;
  serviceName: string;
  description: string;
  location: unknown;
  priority?: string;
  dueAt: string;
  callbackUrl: string;
  /** A photo or document the reporter linked. */
  mediaUrl?: string;
}

/** What happened to a case after its work order was created. */
export type WorkOrderUpdate = { kind: 'cancel'; reason?: string } | { kind: 'information'; text?: string; mediaUrl?: string };

/** A status change of a work order, in the department's words and mapped onto ours. */
export interface DepartmentStatusChange {
  /** Stable in the department's system: the same change seen twice is recorded once. */
  changeId: string;
  workOrderId: string;
  status: WorkOrderStatus;
  /** The department's own status, as it said it (kept on the case). */
  departmentStatus: string;
  note?: string;
  scheduledFor?: string;
}

/** What a polled system reported since the last poll, and where the next poll starts. */
export interface PolledChanges {
  changes: DepartmentStatusChange[];
  /** Unmapped statuses the department used (reported to operators, never guessed at). */
  unmapped: string[];
  cursor: string;
}

/** A department's own work-order system, whatever it speaks. */
export interface DepartmentSystemClient {
  /** Creates the work order; the same idempotency key always yields the same work order. */
  createWorkOrder(idempotencyKey: string, request: WorkOrderRequest): Promise<{ workOrderId: string }>;
  /** Tells the system about its work order (created with `workOrder`): the case was cancelled, or the reporter added information. */
  sendUpdate(idempotencyKey: string, workOrderId: string, update: WorkOrderUpdate, workOrder: { idempotencyKey: string; request: WorkOrderRequest }): Promise<void>;
  /** The department's statuses onto ours, for changes it pushes to us. */
  readonly statuses: StatusMap;
  /**
   * For systems that do not push: the changes since `cursor` (null the first time). `openWorkOrders`
   * lists the department's work orders not yet finished, for systems that can only be asked one by one.
   */
  pollChanges?(cursor: string | null, openWorkOrders: () => Promise<string[]>): Promise<PolledChanges>;
}

/** Where an adapter reaches the rest of the service: our public address (links, callbacks), the city's clock and the mail relay. */
export interface AdapterContext {
  publicUrl: string;
  /** IANA time zone of dates shown to people. */
  timeZone: string;
  sendEmail(email: OutgoingEmail): Promise<void>;
}

/**
 * Whether an HTTP answer means "never" for this request. Other 4xx mean "not now" (timeout,
 * conflict, too early, too many) or point at our configuration — a wrong key (401, 403) or address
 * (404) — which an operator fixes: the work order must wait for that, not be refused and referred.
 */
export const refusesForGood = (status: number): boolean => status >= 400 && status < 500 && ![401, 403, 404, 408, 409, 425, 429].includes(status);

/** The system answered that it will never accept this request: retrying cannot help. */
export class WorkOrderRefusedError extends Error {
  constructor(readonly reason: string) {
    super(`refused: ${reason}`);
    this.name = 'WorkOrderRefusedError';
  }
}

/** What a department status means for the case: one of ours, or nothing ("ignore": e.g. a plain "open"). */
export type MappedStatus = WorkOrderStatus | 'ignore';

/**
 * A department's vocabulary of statuses onto the case lifecycle: the adapter's defaults, with the
 * department's own `statusMap` setting over them. Keys compare case-insensitively. A status the
 * map does not know is never guessed at.
 */
export class StatusMap {
  private readonly entries: Map<string, MappedStatus>;

  constructor(defaults: Record<string, MappedStatus>, overrides: unknown = {}) {
    this.entries = new Map([...Object.entries(defaults), ...Object.entries((overrides ?? {}) as Record<string, MappedStatus>)].map(([key, value]) => [key.toLowerCase(), value]));
  }

  /** The first of the department's statuses (most specific first) that the map knows. */
  map(...statuses: (string | null | undefined)[]): MappedStatus | undefined {
    for (const status of statuses) {
      const mapped = status ? this.entries.get(status.toLowerCase()) : undefined;
      if (mapped) return mapped;
    }
    return undefined;
  }

  known(): string[] {
    return [...this.entries.keys()];
  }

  /** Problems with a `statusMap` setting: an object of the department's statuses onto ours. */
  static validate(value: unknown): string[] {
    if (value === undefined) return [];
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return ['statusMap must be an object of the department\'s statuses onto ours'];
    const allowed = [...WORK_ORDER_STATUSES, 'ignore'];
    return Object.entries(value)
      .filter(([, ours]) => !allowed.includes(ours as string))
      .map(([theirs, ours]) => `statusMap.${theirs} "${String(ours)}" must be one of ${allowed.join(', ')}`);
  }
}

/** Our statuses, as systems that speak our vocabulary push them. */
export const IDENTITY_STATUSES: Record<string, MappedStatus> = Object.fromEntries(WORK_ORDER_STATUSES.map((status) => [status, status]));

/** A department's `system` settings as departments.json holds them (each adapter reads its own). */
export type AdapterSettings = { adapter: string; name: string } & Record<string, unknown>;

export interface AdapterFactory {
  /** The `adapter` value in departments.json. */
  readonly name: string;
  /** Problems with a department's settings, each naming the setting and the rule. */
  validate(settings: AdapterSettings): string[];
  create(department: string, settings: AdapterSettings, context: AdapterContext): DepartmentSystemClient;
}

const factories = new Map<string, AdapterFactory>();

export function registerAdapter(factory: AdapterFactory): void {
  factories.set(factory.name, factory);
}

/** Settings every adapter may use the same way: environment variable names, checked alike. */
export function validateEnvNames(settings: AdapterSettings, fields: readonly string[]): string[] {
  return fields
    .filter((field) => settings[field] !== undefined && (typeof settings[field] !== 'string' || !/^[A-Z][A-Z0-9_]*$/.test(settings[field] as string)))
    .map((field) => `${field} must name an environment variable (A-Z, 0-9, _)`);
}

/** A setting that is a URL, which an environment variable (its `…Env` setting) may override in a deployment. */
export const urlSetting = (settings: AdapterSettings, field: string): string => {
  const override = settings[`${field}Env`];
  return (typeof override === 'string' && process.env[override]) || (settings[field] as string);
};

export const isHttpUrl = (value: unknown): boolean => typeof value === 'string' && /^https?:\/\/[^\s/]+/.test(value);

/** Every department's client; refuses to start (naming the department and setting) on any problem. */
export function createDepartmentSystems(departments: readonly { code: string; system?: AdapterSettings }[], context: AdapterContext): Map<string, DepartmentSystemClient> {
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
    const own = [...factory.validate(system), ...StatusMap.validate(system.statusMap), ...validateEnvNames(system, ['secretEnv'])].map((problem) => `${where}.${problem}`);
    problems.push(...own);
    if (own.length === 0) systems.set(code, factory.create(code, system, context));
  }
  if (problems.length > 0) throw new Error(`The department systems' configuration has ${problems.length} problem(s):\n${problems.map((p) => `- ${p}`).join('\n')}`);
  return systems;
}
