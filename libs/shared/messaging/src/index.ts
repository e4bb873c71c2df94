export * from './ports';
export * from './kafka';
export * from './case-events.transport';
