import { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { Logger } from '@nestjs/common';
import { Pool } from 'pg';
import { departmentAdapterMigrations } from '@caseline/department-adapter-feature';
import { intakeMigrations } from '@caseline/intake-feature';
import { notificationMigrations } from '@caseline/notification-feature';
import { routingMigrations } from '@caseline/routing-feature';
import { statisticsMigrations } from '@caseline/statistics-feature';
import { DATABASE_ROLES, prepareDatabase, roleDatabaseUrl } from '@caseline/service-kit';
import { freePorts, SecuredKafka } from '@caseline/testing';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const system = require(join(__dirname, '../tools/dev/system.js')) as {
  ROOT: string;
  SERVICES: { name: string; portEnv: string }[];
  ensureDatabase(url: string, options?: { recreate?: boolean }): Promise<void>;
  startService(name: string, env: NodeJS.ProcessEnv, options: { log: (line: string) => void }): ChildProcess;
  waitReady(url: string, timeoutMs: number, isAlive: () => boolean): Promise<void>;
  stopAll(children: ChildProcess[]): Promise<void>;
};

const K8S_BASE = join(system.ROOT, 'k8s/base');
const DEPLOYED = ['intake', 'routing', 'department-adapter', 'notification', 'statistics'] as const;
type Deployed = (typeof DEPLOYED)[number];
const DATABASES = {
  intake: { schema: 'intake', migrations: intakeMigrations },
  routing: { schema: 'routing', migrations: routingMigrations },
  'department-adapter': { schema: 'department_adapter', migrations: departmentAdapterMigrations },
  notification: { schema: 'notification', migrations: notificationMigrations },
  statistics: { schema: 'statistics', migrations: statisticsMigrations },
};

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}
interface Container {
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
}
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const objects = readdirSync(K8S_BASE).filter((name) => name.endsWith('.yaml') && name !== 'kustomization.yaml').flatMap((name) => parseAllDocuments(readFileSync(join(K8S_BASE, name), 'utf8')).map((d) => d.toJS() as any));
const configMap = (name: string): Record<string, string> => objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === name).data;
const containerOf = (service: Deployed): Container => objects.find((o) => o.kind === 'Deployment' && o.metadata.name === service).spec.template.spec.containers[0];

