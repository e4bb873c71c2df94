import { Module } from '@nestjs/common';
import { CaselineInfrastructureModule } from '@caseline/service-kit';
import { CasesController } from './cases.controller';
import { IntakeService } from './intake.service';
import { ReferenceSerials } from './reference-serials';
import { intakeMigrations } from './intake.migrations';
import { ApiKeys } from './open311/api-keys';
import { Open311Controller } from './open311/open311.controller';
import { ServiceRequestsProjection, ServiceRequestsProjectionHandler, ServiceRequestsReadModel } from './open311/service-requests.projection';
import { TrackingModule } from './tracking/tracking.module';

@Module({
  imports: [CaselineInfrastructureModule.forService({ name: 'intake', schema: 'intake', migrations: intakeMigrations }), TrackingModule],
  controllers: [CasesController, Open311Controller, ServiceRequestsProjectionHandler],
  providers: [IntakeService, ReferenceSerials, ApiKeys, ServiceRequestsProjection, ServiceRequestsReadModel],
})
export class IntakeModule {}
