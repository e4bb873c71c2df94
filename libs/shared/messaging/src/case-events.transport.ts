import { CustomTransportStrategy, MessageHandler, Server } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import type { CaseEventEnvelope } from '@caseline/case-contracts';
import { InboundMessage, MessageSubscription, PermanentMessageError } from './ports';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Parses a Kafka message into a case event; anything else is permanent (dead-lettered, never retried). */
export function parseCaseEvent(message: InboundMessage): CaseEventEnvelope {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message.value);
  } catch (error) {
    throw new PermanentMessageError('message is not valid JSON', error);
  }
  const envelope = parsed as Partial<CaseEventEnvelope>;
  const wellFormed =
    isObject(parsed) &&
    typeof envelope.eventId === 'string' && UUID.test(envelope.eventId) &&
    typeof envelope.caseId === 'string' && UUID.test(envelope.caseId) &&
    typeof envelope.type === 'string' &&
    Number.isInteger(envelope.caseVersion) &&
    isObject(envelope.data) &&
    isObject(envelope.metadata);
  if (!wellFormed) {
    throw new PermanentMessageError('message is not a case event envelope (uuid eventId and caseId, integer caseVersion, type, data and metadata objects)');
  }
  return parsed as CaseEventEnvelope;
}

/**
 * A Nest microservice transport for case events: handlers are `@EventPattern('<EventType>')`
 * methods (or one '*' method for every type); each runs to completion before its offset is committed.
 * Events nobody handles are skipped. Events imported from a legacy system (metadata.importedFrom) are
 * history: they go only to a '*' handler (projections), never to one registered for their type,
 * since those act on what happens now (route, create work orders, notify).
 */
export class CaseEventsTransport extends Server implements CustomTransportStrategy {
  private subscription?: MessageSubscription;
  /**
   * Each event type's handler, looked up once: Nest's lookup parses the pattern as JSON first, and
   * a type name is not JSON, so every lookup would build and throw a SyntaxError.
   */
  private readonly handlers = new Map<string, MessageHandler | undefined>();

  /** `around` wraps each handler's run (e.g. to put the event's case on every log line it writes). */
  constructor(
    private readonly subscribe: (handle: (message: InboundMessage) => Promise<void>) => MessageSubscription,
    private readonly around: (event: CaseEventEnvelope, work: () => Promise<void>) => Promise<void> = (_event, work) => work(),
  ) {
    super();
  }

  async listen(callback: (...optional: unknown[]) => void): Promise<void> {
    this.subscription = this.subscribe((message) => this.dispatch(message));
    await this.subscription.start();
    callback();
  }

  private async dispatch(message: InboundMessage): Promise<void> {
    const event = parseCaseEvent(message);
    // A projection that follows every event type registers one handler for '*'; imported history reaches only it.
    const handler = (event.metadata.importedFrom ? undefined : this.handlerOf(event.type)) ?? this.handlerOf('*');
    if (!handler) return;
    await this.around(event, async () => void (await lastValueFrom(this.transformToObservable(await handler(event)), { defaultValue: undefined })));
  }

  private handlerOf(pattern: string): MessageHandler | undefined {
    if (!this.handlers.has(pattern)) this.handlers.set(pattern, this.getHandlerByPattern(pattern) ?? undefined);
    return this.handlers.get(pattern);
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

