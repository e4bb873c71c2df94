export * from './case-facts';
export * from './contributions';
export * from './durations';
export * from './figures';
export * from './periods';
