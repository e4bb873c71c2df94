import { Module, OnModuleInit } from '@nestjs/common';
import { PersonalDataModule } from '@caseline/personal-data';
import { CaselineInfrastructureModule, SmtpSender } from '@caseline/service-kit';
import { EmailChannel, SmsChannel, WebhookChannel } from './channels';
import { CouncilDigest } from './council-digest';
import { NotificationController } from './notification.controller';
import { NotificationDispatcher } from './notification-dispatcher';
import { notificationMigrations } from './notification.migrations';
import { NotificationPlanner } from './notification-planner';
import { NotificationsAdminController } from './notifications-admin.controller';
import { UnsubscribeController } from './unsubscribe.controller';

@Module({
  imports: [CaselineInfrastructureModule.forService({ name: 'notification', schema: 'notification', migrations: notificationMigrations }), PersonalDataModule.forService({ name: 'notification' })],
  controllers: [NotificationController, UnsubscribeController, NotificationsAdminController],
  providers: [NotificationPlanner, NotificationDispatcher, CouncilDigest, SmtpSender, EmailChannel, SmsChannel, WebhookChannel],
})
export class NotificationModule implements OnModuleInit {
  constructor(
    private readonly planner: NotificationPlanner,
    private readonly dispatcher: NotificationDispatcher,
  ) {}

  /** What the planner owes, the dispatcher sends at once. */
  onModuleInit(): void {
    this.planner.onPlanned = () => this.dispatcher.nudge();
  }
}
