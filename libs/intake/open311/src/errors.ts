import type { Open311ErrorItem } from './model';

/**
 * What can go wrong, and the HTTP status the spec gives each ("404 for resources that don't exist,
 * 403 for errors because of wrong or missing api_key and basically 400 for any other error"):
 *
 * | kind                 | status | when                                                                 |
 * |----------------------|--------|----------------------------------------------------------------------|
 * | invalid              | 400    | a parameter is missing or malformed: no service_code on POST, no location, bad lat/long, bad dates, page_size > 1000, jurisdiction_id missing where several are served |
 * | api_key              | 403    | POST without an api_key, or with one we do not know                  |
 * | not_found            | 404    | `services/{code}`, `requests/{id}` or `tokens/{token}` does not exist; jurisdiction_id not served (when several are); POST with a service_code we do not offer |
 * | service_error        | 400    | anything failing while we process a valid request (the spec's "General service error", e.g. the CRM is down) |
 *
 * An unknown service_code in the `service_code` filter of `GET requests` is not an error: it
 * matches no request, and the answer is an empty list.
 */
export type Open311ErrorKind = 'invalid' | 'api_key' | 'not_found' | 'service_error';

export const OPEN311_STATUS: Readonly<Record<Open311ErrorKind, 400 | 403 | 404>> = {
  invalid: 400,
  api_key: 403,
  not_found: 404,
  service_error: 400,
};

/** An error answer: the HTTP status and the body, a list of errors (render with kind `errors`). */
export interface Open311Failure {
  status: 400 | 403 | 404;
  errors: readonly Open311ErrorItem[];
}

/** One or more errors of the same kind, each description meant for the person using the client. */
export function open311Failure(kind: Open311ErrorKind, ...descriptions: string[]): Open311Failure {
  const status = OPEN311_STATUS[kind];
  return { status, errors: descriptions.map((description) => ({ code: status, description })) };
}

/** A parse result: the value, or the failure to answer with. */
export type Parsed<T> = { ok: true; value: T } | ({ ok: false } & Open311Failure);

/**
 * The spec's jurisdiction rule. An endpoint serving one jurisdiction may ignore jurisdiction_id
 * ("treat it as an Optional Argument"), and does, so a client configured with any id keeps working;
 * one serving several needs it (400) and answers 404 for an id it does not serve.
 */
export function checkJurisdiction(jurisdictionId: string | undefined, served: readonly string[]): Open311Failure | undefined {
  if (served.length <= 1) return undefined;
  if (jurisdictionId === undefined) return open311Failure('invalid', 'jurisdiction_id is required');
  return served.includes(jurisdictionId) ? undefined : open311Failure('not_found', `jurisdiction_id '${jurisdictionId}' was not found`);
}
