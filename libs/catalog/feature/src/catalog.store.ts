import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Actor } from '@caseline/case-contracts';
import { CatalogCommand, catalogDecider, CatalogEvent, CatalogState, ServiceDefinition } from '@caseline/catalog-domain';
import { loadCityConfig } from '@caseline/city-config';
import { CommandResult, deterministicEventId, foldCase, handleCommand, newEventId, readCase } from '@caseline/event-store';
import { envInt, transactorFor } from '@caseline/service-kit';

/** The catalog is one stream of the event log, so every change is an event with its actor. */
export const CATALOG_STREAM_ID = deterministicEventId('catalog', 'service-catalog');

const SYSTEM: Actor = { kind: 'service', id: 'catalog', name: 'Service catalog (city file import)' };

/**
 * The city's service catalog, as every service reads it: folded from its stream in the log, seeded
 * once from the city's catalog.json, and refreshed when the stream moves (checked every
 * CATALOG_REFRESH_MS), so every service converges on the same catalog within that interval.
 */
@Injectable()
export class CatalogStore implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Catalog');
  private readonly transaction;
  private state: CatalogState = catalogDecider.initialState();
  private version = 0;
  private lastChange = new Date(0).toISOString();
  private timer?: NodeJS.Timeout;

  constructor(private readonly dataSource: DataSource) {
    this.transaction = transactorFor(dataSource);
  }

  async onApplicationBootstrap(): Promise<void> {
    // Every service seeds: the first wins, the others find the services there and add nothing.
    await this.execute({ type: 'ImportServices', data: { services: loadCityConfig().services.map(({ active: _active, ...draft }) => draft) } }, SYSTEM);
    this.timer = setInterval(() => void this.refreshIfMoved().catch((error: Error) => this.logger.warn(`refresh: ${error.message}`)), envInt('CATALOG_REFRESH_MS', 1000));
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Every service ever defined, retired ones included. */
  all(): ServiceDefinition[] {
    return [...this.state.values()];
  }

  /** When the catalog last changed (Open311's discovery changeset tells clients to refresh by it). */
  changedAt(): string {
    return this.lastChange;
  }

  find(code: string): ServiceDefinition | undefined {
    return this.state.get(code);
  }

  /** Applies an admin's (or the import's) command; CatalogDomainError when it cannot apply. */
  async execute(command: CatalogCommand, actor: Actor): Promise<CommandResult<CatalogState>> {
    const result = await handleCommand(this.transaction, catalogDecider, CATALOG_STREAM_ID, command, {
      metadata: { actor, channel: 'system', at: new Date().toISOString(), correlationId: CATALOG_STREAM_ID },
      eventId: () => newEventId(),
      schemaVersion: () => 1,
    });
    await this.refresh();
    return result;
  }

  private async refreshIfMoved(): Promise<void> {
    const [{ version }] = await this.dataSource.query<{ version: number | null }[]>('SELECT max(case_version) AS version FROM case_log.events WHERE case_id = $1', [CATALOG_STREAM_ID]);
    if ((version ?? 0) !== this.version) await this.refresh();
  }

  private async refresh(): Promise<void> {
    const events = await readCase({ query: (text, parameters) => this.dataSource.query(text, parameters) }, CATALOG_STREAM_ID);
    this.state = foldCase<CatalogEvent, CatalogState>(catalogDecider, events);
    this.version = events.length === 0 ? 0 : events[events.length - 1].caseVersion;
    this.lastChange = events.length === 0 ? this.lastChange : events[events.length - 1].recordedAt;
  }
}
