import { Injectable, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { envInt, transactorFor, WorkLoop } from '@caseline/service-kit';
import { cityDay, FIGURES, projectNextBatch } from './projection';

/**
 * Keeps the figures read model up with the case log: batch after batch in commit order, each in
 * one transaction with its checkpoint (so nothing is counted twice or skipped, whatever crashes).
 * Replicas take turns on the projection's lock; a rebuild swapping tables in waits on it too.
 */
@Injectable()
export class FiguresProjector implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly loop: WorkLoop;

  constructor(dataSource: DataSource) {
    const transaction = transactorFor(dataSource);
    const dayOf = cityDay();
    const batchSize = envInt('STATISTICS_BATCH_SIZE', 1000);
    this.loop = new WorkLoop('FiguresProjector', async () => (await transaction((sql) => projectNextBatch(sql, FIGURES, '', dayOf, batchSize))) > 0, envInt('STATISTICS_IDLE_MS', 200));
  }

  onApplicationBootstrap(): void {
    if (process.env.STATISTICS_PROJECTION !== 'off') this.loop.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }
}
