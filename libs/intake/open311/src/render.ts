import type {
  AttributeValue,
  Discovery,
  DiscoveryEndpoint,
  Open311ErrorItem,
  Service,
  ServiceAttribute,
  ServiceDefinition,
  ServiceRequest,
  ServiceRequestCreated,
  ServiceRequestUpdate,
  TokenResponse,
} from './model';
import { xmlDocument } from './xml';

/** What each resource renders, by the name the renderers take. */
export interface Open311Payloads {
  /** `GET discovery` */
  discovery: Discovery;
  /** `GET services` */
  services: readonly Service[];
  /** `GET services/{service_code}` */
  service_definition: ServiceDefinition;
  /** `GET requests` and `GET requests/{service_request_id}` (a list of one) */
  service_requests: readonly ServiceRequest[];
  /** `POST requests` */
  service_request_created: ServiceRequestCreated;
  /** `GET tokens/{token}` */
  token: TokenResponse;
  /** `GET servicerequestupdates` */
  service_request_updates: readonly ServiceRequestUpdate[];
  /** any error answer */
  errors: readonly Open311ErrorItem[];
}

export type Open311Resource = keyof Open311Payloads;
export type Open311Format = 'json' | 'xml';

/** The fields of a record in the spec's order; extra properties of the object are not rendered. */
function pick(record: object, fields: readonly string[]): Record<string, unknown> {
  const source = record as Record<string, unknown>;
  return Object.fromEntries(fields.filter((field) => source[field] !== undefined).map((field) => [field, source[field]]));
}

type FieldOf<T> = T extends unknown ? keyof T & string : never;
/** Every field of T in the order rendered: the compiler rejects a list that misspells or leaves out one. */
const fieldsOf =
  <T>() =>
  <const F extends readonly FieldOf<T>[]>(fields: F & ([Exclude<FieldOf<T>, F[number]>] extends [never] ? unknown : 'a field is missing')) =>
    fields;

const DISCOVERY_FIELDS = fieldsOf<Discovery>()(['changeset', 'contact', 'key_service', 'endpoints']);
const ENDPOINT_FIELDS = fieldsOf<DiscoveryEndpoint>()(['specification', 'url', 'changeset', 'type', 'formats']);
const SERVICE_FIELDS = fieldsOf<Service>()(['service_code', 'service_name', 'description', 'metadata', 'type', 'keywords', 'group']);
const DEFINITION_FIELDS = fieldsOf<ServiceDefinition>()(['service_code', 'attributes']);
const ATTRIBUTE_FIELDS = fieldsOf<ServiceAttribute>()(['variable', 'code', 'datatype', 'required', 'datatype_description', 'order', 'description', 'values']);
const VALUE_FIELDS = fieldsOf<AttributeValue>()(['key', 'name']);
const REQUEST_FIELDS = fieldsOf<ServiceRequest>()([
  'service_request_id', 'status', 'status_notes', 'service_name', 'service_code', 'description', 'agency_responsible',
  'service_notice', 'requested_datetime', 'updated_datetime', 'expected_datetime', 'address', 'address_id', 'zipcode',
  'lat', 'long', 'media_url', 'attributes', 'extended_attributes', 'notes',
]);
const CREATED_FIELDS = fieldsOf<ServiceRequestCreated>()(['service_request_id', 'token', 'service_notice', 'account_id']);
const TOKEN_FIELDS = fieldsOf<TokenResponse>()(['service_request_id', 'token']);
const UPDATE_FIELDS = fieldsOf<ServiceRequestUpdate>()([
  'update_id', 'service_request_id', 'status', 'updated_datetime', 'description', 'media_url', 'external_status_code',
]);
const ERROR_FIELDS = fieldsOf<Open311ErrorItem>()(['code', 'description']);

// Per resource: the XML root and the value both formats render. JSON is that value as is (a list
// resource is a bare array, as in the spec's examples); XML wraps it in the root element.
const RESOURCES: { [R in Open311Resource]: { root: string; wire: (payload: Open311Payloads[R]) => unknown } } = {
  discovery: {
    root: 'discovery',
    wire: (d) => ({ ...pick(d, DISCOVERY_FIELDS), endpoints: d.endpoints.map((e) => pick(e, ENDPOINT_FIELDS)) }),
  },
  services: {
    root: 'services',
    wire: (services) => services.map((s) => ({ ...pick(s, SERVICE_FIELDS), keywords: s.keywords.join(', ') })),
  },
  service_definition: {
    root: 'service_definition',
    wire: (d) => ({
      ...pick(d, DEFINITION_FIELDS),
      attributes: d.attributes.map((a) => ({ ...pick(a, ATTRIBUTE_FIELDS), values: a.values.map((v) => pick(v, VALUE_FIELDS)) })),
    }),
  },
  service_requests: { root: 'service_requests', wire: (requests) => requests.map((r) => pick(r, REQUEST_FIELDS)) },
  service_request_created: { root: 'service_requests', wire: (created) => [pick(created, CREATED_FIELDS)] },
  token: { root: 'service_requests', wire: (token) => [pick(token, TOKEN_FIELDS)] },
  service_request_updates: { root: 'service_request_updates', wire: (updates) => updates.map((u) => pick(u, UPDATE_FIELDS)) },
  errors: { root: 'errors', wire: (errors) => errors.map((e) => pick(e, ERROR_FIELDS)) },
};

export function renderJson<R extends Open311Resource>(resource: R, payload: Open311Payloads[R]): string {
  return JSON.stringify(RESOURCES[resource].wire(payload));
}

export function renderXml<R extends Open311Resource>(resource: R, payload: Open311Payloads[R]): string {
  const { root, wire } = RESOURCES[resource];
  return xmlDocument(root, wire(payload));
}

export const CONTENT_TYPES: Readonly<Record<Open311Format, string>> = {
  json: 'application/json; charset=utf-8',
  xml: 'text/xml; charset=utf-8',
};

/** The MIME types discovery lists under `formats`. */
export const MEDIA_TYPES: Readonly<Record<Open311Format, string>> = { json: 'application/json', xml: 'text/xml' };

/** The body and its Content-Type in the format the client asked for. */
export function render<R extends Open311Resource>(
  format: Open311Format,
  resource: R,
  payload: Open311Payloads[R],
): { contentType: string; body: string } {
  return { contentType: CONTENT_TYPES[format], body: format === 'json' ? renderJson(resource, payload) : renderXml(resource, payload) };
}

/**
 * Splits the last path segment into the resource (or id) and the format the client asked for:
 * `requests.json` → { name: 'requests', format: 'json' }, `S0301.xml` → { name: 'S0301', format: 'xml' }.
 * Undefined without a `.json` / `.xml` suffix, which the spec requires.
 */
export function formatOf(segment: string): { name: string; format: Open311Format } | undefined {
  const match = /^(.+)\.(json|xml)$/i.exec(segment);
  return match ? { name: match[1], format: match[2].toLowerCase() as Open311Format } : undefined;
}
