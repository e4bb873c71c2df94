import { smsAllowedAt, validateQuietHours } from './quiet-hours';

const quiet = { start: '21:00', end: '08:00' };
const zone = 'America/New_York';

describe('SMS quiet hours', () => {
  it('lets a text go at once outside quiet hours', () => {
    const afternoon = new Date('2026-11-27T19:00:00Z'); // 14:00 in New York
    expect(smsAllowedAt(afternoon, quiet, zone)).toEqual(afternoon);
  });

  it('holds a text written at night until the morning, in the city\'s time (DST included)', () => {
    expect(smsAllowedAt(new Date('2026-11-28T03:30:00Z'), quiet, zone).toISOString()).toBe('2026-11-28T13:00:00.000Z'); // 22:30 → 08:00 EST
    expect(smsAllowedAt(new Date('2026-03-08T05:00:00Z'), quiet, zone).toISOString()).toBe('2026-03-08T12:00:00.000Z'); // the night DST begins: 08:00 EDT
    expect(smsAllowedAt(new Date('2026-11-28T02:00:00Z'), quiet, zone).toISOString()).toBe('2026-11-28T13:00:00.000Z'); // 21:00 sharp is quiet
    expect(smsAllowedAt(new Date('2026-11-28T01:59:00Z'), quiet, zone).toISOString()).toBe('2026-11-28T01:59:00.000Z'); // 20:59 is not
  });

  it('refuses quiet hours that do not run over midnight', () => {
    expect(validateQuietHours({ start: '08:00', end: '21:00' }, 'city.json: smsQuietHours')).toEqual(['city.json: smsQuietHours must run over midnight (e.g. 21:00 to 08:00) or start at 00:00']);
    expect(validateQuietHours({ start: '00:00', end: '07:00' }, 'x')).toEqual([]);
    expect(validateQuietHours({ start: '9pm', end: '8am' }, 'x')).toEqual(['x must be { "start": "HH:MM", "end": "HH:MM" }']);
  });
});
