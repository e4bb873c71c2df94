import {
  addBusinessMinutes,
  addBusinessTime,
  BusinessCalendar,
  businessMinutesBetween,
  DEFAULT_CALENDAR,
  deadlineWithPauses,
  DeadlineTarget,
  validateCalendar,
  validateTarget,
} from './business-calendar';

// Expected instants are written out in UTC with the local time alongside, so the tests do not
// depend on the module's own time-zone conversion. New York is UTC−5 (EST) until 2026-03-08 and
// from 2026-11-01, UTC−4 (EDT) in between.
const at = (iso: string) => new Date(iso);
const due = (calendar: BusinessCalendar, start: string, target: DeadlineTarget) => addBusinessTime(calendar, at(start), target).toISOString();

const newYork = DEFAULT_CALENDAR;
const thanksgiving: BusinessCalendar = { ...DEFAULT_CALENDAR, holidays: ['2026-11-26'] };
const emergency: BusinessCalendar = { timeZone: 'America/New_York', workingDays: [1, 2, 3, 4, 5, 6, 7], hours: { start: '00:00', end: '24:00' }, holidays: [] };
const madrid: BusinessCalendar = { timeZone: 'Europe/Madrid', workingDays: [1, 2, 3, 4, 5], hours: { start: '09:00', end: '14:00' }, holidays: ['2026-01-06'] };
// Good Friday and Easter Monday 2026 around New Zealand's DST end (2026-04-05, NZDT +13 → NZST +12).
const auckland: BusinessCalendar = { timeZone: 'Pacific/Auckland', workingDays: [1, 2, 3, 4, 5], hours: { start: '08:30', end: '17:00' }, holidays: ['2026-04-03', '2026-04-06'] };
const demoCity: BusinessCalendar = {
  ...DEFAULT_CALENDAR,
  holidays: ['2026-01-01', '2026-01-19', '2026-02-16', '2026-05-25', '2026-06-19', '2026-07-03', '2026-09-07', '2026-10-12', '2026-11-03', '2026-11-11', '2026-11-26', '2026-12-25', '2027-01-01'],
};
const sanitation: BusinessCalendar = { ...demoCity, workingDays: [1, 2, 3, 4, 5, 6], hours: { start: '06:00', end: '18:00' } };

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const YEAR_2026 = Date.UTC(2026, 0, 1);
const YEAR_MS = 365 * 86_400_000;

