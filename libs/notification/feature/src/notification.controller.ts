import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { CaseEventEnvelope, CaseLinked, CaseReported, CaseResolved } from '@caseline/case-contracts';
import { NotificationService } from './notification.service';

@Controller()
export class NotificationController {
  constructor(private readonly notifications: NotificationService) {}

  @EventPattern('CaseReported')
  onCaseReported(@Payload() event: CaseEventEnvelope<'CaseReported', CaseReported['data']>): Promise<void> {
    return this.notifications.onCaseReported(event);
  }

  @EventPattern('CaseLinked')
  onCaseLinked(@Payload() event: CaseEventEnvelope<'CaseLinked', CaseLinked['data']>): Promise<void> {
    return this.notifications.onCaseLinked(event);
  }

  @EventPattern('CaseResolved')
  onCaseResolved(@Payload() event: CaseEventEnvelope<'CaseResolved', CaseResolved['data']>): Promise<void> {
    return this.notifications.onCaseResolved(event);
  }
}
