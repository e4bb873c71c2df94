import { Logger } from '@nestjs/common';

/**
 * A background loop for a service's own work (outbox dispatchers, pollers): `tick` runs again at
 * once while it says it may have left work behind (it stopped at its limit), else after `idleMs`
 * or as soon as someone calls wake() — also when the call came while the round was under way. A
 * failing tick is logged and retried on the next round; stop() waits for the round under way.
 *
 * Its owner stops it in `beforeApplicationShutdown`, and waits there for the work it started: on
 * SIGTERM Nest runs those hooks first, while the database, SMTP and Kafka connections are still
 * open; then it closes the HTTP server and the Kafka consumer; then `onApplicationShutdown` hooks
 * close the connections, all at once. Work still under way then would fail half-way.
 */
export class WorkLoop {
  private running = false;
  private loop?: Promise<void>;
  private woken = false;
  private wakeUp?: () => void;

  constructor(
    private readonly name: string,
    /** One round; true when it may have left work that is due now. */
    private readonly tick: () => Promise<boolean>,
    private readonly idleMs: number,
    private readonly logger = new Logger(name),
  ) {}

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
  }

  /** There is work now: do not wait for the idle time to pass. */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.woken = false;
      let more = false;
      try {
        more = await this.tick();
      } catch (error) {
        this.logger.warn(`${this.name}: ${(error as Error).message}`);
      }
      if (!more && !this.woken && this.running) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.idleMs);
          this.wakeUp = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wakeUp = undefined;
      }
    }
  }
}
