import cluster from 'node:cluster';
import { Logger } from '@nestjs/common';

/**
 * Runs `start` in `count` worker processes sharing one listening port (Node's cluster module; the
 * primary hands connections out round-robin), so an HTTP service can use more than one core. A
 * worker that dies is replaced; SIGTERM/SIGINT reach every worker, which shut down gracefully.
 * With a count of 1 (the default) the service runs in this process, as before.
 */
export function runInWorkers(count: number, start: () => unknown): void {
  if (count <= 1 || !cluster.isPrimary) {
    void start();
    return;
  }
  const logger = new Logger('Workers');
  let stopping = false;
  let restartDelayMs = 1000;
  for (let i = 0; i < count; i++) cluster.fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    // Backing off: a worker that cannot start (bad configuration) must not become a fork loop.
    logger.warn(`worker ${worker.process.pid} exited (${signal ?? code}); starting another in ${restartDelayMs} ms`);
    setTimeout(() => stopping || cluster.fork(), restartDelayMs);
    restartDelayMs = Math.min(60_000, restartDelayMs * 2);
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      stopping = true;
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
    });
  }
}
