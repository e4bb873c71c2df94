import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { DataSource } from 'typeorm';
import type { CaseEventEnvelope, CaseSplit } from '@caseline/case-contracts';
import { FollowedHistories, WriteBatcher } from '@caseline/event-store';
import { CaseLog, sqlFor } from '@caseline/service-kit';
import { CaseIndex } from './case-index';
import { IntakeService } from './intake.service';
import { ServiceRequestsProjection } from './open311/service-requests.projection';

/** Events that change nothing a read model shows. */
const UNSEEN = new Set(['ResidentNotified', 'ResidentNotificationFailed']);

/**
 * Keeps intake's read models — the Open311 documents (intake.service_requests and
 * service_request_updates) and the staff case index — in step with the log. Each event re-derives
 * its case's rows from the case's stream, all in one statement, so a redelivered or replayed event
 * writes the same rows again and an older one never overwrites a newer (rows carry the case version).
 */
@Controller()
export class ReadModelsProjection {
  private readonly writes;
  private readonly histories;

  constructor(
    dataSource: DataSource,
    caseLog: CaseLog,
    private readonly serviceRequests: ServiceRequestsProjection,
    private readonly caseIndex: CaseIndex,
    private readonly intake: IntakeService,
  ) {
    this.writes = new WriteBatcher(sqlFor(dataSource));
    this.histories = new FollowedHistories((caseId) => caseLog.history(caseId));
  }

  @EventPattern('*')
  async onCaseEvent(@Payload() event: CaseEventEnvelope): Promise<void> {
    if (UNSEEN.has(event.type)) return this.histories.note(event);
    // Intake's one reaction: the child cases a split names exist (normally opened by the request already).
    if (event.type === 'CaseSplit') await this.intake.openChildren(event as CaseEventEnvelope<'CaseSplit', CaseSplit['data']>);
    // The case's events consumed so far, and this one: read back only after a gap (a later event
    // brings the rest; the version guard keeps a newer row if this one arrives late).
    const history = await this.histories.through(event);
    if (history.length === 0 || history[0].type !== 'CaseReported') return;
    // Both read models in one statement — both rows or neither — committed with other partitions' events.
    await this.writes.write([...this.serviceRequests.writes(history), ...this.caseIndex.writes(history)]);
  }
}
