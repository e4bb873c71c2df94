import { Module } from '@nestjs/common';
import { CatalogModule } from '@caseline/catalog-feature';
import { CaselineInfrastructureModule } from '@caseline/service-kit';
import { AreaStore } from './area-store';
import { DeadlineTimers } from './deadline-timers';
import { DuplicateFinder } from './duplicate-finder';
import { RoutingAdminController } from './routing-admin.controller';
import { RoutingController } from './routing.controller';
import { routingMigrations } from './routing.migrations';
import { RoutingService } from './routing.service';
import { RuleSetStore } from './rule-set.store';
import { TriageQueue } from './triage-queue';

@Module({
  imports: [CaselineInfrastructureModule.forService({ name: 'routing', schema: 'routing', migrations: routingMigrations }), CatalogModule],
  controllers: [RoutingController, RoutingAdminController],
  providers: [RoutingService, AreaStore, RuleSetStore, TriageQueue, DeadlineTimers, DuplicateFinder],
})
export class RoutingModule {}
