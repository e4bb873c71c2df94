import { departmentSecret, tracedFetch } from '@caseline/service-kit';
import {
  AdapterSettings,
  DepartmentStatusChange,
  DepartmentSystemClient,
  isHttpUrl,
  MappedStatus,
  PolledChanges,
  refusesForGood,
  registerAdapter,
  StatusMap,
  urlSetting,
  validateEnvNames,
  WorkOrderRefusedError,
  WorkOrderRequest,
  WorkOrderUpdate,
} from '../../adapter-contract';

/** A back office that speaks Open311 GeoReport v2, as FixMyStreet-style integrations talk to one. */
export interface Open311Settings extends AdapterSettings {
  /** The GeoReport v2 root, e.g. https://backoffice.example.gov/open311/v2 (requests.json is below it). */
  endpoint: string;
  endpointEnv?: string;
  /** Defaults to the department's code. */
  jurisdictionId?: string;
  /** Our service codes → the back office's; unnamed codes are sent as ours. */
  serviceCodeMap?: Record<string, string>;
  /** How changes come back: `servicerequestupdates` (the default), or asking `requests` for each open work order (open/closed only). */
  poll?: 'updates' | 'requests';
  statusMap?: Record<string, string>;
}

/**
 * Open311's statuses (with FixMyStreet's extended ones) onto ours. A plain "closed" from a back office
 * that knows only open and closed means it finished the work; a department whose "closed" means
 * otherwise says so in its statusMap.
 */
export const OPEN311_STATUSES: Record<string, MappedStatus> = {
  open: 'ignore',
  reopen: 'ignore',
  for_triage: 'acknowledged',
  investigating: 'acknowledged',
  internal_referral: 'acknowledged',
  action_scheduled: 'scheduled',
  in_progress: 'in_progress',
  fixed: 'completed',
  closed: 'completed',
  duplicate: 'not_fixed',
  no_further_action: 'not_fixed',
  not_councils_responsibility: 'rejected',
};

/** Our idempotency key and reference travel as attributes, as FixMyStreet sends `attribute[fixmystreet_id]`: the back office dedupes on it. */
export const ID_ATTRIBUTE = 'caseline_id';

/** Updates that arrive late (a back office's clock, a slow commit) are caught by reading this far back each time; repeats are recorded once. */
const POLL_OVERLAP_MS = 60_000;
const FIRST_POLL_WINDOW_MS = 24 * 3600_000;
const PAGE_LIMIT = 1000;
const IDS_PER_REQUEST = 50;

/** W3C datetime, whole seconds, as GeoReport v2 wants it. */
const w3c = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

interface Open311Update {
  update_id: string;
  service_request_id: string;
  status: string;
  updated_datetime: string;
  description?: string | null;
  media_url?: string | null;
  external_status_code?: string | null;
}

interface Open311Request {
  service_request_id: string;
  status: string;
  status_notes?: string | null;
  updated_datetime?: string | null;
}

export class Open311DepartmentSystem implements DepartmentSystemClient {
  readonly statuses: StatusMap;
  private readonly endpoint: string;
  private readonly apiKey: string;
  private readonly jurisdiction: string;

  constructor(
    department: string,
    private readonly settings: Open311Settings,
  ) {
    this.endpoint = urlSetting(settings, 'endpoint').replace(/\/+$/, '');
    this.apiKey = departmentSecret(department, settings.secretEnv as string | undefined);
    this.jurisdiction = settings.jurisdictionId ?? department;
    this.statuses = new StatusMap(OPEN311_STATUSES, settings.statusMap);
  }

  async createWorkOrder(idempotencyKey: string, request: WorkOrderRequest): Promise<{ workOrderId: string }> {
    const location = request.location as { lat?: number; long?: number; address?: string; addressId?: string };
    const form = this.form({
      service_code: this.settings.serviceCodeMap?.[request.serviceCode] ?? request.serviceCode,
      description: request.description,
      lat: location.lat,
      long: location.long,
      address_string: location.address,
      address_id: location.addressId,
      media_url: request.mediaUrl,
      [`attribute[${ID_ATTRIBUTE}]`]: idempotencyKey,
      'attribute[caseline_reference]': request.caseReference,
    });
    const [answer] = await this.call<{ service_request_id?: string | null; token?: string }[]>('POST', '/requests.json', form);
    if (answer?.service_request_id) return { workOrderId: answer.service_request_id };
    if (!answer?.token) throw new Error(`${this.settings.name} answered without a service_request_id or token`);
    // Some back offices queue the request and hand out a token first: ask what it became. Until it
    // has an id, the work order is retried — with the same caseline_id, so never created twice.
    const [created] = await this.call<{ service_request_id?: string | null }[]>('GET', `/tokens/${encodeURIComponent(answer.token)}.json`, this.form({}));
    if (!created?.service_request_id) throw new Error(`${this.settings.name} has not yet created the request for token ${answer.token}`);
    return { workOrderId: created.service_request_id };
  }

  /** Posted as a service request update (FixMyStreet's shape): a cancellation closes the request, added information is a note on it. */
  async sendUpdate(idempotencyKey: string, workOrderId: string, update: WorkOrderUpdate): Promise<void> {
    const cancel = update.kind === 'cancel';
    await this.call('POST', '/servicerequestupdates.json', this.form({
      service_request_id: workOrderId,
      update_id: idempotencyKey,
      status: cancel ? 'CLOSED' : 'OPEN',
      description: cancel ? `Cancelled by the city: ${update.reason ?? 'the case was cancelled'}` : (update.text ?? 'The reporter added a photo'),
      media_url: cancel ? undefined : update.mediaUrl,
      updated_datetime: w3c(new Date()),
    }));
  }

