import { Injectable, Logger, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { cityConfigDir, loadCityConfig } from '@caseline/city-config';
import { loadGeography } from '@caseline/city-geography';
import { deterministicEventId } from '@caseline/event-store';
import type { DigestCase } from '@caseline/notification-domain';
import { contactHash, envInt, maskEmail, normalizeEmail, trackingUrl, WorkLoop } from '@caseline/service-kit';
import { NotificationDispatcher } from './notification-dispatcher';
import { COUNCIL_LAYER } from './notification-planner';

/** At most this many cases of each kind are listed; the rest are counted. */
const LISTED = 50;
const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

interface Member {
  district: string;
  email: string;
}

/**
 * Council members' daily digest: at `city.json` councilDigest.at (COUNCIL_DIGEST_AT overrides;
 * "off" disables), wall-clock in the city, each member whose district had new requests in the last
 * 24 hours or has overdue ones gets one email listing them. Members and their addresses come from
 * the council-district area layer (councilMemberEmail). One digest per district and day: its outbox
 * id derives from both, so restarts and several replicas send it once. A digest is about a
 * district, not a case: nothing is added to a case's history.
 */
@Injectable()
export class CouncilDigest implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(CouncilDigest.name);
  private readonly at?: { hours: number; minutes: number };
  private readonly timeZone: string;
  private readonly members: Member[];
  private readonly loop = new WorkLoop('council digest', async () => (await this.sendDue()) > 0, envInt('COUNCIL_DIGEST_CHECK_MS', 60_000), this.logger);

  constructor(
    private readonly dataSource: DataSource,
    private readonly dispatcher: NotificationDispatcher,
  ) {
    const { city } = loadCityConfig();
    this.timeZone = city.timeZone;
    const setting = process.env.COUNCIL_DIGEST_AT?.trim() ?? city.councilDigest?.at;
    if (setting && setting !== 'off') {
      const match = HHMM.exec(setting);
      if (!match) throw new Error(`${process.env.COUNCIL_DIGEST_AT ? 'COUNCIL_DIGEST_AT' : 'city.json: councilDigest.at'} "${setting}" must be a time of day, HH:MM`);
      this.at = { hours: Number(match[1]), minutes: Number(match[2]) };
    }
    this.members = this.at
      ? (loadGeography(cityConfigDir()).layer(COUNCIL_LAYER)?.areas() ?? [])
          .filter((area) => area.properties.councilMemberEmail)
          .map((area) => ({ district: area.id, email: area.properties.councilMemberEmail }))
      : [];
  }

  onApplicationBootstrap(): void {
    if (this.at && this.members.length > 0) this.loop.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.loop.stop();
  }

  /** Once the day's time has come, each member's digest that is not yet owed is written to the outbox. */
  async sendDue(now = new Date()): Promise<number> {
    const local = this.localTime(now);
    if (!this.at || local.hours * 60 + local.minutes < this.at.hours * 60 + this.at.minutes) return 0;
    let owed = 0;
    for (const member of this.members) {
      const id = deterministicEventId('council-digest', member.district, local.date);
      const [known] = await this.dataSource.query<unknown[]>('SELECT 1 FROM notification.outbox WHERE id = $1', [id]);
      if (known) continue;
      const [newCases, overdue] = await Promise.all([
        this.cases(`district = $1 AND routed_at > $2::timestamptz - interval '24 hours'`, member.district, now, 'routed_at DESC'),
        this.cases(`district = $1 AND closed_at IS NULL AND due_at < $2::timestamptz`, member.district, now, 'due_at'),
      ]);
      if (newCases.total === 0 && overdue.total === 0) continue;
      const facts = {
        district: member.district,
        digest: { date: local.date, newCases: newCases.listed, overdue: overdue.listed, more: { newCases: newCases.total - newCases.listed.length, overdue: overdue.total - overdue.listed.length } },
      };
      await this.dataSource.query(
        `INSERT INTO notification.outbox (id, purpose, audience, channel, recipient, recipient_hash, recipient_masked, language, facts)
         VALUES ($1, 'digest', 'council-member', 'email', $2, $3, $4, 'en', $5) ON CONFLICT (id) DO NOTHING`,
        [id, member.email, contactHash(`email:${normalizeEmail(member.email)}`), maskEmail(member.email), JSON.stringify(facts)],
      );
      owed += 1;
    }
    if (owed > 0) {
      this.logger.log(`${owed} council digest(s) for ${local.date}`);
      this.dispatcher.nudge();
    }
    return 0;
  }

  private async cases(where: string, district: string, now: Date, order: string): Promise<{ listed: DigestCase[]; total: number }> {
    const rows = await this.dataSource.query<{ reference: string; service_name: string; due_at: Date | null; total: string }[]>(
      `SELECT reference, service_name, due_at, count(*) OVER () AS total FROM notification.district_cases WHERE ${where} ORDER BY ${order} LIMIT ${LISTED}`,
      [district, now],
    );
    return {
      total: Number(rows[0]?.total ?? 0),
      listed: rows.map((r) => ({ reference: r.reference, serviceName: r.service_name, ...(r.due_at ? { dueAt: r.due_at.toISOString() } : {}), trackingUrl: trackingUrl(r.reference) })),
    };
  }

  private localTime(now: Date): { date: string; hours: number; minutes: number } {
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat('en-CA', { timeZone: this.timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
        .formatToParts(now)
        .map((p) => [p.type, p.value]),
    );
    return { date: `${parts.year}-${parts.month}-${parts.day}`, hours: Number(parts.hour), minutes: Number(parts.minute) };
  }
}
