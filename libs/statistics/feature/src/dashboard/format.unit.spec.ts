import { addDays, change, count, csvLink, days, decimal, drillDown, duration, formatDay, mondayOf, percent, signedPercent, withQuery, yearBefore } from './format';

describe('how figures are written', () => {
  it('writes durations for people', () => {
    expect([null, 0.25, 3.2, 47.9, 108, 400].map(duration)).toEqual(['—', '15 min', '3.2 h', '47.9 h', '4.5 days', '16.7 days']);
    expect(days(108)).toBe('4.5');
    expect(days(null)).toBe('—');
  });

  it('writes counts, shares and changes', () => {
    expect(count(184532)).toBe('184,532');
    expect([percent(0.8312), percent(1), percent(null)]).toEqual(['83.1%', '100%', '—']);
    expect([decimal(0.0871), decimal(4.1, 1), decimal(null)]).toEqual(['0.09', '4.1', '—']);
    expect(change(110, 100)).toBeCloseTo(0.1);
    expect(change(5, 0)).toBeNull();
    expect([signedPercent(0.125), signedPercent(-0.03), signedPercent(0), signedPercent(null)]).toEqual(['+12.5%', '−3%', '±0%', '—']);
  });

  it('counts days of the calendar', () => {
    expect(addDays('2026-02-27', 3)).toBe('2026-03-02');
    expect(mondayOf('2026-03-04')).toBe('2026-03-02');
    expect(mondayOf('2026-03-08')).toBe('2026-03-02');
    expect(mondayOf('2026-03-02')).toBe('2026-03-02');
    expect(yearBefore('2028-02-29')).toBe('2027-02-28');
    expect(formatDay('2026-01-05')).toBe('Jan 5, 2026');
    expect(formatDay('not a day')).toBe('not a day');
  });

  it('builds links with the filter, leaving out what is not set', () => {
    expect(withQuery('/statistics', { from: '2026-01-05', to: '', area: undefined })).toBe('/statistics?from=2026-01-05');
    expect(withQuery('/statistics', {})).toBe('/statistics');
    const links = { filter: { from: '2026-01-05', to: '2026-01-11', department: 'D&T' }, basePath: '/statistics', apiPath: '/v1/statistics' };
    expect(drillDown(links, 'late', { area: 'BK' })).toBe('/v1/statistics/cases?from=2026-01-05&to=2026-01-11&department=D%26T&area=BK&measure=late');
    expect(csvLink(links, 'types')).toBe('/v1/statistics/figures.csv?table=types&from=2026-01-05&to=2026-01-11&department=D%26T');
  });
});