  pollChanges(cursor: string | null, openWorkOrders: () => Promise<string[]>): Promise<PolledChanges> {
    return this.settings.poll === 'requests' ? this.pollRequests(openWorkOrders) : this.pollUpdates(cursor);
  }

  /** `GET servicerequestupdates` for the window since the last poll (with an overlap); the cursor moves to its end. */
  private async pollUpdates(cursor: string | null): Promise<PolledChanges> {
    const end = new Date();
    const start = new Date(cursor ? Date.parse(cursor) - POLL_OVERLAP_MS : end.getTime() - FIRST_POLL_WINDOW_MS);
    const updates = await this.call<Open311Update[]>('GET', '/servicerequestupdates.json', this.form({ start_date: w3c(start), end_date: w3c(end) }));
    const result = this.collect(updates.map((u) => ({ changeId: u.update_id, workOrderId: u.service_request_id, statuses: [u.external_status_code, u.status], note: u.description })));
    // A full page may have more behind it: go on from its last entry rather than the window's end.
    const next = updates.length >= PAGE_LIMIT ? updates[updates.length - 1].updated_datetime : w3c(end);
    return { ...result, cursor: next };
  }

  /** For back offices without updates: ask after each open work order (open or closed, with its notes). */
  private async pollRequests(openWorkOrders: () => Promise<string[]>): Promise<PolledChanges> {
    const ids = await openWorkOrders();
    const requests: Open311Request[] = [];
    for (let i = 0; i < ids.length; i += IDS_PER_REQUEST) {
      requests.push(...(await this.call<Open311Request[]>('GET', '/requests.json', this.form({ service_request_id: ids.slice(i, i + IDS_PER_REQUEST).join(',') }))));
    }
    const result = this.collect(
      requests.map((r) => ({ changeId: `${r.service_request_id}:${r.status}:${r.updated_datetime ?? ''}`, workOrderId: r.service_request_id, statuses: [r.status], note: r.status_notes })),
    );
    return { ...result, cursor: w3c(new Date()) };
  }

  /** The department's statuses onto ours: ignored ones dropped, unknown ones reported (never guessed at). */
  private collect(entries: { changeId: string; workOrderId: string; statuses: (string | null | undefined)[]; note?: string | null }[]): Omit<PolledChanges, 'cursor'> {
    const changes: DepartmentStatusChange[] = [];
    const unmapped: string[] = [];
    for (const entry of entries) {
      const status = this.statuses.map(...entry.statuses);
      const departmentStatus = entry.statuses.find((s): s is string => !!s) ?? '';
      if (status === undefined) unmapped.push(departmentStatus);
      else if (status !== 'ignore') changes.push({ changeId: entry.changeId, workOrderId: entry.workOrderId, status, departmentStatus, ...(entry.note ? { note: entry.note } : {}) });
    }
    return { changes, unmapped };
  }

  private form(fields: Record<string, string | number | undefined>): URLSearchParams {
    const form = new URLSearchParams({ api_key: this.apiKey, jurisdiction_id: this.jurisdiction });
    for (const [name, value] of Object.entries(fields)) if (value !== undefined && value !== '') form.set(name, String(value));
    return form;
  }

  /** A GeoReport call; an error list answer becomes WorkOrderRefusedError (for good) or Error (retried), naming the back office's reason. */
  private async call<T>(method: 'GET' | 'POST', path: string, form: URLSearchParams): Promise<T> {
    const response = await tracedFetch(method === 'GET' ? `${this.endpoint}${path}?${form}` : `${this.endpoint}${path}`, {
      method,
      ...(method === 'POST' ? { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() } : {}),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    if (response.ok) {
      try {
        return JSON.parse(text) as T;
      } catch {
        throw new Error(`${this.settings.name} answered ${path} with something other than JSON`);
      }
    }
    const reason = `${response.status}${describeErrors(text)}`;
    if (refusesForGood(response.status)) throw new WorkOrderRefusedError(reason);
    throw new Error(`${this.settings.name} answered ${reason}`);
  }
}

/** ": description; description" from an Open311 error list, when the answer is one. */
function describeErrors(text: string): string {
  try {
    const errors = JSON.parse(text) as { description?: string }[];
    const descriptions = Array.isArray(errors) ? errors.map((e) => e.description).filter(Boolean) : [];
    return descriptions.length > 0 ? `: ${descriptions.join('; ').slice(0, 300)}` : '';
  } catch {
    return '';
  }
}

registerAdapter({
  name: 'open311',
  validate(settings) {
    const { endpoint, poll, serviceCodeMap, jurisdictionId } = settings as Open311Settings;
    const problems = validateEnvNames(settings, ['endpointEnv']);
    if (!isHttpUrl(endpoint)) problems.push(`endpoint "${String(endpoint)}" must be an http(s) URL (the GeoReport v2 root)`);
    if (poll !== undefined && poll !== 'updates' && poll !== 'requests') problems.push(`poll "${String(poll)}" must be "updates" (servicerequestupdates) or "requests"`);
    if (jurisdictionId !== undefined && (typeof jurisdictionId !== 'string' || jurisdictionId.trim() === '')) problems.push('jurisdictionId must be a non-empty string');
    for (const [ours, theirs] of Object.entries(serviceCodeMap ?? {})) {
      if (typeof theirs !== 'string' || theirs === '') problems.push(`serviceCodeMap.${ours} must name the back office's service code`);
    }
    return problems;
  },
  create: (department, settings) => new Open311DepartmentSystem(department, settings as Open311Settings),
});