describe('business calendar: business hours', () => {
  it('counts hours inside one working day', () => {
    expect(due(newYork, '2026-11-17T15:00:00.000Z', { businessHours: 3 })).toBe('2026-11-17T18:00:00.000Z'); // Tue 10:00 → 13:00
    expect(due(newYork, '2026-11-17T15:00:00.000Z', { businessHours: 7 })).toBe('2026-11-17T22:00:00.000Z'); // → 17:00 sharp, not Wed 08:00
    expect(due(newYork, '2026-11-17T15:00:00.000Z', { businessHours: 0.25 })).toBe('2026-11-17T15:15:00.000Z');
    expect(businessMinutesBetween(newYork, at('2026-11-17T15:00:00.000Z'), at('2026-11-17T18:00:00.000Z'))).toBe(180);
  });

  it('crosses a weekend', () => {
    expect(due(newYork, '2026-11-20T20:00:00.000Z', { businessHours: 4 })).toBe('2026-11-23T15:00:00.000Z'); // Fri 15:00 → Mon 10:00
    expect(businessMinutesBetween(newYork, at('2026-11-20T20:00:00.000Z'), at('2026-11-23T15:00:00.000Z'))).toBe(240);
  });

  it('skips a holiday', () => {
    expect(due(newYork, '2026-11-25T21:00:00.000Z', { businessHours: 2 })).toBe('2026-11-26T14:00:00.000Z'); // Wed 16:00 → Thu 09:00
    expect(due(thanksgiving, '2026-11-25T21:00:00.000Z', { businessHours: 2 })).toBe('2026-11-27T14:00:00.000Z'); // → Fri 09:00
    expect(businessMinutesBetween(thanksgiving, at('2026-11-26T00:00:00.000Z'), at('2026-11-27T00:00:00.000Z'))).toBe(0);
  });

  it('counts from the next working moment when the start is outside working time', () => {
    expect(due(newYork, '2026-11-17T11:00:00.000Z', { businessHours: 2 })).toBe('2026-11-17T15:00:00.000Z'); // Tue 06:00 → 10:00
    expect(due(newYork, '2026-11-18T00:00:00.000Z', { businessHours: 2 })).toBe('2026-11-18T15:00:00.000Z'); // Tue 19:00 → Wed 10:00
    expect(due(thanksgiving, '2026-11-26T15:00:00.000Z', { businessHours: 1 })).toBe('2026-11-27T14:00:00.000Z'); // Thanksgiving → Fri 09:00
    expect(due(newYork, '2026-11-21T15:00:00.000Z', { businessHours: 1 })).toBe('2026-11-23T14:00:00.000Z'); // Sat → Mon 09:00
  });

  it('has addBusinessMinutes(0) return the start itself and reject negative minutes', () => {
    expect(addBusinessMinutes(newYork, at('2026-11-21T15:00:00.000Z'), 0).toISOString()).toBe('2026-11-21T15:00:00.000Z');
    expect(() => addBusinessMinutes(newYork, at('2026-11-21T15:00:00.000Z'), -1)).toThrow(RangeError);
    expect(() => addBusinessMinutes(newYork, new Date(NaN), 1)).toThrow(RangeError);
  });

  it('returns 0 minutes between an instant and an earlier one', () => {
    expect(businessMinutesBetween(newYork, at('2026-11-18T15:00:00.000Z'), at('2026-11-17T15:00:00.000Z'))).toBe(0);
  });
});

