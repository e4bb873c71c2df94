import { DynamicModule, INestApplication, Logger, Module, Type } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { CaseEventEnvelope } from '@caseline/case-contracts';
import { CaseEventsTransport } from '@caseline/messaging';
import { AccessGuard } from './access/access';
import { StaffTokens } from './access/staff-tokens';
import { createHttpService } from './bootstrap';
import { CaseLog } from './case-log';
import { envInt, isProduction, migrateOnStart, roleDatabaseUrl } from './config';
import { prepareDatabase, ServiceDatabase, sqlFor } from './database';
import { DatabaseRole, databaseRoleOf, excessPrivilege } from './database-roles';
import { HealthModule, READINESS_CHECKS, ReadinessCheck } from './health';
import { withLogContext } from './logging';
import { inEventSpan, TracingLifecycle } from './tracing';
import { Metrics } from './metrics';
import { CaseEventsBus, CaseLogRelay } from './kafka.providers';

export interface CaselineServiceOptions extends ServiceDatabase {
  /** e.g. "routing": names the Kafka client, the database application and role, and the logs. */
  name: string;
  entities?: Type<unknown>[];
  /** false: the service neither consumes nor publishes case events (a read model of the log, e.g. statistics): no Kafka, no relay. */
  kafka?: boolean;
}

/** A service's connection may not act as a superuser or an owner in production. */
export class ExcessDatabasePrivilege extends Error {}

/** Connects; then refuses (in production) or warns when the connection could do more than its grants. */
async function connectAsRole(dataSource: DataSource, role: DatabaseRole): Promise<DataSource> {
  await dataSource.initialize();
  const excess = await excessPrivilege(sqlFor(dataSource), role);
  if (!excess) return dataSource;
  const message = `The service's database connection should be ${role.role}, but ${excess}`;
  if (!isProduction()) {
    Logger.warn(message, 'Database');
    return dataSource;
  }
  await dataSource.destroy();
  throw new ExcessDatabasePrivilege(`${message} (set its own <SERVICE>_DATABASE_URL; ADR 0012)`);
}

/** What every Caseline service stands on: its database schema, the case log, Kafka and health. */
@Module({})
export class CaselineInfrastructureModule {
  static forService(options: CaselineServiceOptions): DynamicModule {
    const role = databaseRoleOf(options.name);
    const usesKafka = options.kafka !== false;
    return {
      module: CaselineInfrastructureModule,
      global: true,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => ({
            type: 'postgres' as const,
            url: roleDatabaseUrl(options.name, role.role),
            entities: options.entities ?? [],
            synchronize: false,
            applicationName: `caseline-${options.name}`,
            extra: { max: envInt('DATABASE_POOL_SIZE', 10) },
            retryAttempts: 10,
            retryDelay: 1000,
            // Retried: PostgreSQL not answering yet. Not retried: a connection that may do too much.
            toRetry: (error: unknown) => !(error instanceof ExcessDatabasePrivilege),
          }),
          // Retried with the connection: the role the service connects as may not exist before its first migration.
          dataSourceFactory: async (config) => {
            if (migrateOnStart()) await prepareDatabase(options);
            return connectAsRole(new DataSource(config!), role);
          },
        }),
        HealthModule,
      ],
      providers: [
        ...(usesKafka ? [{ provide: CaseEventsBus, inject: [Metrics], useFactory: (metrics: Metrics) => new CaseEventsBus(options.name, metrics) }, CaseLogRelay] : []),
        CaseLog,
        TracingLifecycle,
        // Every HTTP route declares who may call it (access.ts); staff are verified against the city's identity provider.
        StaffTokens,
        { provide: APP_GUARD, useClass: AccessGuard },
        {
          provide: READINESS_CHECKS,
          inject: [DataSource, ...(usesKafka ? [CaseEventsBus] : [])],
          useFactory: (dataSource: DataSource, bus?: CaseEventsBus): ReadinessCheck[] => [
            { name: 'postgres', check: async () => void (await dataSource.query('SELECT 1')) },
            ...(bus ? [{ name: 'kafka', check: () => bus.ping() }] : []),
          ],
        },
      ],
      exports: [CaseLog, ...(usesKafka ? [CaseEventsBus] : []), READINESS_CHECKS, HealthModule, StaffTokens],
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
    // Every line logged while an event is handled names its case (the correlation id) and the event.
    // Each event handled continues the trace of the work that recorded it.
    const aboutTheEvent = (event: CaseEventEnvelope, work: () => Promise<void>) =>
      withLogContext({ correlationId: event.metadata.correlationId ?? event.caseId, causationId: event.eventId }, () => inEventSpan(event, groupId, work));
    app.connectMicroservice({ strategy: new CaseEventsTransport((handle) => bus.subscribe(groupId, handle), aboutTheEvent) }, { inheritAppConfig: true });
  }
  await app.init();
  await app.startAllMicroservices();
  const host = options.host ?? process.env.HOST ?? '127.0.0.1';
  await app.listen(options.port, host);
  Logger.log(`${options.name} listening on http://${host}:${options.port}`, 'Bootstrap');
  return app;
}
