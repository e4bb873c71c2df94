// Real infrastructure for the whole test run (ADR 0004): a fresh database and a topic prefix of
// its own, so a demo running on the same broker is untouched.
const { provideInfrastructure } = require('../dev/system');

module.exports = async function globalSetup() {
  globalThis.__CASELINE_RELEASE__ = await provideInfrastructure(process.env, { database: process.env.CASELINE_TEST_DATABASE || 'caseline_test' });
  process.env.KAFKA_TOPIC_PREFIX = `caseline-test-${Date.now()}`;
  process.env.LOG_LEVEL ||= 'silent';
};
