import { coveringSpans, Span, SpanRange, spanStart } from './periods';

const days = (from: string, to: string): string[] => {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
};
const plus = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const endOf = (span: Span, start: string): string =>
  span === 'day' ? start : span === 'week' ? plus(start, 6) : new Date(Date.UTC(Number(start.slice(0, 4)), Number(start.slice(5, 7)), 0)).toISOString().slice(0, 10);
/** Every day a set of span rows stands for. */
const covered = (ranges: SpanRange[]): string[] =>
  ranges.flatMap(({ span, first, last }) =>
    days(first, last)
      .filter((day) => spanStart(span, day) === day)
      .flatMap((start) => days(start, endOf(span, start))),
  );

describe('the span rows a period adds up from', () => {
  it('reads a calendar year as twelve months', () => {
    expect(coveringSpans('2026-01-01', '2026-12-31')).toEqual([{ span: 'month', first: '2026-01-01', last: '2026-12-01' }]);
  });

  it('reads the edges of a period as whole weeks and odd days', () => {
    expect(coveringSpans('2026-03-04', '2026-05-20')).toEqual([
      { span: 'month', first: '2026-04-01', last: '2026-04-01' },
      { span: 'week', first: '2026-03-09', last: '2026-03-23' },
      { span: 'day', first: '2026-03-04', last: '2026-03-08' },
      { span: 'day', first: '2026-03-30', last: '2026-03-31' },
      { span: 'week', first: '2026-05-04', last: '2026-05-11' },
      { span: 'day', first: '2026-05-01', last: '2026-05-03' },
      { span: 'day', first: '2026-05-18', last: '2026-05-20' },
    ]);
    expect(coveringSpans('2026-11-27', '2026-11-27')).toEqual([{ span: 'day', first: '2026-11-27', last: '2026-11-27' }]);
  });

  it.each([
    ['2025-11-01', '2026-10-31'],
    ['2026-02-25', '2026-03-03'],
    ['2024-02-10', '2024-03-31'],
    ['2026-03-02', '2026-03-29'],
    ['2025-12-29', '2026-01-04'],
    ['2026-01-01', '2026-01-01'],
  ])('covers every day from %s to %s exactly once', (from, to) => {
    expect(covered(coveringSpans(from, to)).sort()).toEqual(days(from, to));
  });
});