describe('business calendar: business days', () => {
  it('lands on the same wall-clock time N working days later', () => {
    expect(due(newYork, '2026-11-17T15:00:00.000Z', { businessDays: 2 })).toBe('2026-11-19T15:00:00.000Z'); // Tue 10:00 → Thu 10:00
    expect(due(newYork, '2026-11-20T20:00:00.000Z', { businessDays: 1 })).toBe('2026-11-23T20:00:00.000Z'); // Fri 15:00 → Mon 15:00
    expect(due(newYork, '2026-11-17T21:59:00.000Z', { businessDays: 2 })).toBe('2026-11-19T21:59:00.000Z'); // Tue 16:59 → Thu 16:59
  });

  it('skips holidays', () => {
    expect(due(thanksgiving, '2026-11-25T15:00:00.000Z', { businessDays: 1 })).toBe('2026-11-27T15:00:00.000Z'); // Wed → Fri 10:00
    expect(due(thanksgiving, '2026-11-25T15:00:00.000Z', { businessDays: 2 })).toBe('2026-11-30T15:00:00.000Z'); // → Mon 10:00
  });

  it('counts a start outside working time from the next opening, reporting the earlier equivalent closing time', () => {
    expect(due(newYork, '2026-11-17T11:00:00.000Z', { businessDays: 1 })).toBe('2026-11-17T22:00:00.000Z'); // Tue 06:00 → Tue 17:00
    expect(due(newYork, '2026-11-17T11:00:00.000Z', { businessDays: 2 })).toBe('2026-11-18T22:00:00.000Z'); // → Wed 17:00
    expect(due(newYork, '2026-11-18T00:00:00.000Z', { businessDays: 1 })).toBe('2026-11-18T22:00:00.000Z'); // Tue 19:00 → Wed 17:00
    expect(due(newYork, '2026-11-17T22:00:00.000Z', { businessDays: 2 })).toBe('2026-11-19T22:00:00.000Z'); // Tue 17:00 sharp → Thu 17:00
    expect(due(thanksgiving, '2026-11-26T15:00:00.000Z', { businessDays: 1 })).toBe('2026-11-27T22:00:00.000Z'); // Thanksgiving → Fri 17:00
    expect(due(newYork, '2026-11-21T15:00:00.000Z', { businessDays: 1 })).toBe('2026-11-23T22:00:00.000Z'); // Sat → Mon 17:00
    expect(due(newYork, '2026-11-21T15:00:00.000Z', { businessDays: 2 })).toBe('2026-11-24T22:00:00.000Z'); // Sat → Tue 17:00
  });

  it('is N × a working day in minutes when all working days have the same length', () => {
    const next = random(7);
    for (const [calendar, dayMinutes] of [
      [demoCity, 540],
      [sanitation, 720],
      [madrid, 300],
      [auckland, 510],
    ] as const) {
      for (let i = 0; i < 300; i++) {
        const start = new Date(YEAR_2026 + Math.floor(next() * YEAR_MS));
        const days = 1 + Math.floor(next() * 30);
        expect([calendar.timeZone, start.toISOString(), days, addBusinessTime(calendar, start, { businessDays: days }).toISOString()]).toEqual([
          calendar.timeZone,
          start.toISOString(),
          days,
          addBusinessMinutes(calendar, start, days * dayMinutes).toISOString(),
        ]);
      }
    }
  });

  it('rejects an invalid target or calendar', () => {
    expect(() => addBusinessTime(newYork, at('2026-11-17T15:00:00.000Z'), { businessDays: 1.5 })).toThrow(/businessDays 1.5 must be a positive whole number/);
    expect(() => addBusinessTime(newYork, at('2026-11-17T15:00:00.000Z'), { businessHours: 0 })).toThrow(RangeError);
    expect(() => addBusinessTime(newYork, at('2026-11-17T15:00:00.000Z'), { businessDays: 1, businessHours: 1 } as unknown as DeadlineTarget)).toThrow(/exactly one/);
    expect(() => addBusinessTime(newYork, at('2026-11-17T15:00:00.000Z'), null as unknown as DeadlineTarget)).toThrow(/must be \{ "businessDays": N \}/);
    expect(() => addBusinessTime({ ...newYork, timeZone: 'Mars/Olympus' }, at('2026-11-17T15:00:00.000Z'), { businessDays: 1 })).toThrow(/Mars\/Olympus/);
  });
});

