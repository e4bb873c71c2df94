import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { WorkOrdersService } from './work-orders.service';

/** Operators see each department system's circuit and backlog, inspect the dead-letter list and re-drive from it. */
@Controller('v1/admin')
export class WorkOrdersAdminController {
  constructor(private readonly workOrders: WorkOrdersService) {}

  @Get('department-systems')
  systems() {
    return this.workOrders.systemsStatus();
  }

  @Get('work-orders/dead')
  dead() {
    return this.workOrders.deadLetters();
  }

  @Post('work-orders/:id/redrive')
  @HttpCode(202)
  async redrive(@Param('id', new ParseUUIDPipe()) id: string): Promise<{ redriven: string }> {
    await this.workOrders.redrive(id);
    return { redriven: id };
  }
}
