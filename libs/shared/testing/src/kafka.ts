import { Kafka, logLevel } from 'kafkajs';
import { caseEventsTopic, topicPrefix } from '@caseline/case-contracts';

export const testKafka = (): Kafka => new Kafka({ clientId: 'caseline-tests', brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','), logLevel: logLevel.NOTHING });

/** Messages a consumer group has not yet committed on the case events topic (0 = caught up). */
export async function consumerLag(kafka: Kafka, group: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topic = caseEventsTopic();
    const [ends, [committed]] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId: `${topicPrefix()}-${group}`, topics: [topic] })]);
    return ends.reduce((lag, end) => {
      const done = committed.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
      return lag + Number(end.offset) - Math.max(0, Number(done));
    }, 0);
  } finally {
    await admin.disconnect();
  }
}
