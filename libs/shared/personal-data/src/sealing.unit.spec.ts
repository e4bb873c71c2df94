import { createHash } from 'node:crypto';
import { blindIndexes, isSealed, masterKey, newDataKey, open, seal, unwrapKey, wrapKey } from './sealing';

describe('sealing personal data', () => {
  const keyId = '2f1d9c1e-0000-4000-8000-000000000001';
  const fields = { name: 'Ana Díaz', email: 'ana@example.org', privateDetails: 'gate code 1234' };

  it('opens what it sealed, and nothing of it shows in the sealed value', () => {
    const key = newDataKey();
    const sealed = seal(keyId, key, fields);
    expect(isSealed(sealed)).toBe(true);
    expect(sealed.k).toBe(keyId);
    expect(JSON.stringify(sealed)).not.toMatch(/Ana|example|1234/);
    expect(open(key, sealed)).toEqual(fields);
    // A fresh IV each time: the same fields never seal the same twice.
    expect(seal(keyId, key, fields).ct).not.toBe(sealed.ct);
  });

  it('refuses a value altered, moved to another key id, or opened with another key', () => {
    const key = newDataKey();
    const sealed = seal(keyId, key, fields);
    const flipped = Buffer.from(sealed.ct, 'base64');
    flipped[0] ^= 1;
    expect(() => open(key, { ...sealed, ct: flipped.toString('base64') })).toThrow();
    expect(() => open(key, { ...sealed, k: '2f1d9c1e-0000-4000-8000-000000000002' })).toThrow();
    expect(() => open(newDataKey(), sealed)).toThrow();
  });

  it('wraps data keys under the master key, bound to their id', () => {
    const master = masterKey();
    const key = newDataKey();
    const wrapped = wrapKey(master, keyId, key);
    expect(unwrapKey(master, keyId, wrapped).equals(key)).toBe(true);
    expect(() => unwrapKey(master, '2f1d9c1e-0000-4000-8000-000000000002', wrapped)).toThrow();
  });

  it('takes the master key from PERSONAL_DATA_MASTER_KEY (32 bytes, base64), refuses a wrong length without quoting it, and has none in production', () => {
    const saved = { key: process.env.PERSONAL_DATA_MASTER_KEY, env: process.env.NODE_ENV };
    try {
      const configured = createHash('sha256').update('test').digest();
      process.env.PERSONAL_DATA_MASTER_KEY = configured.toString('base64');
      expect(masterKey().equals(configured)).toBe(true);
      process.env.PERSONAL_DATA_MASTER_KEY = 'c2hvcnQ=';
      expect(() => masterKey()).toThrow(/must be 32 bytes/);
      expect(() => masterKey()).not.toThrow(/c2hvcnQ/);
      delete process.env.PERSONAL_DATA_MASTER_KEY;
      process.env.NODE_ENV = 'production';
      expect(() => masterKey()).toThrow(/PERSONAL_DATA_MASTER_KEY/);
    } finally {
      process.env.NODE_ENV = saved.env;
      if (saved.key === undefined) delete process.env.PERSONAL_DATA_MASTER_KEY;
      else process.env.PERSONAL_DATA_MASTER_KEY = saved.key;
    }
  });

  it('finds a resident again by blind indexes of the normalized email and E.164 phone, which hold neither', () => {
    const [email, phone] = blindIndexes({ email: 'Ana@Example.org ', phone: '(212) 555-0143' });
    expect(blindIndexes({ email: 'ana@example.org', phone: '+1 212 555 0143' })).toEqual([email, phone]);
    expect(blindIndexes({ phone: '1-212-555-0143' })).toEqual([phone]);
    expect(email.toString('hex')).not.toContain(Buffer.from('ana').toString('hex'));
    expect(blindIndexes({ email: 'other@example.org' })[0]).not.toEqual(email);
    expect(blindIndexes({})).toEqual([]);
  });
});
