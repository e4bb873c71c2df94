import { addDays, dateFormat, LocalDateTime, zonedTimeToUtc } from './local-time';

const NEW_YORK = 'America/New_York';
const baltimore = dateFormat('MM/DD/YYYY hh:mm:ss AM');
const nyc = dateFormat('M/D/YY H:mm');

/** The UTC instant of a time as an export writes it, in New York. */
const utc = (format: typeof baltimore, text: string, zone = NEW_YORK) => {
  const local = format.parse(text);
  if (!local) throw new Error(`${text} did not parse`);
  const { epochMs, shift } = zonedTimeToUtc(local, zone);
  return { at: new Date(epochMs).toISOString(), shift };
};

describe('dateFormat', () => {
  it('reads the exports’ formats, 12-hour clock and two-digit years included', () => {
    expect(baltimore.parse('04/12/2018 11:11:26 AM')).toEqual({ year: 2018, month: 4, day: 12, hour: 11, minute: 11, second: 26 });
    expect(baltimore.parse('04/12/2018 12:45:47 PM')).toMatchObject({ hour: 12, minute: 45 });
    expect(baltimore.parse('04/12/2018 12:05:00 AM')).toMatchObject({ hour: 0, minute: 5 });
    expect(baltimore.parse(' 11/13/2018 01:06:56 pm ')).toMatchObject({ month: 11, day: 13, hour: 13 });
    expect(nyc.parse('10/21/18 0:00')).toEqual({ year: 2018, month: 10, day: 21, hour: 0, minute: 0, second: 0 });
    expect(nyc.parse('11/4/18 13:05')).toEqual({ year: 2018, month: 11, day: 4, hour: 13, minute: 5, second: 0 });
    expect(nyc.parse('1/2/69 0:00')?.year).toBe(2069);
    expect(nyc.parse('1/2/70 0:00')?.year).toBe(1970);
  });

  it.each([
    ['xx'],
    [''],
    ['04/12/2018 11:11:26'],
    ['04/12/2018 13:11:26 PM'],
    ['04/12/2018 00:11:26 AM'],
    ['02/29/2018 10:00:00 AM'],
    ['04/31/2018 10:00:00 AM'],
    ['13/01/2018 10:00:00 AM'],
    ['4/12/2018 11:11:26 AM'],
    ['04/12/2018 11:60:00 AM'],
    ['01/01/0001 12:00:00 AM'],
  ])('is not a date in MM/DD/YYYY hh:mm:ss AM: %p', (text) => {
    expect(baltimore.parse(text)).toBeUndefined();
  });

  it('takes 29 February in a leap year', () => {
    expect(baltimore.parse('02/29/2016 10:00:00 AM')).toMatchObject({ month: 2, day: 29 });
  });

  it.each([
    ['MM/DD hh:mm', /no year/],
    ['MM/DD/YYYY hh:mm', /12-hour hour .* goes with AM/],
    ['MM/DD/YYYY HH:mm AM', /both a 24-hour and a 12-hour hour|goes with AM/],
    ['MM/DD/YYYY/YYYY HH:mm', /a part appears twice/],
  ])('refuses the format %p', (pattern, problem) => {
    expect(() => dateFormat(pattern)).toThrow(problem);
  });
});

describe('zonedTimeToUtc in America/New_York', () => {
  it('uses daylight time in summer and standard time in winter', () => {
    expect(utc(baltimore, '04/12/2018 11:11:26 AM')).toEqual({ at: '2018-04-12T15:11:26.000Z' });
    expect(utc(baltimore, '01/15/2016 11:11:26 AM')).toEqual({ at: '2016-01-15T16:11:26.000Z' });
  });

  it('crosses the spring-forward change (2018-03-11, 02:00 EST becomes 03:00 EDT)', () => {
    expect(utc(baltimore, '03/11/2018 01:59:59 AM')).toEqual({ at: '2018-03-11T06:59:59.000Z' });
    expect(utc(baltimore, '03/11/2018 03:00:00 AM')).toEqual({ at: '2018-03-11T07:00:00.000Z' });
    // 02:43:56 never showed on a clock: read with the offset before the change, as 03:43:56 EDT.
    expect(utc(baltimore, '03/11/2018 02:43:56 AM')).toEqual({ at: '2018-03-11T07:43:56.000Z', shift: 'skipped' });
  });

  it('crosses the fall-back change (2018-11-04, 02:00 EDT becomes 01:00 EST): an hour shown twice is its first', () => {
    expect(utc(nyc, '11/4/18 0:59')).toEqual({ at: '2018-11-04T04:59:00.000Z' });
    expect(utc(nyc, '11/4/18 1:45')).toEqual({ at: '2018-11-04T05:45:00.000Z', shift: 'repeated' });
    expect(utc(nyc, '11/4/18 2:00')).toEqual({ at: '2018-11-04T07:00:00.000Z' });
    expect(utc(nyc, '11/4/18 8:00')).toEqual({ at: '2018-11-04T13:00:00.000Z' });
  });

  it('works for other zones, half-hour offsets and southern summers included', () => {
    expect(utc(nyc, '7/1/18 12:00', 'Asia/Kolkata').at).toBe('2018-07-01T06:30:00.000Z');
    expect(utc(nyc, '1/15/18 12:00', 'Australia/Sydney').at).toBe('2018-01-15T01:00:00.000Z');
    expect(utc(nyc, '10/28/18 1:30', 'Europe/Berlin').at).toBe('2018-10-27T23:30:00.000Z');
    expect(utc(nyc, '10/28/18 2:30', 'Europe/Berlin')).toEqual({ at: '2018-10-28T00:30:00.000Z', shift: 'repeated' });
  });
});

describe('addDays', () => {
  it('keeps the time of day across a change of offset and the end of a month or year', () => {
    const created: LocalDateTime = { year: 2018, month: 10, day: 30, hour: 11, minute: 0, second: 0 };
    const due = addDays(created, 14);
    expect(due).toEqual({ ...created, month: 11, day: 13 });
    expect(new Date(zonedTimeToUtc(due, NEW_YORK).epochMs).toISOString()).toBe('2018-11-13T16:00:00.000Z');
    expect(addDays({ ...created, month: 12, day: 25 }, 14)).toMatchObject({ year: 2019, month: 1, day: 8 });
    expect(addDays({ ...created, year: 2016, month: 2, day: 27 }, 5)).toMatchObject({ month: 3, day: 3 });
  });
});
