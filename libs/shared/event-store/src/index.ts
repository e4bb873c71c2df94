export * from './sql';
export * from './case-log.schema';
export * from './event-store';
export * from './event-id';
export * from './command-handler';
export * from './log-relay';
export * from './migrate';
