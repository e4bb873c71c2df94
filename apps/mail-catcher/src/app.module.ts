import { Module } from '@nestjs/common';
import { HealthModule } from '@caseline/service-kit';
import { MailboxService } from './mailbox.service';
import { MessagesController } from './messages.controller';
import { OutsideWorldController } from './outside-world.controller';

@Module({ imports: [HealthModule], controllers: [MessagesController, OutsideWorldController], providers: [MailboxService] })
export class AppModule {}
