export * from './statistics.migrations';
export * from './projection';
export * from './rebuild';
export * from './figures';
export * from './drill-down';
export * from './filter';
export * from './area-shapes';
export * from './statistics.module';
