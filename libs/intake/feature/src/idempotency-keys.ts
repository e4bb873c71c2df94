import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { problem } from '@caseline/service-kit';

/** How long a key is honoured after its first use; a reuse after that opens a new case. */
export const IDEMPOTENCY_KEY_TTL_HOURS = 24;

const CLEANUP_EVERY_MS = 60 * 60 * 1000;

/** An Idempotency-Key as one caller sent it, with the fingerprint of the request it came with. */
export interface IdempotencyKey {
  /** Whose key it is: two callers may pick the same key (see actors.ts). */
  caller: string;
  key: string;
  fingerprint: Buffer;
}

const sha256 = (text: string): Buffer => createHash('sha256').update(text).digest();

/** Objects with their keys sorted and undefined members dropped: the same JSON for the same content. */
const canonical = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  const members = Object.entries(value as Record<string, unknown>).filter(([, member]) => member !== undefined);
  return Object.fromEntries(members.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, member]) => [key, canonical(member)]));
};

/** The same request body, however its members are ordered, gives the same fingerprint. */
export const requestFingerprint = (body: unknown): Buffer => sha256(JSON.stringify(canonical(body)));

/** A header value we accept as a key: 1 to 255 visible ASCII characters (a UUID is typical). */
export const isIdempotencyKey = (value: string): boolean => /^[\x21-\x7e]{1,255}$/.test(value);

export const invalidIdempotencyKey = () =>
  problem(400, 'Bad Request', 'The Idempotency-Key header must be 1 to 255 visible ASCII characters, e.g. a UUID', [
    { field: 'Idempotency-Key', rule: 'idempotencyKeyFormat', message: 'Idempotency-Key must be 1 to 255 visible ASCII characters' },
  ]);

/**
 * Idempotency-Keys of POST /v1/cases. The key is written with the reference of its case BEFORE the
 * case is appended, so every later request with the key gets that reference: a retry after a crash
 * between the two writes appends the case under it, and of two racing requests the case log lets
 * only one append it (see IntakeService.report).
 */
@Injectable()
export class IdempotencyKeys implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(IdempotencyKeys.name);
  private cleanup?: NodeJS.Timeout;

  constructor(private readonly dataSource: DataSource) {}

  /**
   * The reference the key stands for: `fresh` when the key is new (or its old use expired),
   * otherwise the one it was first used with. The same key with another request is a 422.
   */
  async claim(key: IdempotencyKey, fresh: string): Promise<string> {
    const keyHash = sha256(key.key);
    for (;;) {
      const [claimed] = await this.dataSource.query<{ reference: string }[]>(
        `INSERT INTO intake.idempotency_keys (caller, key_sha256, request_sha256, reference) VALUES ($1, $2, $3, $4)
         ON CONFLICT (caller, key_sha256) DO UPDATE SET request_sha256 = EXCLUDED.request_sha256, reference = EXCLUDED.reference, created_at = now()
           WHERE intake.idempotency_keys.created_at < now() - make_interval(hours => $5)
         RETURNING reference`,
        [key.caller, keyHash, key.fingerprint, fresh, IDEMPOTENCY_KEY_TTL_HOURS],
      );
      if (claimed) return claimed.reference;
      // A separate statement: it sees the row of a concurrent claim that the INSERT above waited for.
      const [existing] = await this.dataSource.query<{ reference: string; request_sha256: Buffer }[]>(
        'SELECT reference, request_sha256 FROM intake.idempotency_keys WHERE caller = $1 AND key_sha256 = $2',
        [key.caller, keyHash],
      );
      if (!existing) continue; // expired and cleaned up in between: claim it afresh
      if (!existing.request_sha256.equals(key.fingerprint)) {
        throw problem(422, 'Unprocessable Content', 'This Idempotency-Key was already used with a different request; use a new key for a new request', [
          { field: 'Idempotency-Key', rule: 'sameRequest', message: 'Idempotency-Key was already used with a different request body' },
        ]);
      }
      return existing.reference;
    }
  }

  /** Expired keys are ignored anyway; deleting them keeps the table small. Every replica may do it. */
  onApplicationBootstrap(): void {
    this.cleanup = setInterval(() => void this.deleteExpired(), CLEANUP_EVERY_MS).unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.cleanup);
  }

  private async deleteExpired(): Promise<void> {
    try {
      await this.dataSource.query('DELETE FROM intake.idempotency_keys WHERE created_at < now() - make_interval(hours => $1)', [IDEMPOTENCY_KEY_TTL_HOURS]);
    } catch (error) {
      this.logger.warn(`Could not delete expired idempotency keys: ${(error as Error).message}`);
    }
  }
}
