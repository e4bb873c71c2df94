import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { canonicalJson, chainLink, ChainedEvent, GENESIS_LINK, parseChainKeys } from './chain';
import { StoredEvent, verifyCase } from './chain-verifier';

describe('canonicalJson', () => {
  it('sorts object keys at every depth, by UTF-16 code units', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: null }, B: true, 10: 'x', 9: 'y', é: 0 })).toBe(
      '{"10":"x","9":"y","B":true,"a":{"c":null,"d":[{"y":2,"z":1}]},"b":1,"é":0}',
    );
  });

  it('writes what JSON.stringify writes, apart from key order', () => {
    const value = { at: new Date('2026-01-02T03:04:05.678Z'), gone: undefined, fn: () => 1, list: [undefined, NaN, -0, 1e21, 1e-7], text: 'line\n"quoted" ünï \u2028' };
    expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
    expect(canonicalJson(value)).toBe('{"at":"2026-01-02T03:04:05.678Z","list":[null,null,0,1e+21,1e-7],"text":"line\\n\\"quoted\\" ünï \u2028"}');
  });

  it('refuses what has no JSON form', () => {
    expect(() => canonicalJson(undefined)).toThrow(TypeError);
    expect(() => canonicalJson({ n: BigInt(1) })).toThrow(TypeError);
  });

  it('gives one text for a value whatever its key order, and keeps the value', () => {
    const reversed = (value: unknown): unknown =>
      Array.isArray(value) ? value.map(reversed) : value !== null && typeof value === 'object' ? Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reversed(v)])) : value;
    fc.assert(
      fc.property(fc.jsonValue({ stringUnit: 'grapheme' }), (value) => {
        expect(canonicalJson(reversed(value))).toBe(canonicalJson(value));
        expect(canonicalJson(JSON.parse(JSON.stringify(value)))).toBe(canonicalJson(value));
        expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });
});

describe('parseChainKeys', () => {
  it('signs with the first key and verifies with all', () => {
    const keys = parseChainKeys('2:second-key-0123456789, 1:first-key-0123456789');
    expect(keys.signing).toEqual({ id: 2, secret: Buffer.from('second-key-0123456789') });
    expect([...keys.byId.keys()]).toEqual([2, 1]);
  });

  it.each([
    ['no id', 'key-without-an-id-0123'],
    ['an id out of smallint range', '40000:long-enough-key-0123'],
    ['a short key', '1:short'],
    ['the same id twice', '1:long-enough-key-0123,1:another-long-key-0123'],
  ])('refuses %s, without quoting the key', (_what, spec) => {
    expect(() => parseChainKeys(spec)).toThrow();
    try {
      parseChainKeys(spec);
    } catch (error) {
      expect((error as Error).message).not.toContain('0123');
    }
  });
});

const KEYS = parseChainKeys('1:unit-test-chain-key-0001');
const caseId = randomUUID();

/** A case of n events, linked as the append links them. */
function linkedCase(n: number): StoredEvent[] {
  let previous = GENESIS_LINK;
  return Array.from({ length: n }, (_, index) => {
    const event = { eventId: randomUUID(), caseId, caseVersion: index + 1, type: 'Noted', schemaVersion: 1, data: { n: index }, metadata: { by: 'unit' } };
    previous = chainLink(KEYS.signing.secret, previous, { ...event, dataJson: canonicalJson(event.data), metadataJson: canonicalJson(event.metadata) });
    return { ...event, globalPosition: String(100 + index), chainHash: previous, chainKeyId: 1 };
  });
}

describe('chainLink', () => {
  const event: ChainedEvent = { eventId: randomUUID(), caseId, caseVersion: 1, type: 'Noted', schemaVersion: 1, dataJson: '{"a":1}', metadataJson: '{}' };
  const link = chainLink(KEYS.signing.secret, GENESIS_LINK, event);

  it('covers the canonical JSON of the event, so a uuid in another spelling links the same', () => {
    expect(chainLink(KEYS.signing.secret, GENESIS_LINK, { ...event, eventId: `{${event.eventId.toUpperCase()}}` })).toEqual(link);
  });

  it.each<[string, Partial<ChainedEvent>]>([
    ['event id', { eventId: randomUUID() }],
    ['case id', { caseId: randomUUID() }],
    ['version', { caseVersion: 2 }],
    ['type', { type: 'Other' }],
    ['schema version', { schemaVersion: 2 }],
    ['data', { dataJson: '{"a":2}' }],
    ['metadata', { metadataJson: '{"x":1}' }],
  ])('changes with the %s', (_field, change) => {
    expect(chainLink(KEYS.signing.secret, GENESIS_LINK, { ...event, ...change })).not.toEqual(link);
  });

  it('changes with the previous link and with the key', () => {
    expect(chainLink(KEYS.signing.secret, Buffer.alloc(32, 1), event)).not.toEqual(link);
    expect(chainLink(Buffer.from('another-key-0000000000'), GENESIS_LINK, event)).not.toEqual(link);
  });
});

