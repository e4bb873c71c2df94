import { DynamicModule, INestApplication, Logger, Module, Type } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Migration } from '@caseline/event-store';
import { CaseEventsTransport } from '@caseline/messaging';
import { createHttpService } from './bootstrap';
import { CaseLog } from './case-log';
import { databaseUrl, envInt } from './config';
import { SchemaMigrations, SERVICE_SCHEMA } from './database';
import { HealthModule, READINESS_CHECKS, ReadinessCheck } from './health';
import { CaseEventsBus, CaseLogRelay } from './kafka.providers';

export interface CaselineServiceOptions {
  /** e.g. "routing": names the Kafka client, the database application and the logs. */
  name: string;
  /** The service's own PostgreSQL schema and its migrations. */
  schema: string;
  migrations: Migration[];
  entities?: Type<unknown>[];
}

/** What every Caseline service stands on: its database schema, the case log, Kafka and health. */
@Module({})
export class CaselineInfrastructureModule {
  static forService(options: CaselineServiceOptions): DynamicModule {
    return {
      module: CaselineInfrastructureModule,
      global: true,
      imports: [
        TypeOrmModule.forRoot({
          type: 'postgres',
          url: databaseUrl(),
          entities: options.entities ?? [],
          synchronize: false,
          applicationName: `caseline-${options.name}`,
          extra: { max: envInt('DATABASE_POOL_SIZE', 10) },
          retryAttempts: 10,
          retryDelay: 1000,
        }),
        HealthModule,
      ],
      providers: [
        { provide: SERVICE_SCHEMA, useValue: { schema: options.schema, migrations: options.migrations } },
        SchemaMigrations,
        { provide: CaseEventsBus, useFactory: () => new CaseEventsBus(options.name) },
        CaseLogRelay,
        CaseLog,
        {
          provide: READINESS_CHECKS,
          inject: [DataSource, CaseEventsBus],
          useFactory: (dataSource: DataSource, bus: CaseEventsBus): ReadinessCheck[] => [
            { name: 'postgres', check: async () => void (await dataSource.query('SELECT 1')) },
            { name: 'kafka', check: () => bus.ping() },
          ],
        },
      ],
      exports: [CaseLog, CaseEventsBus, READINESS_CHECKS, HealthModule],
    };
  }
}

export interface StartOptions {
  name: string;
  port: number;
  host?: string;
  /** Consume case events as this Kafka consumer group (handlers are @EventPattern methods). */
  consumerGroup?: string;
}

/** Builds the app, connects the case-events consumer (if any), and starts everything. */
export async function startCaselineService(module: Type<unknown>, options: StartOptions): Promise<INestApplication> {
  const app = await createHttpService(module, options);
  if (options.consumerGroup) {
    const bus = app.get(CaseEventsBus);
    const groupId = options.consumerGroup;
    // inheritAppConfig: the app's global filter lets handler errors reach the transport unchanged.
    app.connectMicroservice({ strategy: new CaseEventsTransport((handle) => bus.subscribe(groupId, handle)) }, { inheritAppConfig: true });
  }
  await app.init();
  await app.startAllMicroservices();
  const host = options.host ?? process.env.HOST ?? '127.0.0.1';
  await app.listen(options.port, host);
  Logger.log(`${options.name} listening on http://${host}:${options.port}`, 'Bootstrap');
  return app;
}
