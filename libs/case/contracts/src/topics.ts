/** Every case event, keyed by case id so one case's events stay in order on one partition. */
export const CASE_EVENTS_TOPIC = 'caseline.case-events.v1';
/** Messages a consumer could not parse or permanently failed on, parked for operators. */
export const CASE_EVENTS_DEAD_LETTER_TOPIC = 'caseline.case-events.dead-letter.v1';
export const CASE_EVENTS_PARTITIONS = 6;
