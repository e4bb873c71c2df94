import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CASE_EVENT_SCHEMA_VERSION, CaseEventEnvelope, CaseEventType, EventMetadata } from '@caseline/case-contracts';
import { CaseCommand, caseDecider, CaseState, ReportCase } from '@caseline/case-domain';
import {
  CaseOpener,
  ChainKeys,
  CommandOptions,
  CommandResult,
  DEVELOPMENT_CHAIN_KEYS,
  deterministicEventId,
  DuplicateEvent,
  foldCase,
  handleCommand,
  newEventId,
  parseChainKeys,
  readCase,
  Sql,
} from '@caseline/event-store';
import { secret } from './config';
import { sqlFor } from './database';
import { withTraceContext } from './tracing';

/**
 * The keys that link the case log's events (ADR 0011): CASE_LOG_CHAIN_KEYS = "id:key,…", the first
 * signing new events, the others still verifying the links they made. Never stored in the database.
 */
export const caseLogChainKeys = (): ChainKeys => parseChainKeys(secret('CASE_LOG_CHAIN_KEYS', DEVELOPMENT_CHAIN_KEYS));

export interface ExecuteOptions {
  metadata: EventMetadata;
  /**
   * For a consumer: the id of the event it is reacting to, plus its own name. The appended events'
   * ids derive from them, so a redelivery cannot append the same effect twice.
   */
  reactionTo?: { eventId: string; consumer: string };
  /** The service's own rows that go with the events (a read model, its outbox): the same statement writes both, or neither. */
  alongside?: CommandOptions['alongside'];
}

/** The case aggregate over the event log: every service changes cases only through here. */
@Injectable()
export class CaseLog {
  private readonly opener;

  private readonly chainKeys = caseLogChainKeys();

  constructor(private readonly dataSource: DataSource) {
    this.opener = new CaseOpener(this.sql(), caseDecider, { schemaVersion: this.schemaVersion, chainKeys: this.chainKeys });
  }

  async execute(caseId: string, command: CaseCommand, options: ExecuteOptions): Promise<CommandResult<CaseState> & { duplicate: boolean }> {
    const { reactionTo } = options;
    try {
      const result = await handleCommand(this.sql(), caseDecider, caseId, command, {
        metadata: withTraceContext(options.metadata),
        eventId: reactionTo ? (index) => deterministicEventId(reactionTo.consumer, reactionTo.eventId, String(index)) : () => newEventId(),
        schemaVersion: this.schemaVersion,
        alongside: options.alongside,
        chainKeys: this.chainKeys,
      });
      return { ...result, duplicate: false };
    } catch (error) {
      // A concurrent redelivery of the same reaction won the race: its effect is already recorded.
      if (error instanceof DuplicateEvent && reactionTo) return { appended: [], state: await this.state(caseId), duplicate: true };
      throw error;
    }
  }

  /** Opens a new case with its first event: intake's whole write path, batched with concurrent openings. */
  open(caseId: string, command: ReportCase, metadata: EventMetadata): Promise<CommandResult<CaseState>> {
    return this.opener.open(caseId, command, withTraceContext(metadata), () => newEventId());
  }

  history(caseId: string): Promise<CaseEventEnvelope[]> {
    return readCase(this.sql(), caseId);
  }

  async state(caseId: string): Promise<CaseState> {
    return foldCase(caseDecider, await this.history(caseId));
  }

  private readonly schemaVersion = (type: string): number => CASE_EVENT_SCHEMA_VERSION[type as CaseEventType] ?? 1;

  private sql(): Sql {
    return sqlFor(this.dataSource);
  }
}
