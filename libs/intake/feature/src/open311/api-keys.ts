import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { Actor } from '@caseline/case-contracts';
import { secret } from '@caseline/service-kit';

const sha256 = (key: string): Buffer => createHash('sha256').update(key).digest();

/** TypeORM answers an UPDATE … RETURNING with [rows, count]. */
const updated = <Row>(result: [Row[], number]): Row | undefined => result[0][0];

/** How long a checked key is trusted without asking PostgreSQL again: a revocation reaches other intake replicas within this. */
const CACHE_MS = 30_000;

/** What a key may be used for: submitting Open311 requests, and subscribing to cases it did not submit. */
export const API_KEY_OPERATIONS = ['requests:create', 'cases:subscribe'] as const;
export type ApiKeyOperation = (typeof API_KEY_OPERATIONS)[number];

/** A key as administrators see it: never the key itself, which is shown once, when issued. */
export interface ApiKeySummary {
  id: string;
  partner: string;
  operations: ApiKeyOperation[];
  /** null: every jurisdiction this deployment serves. */
  jurisdictions: string[] | null;
  source: 'environment' | 'api';
  issuedAt: string;
  issuedBy: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  revokedBy: string | null;
}

export type KeyCheck = { ok: true; partner: string } | { ok: false; reason: 'unknown' | 'operation' | 'jurisdiction'; detail: string };

interface KeyRow {
  id: string;
  partner: string;
  operations: ApiKeyOperation[];
  jurisdictions: string[] | null;
}

interface SummaryRow extends KeyRow {
  source: 'environment' | 'api';
  created_at: Date;
  issued_by: string | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
  revoked_by: string | null;
}

const summaryOf = (row: SummaryRow): ApiKeySummary => ({
  id: row.id,
  partner: row.partner,
  operations: row.operations,
  jurisdictions: row.jurisdictions,
  source: row.source,
  issuedAt: row.created_at.toISOString(),
  issuedBy: row.issued_by,
  lastUsedAt: row.last_used_at?.toISOString() ?? null,
  revokedAt: row.revoked_at?.toISOString() ?? null,
  revokedBy: row.revoked_by,
});

/**
 * Open311 API keys of portals and partners: stored as SHA-256 hashes only, scoped (which
 * operations, which jurisdictions), revocable, and rate-limited per partner by the callers. Keys
 * come from OPEN311_API_KEYS ("name:key,name:key"; a key taken out of it is revoked) or are issued
 * by administrators (POST /v1/admin/api-keys); the demo key exists only outside production.
 */
@Injectable()
export class ApiKeys implements OnApplicationBootstrap {
  private readonly logger = new Logger(ApiKeys.name);
  private readonly checked = new Map<string, { row: KeyRow | undefined; until: number }>();

  constructor(private readonly dataSource: DataSource) {}

  async onApplicationBootstrap(): Promise<void> {
    const configured = secret('OPEN311_API_KEYS', 'demo-portal:caseline-demo-key');
    const hashes: Buffer[] = [];
    for (const entry of configured.split(',').map((e) => e.trim()).filter(Boolean)) {
      const separator = entry.indexOf(':');
      if (separator <= 0 || separator === entry.length - 1) throw new Error('OPEN311_API_KEYS must be a comma-separated list of name:key');
      const [name, key] = [entry.slice(0, separator), entry.slice(separator + 1)];
      hashes.push(sha256(key));
      // A key an administrator revoked stays revoked, even while it is still in the environment.
      await this.dataSource.query(`INSERT INTO intake.api_keys (partner, key_sha256, source) VALUES ($1, $2, 'environment') ON CONFLICT (key_sha256) DO NOTHING`, [name, hashes.at(-1)]);
    }
    await this.dataSource.query(`UPDATE intake.api_keys SET revoked_at = now(), revoked_by = 'removed from OPEN311_API_KEYS' WHERE source = 'environment' AND revoked_at IS NULL AND key_sha256 <> ALL($1)`, [hashes]);
    this.logger.log('Open311 API keys loaded');
  }

  /** Whether a key may do `operation` (for `jurisdiction`, when the request names one). */
  async check(key: string, operation: ApiKeyOperation, jurisdiction?: string): Promise<KeyCheck> {
    const row = await this.find(key);
    if (!row) return { ok: false, reason: 'unknown', detail: 'api_key is not valid' };
    if (!row.operations.includes(operation)) return { ok: false, reason: 'operation', detail: `this api_key may not be used for ${operation}` };
    if (jurisdiction !== undefined && row.jurisdictions !== null && !row.jurisdictions.includes(jurisdiction)) return { ok: false, reason: 'jurisdiction', detail: `this api_key is not for jurisdiction ${jurisdiction}` };
    return { ok: true, partner: row.partner };
  }

  /** A new key for a partner; the key is in the answer and nowhere else. */
  async issue(input: { partner: string; operations: ApiKeyOperation[]; jurisdictions: string[] | null }, actor: Actor): Promise<ApiKeySummary & { key: string }> {
    const key = `csl_${randomBytes(24).toString('base64url')}`;
    const [row] = await this.dataSource.query<SummaryRow[]>(
      `INSERT INTO intake.api_keys (partner, key_sha256, source, operations, jurisdictions, issued_by) VALUES ($1, $2, 'api', $3, $4, $5) RETURNING *`,
      [input.partner, sha256(key), input.operations, input.jurisdictions, actor.id],
    );
    this.logger.log(`API key ${row.id} issued to ${input.partner} by ${actor.id}`);
    return { ...summaryOf(row), key };
  }

  /** Revokes a key: at once here, within 30 s on every other intake replica. Undefined when there is no such key. */
  async revoke(id: string, actor: Actor): Promise<ApiKeySummary | undefined> {
    const row = updated(await this.dataSource.query<[SummaryRow[], number]>(`UPDATE intake.api_keys SET revoked_at = COALESCE(revoked_at, now()), revoked_by = COALESCE(revoked_by, $2) WHERE id = $1 RETURNING *`, [id, actor.id]));
    this.checked.clear();
    if (row) this.logger.log(`API key ${id} of ${row.partner} revoked by ${actor.id}`);
    return row && summaryOf(row);
  }

  async list(): Promise<ApiKeySummary[]> {
    return (await this.dataSource.query<SummaryRow[]>('SELECT * FROM intake.api_keys ORDER BY partner, created_at')).map(summaryOf);
  }

  private async find(key: string): Promise<KeyRow | undefined> {
    const digest = sha256(key);
    const hash = digest.toString('base64');
    const cached = this.checked.get(hash);
    if (cached && cached.until > Date.now()) return cached.row;
    // One statement finds the key and notes its use (at most once per cache period per replica).
    const row = updated(await this.dataSource.query<[KeyRow[], number]>('UPDATE intake.api_keys SET last_used_at = now() WHERE key_sha256 = $1 AND revoked_at IS NULL RETURNING id, partner, operations, jurisdictions', [digest]));
    if (this.checked.size > 10_000) this.checked.clear(); // bounded: unknown keys must not grow it for ever
    this.checked.set(hash, { row, until: Date.now() + CACHE_MS });
    return row;
  }
}
