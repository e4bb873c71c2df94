import { Injectable, Logger } from '@nestjs/common';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import type { CaseEventEnvelope, CaseReported } from '@caseline/case-contracts';
import { CatalogStore } from '@caseline/catalog-feature';
import { cityConfigDir } from '@caseline/city-config';
import type { Statement } from '@caseline/event-store';
import { sqlFor } from '@caseline/service-kit';
import { boxAround, DuplicatePolicies, DuplicatePolicy, distanceMeters, policyFor, validateDuplicatePolicies } from '@caseline/routing-domain';

export interface Original {
  caseId: string;
  reference: string;
  distanceMeters: number;
  policy: DuplicatePolicy;
}

/**
 * Finds the open case a new report duplicates (same type or group, near, recent), from
 * routing.open_cases, and keeps which case follows which in routing.duplicates. Both tables are
 * written in the transaction of the event they reflect.
 */
@Injectable()
export class DuplicateFinder {
  private readonly logger = new Logger('Duplicates');
  private policies: DuplicatePolicies = { policies: [] };

  constructor(
    private readonly dataSource: DataSource,
    private readonly catalog: CatalogStore,
  ) {}

  /** Loads the city's duplicates.json (none: nothing is ever merged), refusing a file with problems. */
  load(): void {
    const file = join(cityConfigDir(), 'duplicates.json');
    if (!existsSync(file)) return;
    const value = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    const problems = validateDuplicatePolicies(value, { services: this.catalog.all() });
    if (problems.length > 0) throw new Error(`${file} has ${problems.length} problem(s):\n${problems.map((p) => `- ${p}`).join('\n')}`);
    this.policies = value as DuplicatePolicies;
    this.logger.log(`${this.policies.policies.length} duplicate policies`);
  }

  /** The nearest open case this report duplicates, if a policy covers its type and one is near enough. */
  async findOriginal(event: CaseEventEnvelope<'CaseReported', CaseReported['data']>, group: string): Promise<Original | undefined> {
    const { location, serviceCode } = event.data;
    if (location.lat === undefined || location.long === undefined) return undefined;
    const policy = policyFor(this.policies, serviceCode, group);
    if (!policy) return undefined;
    const point = { lat: location.lat, long: location.long };
    const box = boxAround(point, policy.withinMeters);
    const candidates = await sqlFor(this.dataSource).query<{ case_id: string; reference: string; lat: number; long: number }>(
      `SELECT case_id, reference, lat, long FROM routing.open_cases
        WHERE lat BETWEEN $1 AND $2 AND long BETWEEN $3 AND $4
          AND (service_code = ANY($5) OR service_group = ANY($6))
          AND reported_at >= $7::timestamptz - make_interval(hours => $8) AND case_id <> $9
        ORDER BY reported_at LIMIT 50`,
      [box.minLat, box.maxLat, box.minLong, box.maxLong, policy.serviceCodes ?? [], policy.groups ?? [], event.metadata.at, policy.withinHours, event.caseId],
      'routing-duplicate-candidates',
    );
    const nearest = candidates
      .map((c) => ({ caseId: c.case_id, reference: c.reference, distanceMeters: Math.round(distanceMeters(point, c)), policy }))
      .filter((c) => c.distanceMeters <= policy.withinMeters)
      .sort((a, b) => a.distanceMeters - b.distanceMeters)[0];
    return nearest;
  }

  /** A routed (or triaged) located case becomes a possible original. */
  recordOpen(caseId: string, reported: CaseReported['data'], group: string, reportedAt: string): Statement[] {
    const { lat, long } = reported.location;
    if (lat === undefined || long === undefined || !Number.isFinite(lat) || !Number.isFinite(long)) return [];
    return [
      {
        text: `INSERT INTO routing.open_cases (case_id, reference, service_code, service_group, lat, long, reported_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (case_id) DO NOTHING`,
        parameters: [caseId, reported.reference, reported.serviceCode, group, lat, long, reportedAt],
      },
    ];
  }

  recordDuplicate(duplicateId: string, originalId: string, originalReference: string): Statement {
    return { text: 'INSERT INTO routing.duplicates (duplicate_id, original_id, original_reference) VALUES ($1, $2, $3) ON CONFLICT (duplicate_id) DO NOTHING', parameters: [duplicateId, originalId, originalReference] };
  }

  forgetDuplicate(duplicateId: string): Statement {
    return { text: 'DELETE FROM routing.duplicates WHERE duplicate_id = $1', parameters: [duplicateId] };
  }

  /** The duplicates following a case. */
  async duplicatesOf(originalId: string): Promise<string[]> {
    return (await this.dataSource.query<{ duplicate_id: string }[]>('SELECT duplicate_id FROM routing.duplicates WHERE original_id = $1', [originalId])).map((r) => r.duplicate_id);
  }

  /** Closed: nobody can duplicate it any more. */
  async forgetOpen(caseId: string): Promise<void> {
    await this.dataSource.query('DELETE FROM routing.open_cases WHERE case_id = $1', [caseId]);
  }
}
