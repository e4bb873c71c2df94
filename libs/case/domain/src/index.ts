export * from './case.decider';
export * from './case-history';
export * from './decider-spec';
