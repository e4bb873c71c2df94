import { Module } from '@nestjs/common';
import { CatalogModule } from '@caseline/catalog-feature';
import { CaselineInfrastructureModule } from '@caseline/service-kit';
import { RoutingController } from './routing.controller';
import { RoutingService } from './routing.service';

@Module({
  imports: [CaselineInfrastructureModule.forService({ name: 'routing', schema: 'routing', migrations: [] }), CatalogModule],
  controllers: [RoutingController],
  providers: [RoutingService],
})
export class RoutingModule {}
