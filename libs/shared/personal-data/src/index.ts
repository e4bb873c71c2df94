export * from './sealing';
export * from './personal-data-vault';
export * from './personal-data-reads';
export * from './personal-data-erasure';
export * from './case-personal-data';
export * from './personal-data.module';
export * from './privacy.migrations';
