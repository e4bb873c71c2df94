import { contactHash, normalizeEmail, normalizePhone } from '@caseline/service-kit';
import { decodeCursor, encodeCursor, parseBoundingBox, parseStatuses, searchWords } from './case-search';

describe('staff search helpers', () => {
  describe('cursor', () => {
    const position = { reportedAt: '2026-11-27T14:03:07.123Z', caseId: '0f8e2c1a-5b7d-4c3e-9a1f-2d3e4f5a6b7c' };

    it('round-trips the last row of a page, as an opaque URL-safe string', () => {
      const cursor = encodeCursor(position);
      expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(cursor).not.toContain(position.caseId);
      expect(decodeCursor(cursor)).toEqual(position);
    });

    it.each([
      ['not base64url', 'a+b/c='],
      ['not JSON', Buffer.from('nope').toString('base64url')],
      ['an object', Buffer.from(JSON.stringify(position)).toString('base64url')],
      ['not a case id', encodeCursor({ ...position, caseId: 'x' })],
      ['not an instant', encodeCursor({ ...position, reportedAt: 'yesterday' })],
      ['an instant not in canonical form', encodeCursor({ ...position, reportedAt: '2026-11-27T09:03:07.123-05:00' })],
      ['empty', ''],
    ])('refuses a cursor that is %s', (_name, cursor) => {
      expect(decodeCursor(cursor)).toBeUndefined();
    });
  });

  describe('reporter contact', () => {
    it('compares phones by their digits', () => {
      expect(normalizePhone('+1 (212) 555-0199')).toBe('12125550199');
      expect(normalizePhone('1-212-555-0199')).toBe('12125550199');
      expect(normalizePhone('212.555.0199 ext. 7')).toBe('21255501997');
      expect(normalizePhone('call me')).toBe('');
    });

    it('compares emails without case or surrounding spaces', () => {
      expect(normalizeEmail('  Ana.Diaz@Example.ORG ')).toBe('ana.diaz@example.org');
    });

    it('keeps a SHA-256 of the normalized value, never the value', () => {
      const hash = contactHash(normalizePhone('+1 (212) 555-0199'));
      expect(hash).toHaveLength(32);
      expect(hash.equals(contactHash(normalizePhone('1 212 555 0199')))).toBe(true);
      expect(hash.toString('hex')).not.toContain('2125550199');
    });
  });

  it('reads a bounding box as minLong,minLat,maxLong,maxLat', () => {
    expect(parseBoundingBox('-74.0,40.7,-73.9,40.8')).toEqual({ minLong: -74, minLat: 40.7, maxLong: -73.9, maxLat: 40.8 });
    expect(parseBoundingBox('-73.9,40.7,-74.0,40.8')).toBeUndefined(); // min > max
    expect(parseBoundingBox('-74,40.7,-73.9')).toBeUndefined();
    expect(parseBoundingBox('-74,40.7,,40.8')).toBeUndefined();
    expect(parseBoundingBox('-74,91,-73.9,92')).toBeUndefined();
  });

  it('reads statuses as a comma-separated list of known ones', () => {
    expect(parseStatuses('received,in_progress')).toEqual(['received', 'in_progress']);
    expect(parseStatuses('open')).toBeUndefined();
  });

  it('takes only letters and digits from free text, so nothing reaches tsquery syntax', () => {
    expect(searchWords("Street-light OUT at 5th Ave & 34th! (it's dark) :*")).toEqual(['street', 'light', 'out', 'at', '5th', 'ave', '34th', 'it', 's', 'dark']);
    expect(searchWords('Farola fundida en la Peña')).toEqual(['farola', 'fundida', 'en', 'la', 'peña']);
  });
});
