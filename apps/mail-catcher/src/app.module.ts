import { Module } from '@nestjs/common';
import { HealthModule } from '@caseline/service-kit';
import { Mailbox } from './mailbox';
import { MessagesController } from './messages.controller';

@Module({ imports: [HealthModule], controllers: [MessagesController], providers: [Mailbox] })
export class AppModule {}
