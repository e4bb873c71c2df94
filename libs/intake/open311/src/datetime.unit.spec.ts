import { parseW3cDateTime, w3cDateTime } from './datetime';

describe('w3cDateTime', () => {
  it("writes the zone's wall-clock time and its offset at that instant, standard and daylight time", () => {
    expect(w3cDateTime(new Date('2024-01-15T17:30:05Z'), 'America/New_York')).toBe('2024-01-15T12:30:05-05:00');
    expect(w3cDateTime(new Date('2024-07-15T16:30:05Z'), 'America/New_York')).toBe('2024-07-15T12:30:05-04:00');
  });

  it('follows the instant across the DST change and across midnight', () => {
    // 2024-03-10 02:00 EST became 03:00 EDT.
    expect(w3cDateTime(new Date('2024-03-10T06:59:59Z'), 'America/New_York')).toBe('2024-03-10T01:59:59-05:00');
    expect(w3cDateTime(new Date('2024-03-10T07:00:00Z'), 'America/New_York')).toBe('2024-03-10T03:00:00-04:00');
    expect(w3cDateTime(new Date('2024-01-01T03:00:00Z'), 'America/Los_Angeles')).toBe('2023-12-31T19:00:00-08:00');
  });

  it('drops fractional seconds and writes half-hour and zero offsets', () => {
    expect(w3cDateTime(new Date('2010-04-14T14:37:38.999Z'), 'Etc/GMT+8')).toBe('2010-04-14T06:37:38-08:00');
    expect(w3cDateTime(new Date('2024-01-15T12:00:00Z'), 'Asia/Kolkata')).toBe('2024-01-15T17:30:00+05:30');
    expect(w3cDateTime(new Date('2024-01-15T12:00:00Z'), 'UTC')).toBe('2024-01-15T12:00:00+00:00');
  });

  it('refuses an unknown zone and an invalid date', () => {
    expect(() => w3cDateTime(new Date(), 'Mars/Olympus_Mons')).toThrow('Unknown time zone: Mars/Olympus_Mons');
    expect(() => w3cDateTime(new Date('nonsense'), 'UTC')).toThrow('Invalid date');
  });
});

describe('parseW3cDateTime', () => {
  it.each([
    ['2010-01-01T00:00:00Z', '2010-01-01T00:00:00.000Z'],
    ['1994-11-05T08:15:30-05:00', '1994-11-05T13:15:30.000Z'],
    ['1994-11-05T08:15:30-0500', '1994-11-05T13:15:30.000Z'],
    ['1994-11-05T13:45:30+05:30', '1994-11-05T08:15:30.000Z'],
    ['1994-11-05T08:15:30.45-05', '1994-11-05T13:15:30.450Z'],
    ['1994-11-05T08:15-05:00', '1994-11-05T13:15:00.000Z'],
    ['2010-05-24t00:00:00z', '2010-05-24T00:00:00.000Z'],
    // `+01:00` sent unencoded in a query string arrives as ` 01:00`.
    ['2010-05-24T01:00:00 01:00', '2010-05-24T00:00:00.000Z'],
  ])('reads %s', (text, iso) => {
    expect(parseW3cDateTime(text).toISOString()).toBe(iso);
  });

  it('reads back what w3cDateTime writes', () => {
    const instant = new Date('2024-07-15T16:30:05Z');
    expect(parseW3cDateTime(w3cDateTime(instant, 'America/New_York'))).toEqual(instant);
  });

  it('refuses a datetime without a time zone, saying so', () => {
    expect(() => parseW3cDateTime('2010-01-01T00:00:00')).toThrow("'2010-01-01T00:00:00' has no time zone; send e.g. 2010-01-01T00:00:00Z");
    expect(() => parseW3cDateTime('2010-01-01')).toThrow('has no time zone');
  });

  it.each(['yesterday', '2010-02-30T00:00:00Z', '2010-01-01T24:00:00Z', '2010-01-01T00:00:00+25:00', '1262304000', ''])('refuses %p', (text) => {
    expect(() => parseW3cDateTime(text)).toThrow(RangeError);
  });
});
