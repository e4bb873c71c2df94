import { PrivateKafka, waitFor } from '@caseline/testing';
import { Kafka, logLevel } from 'kafkajs';
import { ensureTopics, kafkaConfig, KafkaPublisher, KafkaSubscription } from './kafka';
import { MessagePublisher, PermanentMessageError } from './ports';

/**
 * A consumer group outlives its broker: under a steady stream the broker is killed (SIGKILL) and
 * restarted, and both members of the group go on until every message sent before, during and after
 * is handled. (The fault suite does this with the whole system; this is the subscription alone.)
 */
describe('KafkaSubscription across broker restarts', () => {
  const topic = 'broker-restart';
  const handled = new Map<string, number>();
  const crashes: string[] = [];
  let broker: PrivateKafka;
  let publisher: KafkaPublisher;
  const members: KafkaSubscription[] = [];

  const kafka = (clientId: string) => new Kafka({ ...kafkaConfig({ clientId, brokers: [broker.brokers] }), logLevel: logLevel.NOTHING });

  beforeAll(async () => {
    broker = await PrivateKafka.create();
    await ensureTopics(kafka('restart-admin'), [
      { topic, numPartitions: 4 },
      { topic: `${topic}.dead-letter`, numPartitions: 1 },
    ]);
    publisher = new KafkaPublisher(kafka('restart-producer'));
    for (const member of ['a', 'b']) {
      members.push(
        new KafkaSubscription(kafka(`restart-consumer-${member}`), {
          groupId: 'restart-test',
          topics: [topic],
          deadLetter: { topic: `${topic}.dead-letter`, publisher },
          handle: async (message) => void handled.set(message.value, (handled.get(message.value) ?? 0) + 1),
          onCrash: (error, restarting) => crashes.push(`${member}: ${error.message} (${restarting ? 'restarting' : 'not restarting'})`),
        }),
      );
    }
    await Promise.all(members.map((member) => member.start()));
  }, 120000);

  afterAll(async () => {
    await Promise.all(members.map((member) => member.stop().catch(() => undefined)));
    await publisher?.close().catch(() => undefined);
    await broker?.destroy();
  }, 60000);

  let sent = 0;
  /** Sends a batch over several keys, trying again until the broker takes it. */
  const send = async (count: number) => {
    const messages = Array.from({ length: count }, (_, i) => ({ key: `case-${(sent + i) % 17}`, value: `m${sent + i}` }));
    await waitFor(() => publisher.publish(topic, messages).then(() => true), 'the broker to take a batch', 120000);
    sent += count;
  };
  const allHandled = (within: number) =>
    waitFor(() => handled.size >= sent, `${sent} messages handled`, within).then(
      () => true,
      () => false,
    );

  it('catches up after the broker was down for longer than a session', async () => {
    const outageSeconds = 12; // the members' sessions (10 s) run out meanwhile
    await send(50);
    expect(await allHandled(60000)).toBe(true);
    await broker.kill();
    const sending = send(50); // sent while the broker is down: taken once it is back
    await new Promise((resolve) => setTimeout(resolve, outageSeconds * 1000));
    await broker.start();
    await sending;
    await send(50);
    expect({ caughtUp: await allHandled(120000), handled: handled.size, crashes }).toEqual({ caughtUp: true, handled: sent, crashes });
    expect([...handled.keys()].sort()).toEqual(Array.from({ length: sent }, (_, i) => `m${i}`).sort());
  }, 300000);

  it('starts a consumer again that kafkajs gave up on', async () => {
    // A dead-letter topic that refuses a message twice with an error kafkajs calls non-retriable
    // (as the broker does for a message too large): kafkajs stops the consumer for good, each time.
    let refusals = 2;
    const deadLettered: string[] = [];
    const deadLetter: MessagePublisher = {
      publish: async (to, messages) => {
        if (refusals-- > 0) throw Object.assign(new Error('MESSAGE_TOO_LARGE (stand-in)'), { retriable: false });
        deadLettered.push(...messages.map((message) => message.value));
        await publisher.publish(to, messages);
      },
      close: async () => undefined,
    };
    const handledHere = new Set<string>();
    const crashesHere: { error: string; restarting: boolean }[] = [];
    const poisoned = new KafkaSubscription(kafka('restart-consumer-poisoned'), {
      groupId: 'restart-test-poisoned',
      topics: [topic],
      deadLetter: { topic: `${topic}.dead-letter`, publisher: deadLetter },
      handle: async (message) => {
        if (message.value === 'poison') throw new PermanentMessageError('cannot be handled');
        handledHere.add(message.value);
      },
      onCrash: (error, restarting) => crashesHere.push({ error: error.message, restarting }),
    });
    members.push(poisoned);
    await publisher.publish(topic, [{ key: 'case-poison', value: 'poison' }]);
    await poisoned.start();
    await waitFor(() => crashesHere.length > 0, 'the consumer to crash', 60000);
    await send(20); // after the crash: handled only if the consumer runs again
    const everything = Array.from({ length: sent }, (_, i) => `m${i}`);
    const done = () => deadLettered.length > 0 && everything.every((value) => handledHere.has(value));
    expect(await waitFor(done, 'every message handled, the poison parked', 60000).catch(() => false)).toBe(true);
    expect(deadLettered).toEqual(['poison']);
    expect(crashesHere).toEqual([1, 2].map(() => ({ error: 'MESSAGE_TOO_LARGE (stand-in)', restarting: true })));
  }, 120000);
});
