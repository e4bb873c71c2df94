/** A message as our code sees it, whatever the client library. */
export interface OutboundMessage {
  key: string;
  value: string;
  headers?: Record<string, string>;
}

export interface InboundMessage extends OutboundMessage {
  topic: string;
  partition: number;
  offset: string;
}

/** Publishes to a topic; resolves only once the broker has durably accepted every message. */
export interface MessagePublisher {
  publish(topic: string, messages: OutboundMessage[]): Promise<void>;
  close(): Promise<void>;
}

/** A message that can never be handled (unparseable, or a permanent domain refusal): park it. */
export class PermanentMessageError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'PermanentMessageError';
  }
}

export type MessageHandler = (message: InboundMessage) => Promise<void>;

/** Consumes topics as a group; an offset is committed only after its handler's effect is durable. */
export interface MessageSubscription {
  start(): Promise<void>;
  stop(): Promise<void>;
}
