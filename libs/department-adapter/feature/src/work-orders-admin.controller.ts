import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { Access } from '@caseline/service-kit';
import { StatusPoller } from './status-poller';
import { WorkOrdersService } from './work-orders.service';

/** Operators see each department system's circuit and backlog, inspect the dead-letter list and re-drive from it. */
@Controller('v1/admin')
export class WorkOrdersAdminController {
  constructor(
    private readonly workOrders: WorkOrdersService,
    private readonly poller: StatusPoller,
  ) {}

  /** Each system's circuit and backlog, and for polled systems when they last answered and which of their statuses we could not map. */
  @Get('department-systems')
  @Access.staff('config:read')
  async systems() {
    const polling = await this.poller.status();
    return (await this.workOrders.systemsStatus()).map((system) => {
      const polled = polling.find((p) => p.department === system.department);
      return polled ? { ...system, polling: { lastPolledAt: polled.lastPolledAt, lastError: polled.lastError, unmappedStatuses: polled.unmappedStatuses } } : system;
    });
  }

  @Get('work-orders/dead')
  @Access.staff('config:read')
  dead() {
    return this.workOrders.deadLetters();
  }

  @Post('work-orders/:id/redrive')
  @Access.staff('operations:redrive')
  @HttpCode(202)
  async redrive(@Param('id', new ParseUUIDPipe()) id: string): Promise<{ redriven: string }> {
    await this.workOrders.redrive(id);
    return { redriven: id };
  }
}
