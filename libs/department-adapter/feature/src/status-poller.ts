import { Injectable, Logger, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { envInt, failpoint, ProblemException, WorkLoop } from '@caseline/service-kit';
import type { DepartmentSystemClient } from './adapter-contract';
import { WorkOrdersService } from './work-orders.service';

/**
 * Brings back the changes of department systems that do not push (Open311 back offices): every
 * DEPARTMENT_POLL_MS, each such system is asked what changed since the last poll. Each change is
 * recorded once (its id in the department's system), and the cursor moves only after all of the
 * poll's changes are recorded: a crash in between re-reads them, and they are recorded once still.
 * One process polls a department at a time (a lease in poll_cursors), however many replicas run.
 */
@Injectable()
export class StatusPoller implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(StatusPoller.name);
  private readonly intervalMs = envInt('DEPARTMENT_POLL_MS', 30_000);
  private readonly loop = new WorkLoop('status poller', () => this.pollAll(), this.intervalMs, this.logger);

  constructor(
    private readonly dataSource: DataSource,
    private readonly workOrders: WorkOrdersService,
  ) {}

  onApplicationBootstrap(): void {
    if (this.workOrders.polledSystems().length > 0) this.loop.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.loop.stop();
  }

  /** Every polled system, one after the other; then the loop waits DEPARTMENT_POLL_MS (nothing is left for at once). */
  private async pollAll(): Promise<boolean> {
    for (const [department, system] of this.workOrders.polledSystems()) await this.poll(department, system);
    return false;
  }

  /** One poll of one department's system; failures are logged and kept for operators, and the next poll tries again. */
  async poll(department: string, system: DepartmentSystemClient): Promise<void> {
    await this.dataSource.query('INSERT INTO department_adapter.poll_cursors (department) VALUES ($1) ON CONFLICT DO NOTHING', [department]);
    const [lease] = await this.dataSource.query<{ cursor: string | null; lease: string }[]>(
      `WITH leased AS (
         UPDATE department_adapter.poll_cursors SET leased_until = now() + make_interval(secs => $2)
          WHERE department = $1 AND (leased_until IS NULL OR leased_until < now())
          RETURNING cursor, leased_until::text AS lease)
       SELECT * FROM leased`,
      [department, Math.max(30, (3 * this.intervalMs) / 1000)],
    );
    if (!lease) return; // another process is polling it
    try {
      const { changes, unmapped, cursor } = await system.pollChanges!(lease.cursor, () => this.workOrders.openWorkOrders(department));
      for (const change of changes) {
        const { changed } = await this.workOrders.recordStatusChange(department, change).catch((error: unknown) => {
          // Not one of ours, or nothing the case can take: recorded nowhere, and no reason to stop.
          if (error instanceof ProblemException) return { changed: false };
          throw error;
        });
        if (changed) failpoint('department-adapter:after-poll-change');
      }
      if (unmapped.length > 0) this.logger.warn(`${department}'s system used statuses its status map does not know (ignored): ${[...new Set(unmapped)].join(', ')}`);
      await this.dataSource.query(
        `UPDATE department_adapter.poll_cursors
            SET cursor = $2, leased_until = NULL, last_polled_at = now(), last_error = NULL,
                unmapped_statuses = ARRAY(SELECT DISTINCT s FROM unnest(unmapped_statuses || $3::text[]) s ORDER BY s)
          WHERE department = $1 AND leased_until = $4::timestamptz`,
        [department, cursor, unmapped, lease.lease],
      );
    } catch (error) {
      this.logger.warn(`polling ${department}'s system failed: ${(error as Error).message}`);
      await this.dataSource.query(`UPDATE department_adapter.poll_cursors SET leased_until = NULL, last_error = $2 WHERE department = $1 AND leased_until = $3::timestamptz`, [
        department,
        (error as Error).message.slice(0, 500),
        lease.lease,
      ]);
    }
  }

  /** For operators: when each polled system last answered, and what it said that we could not map. */
  async status(): Promise<{ department: string; lastPolledAt: string | null; lastError: string | null; unmappedStatuses: string[] }[]> {
    return this.dataSource.query(
      `SELECT department, last_polled_at AS "lastPolledAt", last_error AS "lastError", unmapped_statuses AS "unmappedStatuses" FROM department_adapter.poll_cursors ORDER BY department`,
    );
  }
}
