import { Module } from '@nestjs/common';
import { CaselineInfrastructureModule } from '@caseline/service-kit';
import { EmailSender } from './email.sender';
import { NotificationController } from './notification.controller';
import { notificationMigrations } from './notification.migrations';
import { NotificationService } from './notification.service';

@Module({
  imports: [CaselineInfrastructureModule.forService({ name: 'notification', schema: 'notification', migrations: notificationMigrations })],
  controllers: [NotificationController],
  providers: [NotificationService, EmailSender],
})
export class NotificationModule {}
