import { Module } from '@nestjs/common';
import { HealthModule } from '@caseline/service-kit';
import { MailboxService } from './mailbox.service';
import { MessagesController } from './messages.controller';

@Module({ imports: [HealthModule], controllers: [MessagesController], providers: [MailboxService] })
export class AppModule {}
