export * from './model';
export * from './datetime';
export * from './errors';
export * from './render';
export * from './parse';
export { escapeXml } from './xml';
