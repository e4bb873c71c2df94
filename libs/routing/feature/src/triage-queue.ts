import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { CaseEventEnvelope, CaseReported, CaseSentToTriage } from '@caseline/case-contracts';
import type { Statement } from '@caseline/event-store';

export interface TriageEntry {
  caseId: string;
  reference: string;
  serviceCode: string;
  serviceName: string;
  reason: string;
  detail: string;
  areas: CaseSentToTriage['data']['areas'] | null;
  since: string;
}

/**
 * Cases waiting for an operator to choose their department, oldest first. Rows are written in the
 * transaction that appends CaseSentToTriage and removed in the one that routes the case, so the
 * queue never disagrees with the log.
 */
@Injectable()
export class TriageQueue {
  constructor(private readonly dataSource: DataSource) {}

  add(caseId: string, reported: CaseReported['data'], triaged: Pick<CaseEventEnvelope<'CaseSentToTriage', CaseSentToTriage['data']>, 'data' | 'metadata'>): Statement {
    return {
      text: `INSERT INTO routing.triage_queue (case_id, reference, service_code, service_name, reason, detail, areas, since)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (case_id) DO NOTHING`,
      parameters: [caseId, reported.reference, reported.serviceCode, reported.serviceName, triaged.data.reason, triaged.data.detail, triaged.data.areas ? JSON.stringify(triaged.data.areas) : null, triaged.metadata.at],
    };
  }

  remove(caseId: string): Statement {
    return { text: 'DELETE FROM routing.triage_queue WHERE case_id = $1', parameters: [caseId] };
  }

  /** A cancelled case leaves the queue (the resident withdrew it; nobody needs to decide any more). */
  async forget(caseId: string): Promise<void> {
    const { text, parameters } = this.remove(caseId);
    await this.dataSource.query(text, parameters);
  }

  /** The oldest waiting cases first, and how many wait in all. */
  async list(limit: number): Promise<{ waiting: number; cases: TriageEntry[] }> {
    const cases = await this.dataSource.query<TriageEntry[]>(
      `SELECT case_id AS "caseId", reference, service_code AS "serviceCode", service_name AS "serviceName", reason, detail, areas, since
         FROM routing.triage_queue ORDER BY since, case_id LIMIT $1`,
      [limit],
    );
    const [{ waiting }] = await this.dataSource.query<{ waiting: number }[]>('SELECT count(*)::int AS waiting FROM routing.triage_queue');
    return { waiting, cases };
  }
}
