import { createHmac } from 'node:crypto';

/*
 * Tamper evidence for the case log (ADR 0011). Each event stores a link: an HMAC over its
 * predecessor's link and its own canonical bytes. The key lives with the services, never in the
 * database, so someone who can rewrite rows (a database superuser) cannot make the links agree
 * again; a plain hash chain they could simply recompute.
 */

/** What version 1 of every case links to. */
export const GENESIS_LINK: Buffer = Buffer.alloc(32);

export interface ChainKeys {
  /** Signs the links of new events; its id is stored beside each link. */
  signing: { id: number; secret: Buffer };
  /** Every key a stored link may name, the signing one included: retired keys still verify old links. */
  byId: ReadonlyMap<number, Buffer>;
}

/**
 * For tests and local development (services refuse it in production, see service-kit's secret()).
 * Its id 0 makes links signed with it stand out: a production verifier does not hold key 0.
 */
export const DEVELOPMENT_CHAIN_KEYS = '0:caseline-development-case-log-chain-key';

const MIN_KEY_LENGTH = 16;

/**
 * "id:key,id:key…", the first entry signing new links (a key cannot contain a comma: `openssl rand
 * -base64 32` makes a good one). Ids are stored with every link (smallint), so a key can rotate: put
 * the new key first and keep the old ones listed for as long as links made with them must verify.
 */
export function parseChainKeys(spec: string): ChainKeys {
  const entries = spec.split(',').map((entry) => {
    const [, digits, secret] = /^\s*(\d{1,5}):(.*?)\s*$/.exec(entry) ?? [];
    const id = Number(digits);
    if (digits === undefined || id > 32767) throw new Error('Chain keys must be "id:key,…" with ids from 0 to 32767');
    if (secret.length < MIN_KEY_LENGTH) throw new Error(`Chain key ${id} is shorter than ${MIN_KEY_LENGTH} characters`);
    return { id, secret: Buffer.from(secret, 'utf8') };
  });
  const byId = new Map(entries.map((entry) => [entry.id, entry.secret]));
  if (byId.size !== entries.length) throw new Error('Chain key ids must be unique');
  return { signing: entries[0], byId };
}

export const developmentChainKeys: ChainKeys = parseChainKeys(DEVELOPMENT_CHAIN_KEYS);

/**
 * JSON with every object's keys sorted by UTF-16 code units (as RFC 8785 sorts them) and
 * JSON.stringify's forms of numbers and strings: one value has one text, whatever order its keys
 * came in. PostgreSQL's jsonb reorders keys, so this is what lets a link made before the INSERT be
 * made again from what the database gives back.
 */
export function canonicalJson(value: unknown): string {
  const text = canonical(value);
  if (text === undefined) throw new TypeError('Value has no JSON form');
  return text;
}

/**
 * undefined where JSON.stringify leaves a value out (undefined, functions, symbols). Plain loops and
 * string concatenation: it runs for every event appended, and this is about three times faster than map/join.
 */
function canonical(value: unknown): string | undefined {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') value = (value as { toJSON(): unknown }).toJSON();
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  let members = '';
  if (Array.isArray(value)) {
    for (const item of value) members += `,${canonical(item) ?? 'null'}`;
    return `[${members.slice(1)}]`;
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record).sort()) {
    const member = canonical(record[key]);
    if (member !== undefined) members += `,${JSON.stringify(key)}:${member}`;
  }
  return `{${members.slice(1)}}`;
}

/**
 * What a link covers: the event as its writer chose it. Not its global position, transaction or
 * recorded time: the database assigns those, so the writer cannot know them before the INSERT.
 */
export interface ChainedEvent {
  eventId: string;
  caseId: string;
  caseVersion: number;
  type: string;
  schemaVersion: number;
  /** canonicalJson of the event's data and of its metadata. */
  dataJson: string;
  metadataJson: string;
}

/** PostgreSQL accepts a uuid in several spellings and gives it back in one; its 32 hex digits are the same in all. */
const uuidDigits = (uuid: string): string => uuid.replace(/[{}-]/g, '').toLowerCase();

/** HMAC-SHA256(key, previous link ‖ canonicalJson([event id, case id, version, type, schema version, data, metadata])). */
export function chainLink(key: Buffer, previous: Buffer, event: ChainedEvent): Buffer {
  const fields = [uuidDigits(event.eventId), uuidDigits(event.caseId), event.caseVersion, event.type, event.schemaVersion].map((field) => JSON.stringify(field));
  return createHmac('sha256', key)
    .update(previous)
    .update(`[${[...fields, event.dataJson, event.metadataJson].join(',')}]`)
    .digest();
}
