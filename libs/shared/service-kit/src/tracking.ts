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
