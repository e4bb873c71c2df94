import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { CaseEventEnvelope } from '@caseline/case-contracts';
import { NotificationPlanner } from './notification-planner';

@Controller()
export class NotificationController {
  constructor(private readonly planner: NotificationPlanner) {}

  /** Every case event: the planner reads only those someone hears of. */
  @EventPattern('*')
  onCaseEvent(@Payload() event: CaseEventEnvelope): Promise<void> {
    return this.planner.plan(event);
  }
}
