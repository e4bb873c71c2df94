// Real infrastructure for the whole test run (ADR 0004):
// - DATABASE_URL / KAFKA_BROKERS when set;
// - otherwise testcontainers when a Docker engine answers;
// - otherwise this machine's PostgreSQL and the project's own Kafka (tools/kafka/kafka.sh).
// Each run gets a fresh database and its own topic prefix, so a demo on the same broker is untouched.
const { execFileSync, spawnSync } = require('node:child_process');
const path = require('node:path');
const { ensureDatabase, waitForKafka } = require('../dev/system');

const ROOT = path.resolve(__dirname, '../..');

const dockerAnswers = () => spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 5000 }).status === 0;

async function fromTestcontainers() {
  const { PostgreSqlContainer } = require('@testcontainers/postgresql');
  const { KafkaContainer } = require('@testcontainers/kafka');
  const [postgres, kafka] = await Promise.all([
    process.env.DATABASE_URL ? undefined : new PostgreSqlContainer('postgres:15').start(),
    process.env.KAFKA_BROKERS ? undefined : new KafkaContainer('confluentinc/cp-kafka:8.0.0').start(),
  ]);
  globalThis.__CASELINE_CONTAINERS__ = [postgres, kafka].filter(Boolean);
  if (postgres) process.env.DATABASE_URL = postgres.getConnectionUri();
  if (kafka) process.env.KAFKA_BROKERS = `${kafka.getHost()}:${kafka.getMappedPort(9093)}`;
}

module.exports = async function globalSetup() {
  if ((!process.env.DATABASE_URL || !process.env.KAFKA_BROKERS) && process.env.CASELINE_TEST_DOCKER !== 'off' && dockerAnswers()) {
    await fromTestcontainers();
  }
  if (!process.env.KAFKA_BROKERS) {
    const brokers = [`127.0.0.1:${process.env.KAFKA_PORT || 9092}`];
    const running = await waitForKafka(brokers, 1000).then(
      () => true,
      () => false,
    );
    if (!running) {
      execFileSync('bash', [path.join(ROOT, 'tools/kafka/kafka.sh'), 'start'], { stdio: 'inherit', env: { ...process.env, KAFKA_FRESH: '1' } });
      globalThis.__CASELINE_STARTED_KAFKA__ = true;
    }
    process.env.KAFKA_BROKERS = brokers.join(',');
  }
  await waitForKafka(process.env.KAFKA_BROKERS.split(','));

  const base = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
  const url = new URL(base);
  url.pathname = `/${process.env.CASELINE_TEST_DATABASE || 'caseline_test'}`;
  process.env.DATABASE_URL = url.toString();
  await ensureDatabase(process.env.DATABASE_URL, { recreate: true });

  process.env.KAFKA_TOPIC_PREFIX = `caseline-test-${Date.now()}`;
  process.env.LOG_LEVEL ||= 'silent';
};
