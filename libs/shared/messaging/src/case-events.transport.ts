import { CustomTransportStrategy, Server } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import type { CaseEventEnvelope } from '@caseline/case-contracts';
import { InboundMessage, MessageSubscription, PermanentMessageError } from './ports';

export function parseCaseEvent(message: InboundMessage): CaseEventEnvelope {
  let parsed: Partial<CaseEventEnvelope>;
  try {
    parsed = JSON.parse(message.value);
  } catch (error) {
    throw new PermanentMessageError('message is not valid JSON', error);
  }
  if (!parsed || typeof parsed.eventId !== 'string' || typeof parsed.caseId !== 'string' || typeof parsed.type !== 'string' || typeof parsed.caseVersion !== 'number' || !parsed.metadata) {
    throw new PermanentMessageError('message is not a case event envelope (eventId, caseId, caseVersion, type, metadata)');
  }
  return parsed as CaseEventEnvelope;
}

/**
 * A Nest microservice transport for case events: handlers are `@EventPattern('<EventType>')`
 * methods; each runs to completion before its offset is committed. Events nobody handles are skipped.
 */
export class CaseEventsTransport extends Server implements CustomTransportStrategy {
  private subscription?: MessageSubscription;

  constructor(private readonly subscribe: (handle: (message: InboundMessage) => Promise<void>) => MessageSubscription) {
    super();
  }

  async listen(callback: (...optional: unknown[]) => void): Promise<void> {
    this.subscription = this.subscribe((message) => this.dispatch(message));
    await this.subscription.start();
    callback();
  }

  private async dispatch(message: InboundMessage): Promise<void> {
    const event = parseCaseEvent(message);
    const handler = this.getHandlerByPattern(event.type);
    if (!handler) return;
    await lastValueFrom(this.transformToObservable(await handler(event)), { defaultValue: undefined });
  }

  async close(): Promise<void> {
    await this.subscription?.stop();
  }

  on(): never {
    throw new Error('CaseEventsTransport has no events to listen to');
  }

  unwrap<T>(): T {
    return this.subscription as T;
  }
}

