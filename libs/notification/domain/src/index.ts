export * from './plan';
export * from './quiet-hours';
export * from './sms';
export * from './snapshot';
export * from './templates';
