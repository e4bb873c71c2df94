export * from './route-case';