describe('business calendar: daylight saving time in America/New_York', () => {
  it('keeps the wall-clock time across spring forward (2026-03-08)', () => {
    expect(due(newYork, '2026-03-06T15:00:00.000Z', { businessDays: 1 })).toBe('2026-03-09T14:00:00.000Z'); // Fri 10:00 EST → Mon 10:00 EDT
    expect(due(newYork, '2026-03-06T15:00:00.000Z', { businessDays: 5 })).toBe('2026-03-13T14:00:00.000Z');
    expect(due(newYork, '2026-03-06T21:00:00.000Z', { businessHours: 2 })).toBe('2026-03-09T13:00:00.000Z'); // Fri 16:00 EST → Mon 09:00 EDT
    expect(businessMinutesBetween(newYork, at('2026-03-06T15:00:00.000Z'), at('2026-03-09T14:00:00.000Z'))).toBe(540);
  });

  it('keeps the wall-clock time across fall back (2026-11-01)', () => {
    expect(due(newYork, '2026-10-30T14:00:00.000Z', { businessDays: 1 })).toBe('2026-11-02T15:00:00.000Z'); // Fri 10:00 EDT → Mon 10:00 EST
    expect(due(newYork, '2026-10-30T20:00:00.000Z', { businessHours: 2 })).toBe('2026-11-02T14:00:00.000Z'); // Fri 16:00 EDT → Mon 09:00 EST
    expect(businessMinutesBetween(newYork, at('2026-10-30T14:00:00.000Z'), at('2026-11-02T15:00:00.000Z'))).toBe(540);
  });

  it('gives a working day on a DST day its real length', () => {
    expect(businessMinutesBetween(emergency, at('2026-03-08T05:00:00.000Z'), at('2026-03-09T04:00:00.000Z'))).toBe(23 * 60);
    expect(businessMinutesBetween(emergency, at('2026-11-01T04:00:00.000Z'), at('2026-11-02T05:00:00.000Z'))).toBe(25 * 60);
    expect(businessMinutesBetween(emergency, at('2026-11-17T05:00:00.000Z'), at('2026-11-18T05:00:00.000Z'))).toBe(24 * 60);
    const night: BusinessCalendar = { ...emergency, hours: { start: '00:00', end: '06:00' } };
    expect(businessMinutesBetween(night, at('2026-03-08T00:00:00.000Z'), at('2026-03-09T00:00:00.000Z'))).toBe(5 * 60);
    expect(businessMinutesBetween(night, at('2026-11-01T00:00:00.000Z'), at('2026-11-02T00:00:00.000Z'))).toBe(7 * 60);
  });

  it('has days keep the wall clock and hours keep real time in a 24×7 calendar', () => {
    expect(due(emergency, '2026-03-07T15:00:00.000Z', { businessDays: 1 })).toBe('2026-03-08T14:00:00.000Z'); // Sat 10:00 EST → Sun 10:00 EDT (23 h)
    expect(due(emergency, '2026-03-07T15:00:00.000Z', { businessHours: 24 })).toBe('2026-03-08T15:00:00.000Z'); // → Sun 11:00 EDT
    expect(due(emergency, '2026-10-31T14:00:00.000Z', { businessDays: 1 })).toBe('2026-11-01T15:00:00.000Z'); // Sat 10:00 EDT → Sun 10:00 EST (25 h)
    expect(due(emergency, '2026-10-31T14:00:00.000Z', { businessHours: 24 })).toBe('2026-11-01T14:00:00.000Z'); // → Sun 09:00 EST
  });

  it('moves a wall-clock time that does not exist forward, and takes the earlier of an ambiguous one', () => {
    expect(due(emergency, '2026-03-07T07:30:00.000Z', { businessDays: 1 })).toBe('2026-03-08T07:30:00.000Z'); // Sat 02:30 EST → Sun 03:30 EDT
    expect(due(emergency, '2026-10-31T05:30:00.000Z', { businessDays: 1 })).toBe('2026-11-01T05:30:00.000Z'); // Sat 01:30 EDT → Sun 01:30 EDT
    expect(due(emergency, '2026-11-01T06:30:00.000Z', { businessDays: 1 })).toBe('2026-11-02T06:30:00.000Z'); // Sun 01:30 EST → Mon 01:30 EST
  });
});

