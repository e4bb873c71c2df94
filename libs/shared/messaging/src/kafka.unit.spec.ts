import type { Kafka } from 'kafkajs';
import { ensureTopics, kafkaConfig } from './kafka';

describe('kafkaConfig', () => {
  it('is plaintext and unauthenticated unless told otherwise', () => {
    const config = kafkaConfig({ clientId: 'caseline-routing', brokers: ['127.0.0.1:9092'] });
    expect(config).toMatchObject({ clientId: 'caseline-routing', brokers: ['127.0.0.1:9092'] });
    expect(config).not.toHaveProperty('sasl');
    expect(config).not.toHaveProperty('ssl');
  });

  it('passes SCRAM credentials and TLS with our CA to kafkajs', () => {
    const config = kafkaConfig({
      clientId: 'caseline-routing',
      brokers: ['kafka:9094'],
      sasl: { mechanism: 'scram-sha-512', username: 'caseline-routing', password: 's3cret' },
      ssl: { ca: '-----BEGIN CERTIFICATE-----\n...' },
    });
    expect(config.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'caseline-routing', password: 's3cret' });
    expect(config.ssl).toEqual({ ca: ['-----BEGIN CERTIFICATE-----\n...'] });
  });

  it('trusts the system CAs when TLS has no CA of its own', () => {
    expect(kafkaConfig({ clientId: 'c', brokers: ['kafka:9094'], ssl: {} }).ssl).toBe(true);
  });
});

describe('ensureTopics', () => {
  const kafkaWhoseCreateFails = (error: unknown) =>
    ({
      admin: () => ({
        connect: async () => undefined,
        disconnect: async () => undefined,
        listTopics: async () => ['caseline.case-events.dead-letter.v1'],
        createTopics: async () => Promise.reject(error),
      }),
    }) as unknown as Kafka;
  const topics = [
    { topic: 'caseline.case-events.v1', numPartitions: 6 },
    { topic: 'caseline.case-events.dead-letter.v1', numPartitions: 1 },
  ];

  it('says which topics are missing when this client may not create them', async () => {
    const denied = Object.assign(new Error('Topic creation errors'), { errors: [{ type: 'TOPIC_AUTHORIZATION_FAILED' }] });
    await expect(ensureTopics(kafkaWhoseCreateFails(denied), topics)).rejects.toThrow(/^Kafka topics caseline\.case-events\.v1 do not exist .* may not create them/);
  });

  it('passes other failures on as they are', async () => {
    const other = new Error('Connection timeout');
    await expect(ensureTopics(kafkaWhoseCreateFails(other), topics)).rejects.toBe(other);
  });
});
