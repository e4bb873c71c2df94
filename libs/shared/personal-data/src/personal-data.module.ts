import { DynamicModule, Inject, Injectable, Logger, Module, OnApplicationBootstrap, BeforeApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { migrate, SessionConnection } from '@caseline/event-store';
import { CaseLog, contactHash, DatabaseRole, databaseRoleOf, envInt, grantDatabaseRoles, migrateOnStart, migrationDatabaseUrl, sqlFor, WorkLoop } from '@caseline/service-kit';
import { PersonalDataErasure } from './personal-data-erasure';
import { PersonalDataReads } from './personal-data-reads';
import { PersonalDataVault } from './personal-data-vault';
import { privacyMigrations } from './privacy.migrations';

/** Who may touch the privacy schema: intake seals, erases and records reads; notification only opens. */
export const PRIVACY_PRIVILEGES: Record<'intake' | 'notification', DatabaseRole['tables']> = {
  intake: {
    'privacy.resident_keys': ['SELECT', 'INSERT', 'UPDATE'],
    'privacy.resident_identifiers': ['SELECT', 'INSERT', 'DELETE'],
    'privacy.sealed_cases': ['SELECT', 'INSERT', 'UPDATE'],
    'privacy.personal_data_reads': ['SELECT', 'INSERT'],
  },
  notification: { 'privacy.resident_keys': ['SELECT'] },
};

export interface PersonalDataOptions {
  /** The service (its database role gets PRIVACY_PRIVILEGES of this name). */
  name: keyof typeof PRIVACY_PRIVILEGES;
  /** This service erases (on request, and the retention sweep). */
  erasures?: boolean;
}

const OPTIONS = Symbol('PERSONAL_DATA_OPTIONS');

/**
 * PERSONAL_DATA_RETENTION_DAYS (default 730; "off" keeps keys for ever): a key that sealed nothing
 * for that long is destroyed.
 */
export function retentionDays(): number | undefined {
  const setting = process.env.PERSONAL_DATA_RETENTION_DAYS?.trim();
  if (setting === 'off') return undefined;
  const days = envInt('PERSONAL_DATA_RETENTION_DAYS', 730);
  if (days < 1) throw new Error('PERSONAL_DATA_RETENTION_DAYS must be at least 1 (or "off")');
  return days;
}

/**
 * The privacy schema is migrated as the owner, like the service's own schema, and this service's
 * role granted what it needs there (until DATABASE_ROLES lists the privacy tables itself).
 */
@Injectable()
class PrivacySchema implements OnModuleInit {
  constructor(@Inject(OPTIONS) private readonly options: PersonalDataOptions) {}

  async onModuleInit(): Promise<void> {
    if (!migrateOnStart()) return;
    const client = new Client({ connectionString: migrationDatabaseUrl(), application_name: `caseline-${this.options.name}-privacy-migrations` });
    const session: SessionConnection = { query: async (text, parameters) => (await client.query(text, parameters)).rows, release: async () => undefined };
    await client.connect();
    try {
      await migrate(session, 'privacy', privacyMigrations, (line) => Logger.log(line, 'Migrations'));
      const sequences = this.options.name === 'intake' ? ['privacy.personal_data_reads_id_seq'] : [];
      await grantDatabaseRoles(session, [{ role: databaseRoleOf(this.options.name).role, tables: PRIVACY_PRIVILEGES[this.options.name], sequences }]);
    } finally {
      await client.end();
    }
  }
}

/** Runs the erasure loop (PERSONAL_DATA_SWEEP_MS, default a minute) in the service that erases. */
@Injectable()
class ErasureLoop implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly loop: WorkLoop;

  constructor(erasure: PersonalDataErasure) {
    this.loop = erasure.loop(envInt('PERSONAL_DATA_SWEEP_MS', 60_000));
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.loop.stop();
  }
}

/** Sealing, opening, erasing residents' personal data and recording staff reads, for one service. */
@Module({})
export class PersonalDataModule {
  static forService(options: PersonalDataOptions): DynamicModule {
    const erasures = options.erasures
      ? [{ provide: PersonalDataErasure, inject: [DataSource, CaseLog], useFactory: (dataSource: DataSource, caseLog: CaseLog) => new PersonalDataErasure(sqlFor(dataSource), caseLog, retentionDays()) }, ErasureLoop]
      : [];
    return {
      module: PersonalDataModule,
      // Global, as the infrastructure module: every part of the service that meets personal data uses the same vault.
      global: true,
      providers: [
        { provide: OPTIONS, useValue: options },
        PrivacySchema,
        {
          provide: PersonalDataVault,
          inject: [DataSource],
          useFactory: (dataSource: DataSource) => {
            // The services that hold residents' data also key their contact hashes: a production
            // deployment without that secret fails to start, not at its first resident.
            contactHash('startup-check');
            return new PersonalDataVault(sqlFor(dataSource));
          },
        },
        { provide: PersonalDataReads, inject: [DataSource], useFactory: (dataSource: DataSource) => new PersonalDataReads(sqlFor(dataSource)) },
        ...erasures,
      ],
      exports: [PersonalDataVault, PersonalDataReads, ...(options.erasures ? [PersonalDataErasure] : [])],
    };
  }
}