describe('business calendar: other time zones and calendars', () => {
  it('follows Europe/Madrid across its DST change (2026-03-29)', () => {
    expect(due(madrid, '2026-03-27T11:00:00.000Z', { businessDays: 1 })).toBe('2026-03-30T10:00:00.000Z'); // Fri 12:00 CET → Mon 12:00 CEST
    expect(due(madrid, '2026-03-27T11:00:00.000Z', { businessHours: 3 })).toBe('2026-03-30T08:00:00.000Z'); // 2 h Fri + 1 h → Mon 10:00 CEST
    expect(due(madrid, '2026-01-05T12:00:00.000Z', { businessDays: 1 })).toBe('2026-01-07T12:00:00.000Z'); // Mon 13:00 → Wed 13:00 (Epiphany)
  });

  it('follows Pacific/Auckland, whose local dates run ahead of UTC, over Easter and its DST end (2026-04-05)', () => {
    expect(due(auckland, '2026-04-01T21:00:00.000Z', { businessDays: 1 })).toBe('2026-04-06T22:00:00.000Z'); // Thu 10:00 NZDT → Tue 10:00 NZST
    expect(due(auckland, '2026-04-02T03:00:00.000Z', { businessHours: 2 })).toBe('2026-04-06T21:30:00.000Z'); // Thu 16:00 NZDT → Tue 09:30 NZST
    expect(due(auckland, '2026-04-04T00:00:00.000Z', { businessHours: 1 })).toBe('2026-04-06T21:30:00.000Z'); // Sat 13:00 → Tue 09:30
  });

  it('works around the clock in a 24×7 calendar', () => {
    expect(due(emergency, '2026-11-22T04:00:00.000Z', { businessHours: 2 })).toBe('2026-11-22T06:00:00.000Z'); // Sat 23:00 → Sun 01:00
    expect(due(emergency, '2026-11-26T15:00:00.000Z', { businessDays: 3 })).toBe('2026-11-29T15:00:00.000Z'); // Thanksgiving counts
    expect(due(emergency, '2026-11-21T05:00:00.000Z', { businessDays: 1 })).toBe('2026-11-22T05:00:00.000Z'); // midnight → midnight
    expect(businessMinutesBetween(emergency, at('2026-11-16T05:00:00.000Z'), at('2026-11-23T05:00:00.000Z'))).toBe(7 * 24 * 60);
  });

  it('treats calendars as values: equal contents give equal answers, whatever the object', () => {
    const copy = JSON.parse(JSON.stringify(thanksgiving)) as BusinessCalendar;
    expect(due(copy, '2026-11-25T15:00:00.000Z', { businessDays: 1 })).toBe('2026-11-27T15:00:00.000Z');
    copy.holidays = [];
    expect(due(copy, '2026-11-25T15:00:00.000Z', { businessDays: 1 })).toBe('2026-11-26T15:00:00.000Z');
    expect(Object.isFrozen(DEFAULT_CALENDAR) && Object.isFrozen(DEFAULT_CALENDAR.holidays)).toBe(true);
  });
});

describe('business calendar: businessMinutesBetween inverts addBusinessMinutes', () => {
  it.each([
    ['demo city', demoCity],
    ['sanitation', sanitation],
    ['24×7', emergency],
    ['Madrid', madrid],
    ['Auckland', auckland],
  ])('for many random starts and lengths (%s)', (_name, calendar) => {
    const next = random(calendar.timeZone.length * 97 + calendar.hours.start.length);
    for (let i = 0; i < 400; i++) {
      const start = new Date(YEAR_2026 + Math.floor(next() * YEAR_MS));
      const minutes = i % 10 === 0 ? 0 : Math.floor(next() * 20_000);
      const end = addBusinessMinutes(calendar, start, minutes);
      expect([start.toISOString(), minutes, businessMinutesBetween(calendar, start, end)]).toEqual([start.toISOString(), minutes, minutes]);
      // Splitting the minutes in two gives the same answer.
      const part = Math.floor(minutes / 3);
      if (part > 0) expect(addBusinessMinutes(calendar, addBusinessMinutes(calendar, start, part), minutes - part).getTime()).toBe(end.getTime());
      // And the other way round: the minutes to a random later instant lead back to an instant equally far.
      const later = new Date(start.getTime() + Math.floor(next() * 30 * 86_400_000));
      const between = businessMinutesBetween(calendar, start, later);
      expect(businessMinutesBetween(calendar, start, addBusinessMinutes(calendar, start, between))).toBe(between);
      expect(addBusinessMinutes(calendar, start, between).getTime()).toBeLessThanOrEqual(later.getTime());
    }
  });
});

