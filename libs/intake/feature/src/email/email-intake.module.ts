import { Module } from '@nestjs/common';
import { SmtpSender } from '@caseline/service-kit';
import { Attachments, AttachmentsController } from './attachments';
import { EmailIntake } from './email-intake.service';
import { EmailIntakeController, EmailListener } from './email-listener';

/** The email channel: the request address's SMTP server, its cases and replies, and their attachments. */
@Module({
  controllers: [AttachmentsController, EmailIntakeController],
  providers: [EmailListener, EmailIntake, Attachments, SmtpSender],
})
export class EmailIntakeModule {}
