// Starts and stops the pieces of a local Caseline: database, Kafka, services. Used by the Quick
// start (up.mjs) and by the end-to-end tests, so both run the system the same way.
const { spawn, spawnSync } = require('node:child_process');
const path = require('node:path');
const { Client } = require('pg');
const { Kafka, logLevel } = require('kafkajs');

const ROOT = path.resolve(__dirname, '../..');

/** Every process of the system, in start order; ports from PRODUCT.md, each overridable. */
const SERVICES = [
  { name: 'department-simulator', portEnv: 'SIMULATOR_PORT', port: 3010 },
  { name: 'mail-catcher', portEnv: 'MAIL_CATCHER_PORT', port: 3025 },
  // Plays the city's OpenID Connect provider for staff sign-in (development and tests only).
  { name: 'identity-provider', portEnv: 'IDENTITY_PROVIDER_PORT', port: 3020 },
  { name: 'intake', portEnv: 'INTAKE_PORT', port: 3000 },
  { name: 'routing', portEnv: 'ROUTING_PORT', port: 3001 },
  { name: 'department-adapter', portEnv: 'DEPARTMENT_ADAPTER_PORT', port: 3002 },
  { name: 'notification', portEnv: 'NOTIFICATION_PORT', port: 3003 },
  // The city's figures (CitiStat): a read model of the case log, its API and dashboard.
  { name: 'statistics', portEnv: 'STATISTICS_PORT', port: 3005 },
];

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function ensureDatabase(databaseUrl, { recreate = false } = {}) {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`Unsupported database name ${name}`);
  url.pathname = '/postgres';
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    if (recreate) await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount === 0) await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
}

async function waitForKafka(brokers, timeoutMs = 90000) {
  const kafka = new Kafka({ clientId: 'caseline-wait', brokers, logLevel: logLevel.NOTHING, retry: { retries: 0 } });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const admin = kafka.admin();
    try {
      await admin.connect();
      await admin.describeCluster();
      await admin.disconnect();
      return;
    } catch (error) {
      await admin.disconnect().catch(() => undefined);
      if (Date.now() > deadline) throw new Error(`Kafka at ${brokers.join(',')} did not answer: ${error.message}`);
      await sleep(500);
    }
  }
}

/** The project's own broker, in the foreground of a child process (tools/kafka/kafka.sh run). */
function startLocalKafka(env = process.env, output = 'inherit') {
  return spawn('bash', [path.join(ROOT, 'tools/kafka/kafka.sh'), 'run'], { cwd: ROOT, env, stdio: ['ignore', output, output] });
}

function fetchLocalKafka() {
  const result = spawnSync('bash', [path.join(ROOT, 'tools/kafka/kafka.sh'), 'fetch'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('Fetching Kafka failed');
}

function prefixLines(stream, prefix, write) {
  let buffered = '';
  stream.on('data', (chunk) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop();
    for (const line of lines) write(`${prefix} ${line}\n`);
  });
}

/** Runs one service from its TypeScript sources (swc, with our decorators and path aliases). */
function startService(name, env, { log = (line) => process.stdout.write(line) } = {}) {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', path.join('apps', name, 'src', 'main.ts')], {
    cwd: ROOT,
    env: { ...env, FORCE_COLOR: '0', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = `[${name}]`.padEnd(22);
  prefixLines(child.stdout, prefix, log);
  prefixLines(child.stderr, prefix, log);
  return child;
}

async function waitReady(url, timeoutMs = 60000, isAlive = () => true) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
    } catch {
      // not up yet
    }
    if (!isAlive()) throw new Error(`${url}: the process exited before it was ready`);
    if (Date.now() > deadline) throw new Error(`${url} was not ready within ${timeoutMs} ms`);
    await sleep(200);
  }
}

const portOf = (service, env) => Number(env[service.portEnv] || service.port);

/** Stops children with SIGTERM, then SIGKILL for any that linger. */
async function stopAll(children, graceMs = 10000) {
  const alive = children.filter((child) => child.exitCode === null && child.signalCode === null);
  await Promise.all(
    alive.map(
      (child) =>
        new Promise((resolve) => {
          const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
}

const dockerAnswers = () => spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 5000 }).status === 0;

async function fromTestcontainers(env) {
  const { PostgreSqlContainer } = require('@testcontainers/postgresql');
  const { KafkaContainer } = require('@testcontainers/kafka');
  const [postgres, kafka] = await Promise.all([
    env.DATABASE_URL ? undefined : new PostgreSqlContainer('postgres:15').start(),
    env.KAFKA_BROKERS ? undefined : new KafkaContainer('confluentinc/cp-kafka:8.0.0').start(),
  ]);
  if (postgres) env.DATABASE_URL = postgres.getConnectionUri();
  if (kafka) env.KAFKA_BROKERS = `${kafka.getHost()}:${kafka.getMappedPort(9093)}`;
  return [postgres, kafka].filter(Boolean);
}

/**
 * Real infrastructure for tests and benchmarks (ADR 0004), written into env:
 * DATABASE_URL / KAFKA_BROKERS when set; otherwise testcontainers when a Docker engine answers;
 * otherwise this machine's PostgreSQL and the project's own Kafka (tools/kafka/kafka.sh).
 * The database is created fresh under the given name; returns how to release what was started.
 */
async function provideInfrastructure(env, { database }) {
  const containers = (!env.DATABASE_URL || !env.KAFKA_BROKERS) && env.CASELINE_TEST_DOCKER !== 'off' && dockerAnswers() ? await fromTestcontainers(env) : [];
  let startedKafka = false;
  if (!env.KAFKA_BROKERS) {
    const brokers = [`127.0.0.1:${env.KAFKA_PORT || 9092}`];
    const running = await waitForKafka(brokers, 1000).then(() => true, () => false);
    if (!running) {
      const result = spawnSync('bash', [path.join(ROOT, 'tools/kafka/kafka.sh'), 'start'], { stdio: 'inherit', env: { ...env, KAFKA_FRESH: '1' } });
      if (result.status !== 0) throw new Error('Could not start the local Kafka broker (tools/kafka/kafka.sh start)');
      startedKafka = true;
    }
    env.KAFKA_BROKERS = brokers.join(',');
  }
  await waitForKafka(env.KAFKA_BROKERS.split(','));
  const url = new URL(env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres');
  url.pathname = `/${database}`;
  env.DATABASE_URL = url.toString();
  await ensureDatabase(env.DATABASE_URL, { recreate: true });
  return async function release() {
    if (startedKafka) spawnSync('bash', [path.join(ROOT, 'tools/kafka/kafka.sh'), 'stop'], { stdio: 'inherit', env });
    for (const container of containers) await container.stop();
  };
}

module.exports = {
  provideInfrastructure, ROOT, SERVICES, ensureDatabase, waitForKafka, startLocalKafka, fetchLocalKafka, startService, waitReady, portOf, stopAll, sleep };
