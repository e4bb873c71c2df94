export * from './route-case';
export * from './rule-set.decider';
export * from './validate-rule-set';
export * from './duplicate-policy';
