import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { CaseEventEnvelope } from '@caseline/case-contracts';
import { NotificationPlanner } from './notification-planner';

@Controller()
export class NotificationController {
  constructor(private readonly planner: NotificationPlanner) {}

  /** Every case event: the planner reads only those someone hears of. Imported history is the past: nobody is told of it, nor does it fill digests (ADR 0016). */
  @EventPattern('*')
  async onCaseEvent(@Payload() event: CaseEventEnvelope): Promise<void> {
    if (event.metadata.importedFrom) return;
    return this.planner.plan(event);
  }
}
