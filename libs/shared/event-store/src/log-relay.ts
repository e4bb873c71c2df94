import { LOG_START, LogPosition, readLogSerialized, SerializedEvent } from './event-store';
import type { Sql } from './sql';

/** A session-bound connection: the advisory lock lives as long as it does. */
export interface SessionConnection extends Sql {
  release(): Promise<void>;
}

export interface LogRelayOptions {
  /** Names the checkpoint; one relay per name publishes at a time. */
  name: string;
  connect: () => Promise<SessionConnection>;
  publish: (events: SerializedEvent[]) => Promise<void>;
  batchSize?: number;
  idleDelayMs?: number;
  standbyDelayMs?: number;
  onError?: (error: Error) => void;
  onPublished?: (count: number, position: LogPosition) => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The events table is the outbox: this relay follows the log in commit order and publishes each
 * batch, then moves its checkpoint. A crash between the two republishes the batch (at-least-once;
 * consumers are idempotent). A PostgreSQL advisory lock makes every other replica stand by.
 */
export class LogRelay {
  private running = false;
  private loop?: Promise<void>;
  private active = false;

  constructor(private readonly options: LogRelayOptions) {}

  get isActive(): boolean {
    return this.active;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let connection: SessionConnection | undefined;
      try {
        connection = await this.options.connect();
        const [{ locked }] = await connection.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [`caseline-relay:${this.options.name}`]);
        if (locked) {
          // A checkpoint lost in a crash only means republishing a batch (consumers are idempotent),
          // so checkpoint writes need not wait for the WAL flush.
          await connection.query('SET synchronous_commit = off');
          this.active = true;
          await this.publishWhileRunning(connection);
        }
      } catch (error) {
        this.options.onError?.(error as Error);
      } finally {
        this.active = false;
        // The connection goes back to a pool: leave it as we found it (no lock, durable commits).
        await connection?.query('SELECT pg_advisory_unlock_all()').catch(() => undefined);
        await connection?.query('RESET synchronous_commit').catch(() => undefined);
        await connection?.release().catch(() => undefined);
      }
      if (this.running) await sleep(this.options.standbyDelayMs ?? 1000);
    }
  }

  private async publishWhileRunning(connection: SessionConnection): Promise<void> {
    let position = await this.checkpoint(connection);
    while (this.running) {
      const { events, position: next } = await readLogSerialized(connection, position, this.options.batchSize ?? 500);
      if (events.length === 0) {
        await sleep(this.options.idleDelayMs ?? 10);
        continue;
      }
      await this.options.publish(events);
      await connection.query(
        `INSERT INTO case_log.relay_checkpoints (relay, transaction_id, global_position, updated_at) VALUES ($1, $2::xid8, $3, now())
         ON CONFLICT (relay) DO UPDATE SET transaction_id = EXCLUDED.transaction_id, global_position = EXCLUDED.global_position, updated_at = now()`,
        [this.options.name, next.transactionId, next.globalPosition],
        'case-log-relay-checkpoint',
      );
      position = next;
      this.options.onPublished?.(events.length, position);
      // A partial batch means we are at the head of the log: let a few more commits gather.
      if (events.length < (this.options.batchSize ?? 500)) await sleep(this.options.idleDelayMs ?? 10);
    }
  }

  private async checkpoint(connection: Sql): Promise<LogPosition> {
    const rows = await connection.query<{ transaction_id: string; global_position: string }>(
      'SELECT transaction_id::text, global_position FROM case_log.relay_checkpoints WHERE relay = $1',
      [this.options.name],
    );
    return rows[0] ? { transactionId: rows[0].transaction_id, globalPosition: String(rows[0].global_position) } : LOG_START;
  }
}

/**
 * How far a relay is behind the log: events committed after its checkpoint (counted up to 1,000,000)
 * and how long the oldest of them has waited. Any replica can tell; only the active one moves it.
 */
export async function relayLag(sql: Sql, relay: string): Promise<{ events: number; oldestSeconds: number }> {
  const [checkpoint] = await sql.query<{ transaction_id: string; global_position: string }>('SELECT transaction_id::text, global_position FROM case_log.relay_checkpoints WHERE relay = $1', [relay]);
  const [row] = await sql.query<{ events: number; oldest_seconds: number }>(
    `SELECT count(*)::int AS events, coalesce(extract(epoch FROM now() - min(recorded_at)), 0)::float8 AS oldest_seconds
       FROM (SELECT recorded_at FROM case_log.events
              WHERE (events.transaction_id, events.global_position) > ($1::xid8, $2::bigint) AND events.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
              LIMIT 1000000) behind`,
    [checkpoint?.transaction_id ?? LOG_START.transactionId, checkpoint?.global_position ?? LOG_START.globalPosition],
  );
  return { events: row.events, oldestSeconds: row.oldest_seconds };
}