describe('business calendar: pauses', () => {
  const tuesday10 = at('2026-11-17T15:00:00.000Z'); // Tue 10:00 EST; + 2 business days = Thu 10:00 (15:00Z)
  const twoDays = { businessDays: 2 };

  it('without pauses is the plain deadline', () => {
    expect(deadlineWithPauses(newYork, tuesday10, twoDays, [])?.toISOString()).toBe('2026-11-19T15:00:00.000Z');
  });

  it('moves the deadline by exactly the paused working minutes', () => {
    const pause = { from: at('2026-11-17T18:00:00.000Z'), to: at('2026-11-17T19:30:00.000Z') }; // Tue 13:00–14:30
    const deadline = deadlineWithPauses(newYork, tuesday10, twoDays, [pause]) as Date;
    expect(deadline.toISOString()).toBe('2026-11-19T16:30:00.000Z'); // Thu 11:30
    expect(businessMinutesBetween(newYork, at('2026-11-19T15:00:00.000Z'), deadline)).toBe(90);
    // Overnight: Tue 16:00 → Wed 09:00 is 2 working hours.
    expect(deadlineWithPauses(newYork, tuesday10, twoDays, [{ from: at('2026-11-17T21:00:00.000Z'), to: at('2026-11-18T14:00:00.000Z') }])?.toISOString()).toBe(
      '2026-11-19T17:00:00.000Z',
    );
  });

  it('moves it by nothing for a pause over a weekend', () => {
    const friday10 = at('2026-11-20T15:00:00.000Z'); // + 2 business days = Tue 10:00
    const weekend = { from: at('2026-11-20T22:30:00.000Z'), to: at('2026-11-23T12:00:00.000Z') }; // Fri 17:30 → Mon 07:00
    expect(deadlineWithPauses(newYork, friday10, twoDays, [weekend])?.toISOString()).toBe('2026-11-24T15:00:00.000Z');
  });

  it('has no deadline while a pause is open', () => {
    const closed = { from: at('2026-11-17T18:00:00.000Z'), to: at('2026-11-17T19:30:00.000Z') };
    expect(deadlineWithPauses(newYork, tuesday10, twoDays, [closed, { from: at('2026-11-18T15:00:00.000Z') }])).toBeUndefined();
  });

  it('counts the clock, not the calendar: overlapping pauses once, time before the start and after the clock ran out not at all', () => {
    const oneDay = { businessDays: 1 }; // Tue 10:00 → Wed 10:00 (2026-11-18T15:00Z)
    const overlapping = [
      { from: at('2026-11-17T18:00:00.000Z'), to: at('2026-11-17T19:30:00.000Z') }, // Tue 13:00–14:30
      { from: at('2026-11-17T19:00:00.000Z'), to: at('2026-11-17T20:00:00.000Z') }, // Tue 14:00–15:00
    ];
    expect(deadlineWithPauses(newYork, tuesday10, oneDay, overlapping)?.toISOString()).toBe('2026-11-18T17:00:00.000Z'); // + 2 h
    const beforeStart = { from: at('2026-11-17T14:00:00.000Z'), to: at('2026-11-17T16:00:00.000Z') }; // Tue 09:00–11:00
    expect(deadlineWithPauses(newYork, tuesday10, oneDay, [beforeStart])?.toISOString()).toBe('2026-11-18T16:00:00.000Z'); // + 1 h
    const afterDue = { from: at('2026-11-18T16:00:00.000Z'), to: at('2026-11-19T16:00:00.000Z') }; // Wed 11:00 → Thu 11:00
    expect(deadlineWithPauses(newYork, tuesday10, oneDay, [afterDue])?.toISOString()).toBe('2026-11-18T15:00:00.000Z');
    // Spanning the deadline: 1 h left at Wed 09:00, resumed Thu 09:00 → Thu 10:00.
    const spanning = { from: at('2026-11-18T14:00:00.000Z'), to: at('2026-11-19T14:00:00.000Z') };
    expect(deadlineWithPauses(newYork, tuesday10, oneDay, [spanning])?.toISOString()).toBe('2026-11-19T15:00:00.000Z');
    // A pause that only matters because an earlier one moved the deadline: Tue 11–12, then Wed 10:30–11:30.
    const chained = [
      { from: at('2026-11-18T15:30:00.000Z'), to: at('2026-11-18T16:30:00.000Z') },
      { from: at('2026-11-17T16:00:00.000Z'), to: at('2026-11-17T17:00:00.000Z') },
    ];
    expect(deadlineWithPauses(newYork, tuesday10, oneDay, chained)?.toISOString()).toBe('2026-11-18T17:00:00.000Z'); // Wed 12:00
  });

  it('works with hour targets and rejects a pause that ends before it begins', () => {
    const pause = { from: at('2026-11-17T18:00:00.000Z'), to: at('2026-11-17T19:00:00.000Z') };
    expect(deadlineWithPauses(newYork, tuesday10, { businessHours: 4 }, [pause])?.toISOString()).toBe('2026-11-17T20:00:00.000Z'); // 10:00 + 4 h + 1 h = 15:00
    expect(() => deadlineWithPauses(newYork, tuesday10, twoDays, [{ from: pause.to, to: pause.from }])).toThrow(RangeError);
  });
});

