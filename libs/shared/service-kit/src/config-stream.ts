import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Actor } from '@caseline/case-contracts';
import { CommandResult, Decider, foldCase, handleCommand, newEventId, readCase } from '@caseline/event-store';
import { caseLogChainKeys } from './case-log';
import { envInt } from './config';
import { sqlFor } from './database';

/**
 * A piece of city configuration kept as one stream of the event log (the service catalog, the
 * routing rules): every change is an event with its actor, every service folds the same stream,
 * and each refreshes when the stream moves (checked every CONFIG_REFRESH_MS, CATALOG_REFRESH_MS for
 * the catalog), so all converge on the same configuration within that interval.
 */
export class ConfigStream<Command, Event extends { type: string; data: unknown }, State> {
  private readonly logger: Logger;
  private current: State;
  private version = 0;
  private lastChange = new Date(0).toISOString();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly dataSource: DataSource,
    private readonly streamId: string,
    private readonly decider: Decider<Command, Event, State>,
    name: string,
  ) {
    this.logger = new Logger(name);
    this.current = decider.initialState();
  }

  /** Seeds the stream (the first service to start wins; the others' seed adds nothing) and starts following it. */
  async start(seed: Command | undefined, seedActor: Actor, refreshMs = envInt('CONFIG_REFRESH_MS', 1000)): Promise<void> {
    if (seed) await this.execute(seed, seedActor);
    else await this.refresh();
    this.timer = setInterval(() => void this.refreshIfMoved().catch((error: Error) => this.logger.warn(`refresh: ${error.message}`)), refreshMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  get state(): State {
    return this.current;
  }

  /** When the configuration last changed. */
  changedAt(): string {
    return this.lastChange;
  }

  /** Applies a command; the decider's own error when it cannot apply. */
  async execute(command: Command, actor: Actor): Promise<CommandResult<State>> {
    const result = await handleCommand(sqlFor(this.dataSource), this.decider, this.streamId, command, {
      metadata: { actor, channel: 'system', at: new Date().toISOString(), correlationId: this.streamId },
      eventId: () => newEventId(),
      schemaVersion: () => 1,
      chainKeys: caseLogChainKeys(),
    });
    await this.refresh();
    return result;
  }

  private async refreshIfMoved(): Promise<void> {
    const [{ version }] = await this.dataSource.query<{ version: number | null }[]>('SELECT max(case_version) AS version FROM case_log.events WHERE case_id = $1', [this.streamId]);
    if ((version ?? 0) !== this.version) await this.refresh();
  }

  private async refresh(): Promise<void> {
    const events = await readCase(sqlFor(this.dataSource), this.streamId);
    this.current = foldCase<Event, State>(this.decider, events);
    this.version = events.length === 0 ? 0 : events[events.length - 1].caseVersion;
    this.lastChange = events.length === 0 ? this.lastChange : events[events.length - 1].recordedAt;
  }
}
