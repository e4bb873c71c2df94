import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { caseEventsDeadLetterTopic, caseEventsTopic } from '@caseline/case-contracts';
import { createKafka, kafkaConfig, KafkaPublisher } from '@caseline/messaging';
import { SecuredKafka } from '@caseline/testing';
import { kafkaSettings } from './config';
import { CaseEventsBus } from './kafka.providers';
import { Metrics } from './metrics';

const SERVICES = ['intake', 'routing', 'department-adapter', 'notification'];

/**
 * The secured mode of tools/kafka/kafka.sh, on ports and a data dir of its own (the shared
 * plaintext broker is not touched): every service reaches Kafka as its own SCRAM user over TLS,
 * and the ACLs let it do what it does and nothing else.
 */
describe('Kafka with SCRAM users and ACLs (kafka.sh start --secure)', () => {
  const prefix = `caseline-acl-${Date.now()}`;
  const savedEnv = { ...process.env };
  let broker: SecuredKafka | undefined;

  /** A service's bus, configured as the service would be (env read when it is made). */
  const busOf = (service: string, env: Record<string, string> = {}): CaseEventsBus => {
    const before = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
    Object.assign(process.env, env);
    try {
      return new CaseEventsBus(service, new Metrics());
    } finally {
      for (const [name, value] of Object.entries(before)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  };

  beforeAll(async () => {
    broker = await SecuredKafka.create(prefix);
    // What a service needs: KAFKA_BROKERS, KAFKA_SASL_MECHANISM, KAFKA_SSL_CA_FILE. Username and
    // password are the service's defaults outside production: caseline-<service>, "<user>-dev".
    Object.assign(process.env, broker.clientEnv(), { KAFKA_TOPIC_PREFIX: prefix });
  }, 150_000);

  afterAll(async () => {
    process.env = savedEnv;
    await broker?.destroy();
  }, 60_000);

  it('lets each service, as its own user, publish case events, park poison messages and consume in its own group', async () => {
    // intake speaks SCRAM-SHA-256, the others SCRAM-SHA-512: the broker takes both.
    const buses = SERVICES.map((service) => busOf(service, service === 'intake' ? { KAFKA_SASL_MECHANISM: 'scram-sha-256' } : {}));
    try {
      // The topics exist (the admin step made them): no service needs to create any.
      await Promise.all(buses.map((bus) => bus.onModuleInit()));
      await Promise.all(buses.map((bus) => bus.ping()));
      // Every service runs the log relay (one elected at a time), so every service publishes.
      await Promise.all(
        buses.map((bus) => bus.publishCaseEvents([{ caseId: `case-of-${bus.serviceName}`, eventId: randomUUID(), type: 'CaseReported', envelope: '{}' }])),
      );
      const everyCase = SERVICES.map((service) => `case-of-${service}`).sort();
      const seen = await Promise.all(buses.map((bus) => consumeUntil(bus, everyCase.length)));
      for (const keys of seen) expect(keys).toEqual(everyCase);
      // A consumer parks what it can never handle in the dead-letter topic.
      await Promise.all(buses.map((bus) => bus.publisher.publish(caseEventsDeadLetterTopic(), [{ key: `case-of-${bus.serviceName}`, value: 'not an envelope' }])));
    } finally {
      await Promise.all(buses.map((bus) => bus.onApplicationShutdown()));
    }
  });

  describe('and what it refuses', () => {
    // kafkajs logs every refusal at ERROR; here they are the expected outcome.
    beforeAll(() => jest.spyOn(console, 'error').mockImplementation(() => undefined));
    afterAll(() => jest.restoreAllMocks());

    it('refuses a wrong password', async () => {
      const admin = createKafka({ ...kafkaSettings('caseline-routing'), sasl: { mechanism: 'scram-sha-512', username: 'caseline-routing', password: 'not-the-password' } }).admin();
      await expect(admin.connect()).rejects.toThrow(/authentication failed/i);
      await admin.disconnect();
    });

    it('does not let a service use another service’s consumer group', async () => {
      // kafkajs reports only "Failed to find group coordinator"; the broker's answer is in its debug log.
      const brokerAnswers: string[] = [];
      const kafka = new Kafka({
        ...kafkaConfig(kafkaSettings('caseline-notification')),
        logLevel: logLevel.DEBUG,
        logCreator: () => ({ log }) => {
          const type = (log as { error?: { type?: string } }).error?.type;
          if (type) brokerAnswers.push(type);
        },
      });
      const admin = kafka.admin();
      await admin.connect();
      try {
        await expect(admin.fetchOffsets({ groupId: `${prefix}-routing`, topics: [caseEventsTopic()] })).rejects.toThrow();
        expect(brokerAnswers).toContain('GROUP_AUTHORIZATION_FAILED');
        // Its own group, on the same connection, is fine.
        await expect(admin.fetchOffsets({ groupId: `${prefix}-notification`, topics: [caseEventsTopic()] })).resolves.toHaveLength(1);
      } finally {
        await admin.disconnect();
      }
    });

    it('does not let a service read the dead-letter topic (operators do), nor write outside its installation', async () => {
      const kafka = createKafka(kafkaSettings('caseline-notification'));
      // In its own group, so only the topic's ACL is in question.
      const consumer = kafka.consumer({ groupId: `${prefix}-notification`, retry: { retries: 3, restartOnFailure: async () => false } });
      const crashed = new Promise<Error>((resolve) => consumer.on(consumer.events.CRASH, (event) => resolve(event.payload.error)));
      await consumer.connect();
      try {
        await consumer.subscribe({ topics: [caseEventsDeadLetterTopic()], fromBeginning: true });
        await consumer.run({ eachMessage: async () => undefined });
        await expect(crashed).resolves.toThrow(/Not authorized to access topics/);
      } finally {
        await consumer.disconnect();
      }

      const publisher = new KafkaPublisher(kafka);
      await expect(publisher.publish(`other-${prefix}.case-events.v1`, [{ key: 'k', value: 'v' }])).rejects.toThrow(/Not authorized to access topics/);
      await publisher.close();
    });

    it('does not let a service create topics: missing ones are an administrator’s to make', async () => {
      const bus = busOf('routing');
      process.env.KAFKA_TOPIC_PREFIX = `other-${prefix}`;
      try {
        await expect(bus.onModuleInit()).rejects.toThrow(/Kafka topics other-.* do not exist .* may not create them/);
      } finally {
        process.env.KAFKA_TOPIC_PREFIX = prefix;
        await bus.onApplicationShutdown();
      }
    });
  });
});

/** Consumes the case events in the bus's service's own group until it has seen `count` cases. */
async function consumeUntil(bus: CaseEventsBus, count: number): Promise<string[]> {
  const keys = new Set<string>();
  let seenAll!: () => void;
  const all = new Promise<void>((resolve) => (seenAll = resolve));
  const subscription = bus.subscribe(bus.serviceName, async (message) => {
    keys.add(message.key);
    if (keys.size >= count) seenAll();
  });
  await subscription.start();
  try {
    await all;
  } finally {
    await subscription.stop();
  }
  return [...keys].sort();
}
