import { createHash, randomUUID } from 'node:crypto';

const NAMESPACE = Buffer.from('6f1b3c2e9a7d4f0b8c5e2a1d3f4b6c7e', 'hex');

/**
 * A name-based (v5-style) UUID: the same parts always give the same id. A consumer derives the ids
 * of the events it appends from the event that caused them, so a redelivered event can never
 * append its effect twice (the log's unique event_id says no).
 */
export function deterministicEventId(...parts: string[]): string {
  const hash = createHash('sha1').update(NAMESPACE).update(parts.join('\u001f')).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const newEventId = (): string => randomUUID();
