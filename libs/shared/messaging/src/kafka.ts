import { Admin, Consumer, EachBatchPayload, Kafka, KafkaConfig, logLevel, Producer, SASLOptions } from 'kafkajs';
import { InboundMessage, MessageHandler, MessagePublisher, MessageSubscription, OutboundMessage, PermanentMessageError } from './ports';

export type KafkaSaslMechanism = 'scram-sha-512' | 'scram-sha-256';

export interface KafkaSettings {
  clientId: string;
  brokers: string[];
  /** SASL/SCRAM: who this client is. The password is a secret: never log these settings. */
  sasl?: { mechanism: KafkaSaslMechanism; username: string; password: string };
  /** TLS to the brokers; `ca` (PEM) is trusted instead of the system's certificate authorities. */
  ssl?: { ca?: string };
}

/** The kafkajs configuration of our settings (separate from createKafka so it can be checked). */
export const kafkaConfig = ({ clientId, brokers, sasl, ssl }: KafkaSettings): KafkaConfig => ({
  clientId,
  brokers,
  logLevel: logLevel.ERROR,
  retry: { initialRetryTime: 200, retries: 10 },
  // (kafkajs types SASLOptions per mechanism; ours carries either SCRAM mechanism.)
  ...(sasl ? { sasl: { ...sasl } as SASLOptions } : {}),
  ...(ssl ? { ssl: ssl.ca ? { ca: [ssl.ca] } : true } : {}),
});

export const createKafka = (settings: KafkaSettings): Kafka => new Kafka(kafkaConfig(settings));

/** Kafka's answer when the ACLs do not let this client do something. */
const isAuthorizationError = (error: unknown): boolean => {
  const errors = (error as { errors?: unknown[] })?.errors ?? [error];
  return errors.some((e) => /_AUTHORIZATION_FAILED$/.test(String((e as { type?: unknown })?.type ?? '')));
};

/**
 * Creates the topics that are missing. On a secured cluster services may not create topics (an
 * administrator does): a missing topic is then an error that says so, not a bare "not authorized".
 */
export async function ensureTopics(kafka: Kafka, topics: { topic: string; numPartitions: number }[]): Promise<void> {
  const admin: Admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.topic));
    if (missing.length > 0) {
      await admin.createTopics({ waitForLeaders: true, topics: missing.map((t) => ({ ...t, replicationFactor: -1 })) }).catch((error: unknown) => {
        if (!isAuthorizationError(error)) throw error;
        const names = missing.map((t) => t.topic).join(', ');
        throw new Error(`Kafka topics ${names} do not exist (or are not visible to this client) and it may not create them: an administrator creates them and grants access (tools/kafka/README.md)`, { cause: error });
      });
    }
  } finally {
    await admin.disconnect();
  }
}

/** Answers whether the cluster responds (for readiness probes), on one long-lived admin connection. */
export class KafkaClusterProbe {
  private readonly admin: Admin;
  private connected?: Promise<void>;

  constructor(kafka: Kafka) {
    this.admin = kafka.admin();
  }

  async ping(): Promise<void> {
    this.connected ??= this.admin.connect().catch((error) => {
      this.connected = undefined;
      throw error;
    });
    await this.connected;
    await this.admin.describeCluster();
  }

  async close(): Promise<void> {
    await this.admin.disconnect();
  }
}

/**
 * Idempotent producer, acks=all, one request in flight, and one send at a time: concurrent sends
 * on a kafkajs idempotent producer have lost messages (kafkajs #598, #1005).
 */
export class KafkaPublisher implements MessagePublisher {
  private readonly producer: Producer;
  private connected?: Promise<void>;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(kafka: Kafka) {
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  }

  publish(topic: string, messages: OutboundMessage[]): Promise<void> {
    const send = this.queue.then(async () => {
      // A failed connect is forgotten, so the next send tries again instead of failing for ever.
      this.connected ??= this.producer.connect().catch((error) => {
        this.connected = undefined;
        throw error;
      });
      await this.connected;
      await this.producer.send({ topic, acks: -1, messages });
    });
    this.queue = send.catch(() => undefined);
    return send;
  }

  async close(): Promise<void> {
    await this.queue;
    await this.producer.disconnect();
  }
}

