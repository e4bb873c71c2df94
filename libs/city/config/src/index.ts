export * from './city-config';
export * from './boundary';
