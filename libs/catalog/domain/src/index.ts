export * from './service-definition';
export * from './validate-answers';
export * from './validate-catalog';
export * from './catalog.decider';
