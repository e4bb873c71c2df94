import { createHmac, timingSafeEqual } from 'node:crypto';
import { secret } from './config';

/**
 * Signed HTTP between Caseline and department systems, both ways: header
 * `Caseline-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`. The
 * timestamp bounds replays to a window (SIGNATURE_TOLERANCE_SECONDS, default 300); within it, the
 * receiver remembers signatures it accepted and refuses the same one again.
 */
export const SIGNATURE_HEADER = 'caseline-signature';

/** A department system's shared secret (<CODE>_SYSTEM_SECRET unless its configuration names another variable); required in production. */
export const departmentSecret = (department: string, secretEnv?: string): string => secret(secretEnv ?? `${department}_SYSTEM_SECRET`, `development-only-secret-of-${department}`);

export const signatureTolerance = (): number => Number(process.env.SIGNATURE_TOLERANCE_SECONDS ?? 300);

const hmac = (secret: string, timestamp: number, body: string | Buffer): string =>
  createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');

export function signBody(secret: string, body: string | Buffer, now = Date.now()): string {
  const timestamp = Math.floor(now / 1000);
  return `t=${timestamp},v1=${hmac(secret, timestamp, body)}`;
}

/** Why a request's signature is refused: unsigned and bad ones are 401, a malformed header 400. */
export class SignatureRefused extends Error {
  constructor(
    readonly status: 400 | 401,
    message: string,
  ) {
    super(message);
    this.name = 'SignatureRefused';
  }
}

/**
 * Checks a signature header against the raw body; returns the signature (to remember against
 * replays) or throws SignatureRefused saying why.
 */
export function verifySignature(secret: string, header: string | undefined, body: Buffer | string | undefined, now = Date.now()): { signature: string; timestamp: number } {
  if (!header) throw new SignatureRefused(401, `The request is not signed: send a ${SIGNATURE_HEADER} header`);
  const parts = Object.fromEntries(header.split(',').map((part) => part.trim().split('=', 2) as [string, string]));
  const timestamp = Number(parts.t);
  if (!/^\d{1,12}$/.test(parts.t ?? '') || !/^[0-9a-f]{64}$/.test(parts.v1 ?? '')) {
    throw new SignatureRefused(400, `${SIGNATURE_HEADER} must be "t=<unix seconds>,v1=<64 hex digits>"`);
  }
  if (Math.abs(now / 1000 - timestamp) > signatureTolerance()) {
    throw new SignatureRefused(401, `The signature is stale: signed at ${new Date(timestamp * 1000).toISOString()}, more than ${signatureTolerance()} s from now`);
  }
  const expected = Buffer.from(hmac(secret, timestamp, body ?? ''), 'hex');
  const given = Buffer.from(parts.v1, 'hex');
  if (!timingSafeEqual(expected, given)) throw new SignatureRefused(401, 'The signature does not match the body (wrong secret, or the body was changed)');
  return { signature: parts.v1, timestamp };
}
