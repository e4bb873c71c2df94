import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { CaseEventEnvelope, CaseReported } from '@caseline/case-contracts';
import { CatalogStore } from '@caseline/catalog-feature';
import { loadCityConfig } from '@caseline/city-config';
import type { ServiceRequest, ServiceRequestUpdate } from '@caseline/intake-open311';
import type { Statement } from '@caseline/event-store';
import { serviceRequestOf, serviceRequestUpdates } from './open311-documents';

/** The Open311 read model: one document per case for searches, one row per public step for updates. */
@Injectable()
export class ServiceRequestsProjection {
  private readonly city = loadCityConfig();

  constructor(private readonly catalog: CatalogStore) {}

  /** The writes of the case's Open311 documents, derived from its stream (which starts with CaseReported). */
  writes(history: CaseEventEnvelope[]): Statement[] {
    const reported = history[0].data as CaseReported['data'];
    const caseId = history[0].caseId;
    const { timeZone } = this.city.city;
    const document = serviceRequestOf(history, timeZone, this.catalog.find(reported.serviceCode), true);
    const updates = serviceRequestUpdates(history, timeZone);
    const request: Statement = {
      text: `INSERT INTO intake.service_requests (case_id, reference, service_code, status, requested_at, case_version, document)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (case_id) DO UPDATE SET status = EXCLUDED.status, case_version = EXCLUDED.case_version, document = EXCLUDED.document
       WHERE intake.service_requests.case_version < EXCLUDED.case_version`,
      parameters: [caseId, reported.reference, reported.serviceCode, document.status, history[0].metadata.at, history[history.length - 1].caseVersion, JSON.stringify(document)],
    };
    if (updates.length === 0) return [request];
    return [
      request,
      {
        text: `INSERT INTO intake.service_request_updates (update_id, case_id, updated_at, document)
       SELECT u.update_id, $1, u.updated_at, u.document FROM jsonb_to_recordset($2::jsonb) AS u(update_id uuid, updated_at timestamptz, document jsonb)
       ON CONFLICT (update_id) DO NOTHING`,
        parameters: [caseId, JSON.stringify(updates.map((u) => ({ update_id: u.update_id, updated_at: u.updated_datetime, document: u })))],
      },
    ];
  }
}

/** Open311 documents without the extension fields, for clients that did not ask for them. */
export const withoutExtensions = ({ attributes: _a, extended_attributes: _e, notes: _n, ...plain }: ServiceRequest): ServiceRequest => plain;

/** The read side of the projection: the searches Open311 clients run. */
@Injectable()
export class ServiceRequestsReadModel {
  constructor(private readonly dataSource: DataSource) {}

  async byReferences(references: string[]): Promise<ServiceRequest[]> {
    const rows = await this.dataSource.query<{ document: ServiceRequest }[]>(
      'SELECT document FROM intake.service_requests WHERE reference = ANY($1) ORDER BY requested_at DESC, case_id',
      [references],
    );
    return rows.map((row) => row.document);
  }

  async search(filter: { from: Date; to: Date; serviceCodes?: string[]; statuses?: string[]; page: number; pageSize: number }): Promise<ServiceRequest[]> {
    const rows = await this.dataSource.query<{ document: ServiceRequest }[]>(
      `SELECT document FROM intake.service_requests
        WHERE requested_at BETWEEN $1 AND $2 AND ($3::text[] IS NULL OR service_code = ANY($3)) AND ($4::text[] IS NULL OR status = ANY($4))
        ORDER BY requested_at DESC, case_id LIMIT $5 OFFSET $6`,
      [filter.from, filter.to, filter.serviceCodes ?? null, filter.statuses ?? null, filter.pageSize, (filter.page - 1) * filter.pageSize],
    );
    return rows.map((row) => row.document);
  }

  async updates(filter: { from: Date; to: Date; page: number; pageSize: number }): Promise<ServiceRequestUpdate[]> {
    const rows = await this.dataSource.query<{ document: ServiceRequestUpdate }[]>(
      `SELECT document FROM intake.service_request_updates WHERE updated_at BETWEEN $1 AND $2 ORDER BY updated_at, update_id LIMIT $3 OFFSET $4`,
      [filter.from, filter.to, filter.pageSize, (filter.page - 1) * filter.pageSize],
    );
    return rows.map((row) => row.document);
  }
}