describe('business calendar: validation', () => {
  const dot = 'departments.json: department DOT: calendar';

  it('accepts good calendars', () => {
    for (const calendar of [DEFAULT_CALENDAR, thanksgiving, emergency, madrid, auckland, demoCity, sanitation]) expect(validateCalendar(calendar, dot)).toEqual([]);
    expect(validateCalendar({ ...newYork, holidays: ['2028-02-29'] }, dot)).toEqual([]);
  });

  it('names where, the field and the rule', () => {
    expect(validateCalendar({ ...newYork, hours: { start: '8am', end: '17:00' } }, dot)).toEqual([`${dot}.hours.start "8am" must be HH:MM`]);
    expect(validateCalendar({ ...newYork, hours: { start: '17:00', end: '08:00' } }, dot)).toEqual([
      `${dot}.hours.start "17:00" must be before hours.end "08:00" ("00:00"–"24:00" is all day)`,
    ]);
    expect(validateCalendar({ ...newYork, hours: { start: '08:00', end: '24:30' } }, dot)).toEqual([`${dot}.hours.end "24:30" must be HH:MM (24:00 for the end of the day)`]);
    expect(validateCalendar({ ...newYork, timeZone: 'Mars/Olympus' }, dot)).toEqual([
      `${dot}.timeZone "Mars/Olympus" is not a time zone known to Intl (use an IANA name such as "America/New_York")`,
    ]);
    expect(validateCalendar({ ...newYork, workingDays: [0, 8, 1.5, 2, 2] }, dot)).toEqual([
      `${dot}.workingDays[0] 0 must be an integer from 1 (Monday) to 7 (Sunday)`,
      `${dot}.workingDays[1] 8 must be an integer from 1 (Monday) to 7 (Sunday)`,
      `${dot}.workingDays[2] 1.5 must be an integer from 1 (Monday) to 7 (Sunday)`,
      `${dot}.workingDays[4] 2 is listed twice`,
    ]);
    expect(validateCalendar({ ...newYork, workingDays: [] }, dot)).toEqual([`${dot}.workingDays [] must be a non-empty list of ISO weekdays (1 = Monday … 7 = Sunday)`]);
    expect(validateCalendar({ ...newYork, holidays: ['2026-02-30', '2026-2-3', 20260101, '2027-02-29'] }, dot)).toEqual([
      `${dot}.holidays[0] "2026-02-30" must be a real date YYYY-MM-DD`,
      `${dot}.holidays[1] "2026-2-3" must be a real date YYYY-MM-DD`,
      `${dot}.holidays[2] 20260101 must be a real date YYYY-MM-DD`,
      `${dot}.holidays[3] "2027-02-29" must be a real date YYYY-MM-DD`,
    ]);
  });

  it('reports missing fields, unknown fields and non-objects', () => {
    expect(validateCalendar({ timeZone: 'America/New_York', workingDays: [1], hours: { start: '08:00', end: '17:00' }, holiday: [] }, 'city.json: calendar')).toEqual([
      'city.json: calendar.holiday is not a calendar field (timeZone, workingDays, hours, holidays)',
      'city.json: calendar.holidays is missing; it must be a list of YYYY-MM-DD dates (may be empty)',
    ]);
    expect(validateCalendar({ timeZone: 'UTC', workingDays: [1], holidays: [] }, 'x')).toEqual(['x.hours is missing; it must be an object { "start": "HH:MM", "end": "HH:MM" }']);
    expect(validateCalendar('24x7', 'x')).toEqual(['x must be an object with timeZone, workingDays, hours and holidays']);
    expect(validateCalendar(null, 'x')).toEqual(['x must be an object with timeZone, workingDays, hours and holidays']);
  });

  it('checks deadline targets', () => {
    const rule = 'rule "lights": target';
    expect(validateTarget({ businessDays: 2 }, rule)).toEqual([]);
    expect(validateTarget({ businessHours: 0.25 }, rule)).toEqual([]);
    expect(validateTarget({ businessHours: 36.5 }, rule)).toEqual([]);
    expect(validateTarget({ businessDays: 1.5 }, rule)).toEqual([`${rule}.businessDays 1.5 must be a positive whole number of business days`]);
    expect(validateTarget({ businessDays: 0 }, rule)).toEqual([`${rule}.businessDays 0 must be a positive whole number of business days`]);
    expect(validateTarget({ businessDays: '2' }, rule)).toEqual([`${rule}.businessDays "2" must be a positive whole number of business days`]);
    expect(validateTarget({ businessHours: 0.1 }, rule)).toEqual([`${rule}.businessHours 0.1 must be a positive number of business hours in steps of 0.25 (15 minutes)`]);
    expect(validateTarget({ businessHours: Infinity }, rule)).toEqual([`${rule}.businessHours Infinity must be a positive number of business hours in steps of 0.25 (15 minutes)`]);
    expect(validateTarget({ businessDays: 1, businessHours: 4 }, rule)).toEqual([`${rule} must set exactly one of businessDays and businessHours, not both`]);
    expect(validateTarget({}, rule)).toEqual([`${rule} must set exactly one of businessDays and businessHours`]);
    expect(validateTarget({ days: 2 }, rule)).toEqual([`${rule}.days is not a target field (businessDays or businessHours)`, `${rule} must set exactly one of businessDays and businessHours`]);
    expect(validateTarget(undefined, rule)).toEqual([`${rule} must be { "businessDays": N } or { "businessHours": N }`]);
  });
});

describe('business calendar: throughput (information only)', () => {
  it('computes many deadlines', () => {
    const next = random(42);
    const calls = 50_000;
    const starts = Array.from({ length: calls }, () => new Date(YEAR_2026 + Math.floor(next() * YEAR_MS)));
    const targets: DeadlineTarget[] = Array.from({ length: calls }, (_, i) => (i % 2 === 0 ? { businessDays: 1 + (i % 30) } : { businessHours: 0.25 * (1 + (i % 400)) }));
    // A fresh calendar object per call, as calendarOf() merges one for every case.
    const began = process.hrtime.bigint();
    let last = 0;
    for (let i = 0; i < calls; i++) last = addBusinessTime({ ...demoCity }, starts[i], targets[i]).getTime();
    const seconds = Number(process.hrtime.bigint() - began) / 1e9;
    console.log(`business calendar: ${calls} deadlines (random starts over a year, 1–30 days / up to 100 h) in ${seconds.toFixed(3)} s ≈ ${Math.round(calls / seconds)} deadlines/s`);
    expect(last).toBeGreaterThan(0);
  });
});
