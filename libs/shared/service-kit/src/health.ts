import { Controller, Get, Header, HttpCode, Inject, Module, Optional, ServiceUnavailableException } from '@nestjs/common';
import { Access } from './access/access';
import { Metrics } from './metrics';

/** Something a service needs before it may take traffic (database, broker, ...). */
export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}
export const READINESS_CHECKS = Symbol('READINESS_CHECKS');

@Controller()
export class HealthController {
  constructor(
    private readonly metrics: Metrics,
    @Optional() @Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[] = [],
  ) {}

  @Get('health/live')
  @Access.public()
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('health/ready')
  @Access.public()
  async ready(): Promise<{ status: 'ok'; checks: Record<string, string> }> {
    const results: Record<string, string> = {};
    let ok = true;
    for (const check of this.checks ?? []) {
      try {
        await check.check();
        results[check.name] = 'ok';
      } catch (error) {
        ok = false;
        results[check.name] = (error as Error).message;
      }
    }
    if (!ok) throw new ServiceUnavailableException(`Not ready: ${JSON.stringify(results)}`);
    return { status: 'ok', checks: results };
  }

  @Get('metrics')
  @Access.staff('metrics:read')
  @HttpCode(200)
  @Header('Content-Type', 'text/plain; version=0.0.4')
  async prometheus(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}

/** Every service's /health/live, /health/ready and /metrics. */
@Module({ controllers: [HealthController], providers: [Metrics], exports: [Metrics] })
export class HealthModule {}
