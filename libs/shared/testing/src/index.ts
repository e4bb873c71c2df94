export * from './wait-for';
export * from './postgres';
export * from './system';
export * from './kafka';
export * from './places';
export * from './private-infrastructure';
