import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { CaselineInfrastructureModule, SmtpSender } from '@caseline/service-kit';
import { CasesController } from './cases.controller';
import { IntakeService } from './intake.service';
import { ReferenceSerials } from './reference-serials';
import { intakeMigrations } from './intake.migrations';
import { ApiKeys } from './open311/api-keys';
import { ApiKeysAdminController } from './open311/api-keys-admin.controller';
import { Open311Controller } from './open311/open311.controller';
import { ServiceRequestsProjection, ServiceRequestsReadModel } from './open311/service-requests.projection';
import { ReadModelsProjection } from './read-models.projection';
import { ResidentActionsController } from './tracking/resident-actions.controller';
import { TrackingModule } from './tracking/tracking.module';
import { EmailIntakeModule } from './email/email-intake.module';
import { CatalogAdminController, CatalogModule } from '@caseline/catalog-feature';
import { AddressRateLimit, IntakeRateLimits } from './rate-limits';
import { nativeApiProviders } from './native-api.providers';
import { PersonalDataModule } from '@caseline/personal-data';
import { PersonalDataController } from './personal-data.controller';

@Module({
  imports: [CaselineInfrastructureModule.forService({ name: 'intake', schema: 'intake', migrations: intakeMigrations }), PersonalDataModule.forService({ name: 'intake', erasures: true }), CatalogModule, TrackingModule, EmailIntakeModule],
  controllers: [CasesController, Open311Controller, ReadModelsProjection, CatalogAdminController, ResidentActionsController, PersonalDataController, ApiKeysAdminController],
  providers: [IntakeService, SmtpSender, ReferenceSerials, ApiKeys, ServiceRequestsProjection, ServiceRequestsReadModel, IntakeRateLimits, ...nativeApiProviders],
})
export class IntakeModule implements NestModule {
  /** What anyone may call without a key is limited per client address (portals are limited per API key). */
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(AddressRateLimit).forRoutes({ path: 'v1/*path', method: RequestMethod.POST }, { path: 'track', method: RequestMethod.ALL }, { path: 'track/*path', method: RequestMethod.ALL }, { path: 'v1/public/*path', method: RequestMethod.GET });
  }
}
