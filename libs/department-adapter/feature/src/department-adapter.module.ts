import { Module } from '@nestjs/common';
import { CaselineInfrastructureModule, SmtpSender } from '@caseline/service-kit';
import { ADAPTER_CONTROLLERS } from './adapters';
import { DepartmentAdapterController } from './department-adapter.controller';
import { departmentAdapterMigrations } from './department-adapter.migrations';
import { DepartmentSignatureGuard } from './department-signature.guard';
import { StatusPoller } from './status-poller';
import { WorkOrdersAdminController } from './work-orders-admin.controller';
import { WorkOrdersService } from './work-orders.service';
import { WorkQueue } from './work-queue';
import { WorkQueueController } from './work-queue.controller';

@Module({
  imports: [CaselineInfrastructureModule.forService({ name: 'department-adapter', schema: 'department_adapter', migrations: departmentAdapterMigrations })],
  controllers: [DepartmentAdapterController, WorkQueueController, WorkOrdersAdminController, ...ADAPTER_CONTROLLERS],
  providers: [WorkOrdersService, StatusPoller, DepartmentSignatureGuard, WorkQueue, SmtpSender],
})
export class DepartmentAdapterModule {}
