export * from './department-adapter.module';
export * from './work-orders.service';
export * from './adapter-contract';
export * from './department-adapter.migrations';
