import { Module } from '@nestjs/common';
import { HealthModule } from '@caseline/service-kit';
import { Open311Controller } from './open311.controller';
import { WorkOrdersController } from './work-orders.controller';
import { WorkOrderStore } from './work-order.store';

@Module({ imports: [HealthModule], controllers: [WorkOrdersController, Open311Controller], providers: [WorkOrderStore] })
export class AppModule {}
