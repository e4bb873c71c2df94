/**
 * The notification service against the local mail catcher (issue 6): messages planned, rendered and
 * sent per second, and case event → message accepted by SMTP (ResidentNotified is recorded right
 * after the server's 250) at p50/p95. Cases are written straight into the log (CaseReported with a
 * reporter's email), so only notification's path is measured: relay → Kafka → plan → outbox →
 * render → SMTP → ResidentNotified. Baseline, in the same run: the same number of plain emails sent
 * straight through the same SMTP client, the same concurrency, no database.
 */
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { appendNewCases, newEventId } from '@caseline/event-store';
import { SmtpSender } from '@caseline/service-kit';
import { asSql, gridPlace, TestSystem } from '@caseline/testing';
import { eventPairs, percentile } from './case-events';


export interface NotificationFigures {
  messages: number;
  /** Messages sent per second until 95% of them were, from a burst of `messages` cases at once. */
  perSecond: number;
  /** Case event → SMTP accepted at a steady `rate` of cases a second (not a burst's queue). */
  rate: number;
  p50: number;
  p95: number;
  /** The same messages sent straight through the SMTP client, per second. */
  rawSmtpPerSecond: number;
}

async function reportedCases(pool: Pool, count: number, label = Date.now().toString(36)): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < count; start += 500) {
    const batch = Array.from({ length: Math.min(500, count - start) }, (_, i) => {
      const caseId = randomUUID();
      ids.push(caseId);
      const metadata = { actor: { kind: 'resident', id: 'bench', name: 'Resident' }, channel: 'web', at: new Date().toISOString(), correlationId: caseId };
      return {
        caseId,
        events: [
          {
            eventId: newEventId(),
            type: 'CaseReported',
            schemaVersion: 1,
            metadata,
            data: { reference: `N${label}-${start + i}`, serviceCode: 'STREETLIGHT', serviceName: 'Streetlight out', description: 'Lamp out', location: gridPlace(start + i), channel: 'web', reporter: { email: `bench.${start + i}@example.org`, language: 'en' } },
          },
        ],
      };
    });
    await appendNewCases(asSql(pool), batch as never);
  }
  return ids;
}

/** The same number of messages straight through nodemailer to the same server: the ceiling of sending alone. */
async function rawSmtp(port: string, count: number, concurrency: number): Promise<number> {
  process.env.SMTP_PORT = port;
  const smtp = new SmtpSender();
  const started = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        await smtp.send({ to: `raw.${i}@example.org`, subject: `We received your request 100-000-${i}`, text: 'Thank you.', messageId: `<raw-${randomUUID()}@bench>` });
      }
    }),
  );
  smtp.onApplicationShutdown();
  return count / ((Date.now() - started) / 1000);
}

/** When each case was reported and its reporter told, once every one was. */
const notified = async (pool: Pool, ids: string[]) => (await eventPairs(pool, ids, 'CaseReported', 'ResidentNotified', 600_000)).map((r) => ({ reported: r.from, notified: r.to }));

export async function measureNotifications(pool: Pool): Promise<NotificationFigures> {
  const count = Number(process.env.BENCH_NOTIFICATIONS ?? 2000);
  const system = await TestSystem.create({ LOG_LEVEL: 'silent' });
  try {
    await system.start(['mail-catcher', 'notification']);
    const concurrency = Number(system.env.NOTIFICATION_CONCURRENCY ?? 16);
    const rawSmtpPerSecond = await rawSmtp(system.env.MAIL_CATCHER_SMTP_PORT!, count, concurrency);
    // Throughput: a burst of cases at once.
    const burst = await notified(pool, await reportedCases(pool, count));
    const first = Math.min(...burst.map((r) => r.reported.getTime()));
    const at95 = burst.map((r) => r.notified.getTime()).sort((a, b) => a - b)[Math.floor(0.95 * burst.length) - 1];
    // Latency: a steady rate, a tenth of a second's cases at a time.
    const rate = Number(process.env.BENCH_RATE ?? 50);
    const steady: string[] = [];
    for (let tick = 0; tick < 100; tick++) {
      const due = Date.now() + 100;
      steady.push(...(await reportedCases(pool, Math.max(1, Math.round(rate / 10)), `S${tick}-${Date.now().toString(36)}`)));
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now())));
    }
    const latencies = (await notified(pool, steady)).map((r) => r.notified.getTime() - r.reported.getTime()).sort((a, b) => a - b);
    return { messages: count, perSecond: (0.95 * count) / ((at95 - first) / 1000), rate, p50: percentile(latencies, 50), p95: percentile(latencies, 95), rawSmtpPerSecond };
  } finally {
    await system.stop();
  }
}

export const describeNotifications = (f: NotificationFigures): string =>
  [
    `notifications: a burst of ${f.messages} "received" emails planned, rendered and sent at ${f.perSecond.toFixed(0)}/s; at a steady ${f.rate} cases/s, case event → SMTP accepted p50 ${f.p50.toFixed(0)} ms, p95 ${f.p95.toFixed(0)} ms`,
    `plain SMTP sends (same client, same concurrency, no database): ${f.rawSmtpPerSecond.toFixed(0)}/s; notifications / plain SMTP = ${((f.perSecond / f.rawSmtpPerSecond) * 100).toFixed(0)}%`,
  ].join('\n');
