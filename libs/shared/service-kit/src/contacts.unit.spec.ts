import { maskEmail, maskPhone, toE164 } from './contacts';

describe('contacts', () => {
  it.each([
    ['+1 (212) 555-0199', '+12125550199'],
    ['212-555-0199', '+12125550199'],
    ['1 212 555 0199', '+12125550199'],
    ['(718) 555 0100', '+17185550100'],
    ['+44 20 7946 0958', '+442079460958'],
    ['+52 55 1234 5678', '+525512345678'],
  ])('takes %s as %s', (raw, e164) => expect(toE164(raw)).toBe(e164));

  it.each(['555-0199', '112-555-0199', '212-055-0199', '+1 212 555 01999', 'call me', '212 555 0199 ext 4', '+', '0044 20 7946 0958 0000 1'])('refuses %s', (raw) => expect(toE164(raw)).toBeUndefined());

  it('masks addresses and numbers for the history', () => {
    expect(maskEmail('ana.diaz@example.org')).toBe('a***@example.org');
    expect(maskPhone('+1 (212) 555-0199')).toBe('+1******0199');
  });
});
