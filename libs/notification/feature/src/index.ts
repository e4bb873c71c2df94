export * from './notification.module';
export * from './notification-dispatcher';
export * from './notification.migrations';
