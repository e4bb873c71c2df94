import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { PersonalFields, SealedPersonalData } from '@caseline/case-contracts';
import { contactHash, normalizeEmail, normalizePhone, secret, toE164 } from '@caseline/service-kit';

/*
 * Envelope encryption (ADR 0014): each resident's personal fields are sealed with their own data
 * key (AES-256-GCM); each data key is kept wrapped by the master key, which lives only in the
 * environment. Destroying a data key makes every copy of what it sealed unreadable.
 */

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * PERSONAL_DATA_MASTER_KEY: 32 bytes, base64 (`openssl rand -base64 32`). Refused missing in
 * production; in development a fixed key, so local data stays readable across restarts.
 */
export function masterKey(): Buffer {
  const configured = secret('PERSONAL_DATA_MASTER_KEY', '');
  if (!configured) return createHash('sha256').update('caseline-development-personal-data-master-key').digest();
  const key = Buffer.from(configured, 'base64');
  // The value itself is never quoted: it is the one secret that opens everything.
  if (key.length !== 32) throw new Error('PERSONAL_DATA_MASTER_KEY must be 32 bytes in base64 (openssl rand -base64 32)');
  return key;
}

/** iv ‖ ciphertext ‖ tag under `key`; `context` is authenticated, so a value moved to another context does not open. */
function encrypt(key: Buffer, plaintext: Buffer, context: string): { iv: Buffer; ct: Buffer } {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv).setAAD(Buffer.from(context));
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return { iv, ct };
}

function decrypt(key: Buffer, iv: Buffer, ct: Buffer, context: string): Buffer {
  const decipher = createDecipheriv(ALGORITHM, key, iv).setAAD(Buffer.from(context));
  decipher.setAuthTag(ct.subarray(ct.length - TAG_BYTES));
  return Buffer.concat([decipher.update(ct.subarray(0, ct.length - TAG_BYTES)), decipher.final()]);
}

export const newDataKey = (): Buffer => randomBytes(32);

/** A data key as stored (iv ‖ ciphertext ‖ tag), bound to its key id. */
export function wrapKey(master: Buffer, keyId: string, dataKey: Buffer): Buffer {
  const { iv, ct } = encrypt(master, dataKey, `resident-key:${keyId}`);
  return Buffer.concat([iv, ct]);
}

export function unwrapKey(master: Buffer, keyId: string, wrapped: Buffer): Buffer {
  return decrypt(master, wrapped.subarray(0, IV_BYTES), wrapped.subarray(IV_BYTES), `resident-key:${keyId}`);
}

/** Only the fields given: an absent field stays absent, so opening gives back exactly what was sealed. */
export function seal(keyId: string, dataKey: Buffer, fields: PersonalFields): SealedPersonalData {
  const { iv, ct } = encrypt(dataKey, Buffer.from(JSON.stringify(fields)), keyId);
  return { k: keyId, iv: iv.toString('base64'), ct: ct.toString('base64') };
}

/** Throws when the value was altered (GCM's tag): that is tampering, not erasure. */
export function open(dataKey: Buffer, sealed: SealedPersonalData): PersonalFields {
  return JSON.parse(decrypt(dataKey, Buffer.from(sealed.iv, 'base64'), Buffer.from(sealed.ct, 'base64'), sealed.k).toString()) as PersonalFields;
}

/** Whether a value from an event or a row is a sealed value (and not, say, schema 1's clear contact). */
export const isSealed = (value: unknown): value is SealedPersonalData =>
  typeof value === 'object' && value !== null && ['k', 'iv', 'ct'].every((field) => typeof (value as Record<string, unknown>)[field] === 'string');

/**
 * How a resident is found again without keeping their address: blind indexes, keyed hashes
 * (contactHash, CONTACT_HASH_SECRET) of the normalized email and the E.164 phone. The same person's
 * later cases share one key, and "delete my data" finds them all; a hash cannot be read back.
 */
export function blindIndexes(fields: Pick<PersonalFields, 'email' | 'phone'>): Buffer[] {
  const indexes: Buffer[] = [];
  if (fields.email?.trim()) indexes.push(contactHash(`resident-email:${normalizeEmail(fields.email)}`));
  if (fields.phone?.trim()) indexes.push(contactHash(`resident-phone:${toE164(fields.phone) ?? normalizePhone(fields.phone)}`));
  return indexes;
}
