import { Module } from '@nestjs/common';
import { CaselineInfrastructureModule } from '@caseline/service-kit';
import { DepartmentAdapterController } from './department-adapter.controller';
import { departmentAdapterMigrations } from './department-adapter.migrations';
import { DepartmentSignatureGuard } from './department-signature.guard';
import { WorkOrdersService } from './work-orders.service';

@Module({
  imports: [CaselineInfrastructureModule.forService({ name: 'department-adapter', schema: 'department_adapter', migrations: departmentAdapterMigrations })],
  controllers: [DepartmentAdapterController],
  providers: [WorkOrdersService, DepartmentSignatureGuard],
})
export class DepartmentAdapterModule {}
