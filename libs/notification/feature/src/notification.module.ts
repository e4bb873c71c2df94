import { Module } from '@nestjs/common';
import { CatalogModule } from '@caseline/catalog-feature';
import { CaselineInfrastructureModule, SmtpSender } from '@caseline/service-kit';
import { NotificationController } from './notification.controller';
import { notificationMigrations } from './notification.migrations';
import { NotificationService } from './notification.service';

@Module({
  imports: [CaselineInfrastructureModule.forService({ name: 'notification', schema: 'notification', migrations: notificationMigrations }), CatalogModule],
  controllers: [NotificationController],
  providers: [NotificationService, SmtpSender],
})
export class NotificationModule {}
