import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { caseLogMigrations, migrate, Migration, SessionConnection, Transactor } from '@caseline/event-store';

export const transactorFor =
  (dataSource: DataSource): Transactor =>
  (work) =>
    dataSource.transaction((manager) => work({ query: (text, parameters) => manager.query(text, parameters) }));

export const sessionFor = (dataSource: DataSource) => async (): Promise<SessionConnection> => {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  return { query: (text, parameters) => runner.query(text, parameters), release: () => runner.release() };
};

export const SERVICE_SCHEMA = Symbol('SERVICE_SCHEMA');
export interface ServiceSchema {
  schema: string;
  migrations: Migration[];
}

/** Migrations run on start: the shared case log first, then the service's own schema. */
@Injectable()
export class SchemaMigrations implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(SERVICE_SCHEMA) private readonly service: ServiceSchema,
  ) {}

  async onModuleInit(): Promise<void> {
    const log = (line: string) => Logger.log(line, 'Migrations');
    await migrate(await sessionFor(this.dataSource)(), 'case_log', caseLogMigrations, log);
    await migrate(await sessionFor(this.dataSource)(), this.service.schema, this.service.migrations, log);
  }
}
