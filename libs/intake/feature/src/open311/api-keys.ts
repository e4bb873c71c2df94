import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { secret } from '@caseline/service-kit';

const sha256 = (key: string): Buffer => createHash('sha256').update(key).digest();

/** How long a checked key is trusted without asking PostgreSQL again (a revocation takes at most this). */
const CACHE_MS = 30_000;

/**
 * Open311 API keys of portals and partners: stored as SHA-256 hashes only, revocable. Keys come from
 * OPEN311_API_KEYS ("name:key,name:key"); in development a demo key is provided, never in production.
 */
@Injectable()
export class ApiKeys implements OnApplicationBootstrap {
  private readonly logger = new Logger(ApiKeys.name);
  private readonly checked = new Map<string, { partner: string | undefined; until: number }>();

  constructor(private readonly dataSource: DataSource) {}

  async onApplicationBootstrap(): Promise<void> {
    const configured = secret('OPEN311_API_KEYS', 'demo-portal:caseline-demo-key');
    const partners: string[] = [];
    for (const entry of configured.split(',').map((e) => e.trim()).filter(Boolean)) {
      const separator = entry.indexOf(':');
      if (separator <= 0 || separator === entry.length - 1) throw new Error('OPEN311_API_KEYS must be a comma-separated list of name:key');
      const [name, key] = [entry.slice(0, separator), entry.slice(separator + 1)];
      await this.dataSource.query(
        `INSERT INTO intake.api_keys (partner, key_sha256) VALUES ($1, $2) ON CONFLICT (partner) DO UPDATE SET key_sha256 = EXCLUDED.key_sha256, revoked_at = NULL`,
        [name, sha256(key)],
      );
      partners.push(name);
    }
    // A key taken out of OPEN311_API_KEYS is revoked (e.g. a leaked one, or the demo key in production).
    await this.dataSource.query('UPDATE intake.api_keys SET revoked_at = now() WHERE revoked_at IS NULL AND partner <> ALL($1)', [partners]);
    this.logger.log('Open311 API keys loaded');
  }

  /** The partner a key belongs to, or undefined for an unknown or revoked key. */
  async partnerFor(key: string): Promise<string | undefined> {
    const digest = sha256(key);
    const hash = digest.toString('base64');
    const cached = this.checked.get(hash);
    if (cached && cached.until > Date.now()) return cached.partner;
    const rows = await this.dataSource.query<{ partner: string }[]>('SELECT partner FROM intake.api_keys WHERE key_sha256 = $1 AND revoked_at IS NULL', [digest]);
    const partner = rows[0]?.partner;
    if (this.checked.size > 10_000) this.checked.clear(); // bounded: unknown keys must not grow it for ever
    this.checked.set(hash, { partner, until: Date.now() + CACHE_MS });
    return partner;
  }
}
