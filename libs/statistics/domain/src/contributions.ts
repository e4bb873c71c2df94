import type { Channel } from '@caseline/case-contracts';
import type { CaseFacts } from './case-facts';
import { durationBucket } from './durations';

/** The additive counts kept per day, department, area and request type (docs/statistics.md). */
export const DAILY_COUNTS = [
  'received',
  'first_contact',
  'repeat_contacts',
  'resolved',
  'resolved_with_due',
  'resolved_late',
  'referral_hops',
  'referred',
  'reopened',
  'satisfaction_count',
  'satisfaction_sum',
] as const;
export type DailyCount = (typeof DAILY_COUNTS)[number];

export const CHANNELS: readonly Channel[] = ['web', 'mobile', 'phone', 'email', 'ivr', 'in-person', 'api', 'system'];

export interface DailyKey {
  day: string;
  department: string;
  areaId: string;
  serviceCode: string;
}
export interface DailyRow extends DailyKey {
  counts: Partial<Record<DailyCount, number>>;
  /** Received, by channel. */
  channels: Partial<Record<Channel, number>>;
}

export type DurationMeasure = 'first-action' | 'resolve';
export interface DurationRow {
  day: string;
  department: string;
  areaId: string;
  measure: DurationMeasure;
  bucket: number;
}

export interface Contributions {
  daily: DailyRow[];
  durations: DurationRow[];
}

/** The city's days run on its own clock: a case at 23:30 local time belongs to that local day. */
export type DayOf = (iso: string) => string;

export const utcDay: DayOf = (iso) => iso.slice(0, 10);

/**
 * A day in a time zone, as YYYY-MM-DD. Remembered per quarter of an hour (every time zone's offset and
 * every change of it falls on one), since a replay asks about the same moments again and again and
 * formatting is the slow part.
 */
export function dayIn(timeZone: string): DayOf {
  const QUARTER = 900_000;
  const format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  const days = new Map<number, string>();
  return (iso) => {
    const quarter = Math.floor(Date.parse(iso) / QUARTER);
    let day = days.get(quarter);
    if (day === undefined) {
      if (days.size > 100_000) days.clear();
      days.set(quarter, (day = format.format(new Date(quarter * QUARTER))));
    }
    return day;
  };
}

/**
 * What one case adds to the daily figures: counts on the day it was received (received, channel,
 * first-contact resolution, repeat contact) and on the day it was resolved (resolution,
 * deadline, referrals, reopenings, satisfaction), and its durations on the days they ended. A
 * projection applies the difference between a case's contributions before and after an event.
 */
export function contributionsOf(facts: CaseFacts, dayOf: DayOf): Contributions {
  const key = { department: facts.department, areaId: facts.areaId, serviceCode: facts.serviceCode };
  const received: DailyRow = {
    ...key,
    day: dayOf(facts.reportedAt),
    counts: {
      received: 1,
      ...(facts.resolution === 'answered-at-first-contact' ? { first_contact: 1 } : {}),
      ...(facts.duplicateOf ? { repeat_contacts: 1 } : {}),
    },
    channels: { [facts.channel]: 1 },
  };
  const daily = [received];
  const durations: DurationRow[] = [];
  if (facts.firstActionAt) durations.push({ day: dayOf(facts.firstActionAt), department: facts.department, areaId: facts.areaId, measure: 'first-action', bucket: durationBucket(facts.reportedAt, facts.firstActionAt) });
  if (facts.status === 'resolved' && facts.resolvedAt) {
    const late = facts.dueAt !== null && Date.parse(facts.resolvedAt) > Date.parse(facts.dueAt);
    daily.push({
      ...key,
      day: dayOf(facts.resolvedAt),
      counts: {
        resolved: 1,
        ...(facts.dueAt ? { resolved_with_due: 1 } : {}),
        ...(late ? { resolved_late: 1 } : {}),
        ...(facts.referralHops > 0 ? { referral_hops: facts.referralHops, referred: 1 } : {}),
        ...(facts.reopened > 0 ? { reopened: 1 } : {}),
        ...(facts.satisfaction !== null ? { satisfaction_count: 1, satisfaction_sum: facts.satisfaction } : {}),
      },
      channels: {},
    });
    durations.push({ day: dayOf(facts.resolvedAt), department: facts.department, areaId: facts.areaId, measure: 'resolve', bucket: durationBucket(facts.reportedAt, facts.resolvedAt) });
  }
  return { daily, durations };
}
