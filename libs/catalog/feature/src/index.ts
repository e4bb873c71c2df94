export * from './catalog.store';
export * from './catalog.module';
export * from './catalog-admin.controller';
