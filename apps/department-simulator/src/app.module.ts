import { Module } from '@nestjs/common';
import { HealthModule } from '@caseline/service-kit';
import { WorkOrdersController } from './work-orders.controller';
import { WorkOrderStore } from './work-order.store';

@Module({ imports: [HealthModule], controllers: [WorkOrdersController], providers: [WorkOrderStore] })
export class AppModule {}
