import { formatReference, parseReference } from './reference-number';

describe('reference numbers', () => {
  it('groups nine digits like a phone number, the last a check digit', () => {
    expect(formatReference(10_000_000)).toMatch(/^100-000-00\d$/);
  });

  it('accepts what a caller reads out, with or without dashes', () => {
    const reference = formatReference(10_000_123);
    expect(parseReference(reference.replace(/-/g, ''))).toBe(reference);
    expect(parseReference(reference.replace(/-/g, ' '))).toBe(reference);
  });

  it('catches a mistyped digit and a swap of neighbours', () => {
    const digits = formatReference(12_345_678).replace(/-/g, '');
    const typo = digits.slice(0, 4) + ((Number(digits[4]) + 1) % 10) + digits.slice(5);
    const swapped = digits.slice(0, 2) + digits[3] + digits[2] + digits.slice(4);
    expect(parseReference(typo)).toBeUndefined();
    if (digits[2] !== digits[3]) expect(parseReference(swapped)).toBeUndefined();
  });

  it('rejects anything that is not nine digits', () => {
    expect(parseReference('12-34')).toBeUndefined();
    expect(parseReference('abc-def-ghi')).toBeUndefined();
  });
});