export interface KafkaSubscriptionOptions {
  groupId: string;
  topics: string[];
  handle: MessageHandler;
  /** Where permanently failing messages are parked; the partition moves on. */
  deadLetter: { topic: string; publisher: MessagePublisher };
  onError?: (error: Error, message: InboundMessage) => void;
  fromBeginning?: boolean;
  sessionTimeoutMs?: number;
  partitionsConcurrently?: number;
  /** At most this many messages of one partition in hand at once (different keys only; default 32). */
  messagesConcurrently?: number;
  /** Errors (besides PermanentMessageError) that retrying cannot fix, e.g. a broken domain invariant. */
  isPermanent?: (error: unknown) => boolean;
  /** After each committed chunk: how many messages of the partition are still to handle (its lag). */
  onLag?: (partition: number, lag: number) => void;
  /** A message's outcome: handled, retried after a transient failure, or parked in the dead-letter topic. */
  onOutcome?: (outcome: 'handled' | 'retried' | 'dead-lettered') => void;
  /** The consumer itself failed (e.g. the broker went away); `restarting` is false only when it is being stopped. */
  onCrash?: (error: Error, restarting: boolean) => void;
  /** Handled offsets are committed together, this long after the first not yet committed (default 100 ms). */
  commitIntervalMs?: number;
  /** A commit failed: its messages will be handled again (after a rebalance, by their new owner). */
  onCommitFailed?: (error: Error) => void;
}

interface PartitionOffset {
  topic: string;
  partition: number;
  offset: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Handles each key's messages in partition order; on a transient failure retries the same message
 * with backoff (never skipping it), and commits offsets only after the handlers have returned.
 * Handled offsets of all partitions are committed together, a moment later (commitIntervalMs):
 * one commit for many small batches. What a crash or a rebalance leaves uncommitted is handled
 * again, which every handler survives (at-least-once).
 */
export class KafkaSubscription implements MessageSubscription {
  private consumer: Consumer;
  private readonly chunkSize: number;
  private readonly commitIntervalMs: number;
  /** Handled and not yet committed, the latest offset of each partition; dropped when the group's assignment changes. */
  private readonly handled = new Map<string, PartitionOffset>();
  private commitTimer?: NodeJS.Timeout;
  private commits: Promise<void> = Promise.resolve();
  /** Commits that failed in a row: the next try waits longer (up to 5 s). */
  private failedCommits = 0;
  /** The batches being handled now: stop() lets them finish, then commits. */
  private readonly batches = new Set<Promise<void>>();
  /** Counts the group's rebalances this member went through: a commit begun before one must not be retried after it. */
  private assignments = 0;
  /** A dead member's partitions move after this: short enough that a crash stalls little. */
  private readonly sessionTimeoutMs: number;
  private readonly heartbeatIntervalMs: number;
  private stopping = false;
  private restarting?: Promise<void>;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: KafkaSubscriptionOptions,
  ) {
    this.chunkSize = options.messagesConcurrently ?? 32;
    this.commitIntervalMs = options.commitIntervalMs ?? 100;
    this.sessionTimeoutMs = options.sessionTimeoutMs ?? 10000;
    this.heartbeatIntervalMs = Math.floor(this.sessionTimeoutMs / 5);
    this.consumer = this.newConsumer();
  }

  async start(): Promise<void> {
    await this.run(this.consumer);
  }

