import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CASE_EVENTS_PARTITIONS, caseEventsDeadLetterTopic, caseEventsTopic, topicPrefix } from '@caseline/case-contracts';
import { CaseDomainError } from '@caseline/case-domain';
import { LogRelay, relayLag, SerializedEvent } from '@caseline/event-store';
import { Gauge } from 'prom-client';
import { createKafka, ensureTopics, KafkaClusterProbe, KafkaPublisher, KafkaSubscription, MessagePublisher, MessageSubscription, InboundMessage } from '@caseline/messaging';
import { envInt, kafkaSecurityWarnings, kafkaSettings } from './config';
import { sessionFor, sqlFor } from './database';
import { Metrics } from './metrics';

/** PostgreSQL class 22 (data exception): the same message will fail the same way every time. */
const isDataException = (error: unknown): boolean => String((error as { code?: unknown })?.code ?? '').startsWith('22');

/** This service's Kafka connection: topics ensured on start, one idempotent publisher. */
@Injectable()
export class CaseEventsBus implements OnModuleInit, OnApplicationShutdown {
  readonly kafka;
  readonly publisher: MessagePublisher;
  private readonly probe: KafkaClusterProbe;

  constructor(
    readonly serviceName: string,
    private readonly metrics: Metrics,
  ) {
    // The client id is also the service's Kafka user (unless KAFKA_SASL_USERNAME says otherwise).
    const settings = kafkaSettings(`caseline-${serviceName}`);
    for (const warning of kafkaSecurityWarnings(settings)) new Logger('Kafka').warn(warning);
    this.kafka = createKafka(settings);
    this.publisher = new KafkaPublisher(this.kafka);
    this.probe = new KafkaClusterProbe(this.kafka);
  }

  async onModuleInit(): Promise<void> {
    await ensureTopics(this.kafka, [
      { topic: caseEventsTopic(), numPartitions: CASE_EVENTS_PARTITIONS },
      { topic: caseEventsDeadLetterTopic(), numPartitions: 1 },
    ]);
  }

  /** Readiness: the cluster answers a metadata request. */
  ping(): Promise<void> {
    return this.probe.ping();
  }

  publishCaseEvents(events: SerializedEvent[]): Promise<void> {
    return this.publisher.publish(
      caseEventsTopic(),
      events.map((event) => ({ key: event.caseId, value: event.envelope, headers: { 'event-type': event.type, 'event-id': event.eventId } })),
    );
  }

  /** A consumer group on the case events topic; bad messages go to the dead-letter topic. */
  subscribe(groupId: string, handle: (message: InboundMessage) => Promise<void>): MessageSubscription {
    const logger = new Logger(`Consumer:${groupId}`);
    const group = `${topicPrefix()}-${groupId}`;
    return new KafkaSubscription(this.kafka, {
      groupId: group,
      topics: [caseEventsTopic()],
      handle,
      deadLetter: { topic: caseEventsDeadLetterTopic(), publisher: this.publisher },
      sessionTimeoutMs: envInt('KAFKA_SESSION_TIMEOUT_MS', 10000),
      partitionsConcurrently: envInt('KAFKA_PARTITIONS_CONCURRENTLY', 3),
      isPermanent: (error) => error instanceof CaseDomainError || isDataException(error),
      onError: (error, message) => logger.warn(`${message.topic}/${message.partition}@${message.offset}: ${error.message}`),
      onLag: (partition, lag) => this.metrics.consumerLag.set({ group, partition: String(partition) }, lag),
      onOutcome: (outcome) => this.metrics.consumerMessages.inc({ group, outcome }),
      onCommitFailed: (error) => logger.warn(`offset commit failed (those messages will be handled again): ${error.message}`),
      // kafkajs or the subscription starts the consumer again; a restart now and then is a broker gone a while.
      onCrash: (error, restarting) => {
        if (restarting) this.metrics.consumerRestarts.inc({ group });
        logger.warn(`consumer failed${restarting ? ', restarting' : ' while stopping'}: ${error.message}`);
      },
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.publisher.close().catch(() => undefined);
    await this.probe.close().catch(() => undefined);
  }
}

/** The relay that publishes the case log to Kafka: its name in case_log.relay_checkpoints. */
export const CASE_EVENTS_RELAY = 'kafka-case-events';

/** Runs the log relay in every service; the advisory lock lets exactly one publish at a time. */
@Injectable()
export class CaseLogRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly relay: LogRelay;
  private readonly logger = new Logger('CaseLogRelay');

  constructor(dataSource: DataSource, bus: CaseEventsBus, metrics: Metrics) {
    // How far the relay is behind, read from the log when Prometheus scrapes (once per scrape).
    let lag: Promise<{ events: number; oldestSeconds: number }> | undefined;
    const lagNow = () => (lag ??= relayLag(sqlFor(dataSource), CASE_EVENTS_RELAY).finally(() => setTimeout(() => (lag = undefined), 1000)));
    new Gauge({ name: 'caseline_relay_lag_events', help: 'Case events committed to the log and not yet published to Kafka', registers: [metrics.registry], async collect() { this.set((await lagNow()).events); } });
    new Gauge({ name: 'caseline_relay_oldest_unpublished_seconds', help: 'How long the oldest case event not yet published to Kafka has waited', registers: [metrics.registry], async collect() { this.set((await lagNow()).oldestSeconds); } });
    this.relay = new LogRelay({
      name: CASE_EVENTS_RELAY,
      connect: sessionFor(dataSource),
      publish: (events) => bus.publishCaseEvents(events),
      // At the log's head, commits gather this long before the next read: fewer, fuller batches
      // for Kafka and for every consumer (measured: docs/benchmarks.md, 2026-11-28 06:50).
      idleDelayMs: envInt('RELAY_IDLE_MS', 25),
      onError: (error) => this.logger.warn(`relay error, standing by: ${error.message}`),
      onPublished: (count) => metrics.relayPublished.inc(count),
    });
  }

  onApplicationBootstrap(): void {
    if (process.env.CASELINE_RELAY !== 'off') this.relay.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.relay.stop();
  }
}
