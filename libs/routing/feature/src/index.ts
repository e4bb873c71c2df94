export * from './routing.module';
export * from './routing.service';
export * from './routing.migrations';
