import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * What an operator watches (k8s/monitoring has the alerts and a dashboard): every service's HTTP
 * requests, its consumers' lag and outcomes, the log relay, and what failed on the way out. Labels
 * never carry a resident's data or a raw URL (routes are patterns), so their number stays small.
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();

  readonly httpRequests = new Histogram({
    name: 'caseline_http_request_duration_seconds',
    help: 'HTTP requests by method, route pattern and status, and how long they took',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly consumerLag = new Gauge({
    name: 'caseline_consumer_lag_messages',
    help: 'Case events of a partition this consumer group has not handled yet, as of its last commit',
    labelNames: ['group', 'partition'] as const,
    registers: [this.registry],
  });

  readonly consumerMessages = new Counter({
    name: 'caseline_consumer_messages_total',
    help: 'Case events handled, retried after a transient failure, or parked in the dead-letter topic',
    labelNames: ['group', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly consumerRestarts = new Counter({
    name: 'caseline_consumer_restarts_total',
    help: 'Times the Kafka consumer of a group failed (e.g. the broker went away) and was started again',
    labelNames: ['group'] as const,
    registers: [this.registry],
  });

  readonly relayPublished = new Counter({ name: 'caseline_relay_published_events_total', help: 'Case events published to Kafka by this relay', registers: [this.registry] });

  readonly deliveryFailures = new Counter({
    name: 'caseline_delivery_failures_total',
    help: "Deliveries out of Caseline that failed: work orders to a department's system (retried, or refused for good), messages to residents",
    labelNames: ['kind', 'target', 'outcome'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}
