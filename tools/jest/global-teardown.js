const { execFileSync } = require('node:child_process');
const path = require('node:path');

module.exports = async function globalTeardown() {
  if (globalThis.__CASELINE_STARTED_KAFKA__) {
    execFileSync('bash', [path.resolve(__dirname, '../kafka/kafka.sh'), 'stop'], { stdio: 'inherit' });
  }
  for (const container of globalThis.__CASELINE_CONTAINERS__ ?? []) await container.stop();
};
