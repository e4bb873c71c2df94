import type { CaseEventEnvelope } from '@caseline/case-contracts';

/**
 * The histories of the cases a consumer follows, grown from the events it consumes. The log is
 * append-only and a case's events reach its consumer in version order, so a consumer that holds
 * a case's events 1..v-1 knows its history through event v without reading it back; with a gap
 * (another replica had the partition, or the case fell out of memory) it reads the case from the
 * log. The most recently used `capacity` cases are kept.
 */
export class FollowedHistories {
  private readonly cases = new Map<string, CaseEventEnvelope[]>();

  constructor(
    private readonly read: (caseId: string) => Promise<CaseEventEnvelope[]>,
    private readonly capacity = 1000,
  ) {}

  /** An event the consumer does not act on still belongs to its case's history. */
  note(event: CaseEventEnvelope): void {
    const known = this.cases.get(event.caseId);
    if (known?.length === event.caseVersion - 1) this.cases.set(event.caseId, [...known, event]);
  }

  /** The case's history through this event at least (a read from the log also brings what came after it); callers must not change it. */
  async through(event: CaseEventEnvelope): Promise<CaseEventEnvelope[]> {
    const known = this.cases.get(event.caseId) ?? [];
    const history =
      known.length >= event.caseVersion ? known : known.length === event.caseVersion - 1 ? [...known, event] : await this.read(event.caseId);
    this.cases.delete(event.caseId);
    this.cases.set(event.caseId, history);
    if (this.cases.size > this.capacity) this.cases.delete(this.cases.keys().next().value!);
    return history;
  }
}
