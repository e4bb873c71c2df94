import { createHmac, timingSafeEqual } from 'node:crypto';
import { env, secret } from './config';

/**
 * The unguessable half of a public tracking link: an HMAC of the reference number, so nothing
 * needs storing and a guessed reference alone shows nothing. Rotating TRACKING_TOKEN_SECRET
 * retires every link given out before.
 */
export function trackingToken(reference: string): string {
  const key = secret('TRACKING_TOKEN_SECRET', 'caseline-development-tracking-secret');
  return createHmac('sha256', key).update(`tracking:${reference}`).digest('base64url').slice(0, 22);
}

/** Whether `token` is the tracking token of `reference` (compared in constant time). */
export function isTrackingToken(reference: string, token: string): boolean {
  const expected = Buffer.from(trackingToken(reference));
  const given = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Where a resident follows a case: the public tracking page, with its token. */
export const trackingUrl = (reference: string): string =>
  `${env('TRACKING_BASE_URL', `http://127.0.0.1:${process.env.INTAKE_PORT ?? 3000}/track`)}/${reference}?token=${trackingToken(reference)}`;

/** What a signed case link lets its holder do: reopen a resolved case as "not fixed", answer the satisfaction survey, or confirm an address that asked to follow the case. */
export type CaseLinkAction = 'reopen' | 'survey' | 'follow';

const caseLinkToken = (reference: string, action: CaseLinkAction, expires: number, email = ''): string =>
  createHmac('sha256', secret('TRACKING_TOKEN_SECRET', 'caseline-development-tracking-secret')).update(`${action}:${reference}:${expires}:${email}`).digest('base64url').slice(0, 22);

/** A link to one action on a case, valid until `expires` (unix seconds): the token signs the reference, the action, the expiry and (to follow) the address. */
export const caseLinkUrl = (reference: string, action: CaseLinkAction, expires: number, email?: string): string =>
  `${env('TRACKING_BASE_URL', `http://127.0.0.1:${process.env.INTAKE_PORT ?? 3000}/track`)}/${reference}/${action}?${new URLSearchParams({ expires: String(expires), ...(email ? { email } : {}), token: caseLinkToken(reference, action, expires, email) })}`;

/** Checks a case link: 'valid', 'expired' (genuine but too late), or 'invalid' (forged or changed). */
export function checkCaseLink(reference: string, action: CaseLinkAction, expires: number, token: string, email?: string, now = Date.now()): 'valid' | 'expired' | 'invalid' {
  if (!Number.isInteger(expires)) return 'invalid';
  const expected = Buffer.from(caseLinkToken(reference, action, expires, email));
  const given = Buffer.from(token);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
  return now / 1000 > expires ? 'expired' : 'valid';
}
