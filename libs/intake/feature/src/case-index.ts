import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { CaseEventEnvelope, CaseReported, Channel } from '@caseline/case-contracts';
import { caseDecider, CaseStatus } from '@caseline/case-domain';
import { foldCase, Statement } from '@caseline/event-store';
import { contactHash, normalizeEmail, normalizePhone } from '@caseline/service-kit';
import { CaseFilter, encodeCursor } from './case-search';

/** One line of a staff search result; GET /v1/cases/{reference} has the rest. */
export interface CaseSummary {
  reference: string;
  status: CaseStatus;
  serviceCode: string;
  department?: string;
  channel: Channel;
  description: string;
  location?: { lat: number; long: number };
  reportedAt: string;
  updatedAt: string;
}

export interface CaseSearchPage {
  cases: CaseSummary[];
  /** Pass as `cursor` for the next page; null on the last one. */
  next: string | null;
}

interface CaseIndexRow {
  case_id: string;
  reference: string;
  status: CaseStatus;
  service_code: string;
  department: string | null;
  channel: Channel;
  description: string;
  lat: number | null;
  long: number | null;
  reported_at: Date;
  updated_at: Date;
}

/** The case's row, derived from its whole stream; undefined until it has been reported. */
function rowOf(history: CaseEventEnvelope[]) {
  const state = foldCase(caseDecider, history);
  if (!state.exists || history[0].type !== 'CaseReported') return undefined;
  const reported = history[0].data as CaseReported['data'];
  // Only schema 1 holds a clear contact here; a sealed reporter is found by its blind index (search).
  const email = reported.reporter?.email && normalizeEmail(reported.reporter.email);
  const phone = reported.reporter?.phone && normalizePhone(reported.reporter.phone);
  return [
    history[0].caseId,
    reported.reference,
    history[history.length - 1].caseVersion,
    state.status,
    reported.serviceCode,
    state.department ?? null,
    reported.channel,
    reported.description,
    reported.location.lat ?? null,
    reported.location.long ?? null,
    history[0].metadata.at,
    history[history.length - 1].metadata.at,
    email ? contactHash(email) : null,
    phone ? contactHash(phone) : null,
  ];
}

/**
 * The staff search read model (intake.case_index), kept from the case log by the intake projection
 * (ReadModelsProjection), which derives the row from the case's whole stream.
 * The reporter's email and phone are kept only as keyed hashes (see contactHash), and only those
 * of events written before sealing; sealed reporters are found through privacy's blind indexes.
 */
@Injectable()
export class CaseIndex {
  constructor(private readonly dataSource: DataSource) {
    contactHash('startup-check'); // reads CONTACT_HASH_SECRET now: production without it does not start
  }

  /** The write of the case's row, derived from its stream (which starts with CaseReported); none before it is reported. */
  writes(history: CaseEventEnvelope[]): Statement[] {
    const row = rowOf(history);
    if (!row) return [];
    return [
      {
        text: `INSERT INTO intake.case_index (case_id, reference, case_version, status, service_code, department, channel, description, lat, long, reported_at, updated_at, reporter_email_sha256, reporter_phone_sha256)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
       ON CONFLICT (case_id) DO UPDATE SET case_version = EXCLUDED.case_version, status = EXCLUDED.status, department = EXCLUDED.department, updated_at = EXCLUDED.updated_at
       WHERE intake.case_index.case_version < EXCLUDED.case_version`,
        parameters: row,
      },
    ];
  }

  /** Newest first, by (reported_at, case_id) so that pages neither repeat nor skip a case. */
  async search(filter: CaseFilter): Promise<CaseSearchPage> {
    const parameters: unknown[] = [];
    const parameter = (value: unknown): string => `$${parameters.push(value)}`;
    const conditions: string[] = [];
    if (filter.statuses) conditions.push(`status = ANY(${parameter(filter.statuses)}::text[])`);
    if (filter.serviceCode) conditions.push(`service_code = ${parameter(filter.serviceCode)}`);
    if (filter.department) conditions.push(`department = ${parameter(filter.department)}`);
    if (filter.departments) conditions.push(`department = ANY(${parameter(filter.departments)}::text[])`);
    if (filter.reportedFrom) conditions.push(`reported_at >= ${parameter(filter.reportedFrom)}`);
    if (filter.reportedTo) conditions.push(`reported_at < ${parameter(filter.reportedTo)}`);
    if (filter.bbox) {
      const { minLong, minLat, maxLong, maxLat } = filter.bbox;
      conditions.push(`lat BETWEEN ${parameter(minLat)} AND ${parameter(maxLat)} AND long BETWEEN ${parameter(minLong)} AND ${parameter(maxLong)}`);
    }
    // Built-in full text search ('simple': no stemming, any language), so no extension is needed.
    // The words are letters and digits only, so they cannot inject tsquery syntax.
    if (filter.words?.length) conditions.push(`description_words @@ to_tsquery('simple', ${parameter(filter.words.map((word) => `${word}:*`).join(' & '))})`);
    // A sealed reporter's cases are found by the blind indexes privacy keeps of them, until erased.
    const reportedBy = (column: string, contact: { hash: Buffer; blindIndex: Buffer }) =>
      `(${column} = ${parameter(contact.hash)} OR case_id IN (SELECT case_id FROM privacy.sealed_cases WHERE role = 'reporter' AND blind_indexes @> ARRAY[${parameter(contact.blindIndex)}::bytea]))`;
    if (filter.reporterEmail) conditions.push(reportedBy('reporter_email_sha256', filter.reporterEmail));
    if (filter.reporterPhone) conditions.push(reportedBy('reporter_phone_sha256', filter.reporterPhone));
    if (filter.after) conditions.push(`(reported_at, case_id) < (${parameter(filter.after.reportedAt)}::timestamptz, ${parameter(filter.after.caseId)}::uuid)`);
    // One row more than asked tells whether there is a next page.
    const rows = await this.dataSource.query<CaseIndexRow[]>(
      `SELECT case_id, reference, status, service_code, department, channel, description, lat, long, reported_at, updated_at
         FROM intake.case_index
        ${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''}
        ORDER BY reported_at DESC, case_id DESC
        LIMIT ${parameter(filter.limit + 1)}`,
      parameters,
    );
    const page = rows.slice(0, filter.limit);
    const last = page[page.length - 1];
    return {
      cases: page.map(summaryOf),
      next: rows.length > filter.limit ? encodeCursor({ reportedAt: last.reported_at.toISOString(), caseId: last.case_id }) : null,
    };
  }
}

const summaryOf = (row: CaseIndexRow): CaseSummary => ({
  reference: row.reference,
  status: row.status,
  serviceCode: row.service_code,
  ...(row.department ? { department: row.department } : {}),
  channel: row.channel,
  description: row.description,
  ...(row.lat !== null && row.long !== null ? { location: { lat: row.lat, long: row.long } } : {}),
  reportedAt: row.reported_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});
