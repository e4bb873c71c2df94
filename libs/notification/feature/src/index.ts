export * from './notification.module';
export * from './notification.service';
export * from './templates';
