import type { CaseEvent, CaseEventEnvelope } from '@caseline/case-contracts';
import { CaseFacts, evolveFacts } from './case-facts';
import { contributionsOf, dayIn } from './contributions';
import { durationBucket, percentileHours } from './durations';

const envelope = (at: string, event: CaseEvent, importedFrom?: { source: string; record: string }): CaseEventEnvelope =>
  ({ eventId: at, caseId: 'c1', caseVersion: 1, type: event.type, schemaVersion: 1, data: event.data, metadata: { actor: { kind: 'service', id: 's', name: 'S' }, at, correlationId: 'c1', importedFrom }, globalPosition: '1', recordedAt: at }) as CaseEventEnvelope;
const fold = (...events: CaseEventEnvelope[]): CaseFacts | undefined => events.reduce<CaseFacts | undefined>(evolveFacts, undefined);

const reported = envelope('2026-03-02T14:00:00.000Z', { type: 'CaseReported', data: { reference: 'R1', serviceCode: 'POTHOLE', serviceName: 'Pothole', description: 'x', location: { lat: 40.7, long: -74 }, channel: 'web' } });
const routed = (at: string, department: string) =>
  envelope(at, { type: 'CaseRouted', data: { department, departmentName: department, priority: 'normal', dueAt: '2026-03-04T21:00:00.000Z', matched: {}, areas: { 'community-district': { id: '105', name: 'Manhattan 5' }, 'council-district': { id: '3', name: 'District 3' } } } });
const ny = dayIn('America/New_York');

describe('a case’s facts for the figures', () => {
  it('knows nothing before the report, and ignores events of cases it never saw reported', () => {
    expect(fold(routed('2026-03-02T14:00:01.000Z', 'DOT'))).toBeUndefined();
  });

  it('takes the department now responsible and the council district before any other layer', () => {
    const facts = fold(reported, routed('2026-03-02T14:00:01.000Z', 'PARKS'), envelope('2026-03-02T15:00:00.000Z', { type: 'CaseReferred', data: { fromDepartment: 'PARKS', reason: 'no', hop: 1 } }), routed('2026-03-02T15:00:01.000Z', 'DOT'));
    expect(facts).toMatchObject({ department: 'DOT', areaId: '3', areaName: 'District 3', referralHops: 1, status: 'open', firstActionAt: null });
  });

  it('counts a reopened case resolved again on the day of its last resolution, reopened once', () => {
    const facts = fold(reported, routed('2026-03-02T14:00:01.000Z', 'DOT'), envelope('2026-03-03T14:00:00.000Z', { type: 'CaseResolved', data: { resolution: 'fixed' } }), envelope('2026-03-04T14:00:00.000Z', { type: 'CaseReopened', data: { reason: 'no' } }), envelope('2026-03-06T14:00:00.000Z', { type: 'CaseResolved', data: { resolution: 'fixed' } }))!;
    expect(facts).toMatchObject({ status: 'resolved', resolvedAt: '2026-03-06T14:00:00.000Z', reopened: 1, firstActionAt: '2026-03-03T14:00:00.000Z' });
    const { daily, durations } = contributionsOf(facts, ny);
    expect(daily).toEqual([
      { day: '2026-03-02', department: 'DOT', areaId: '3', serviceCode: 'POTHOLE', counts: { received: 1 }, channels: { web: 1 } },
      { day: '2026-03-06', department: 'DOT', areaId: '3', serviceCode: 'POTHOLE', counts: { resolved: 1, resolved_with_due: 1, resolved_late: 1, reopened: 1 }, channels: {} },
    ]);
    expect(durations.map((d) => [d.measure, d.day])).toEqual([
      ['first-action', '2026-03-03'],
      ['resolve', '2026-03-06'],
    ]);
  });

  it('remembers where an imported case came from', () => {
    expect(fold({ ...reported, metadata: { ...reported.metadata, importedFrom: { source: 'baltimore', record: '18-1' } } })?.source).toBe('baltimore');
    expect(fold(reported)?.source).toBe('caseline');
  });
});

describe('durations in 5% buckets', () => {
  it('puts under a minute in bucket 0 and each later bucket 5% wider', () => {
    expect(durationBucket('2026-01-01T00:00:00Z', '2026-01-01T00:00:30Z')).toBe(0);
    expect(durationBucket('2026-01-01T00:00:00Z', '2026-01-01T00:01:00Z')).toBe(1);
    expect(durationBucket('2026-01-01T00:00:00Z', '2026-01-01T00:01:04Z')).toBe(2);
  });

  it('reads percentiles within 5% of the exact value, and none from nothing', () => {
    const hours = [1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144];
    const histogram: number[] = [];
    for (const h of hours) {
      const bucket = durationBucket('2026-01-01T00:00:00Z', new Date(Date.parse('2026-01-01T00:00:00Z') + h * 3_600_000).toISOString());
      histogram[bucket] = (histogram[bucket] ?? 0) + 1;
    }
    const filled = Array.from(histogram, (count) => count ?? 0);
    expect(percentileHours(filled, 0.5)! / 13).toBeGreaterThan(0.95);
    expect(percentileHours(filled, 0.5)! / 13).toBeLessThan(1.05);
    expect(percentileHours([], 0.5)).toBeNull();
  });
});

describe('the city’s day of an instant', () => {
  it('follows the zone’s offset, half-hour zones and clock changes included', () => {
    expect(ny('2026-03-11T03:59:59.000Z')).toBe('2026-03-10');
    expect(ny('2026-03-11T04:00:00.000Z')).toBe('2026-03-11');
    const kolkata = dayIn('Asia/Kolkata');
    expect(kolkata('2026-03-10T18:29:59.000Z')).toBe('2026-03-10');
    expect(kolkata('2026-03-10T18:30:00.000Z')).toBe('2026-03-11');
    expect(kolkata('2026-03-10T18:15:00.000Z')).toBe('2026-03-10');
  });
});
