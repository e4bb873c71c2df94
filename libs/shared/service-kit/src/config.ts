/** Reads configuration from the environment; secrets never get defaults in production. */
import { readFileSync } from 'node:fs';
import type { KafkaSaslMechanism, KafkaSettings } from '@caseline/messaging';

export const isProduction = (): boolean => process.env.NODE_ENV === 'production';

export function env(name: string, fallback?: string): string {
  const value = process.env[name];
  if (value !== undefined && value !== '') return value;
  if (fallback === undefined) throw new Error(`Missing required environment variable ${name}`);
  return fallback;
}

/** A secret: the development fallback is refused when NODE_ENV=production. */
export function secret(name: string, developmentFallback: string): string {
  const value = process.env[name];
  if (value) return value;
  if (isProduction()) throw new Error(`Missing required secret ${name} (no default in production)`);
  return developmentFallback;
}

export function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value)) throw new Error(`Environment variable ${name} must be an integer, got "${raw}"`);
  return value;
}

export const databaseUrl = (): string => env('DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/caseline');

/** The owner of the schemas, who migrates and grants (ADR 0012); DATABASE_URL unless set apart. */
export const migrationDatabaseUrl = (): string => env('MIGRATION_DATABASE_URL', databaseUrl());

/** MIGRATE_ON_START=false: migrations and grants are a separate deployment step, and this process has no owner credentials. */
export const migrateOnStart = (): boolean => env('MIGRATE_ON_START', 'true') !== 'false';

/**
 * How a service connects as its own role: <SERVICE>_DATABASE_URL (e.g. INTAKE_DATABASE_URL, with
 * its password), required in production; in development DATABASE_URL with the role as user.
 */
export function roleDatabaseUrl(service: string, role: string): string {
  const derived = new URL(databaseUrl());
  derived.username = role;
  return secret(`${service.toUpperCase().replace(/-/g, '_')}_DATABASE_URL`, derived.toString());
}

export const kafkaBrokers = (): string[] => env('KAFKA_BROKERS', '127.0.0.1:9092').split(',');

const SASL_MECHANISMS: readonly string[] = ['scram-sha-512', 'scram-sha-256'] satisfies KafkaSaslMechanism[];

/**
 * Who a service is to Kafka (SASL/SCRAM), from the environment:
 * - KAFKA_SASL_MECHANISM: scram-sha-512, scram-sha-256, or none. Required in production, where
 *   connecting unauthenticated (e.g. a network that authenticates for us) must be chosen as "none".
 * - KAFKA_SASL_USERNAME: by default the service's client id, caseline-<service>: every service is a
 *   Kafka user of its own, which the broker's ACLs give only what that service does.
 * - KAFKA_SASL_PASSWORD: a secret, required in production; in development "<username>-dev", the
 *   default of the local secured broker (tools/kafka/kafka.sh start --secure).
 */
function kafkaSasl(clientId: string): KafkaSettings['sasl'] {
  const raw = process.env.KAFKA_SASL_MECHANISM ?? '';
  const mechanism = raw.trim().toLowerCase();
  if (mechanism === '' || mechanism === 'none') {
    if (mechanism === '' && isProduction()) {
      throw new Error('KAFKA_SASL_MECHANISM is required in production: scram-sha-512 or scram-sha-256 (with KAFKA_SASL_PASSWORD), or "none" to connect to Kafka unauthenticated on purpose');
    }
    // Credentials that would silently go unused are a configuration mistake, not a choice.
    const unused = ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'].filter((name) => process.env[name]);
    if (unused.length > 0) throw new Error(`${unused.join(' and ')} set, but KAFKA_SASL_MECHANISM is ${mechanism || 'not set'}: set it to scram-sha-512 or scram-sha-256`);
    return undefined;
  }
  if (!SASL_MECHANISMS.includes(mechanism)) throw new Error(`KAFKA_SASL_MECHANISM must be scram-sha-512, scram-sha-256 or none, got "${raw}"`);
  const username = process.env.KAFKA_SASL_USERNAME || clientId;
  return { mechanism: mechanism as KafkaSaslMechanism, username, password: secret('KAFKA_SASL_PASSWORD', `${username}-dev`) };
}

/** TLS to Kafka: KAFKA_SSL=true trusts the system's CAs; KAFKA_SSL_CA_FILE (PEM) trusts that CA instead, and implies TLS. */
function kafkaSsl(): KafkaSettings['ssl'] {
  const flag = process.env.KAFKA_SSL ?? '';
  if (flag !== '' && flag !== 'true' && flag !== 'false') throw new Error(`KAFKA_SSL must be true or false, got "${flag}"`);
  const caFile = process.env.KAFKA_SSL_CA_FILE;
  if (!caFile) return flag === 'true' ? {} : undefined;
  if (flag === 'false') throw new Error('KAFKA_SSL_CA_FILE is set but KAFKA_SSL=false: unset one of them');
  let ca: string;
  try {
    ca = readFileSync(caFile, 'utf8');
  } catch (error) {
    throw new Error(`KAFKA_SSL_CA_FILE ${caFile} cannot be read: ${(error as Error).message}`);
  }
  if (!ca.includes('-----BEGIN CERTIFICATE-----')) throw new Error(`KAFKA_SSL_CA_FILE ${caFile} holds no PEM certificate`);
  return { ca };
}

/** A service's Kafka connection settings; a wrong one refuses to start, naming its variable (never a password). */
export function kafkaSettings(clientId: string): KafkaSettings {
  return { clientId, brokers: kafkaBrokers(), sasl: kafkaSasl(clientId), ssl: kafkaSsl() };
}

/** What a production operator should hear about once at start (the choices are allowed, but weaker). */
export function kafkaSecurityWarnings(settings: KafkaSettings): string[] {
  if (!isProduction()) return [];
  if (!settings.sasl) return ['Kafka: connecting unauthenticated (KAFKA_SASL_MECHANISM=none)'];
  if (!settings.ssl) return ['Kafka: case events travel unencrypted (SCRAM protects only the password); set KAFKA_SSL=true or KAFKA_SSL_CA_FILE'];
  return [];
}
