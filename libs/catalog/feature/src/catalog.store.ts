import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Actor } from '@caseline/case-contracts';
import { CatalogCommand, catalogDecider, CatalogEvent, CatalogState, ServiceDefinition } from '@caseline/catalog-domain';
import { loadCityConfig } from '@caseline/city-config';
import { CommandResult, deterministicEventId } from '@caseline/event-store';
import { ConfigStream, envInt } from '@caseline/service-kit';

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
  private readonly stream: ConfigStream<CatalogCommand, CatalogEvent, CatalogState>;

  constructor(dataSource: DataSource) {
    this.stream = new ConfigStream(dataSource, CATALOG_STREAM_ID, catalogDecider, 'Catalog');
  }

  async onApplicationBootstrap(): Promise<void> {
    // Every service seeds: the first wins, the others find the services there and add nothing.
    const seed: CatalogCommand = { type: 'ImportServices', data: { services: loadCityConfig().services.map(({ active: _active, ...draft }) => draft) } };
    await this.stream.start(seed, SYSTEM, envInt('CATALOG_REFRESH_MS', 1000));
  }

  onApplicationShutdown(): void {
    this.stream.stop();
  }

  /** Every service ever defined, retired ones included. */
  all(): ServiceDefinition[] {
    return [...this.stream.state.values()];
  }

  /** When the catalog last changed (Open311's discovery changeset tells clients to refresh by it). */
  changedAt(): string {
    return this.stream.changedAt();
  }

  find(code: string): ServiceDefinition | undefined {
    return this.stream.state.get(code);
  }

  /** Applies an admin's (or the import's) command; CatalogDomainError when it cannot apply. */
  execute(command: CatalogCommand, actor: Actor): Promise<CommandResult<CatalogState>> {
    return this.stream.execute(command, actor);
  }
}
