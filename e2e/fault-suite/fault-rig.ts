import { Kafka, logLevel } from 'kafkajs';
import { Client, Pool } from 'pg';
import { caseEventsTopic, topicPrefix } from '@caseline/case-contracts';
import { Instance, PrivateKafka, PrivatePostgres, ServiceName, TestSystem, waitFor } from '@caseline/testing';

/** The services that consume case events from Kafka: the suite runs two replicas of each. */
export const CONSUMERS = ['routing', 'department-adapter', 'notification'] as const;
/** Every consumer group on the case events topic (intake's keeps its staff search index). */
export const GROUPS = ['intake', ...CONSUMERS];

export type Offsets = Map<number, number>;

/**
 * Notification leases long enough (120 s in production, 3 in other tests) for a dispatcher to carry
 * its messages through a database restart; a message left unconfirmed is recorded so a lease after
 * the crash that caused it.
 */
export const NOTIFICATION_LEASE_SECONDS = 30;

/**
 * Caseline on a PostgreSQL server and a Kafka broker of its own (so both can be crashed without
 * touching the rest of the test run), every service a real process, two replicas of each consumer.
 */
export class FaultRig {
  private constructor(
    readonly postgres: PrivatePostgres,
    readonly kafka: PrivateKafka,
    readonly system: TestSystem,
  ) {}

  static async create(): Promise<FaultRig> {
    const postgres = await PrivatePostgres.create();
    const kafka = await PrivateKafka.create();
    const admin = new Client({ connectionString: postgres.url('postgres') });
    await admin.connect();
    await admin.query('CREATE DATABASE caseline');
    await admin.end();
    const system = await TestSystem.create({ DATABASE_URL: postgres.url('caseline'), KAFKA_BROKERS: kafka.brokers, NOTIFICATION_LEASE_SECONDS: String(NOTIFICATION_LEASE_SECONDS) });
    const rig = new FaultRig(postgres, kafka, system);
    await system.start(['department-simulator', 'mail-catcher', 'intake', ...CONSUMERS.flatMap((name): Instance[] => [name, `${name}#2`]), 'statistics']);
    // Crews work through each work order (scheduled, in progress, completed), so cases get resolved.
    await rig.departments({ autoProgressMs: 1000 });
    return rig;
  }

  /** A pool on the rig's database; make a new one after PostgreSQL restarted. */
  pool(max = 4): Pool {
    return new Pool({ connectionString: this.postgres.url('caseline'), max });
  }

  /** Sets the department simulator's knobs (e.g. { down: true }). */
  async departments(knobs: Record<string, unknown>): Promise<void> {
    const response = await fetch(`${this.system.url('department-simulator')}/control`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(knobs) });
    if (!response.ok) throw new Error(`simulator control: ${response.status} ${await response.text()}`);
  }

  private kafkaClient(): Kafka {
    return new Kafka({ clientId: 'caseline-fault-suite', brokers: [this.kafka.brokers], logLevel: logLevel.NOTHING });
  }

  /** The case events topic's end offset per partition, now. */
  async topicEnds(): Promise<Offsets> {
    const admin = this.kafkaClient().admin();
    await admin.connect();
    try {
      return new Map((await admin.fetchTopicOffsets(caseEventsTopic())).map((p) => [p.partition, Number(p.offset)]));
    } finally {
      await admin.disconnect();
    }
  }

  /** What each group has committed, per partition (0 where nothing yet). */
  async committed(group: string): Promise<Offsets> {
    const admin = this.kafkaClient().admin();
    await admin.connect();
    try {
      const [topic] = await admin.fetchOffsets({ groupId: `${topicPrefix()}-${group}`, topics: [caseEventsTopic()] });
      return new Map(topic.partitions.map((p) => [p.partition, Math.max(0, Number(p.offset))]));
    } finally {
      await admin.disconnect();
    }
  }

  /** Messages not yet committed by a group, over all partitions. */
  async lag(group: string): Promise<number> {
    const [ends, committed] = await Promise.all([this.topicEnds(), this.committed(group)]);
    return [...ends].reduce((sum, [partition, end]) => sum + end - (committed.get(partition) ?? 0), 0);
  }

  /**
   * The topic's ends once every partition has had messages since now: waiting for every group to
   * pass them proves each partition is consumed again (not merely that nothing new came).
   */
  async freshEnds(): Promise<Offsets> {
    const before = await waitFor(() => this.topicEnds(), 'the topic ends (the broker may be electing leaders)', 60000);
    return waitFor(
      async () => {
        const now = await this.topicEnds();
        return [...before].every(([partition, end]) => (now.get(partition) ?? 0) > end) && now;
      },
      'new case events on every partition',
      120000,
    );
  }

  /** Waits until every group has committed past `offsets` on every partition. */
  async caughtUpTo(offsets: Offsets, timeoutMs = 180000): Promise<void> {
    let behind = '';
    await waitFor(
      async () => {
        for (const group of GROUPS) {
          const committed = await this.committed(group);
          for (const [partition, offset] of offsets) {
            if ((committed.get(partition) ?? 0) < offset) {
              behind = `${group} at ${committed.get(partition) ?? 0} of ${offset} on partition ${partition}`;
              return false;
            }
          }
        }
        return true;
      },
      'every consumer group to pass the new case events',
      timeoutMs,
    ).catch((error: Error) => {
      // Which group stalled, and what its processes last said.
      const lastWords = this.system.logs.filter((line) => line.startsWith(`[${behind.split(' ')[0]}`)).slice(-20).join('');
      throw new Error(`${error.message} (${behind})\n${lastWords}`);
    });
  }

  /**
   * Waits until every partition has had new case events and every group has consumed them: each
   * partition is consumed again (a killed replica's moved to its twin), nothing stalls. Resolves
   * with the seconds since `since`.
   */
  async flowingAgain(since: number): Promise<number> {
    await this.caughtUpTo(await this.freshEnds());
    return (Date.now() - since) / 1000;
  }

  async restart(instance: Instance): Promise<void> {
    await this.system.start([instance]);
  }

  kill(instance: Instance | ServiceName): Promise<void> {
    return this.system.kill(instance, 'SIGKILL');
  }

  async destroy(): Promise<void> {
    await this.system.stop();
    await this.kafka.destroy();
    await this.postgres.destroy();
  }
}