describe('verifyCase', () => {
  it('accepts an intact case and reports its head', () => {
    const events = linkedCase(3);
    expect(verifyCase(caseId, events, KEYS)).toEqual({ caseId, events: 3, unchained: 0, head: { version: 3, link: events[2].chainHash } });
  });

  it('reports an altered event at its version', () => {
    const events = linkedCase(4);
    events[2] = { ...events[2], data: { n: 99 } };
    expect(verifyCase(caseId, events, KEYS).broken).toMatchObject({ version: 3, globalPosition: '102', problem: 'altered' });
  });

  it('reports swapped versions as altered', () => {
    const events = linkedCase(3);
    const swapped = [events[0], { ...events[2], caseVersion: 2 }, { ...events[1], caseVersion: 3 }];
    expect(verifyCase(caseId, swapped, KEYS).broken).toMatchObject({ version: 2, problem: 'altered' });
  });

  it('reports removed events as missing, from the first one gone', () => {
    const events = linkedCase(5);
    expect(verifyCase(caseId, [events[0], events[3], events[4]], KEYS).broken).toMatchObject({ version: 2, problem: 'missing', detail: expect.stringContaining('versions 2–3') });
    expect(verifyCase(caseId, events.slice(1), KEYS).broken).toMatchObject({ version: 1, problem: 'missing' });
  });

  it('reports a version stored twice', () => {
    const events = linkedCase(2);
    expect(verifyCase(caseId, [events[0], { ...events[0], globalPosition: '200' }, events[1]], KEYS).broken).toMatchObject({ version: 1, globalPosition: '200', problem: 'duplicate' });
  });

  it('counts events from before the chain as unchained, and a link removed later as broken', () => {
    const legacy = linkedCase(1).map((e) => ({ ...e, chainHash: null, chainKeyId: null }));
    const rest = linkedCase(3).slice(1);
    // Version 2 is the chain's first event after unlinked ones: it links to genesis, as the append does.
    let previous = GENESIS_LINK;
    const relinked = rest.map((e) => {
      previous = chainLink(KEYS.signing.secret, previous, { ...e, dataJson: canonicalJson(e.data), metadataJson: canonicalJson(e.metadata) });
      return { ...e, chainHash: previous };
    });
    const verdict = verifyCase(caseId, [...legacy, ...relinked], KEYS);
    expect(verdict).toMatchObject({ unchained: 1, head: { version: 3 } });
    expect(verdict.broken).toBeUndefined();

    const events = linkedCase(3);
    events[2] = { ...events[2], chainHash: null, chainKeyId: null };
    expect(verifyCase(caseId, events, KEYS).broken).toMatchObject({ version: 3, problem: 'unlinked' });
  });

  it('takes an unlinked case written after the chain began for what it is: inserted around the services', () => {
    const unlinked = linkedCase(2).map((e) => ({ ...e, chainHash: null, chainKeyId: null })); // global positions 100, 101
    expect(verifyCase(caseId, unlinked, KEYS, { chainStart: '100' }).broken).toMatchObject({ version: 2, globalPosition: '101', problem: 'unlinked' });
    expect(verifyCase(caseId, unlinked, KEYS, { chainStart: '102' })).toMatchObject({ unchained: 2 });
  });

  it('cannot vouch for a link made with a key it does not hold', () => {
    expect(verifyCase(caseId, linkedCase(2), parseChainKeys('2:some-other-key-000000')).broken).toMatchObject({ version: 1, problem: 'unknown-key' });
  });

  it('compares the case with an anchor kept outside the database', () => {
    const events = linkedCase(4);
    const anchor = { version: 3, link: events[2].chainHash };
    expect(verifyCase(caseId, events, KEYS, { anchor }).broken).toBeUndefined();
    expect(verifyCase(caseId, events.slice(0, 2), KEYS, { anchor }).broken).toMatchObject({ version: 3, problem: 'behind-anchor' });
    expect(verifyCase(caseId, events, KEYS, { anchor: { version: 3, link: Buffer.alloc(32, 7) } }).broken).toMatchObject({ version: 3, globalPosition: '102', problem: 'anchor-mismatch' });
    // A link removed so that the event passes as unchained (possible for the log's earliest linked events).
    const [only] = linkedCase(1);
    expect(verifyCase(caseId, [{ ...only, chainHash: null, chainKeyId: null }], KEYS, { anchor: { version: 1, link: only.chainHash } }).broken).toMatchObject({ problem: 'anchor-mismatch' });
  });
});
