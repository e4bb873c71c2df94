/**
 * Topic names. The prefix (env KAFKA_TOPIC_PREFIX, default "caseline") lets several Caseline
 * installations, or a test run beside a demo, share one cluster without seeing each other's events.
 */
export const topicPrefix = (): string => process.env.KAFKA_TOPIC_PREFIX || 'caseline';

/** Every case event, keyed by case id so one case's events stay in order on one partition. */
export const caseEventsTopic = (): string => `${topicPrefix()}.case-events.v1`;
/** Messages a consumer could not parse or permanently failed on, parked for operators. */
export const caseEventsDeadLetterTopic = (): string => `${topicPrefix()}.case-events.dead-letter.v1`;
export const CASE_EVENTS_PARTITIONS = 6;
