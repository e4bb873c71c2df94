export * from './city-config';