  /**
   * kafkajs starts a crashed consumer again only after errors it calls retriable; after any other
   * (a broker's non-retriable answer, e.g. to the dead-letter publish) the consumer stays stopped
   * while the process lives on and its partitions go unread. Such a consumer is replaced here.
   */
  private newConsumer(): Consumer {
    const consumer = this.kafka.consumer({ groupId: this.options.groupId, sessionTimeout: this.sessionTimeoutMs, heartbeatInterval: this.heartbeatIntervalMs, retry: { retries: 10 } });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      const replace = !payload.restart && !this.stopping && consumer === this.consumer;
      this.options.onCrash?.(payload.error, payload.restart || replace);
      // Queued behind a replacement in progress: the consumer it starts may crash while starting.
      if (replace) this.restarting = (this.restarting ?? Promise.resolve()).then(() => this.replace(consumer));
    });
    // A new assignment: offsets handled under the old one may now be another member's to commit
    // (committing them late could move its progress back), so they are left to be handled again.
    consumer.on(consumer.events.GROUP_JOIN, () => {
      this.assignments++;
      this.handled.clear();
    });
    return consumer;
  }

  private commitSoon(consumer: Consumer, offset: PartitionOffset): void {
    this.handled.set(`${offset.topic}/${offset.partition}`, offset);
    this.commitTimer ??= setTimeout(() => void this.commitHandled(consumer), Math.min(5000, this.commitIntervalMs * 2 ** this.failedCommits));
  }

  /** Commits what was handled, one commit after the other (each partition's offset only grows). */
  private commitHandled(consumer: Consumer): Promise<void> {
    clearTimeout(this.commitTimer);
    this.commitTimer = undefined;
    const offsets = [...this.handled.values()];
    this.handled.clear();
    if (offsets.length === 0) return this.commits;
    const assignment = this.assignments;
    this.commits = this.commits.then(() =>
      consumer.commitOffsets(offsets).then(
        () => void (this.failedCommits = 0),
        (error: Error) => {
          this.options.onCommitFailed?.(error);
          // Tried again, later, by this member while it keeps the assignment; else handled again.
          if (this.stopping || consumer !== this.consumer || assignment !== this.assignments) return;
          this.failedCommits++;
          for (const offset of offsets) if (!this.handled.has(`${offset.topic}/${offset.partition}`)) this.commitSoon(consumer, offset);
        },
      ),
    );
    return this.commits;
  }

  private async replace(crashed: Consumer): Promise<void> {
    clearTimeout(this.commitTimer);
    this.commitTimer = undefined;
    this.handled.clear();
    await crashed.disconnect().catch(() => undefined);
    for (let attempt = 1; !this.stopping; attempt++) {
      await sleep(Math.min(5000, 500 * 2 ** attempt));
      if (this.stopping) return;
      this.consumer = this.newConsumer();
      try {
        await this.run(this.consumer);
        return;
      } catch (error) {
        this.options.onCrash?.(error as Error, true);
        await this.consumer.disconnect().catch(() => undefined);
      }
    }
  }

  private async run(consumer: Consumer): Promise<void> {
    await consumer.connect();
    await consumer.subscribe({ topics: this.options.topics, fromBeginning: this.options.fromBeginning ?? true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      // Partitions are independent (a case's events share one), so they are handled side by side.
      partitionsConsumedConcurrently: this.options.partitionsConcurrently ?? 3,
      eachBatch: async (payload) => {
        const handling = this.handleBatch(consumer, payload);
        this.batches.add(handling);
        try {
          await handling;
        } finally {
          this.batches.delete(handling);
        }
      },
    });
  }

  private async handleBatch(consumer: Consumer, { batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const messages = batch.messages.map((raw): InboundMessage => ({
      topic: batch.topic,
      partition: batch.partition,
      offset: raw.offset,
      key: raw.key?.toString() ?? '',
      value: raw.value?.toString() ?? '',
      headers: Object.fromEntries(Object.entries(raw.headers ?? {}).map(([k, v]) => [k, String(v)])),
    }));
    // A chunk's offsets are committed only once every message in it has had its effect.
    for (let from = 0; from < messages.length; from += this.chunkSize) {
      if (!isRunning() || isStale() || this.stopping) break;
      const chunk = messages.slice(from, from + this.chunkSize);
      await this.handleChunk(chunk, heartbeat);
      const last = chunk[chunk.length - 1].offset;
      resolveOffset(last);
      if (isStale()) break; // the partition was reassigned meanwhile: its new owner handles the chunk again
      this.commitSoon(consumer, { topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() });
      this.options.onLag?.(batch.partition, Math.max(0, Number(BigInt(batch.highWatermark) - BigInt(last) - 1n)));
      await heartbeat();
    }
  }

  /**
   * Messages with the same key (one case) are handled one after another, in offset order; different
   * keys side by side, so one slow case holds up only its chunk, not the handling of the others.
   * The group is told we are alive while a chunk runs (a long one would otherwise cost the
   * partition), and every handler finishes before a failure is passed on, so a redelivered chunk
   * never runs beside the rest of its first delivery.
   */
  private async handleChunk(chunk: InboundMessage[], heartbeat: () => Promise<void>): Promise<void> {
    const byKey = new Map<string, InboundMessage[]>();
    for (const message of chunk) {
      const sameKey = byKey.get(message.key);
      if (sameKey) sameKey.push(message);
      else byKey.set(message.key, [message]);
    }
    const alive = setInterval(() => void heartbeat().catch(() => undefined), this.heartbeatIntervalMs);
    try {
      const outcomes = await Promise.allSettled(
        [...byKey.values()].map(async (sameKey) => {
          for (const message of sameKey) await this.handleWithRetry(message, heartbeat);
        }),
      );
      const failed = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
      if (failed) throw failed.reason;
    } finally {
      clearInterval(alive);
    }
  }

  private async handleWithRetry(message: InboundMessage, heartbeat: () => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.options.handle(message);
        this.options.onOutcome?.('handled');
        return;
      } catch (error) {
        this.options.onError?.(error as Error, message);
        if (error instanceof PermanentMessageError || this.options.isPermanent?.(error)) {
          await this.options.deadLetter.publisher.publish(this.options.deadLetter.topic, [
            { key: message.key, value: message.value, headers: { ...message.headers, 'x-dead-letter-reason': (error as Error).message.slice(0, 500), 'x-source': `${message.topic}/${message.partition}/${message.offset}`, 'x-consumer-group': this.options.groupId } },
          ]);
          this.options.onOutcome?.('dead-lettered');
          return;
        }
        this.options.onOutcome?.('retried');
        if (this.stopping) throw error;
        await sleep(Math.min(5000, 100 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random() / 2));
        await heartbeat().catch(() => undefined);
      }
    }
  }

  /** Finishes the chunks under way (later ones are not started), commits what was handled, and leaves the group. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.restarting;
    await Promise.allSettled([...this.batches]);
    await this.commitHandled(this.consumer);
    await this.consumer.disconnect();
  }
}
