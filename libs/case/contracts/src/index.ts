export * from './envelope';
export * from './case-events';
export * from './topics';