/** The keys of a Secret the city creates, as k8s/README.md's table of secrets lists them. */
function documentedKeys(secretName: string): string[] {
  const readme = readFileSync(join(system.ROOT, 'k8s/README.md'), 'utf8');
  const row = readme.split('\n').find((line) => line.startsWith(`| \`${secretName}\``));
  if (!row) throw new Error(`k8s/README.md does not list the secret ${secretName}`);
  return [...row.split('|')[2].matchAll(/`([^`]+)`/g)].map((match) => match[1]);
}

const random = (bytes = 32) => randomBytes(bytes).toString('base64url');

/**
 * The values a city would put in its Secrets, made up here; only where things are (this machine's
 * PostgreSQL, the test's secured Kafka) is this test's own. Per-department and per-partner keys
 * follow the demo city's configuration.
 */
function secretValue(secretName: string, key: string, service: Deployed): string {
  if (/^caseline-.*-database$/.test(secretName) && key === 'url') return roleDatabaseUrl(service, DATABASE_ROLES[service].role);
  if (key === 'password') return `${secretName}-dev`; // the secured broker's password of that KafkaUser
  if (key === 'CASE_LOG_CHAIN_KEYS') return `1:${random()}`;
  if (key === 'PERSONAL_DATA_MASTER_KEY') return randomBytes(32).toString('base64');
  if (key === 'OPEN311_API_KEYS') return `city-app:${random()}`;
  if (key.endsWith('_URL')) return 'https://department.city.example/api';
  if (key === 'SMTP_HOST') return 'smtp.city.example';
  if (key === 'MAIL_FROM') return 'City 311 <no-reply@311.city.example>';
  if (key === 'SMS_ACCOUNT_SID') return `AC${randomBytes(16).toString('hex')}`;
  if (key === 'SMTP_USER') return 'caseline';
  return random();
}

/** Per-department and per-partner keys (`<CODE>_SYSTEM_URL`, `<NAME>_WEBHOOK_URL`…) for the demo city. */
function expandKeys(keys: string[]): string[] {
  const departments = (JSON.parse(readFileSync(join(system.ROOT, 'config/demo-city/departments.json'), 'utf8')) as { departments: { code: string; system?: unknown }[] }).departments;
  const partners = (JSON.parse(readFileSync(join(system.ROOT, 'config/demo-city/partners.json'), 'utf8')) as { partners: { name: string }[] }).partners;
  return keys.flatMap((key) => {
    if (key.includes('<CODE>')) return departments.filter((d) => d.system).map((d) => key.replace('<CODE>', d.code));
    if (key.includes('<NAME>')) return partners.map((p) => key.replace('<NAME>', p.name.toUpperCase().replace(/-/g, '_')));
    return key.includes('<') ? [] : [key];
  });
}

/** Exactly what the service's Deployment gives it: the ConfigMap, its env (secrets filled in), its secretRefs. */
function manifestEnvironment(service: Deployed): NodeJS.ProcessEnv {
  const container = containerOf(service);
  const env: NodeJS.ProcessEnv = {};
  for (const from of container.envFrom ?? []) {
    if (from.configMapRef) Object.assign(env, configMap(from.configMapRef.name));
    if (from.secretRef) for (const key of expandKeys(documentedKeys(from.secretRef.name))) env[key] = secretValue(from.secretRef.name, key, service);
  }
  for (const variable of container.env ?? []) {
    const ref = variable.valueFrom?.secretKeyRef;
    env[variable.name] = ref ? secretValue(ref.name, ref.key, service) : variable.value;
  }
  return env;
}

/*
 * Each deployed service starts in production mode with exactly the environment its k8s manifest
 * gives it (the ConfigMap, its Secrets with made-up values), and becomes ready: no variable it needs
 * is missing from the manifest. Only where things are is this test's: the port, PostgreSQL (in the
 * database secrets), and Kafka (a secured broker of the test's own: SCRAM users and TLS, as Strimzi
 * gives them). Schemas are migrated first by the owner, as the rollout's migration step does.
 */
describe('the services, started as k8s/base deploys them (NODE_ENV=production)', () => {
  let kafka: SecuredKafka;
  let kafkaEnv: Record<string, string>;
  const children: ChildProcess[] = [];
  const logs: string[] = [];

  const savedEnv = { ...process.env };
  let database: URL | undefined;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    // A database of its own: production services make their state match their environment (the
    // Open311 keys, for one), which must not change what the other specs' services find.
    database = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/caseline');
    database.pathname = `/caseline_manifests_${process.pid}`;
    await system.ensureDatabase(database.toString(), { recreate: true });
    process.env.DATABASE_URL = database.toString();
    delete process.env.MIGRATION_DATABASE_URL;
    for (const service of DEPLOYED) await prepareDatabase({ name: service, ...DATABASES[service] });
    // The manifests' topics: Caseline's default prefix, on a broker of this test's own.
    kafka = await SecuredKafka.create('caseline');
    kafkaEnv = kafka.clientEnv();
  }, 180_000);
  afterAll(async () => {
    await system.stopAll(children);
    await kafka?.destroy();
    process.env = savedEnv;
    if (database) {
      const admin = new Pool({ connectionString: process.env.DATABASE_URL, max: 1 });
      await admin.query(`DROP DATABASE IF EXISTS ${database.pathname.slice(1)} WITH (FORCE)`).finally(() => admin.end());
    }
  }, 60_000);

  it.each(DEPLOYED)('%s becomes ready with its manifest’s environment, and refuses to start without one of its secrets', async (service) => {
    const portEnv = system.SERVICES.find((s) => s.name === service)!.portEnv;
    const [port] = await freePorts(1);
    const env = { ...manifestEnvironment(service), KAFKA_BROKERS: kafkaEnv.KAFKA_BROKERS, KAFKA_SSL_CA_FILE: kafkaEnv.KAFKA_SSL_CA_FILE, [portEnv]: String(port), PATH: process.env.PATH };
    expect(env.NODE_ENV).toBe('production');
    const child = system.startService(service, env, { log: (line) => logs.push(line) });
    children.push(child);
    const alive = () => child.exitCode === null && child.signalCode === null;
    await system.waitReady(`http://127.0.0.1:${port}/health/ready`, 90_000, alive).catch((error: Error) => {
      throw new Error(`${error.message}\n${logs.filter((line) => line.startsWith(`[${service}]`)).slice(-20).join('')}`);
    });
    await system.stopAll([child]);

    // Without the last secret its manifest gives it, it refuses to start, naming it.
    const secretVariables = (containerOf(service).env ?? []).filter((variable) => variable.valueFrom?.secretKeyRef).map((variable) => variable.name);
    const missing = secretVariables[secretVariables.length - 1];
    const withoutIt = system.startService(service, { ...env, [missing]: undefined }, { log: (line) => logs.push(line) });
    children.push(withoutIt);
    const exited = new Promise((resolve) => withoutIt.once('exit', (exitCode, signal) => resolve(signal ?? exitCode)));
    const code = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve(`still running without ${missing}`), 30_000))]);
    expect(typeof code === 'number' && code !== 0 ? 'refused to start' : code).toBe('refused to start');
    expect(logs.filter((line) => line.startsWith(`[${service}]`)).join('')).toContain(missing);
  }, 150_000);
});
