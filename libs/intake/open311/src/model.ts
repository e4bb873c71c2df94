// Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) response models, with the spec's own
// field names. Fields the spec always returns are required and may be null (rendered as JSON null
// and an empty XML element); fields the spec says "may not be returned" are optional (left out when
// undefined).

/** A W3C datetime with a time zone and no fractional seconds; only `w3cDateTime()` makes one. */
export type W3cDateTime = string & { readonly __w3cDateTime: unique symbol };

/** Any JSON value; used for the free-form `extended_attributes` extension. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** `GET discovery` (http://wiki.open311.org/Service_Discovery). */
export interface Discovery {
  /** Sortable; changes when the services or their definitions change, telling clients to refresh. */
  changeset: string;
  contact: string;
  key_service: string;
  endpoints: readonly DiscoveryEndpoint[];
}

export interface DiscoveryEndpoint {
  /** e.g. http://wiki.open311.org/GeoReport_v2 */
  specification: string;
  url: string;
  changeset: string;
  type: 'production' | 'test';
  /** MIME types, e.g. `text/xml`, `application/json`. */
  formats: readonly string[];
}

/** realtime: the POST answers a service_request_id; batch: a token; blackbox: neither. */
export type ServiceType = 'realtime' | 'batch' | 'blackbox';

/** One entry of `GET services`. */
export interface Service {
  service_code: string;
  service_name: string;
  description: string;
  /** Whether `GET services/{code}` has attributes the client must ask for. */
  metadata: boolean;
  type: ServiceType;
  /** Rendered comma-separated, as the spec defines the field. */
  keywords: readonly string[];
  group: string | null;
}

export type AttributeDatatype = 'string' | 'number' | 'datetime' | 'text' | 'singlevaluelist' | 'multivaluelist';

/** `GET services/{code}`. */
export interface ServiceDefinition {
  service_code: string;
  attributes: readonly ServiceAttribute[];
}

export interface ServiceAttribute {
  /** false: the attribute only shows information (its description) and takes no input. */
  variable: boolean;
  code: string;
  datatype: AttributeDatatype;
  required: boolean;
  datatype_description: string | null;
  /** Presentation order, 1 first; unique within the service. */
  order: number;
  description: string;
  /** The options of a single/multivaluelist; empty for the other datatypes. */
  values: readonly AttributeValue[];
}

export interface AttributeValue {
  key: string;
  name: string;
}

export type RequestStatus = 'open' | 'closed';

/** One entry of `GET requests` and `GET requests/{id}`; the extension fields only with `extensions=true`. */
export interface ServiceRequest {
  service_request_id: string;
  status: RequestStatus;
  status_notes?: string | null;
  service_name: string | null;
  service_code: string | null;
  description: string | null;
  agency_responsible?: string | null;
  service_notice?: string | null;
  requested_datetime: W3cDateTime;
  updated_datetime: W3cDateTime | null;
  expected_datetime?: W3cDateTime | null;
  address: string | null;
  address_id: string | null;
  zipcode: string | null;
  lat: number | null;
  long: number | null;
  media_url: string | null;
  /** Extension (Chicago, Boston, San Francisco): the submitted attributes, human-readable. */
  attributes?: readonly ExtendedAttribute[];
  /** Extension: anything else the server wants to say, e.g. the channel or the reference number. */
  extended_attributes?: { readonly [key: string]: JsonValue };
  /** Extension: the request's history. */
  notes?: readonly RequestNote[];
}

/** As San Francisco renders it: `name` is the attribute code, `code` the value key, `value` its name. */
export interface ExtendedAttribute {
  label?: string;
  name: string;
  value: string;
  code: string;
}

export interface RequestNote {
  datetime: W3cDateTime;
  description: string;
  /** e.g. submitted, opened, closed, comment. */
  type: string;
}

/** The answer to `POST requests`: rendered as a list of one, as the spec shows. */
export type ServiceRequestCreated = ({ service_request_id: string } | { token: string }) & {
  service_notice?: string | null;
  account_id?: string | null;
};

/** `GET tokens/{token}`; service_request_id is null while the request is not yet created. */
export interface TokenResponse {
  service_request_id: string | null;
  token: string;
}

/**
 * Statuses of the FixMyStreet `servicerequestupdates` extension: open/closed plus the extended
 * states FixMyStreet maps to its own (https://github.com/mysociety/fixmystreet/wiki/Open311-FMS-Additional-states).
 */
export type UpdateStatus =
  | RequestStatus
  | 'fixed'
  | 'in_progress'
  | 'action_scheduled'
  | 'investigating'
  | 'duplicate'
  | 'not_councils_responsibility'
  | 'no_further_action'
  | 'internal_referral'
  | 'reopen'
  | 'for_triage';

/** One entry of `GET servicerequestupdates` (mySociety's extension, polled by FixMyStreet). */
export interface ServiceRequestUpdate {
  /** Unique and stable: FixMyStreet skips updates whose id it has already stored. */
  update_id: string;
  service_request_id: string;
  status: UpdateStatus;
  updated_datetime: W3cDateTime;
  description: string | null;
  media_url: string | null;
  /** The back-office system's own, finer status; FixMyStreet picks response templates with it. */
  external_status_code?: string;
}

/** One error of an error response; `code` is the HTTP status unless a more specific code helps. */
export interface Open311ErrorItem {
  code: number;
  description: string;
}
