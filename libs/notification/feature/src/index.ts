export * from './notification.module';
export * from './notification-dispatcher';
