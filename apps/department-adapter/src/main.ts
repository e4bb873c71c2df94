import 'reflect-metadata';
import { envInt, startCaselineService } from '@caseline/service-kit';
import { DepartmentAdapterModule } from '@caseline/department-adapter-feature';

void startCaselineService(DepartmentAdapterModule, {
  name: 'department-adapter',
  port: envInt('DEPARTMENT_ADAPTER_PORT', 3002),
  consumerGroup: 'department-adapter',
});
