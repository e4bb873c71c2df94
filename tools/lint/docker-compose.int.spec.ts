import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const ROOT = join(__dirname, '../..');
const FILE = join(ROOT, 'docker-compose.yml');

/** docker-compose.yml cannot run here (no Docker engine); it must at least be a valid description of the whole system. */
describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(FILE, 'utf8'), { merge: true }) as { services: Record<string, { image?: string; build?: string; entrypoint?: string[]; command?: string[]; environment?: Record<string, string> }> };

  it('describes the broker and the database from official images, and every app from Caseline\'s own image, as compiled in it', () => {
    expect(compose.services.kafka.image).toMatch(/^apache\/kafka:4\./);
    expect(compose.services.postgres.image).toMatch(/^postgres:15/);
    for (const app of readdirSync(join(ROOT, 'apps'))) {
      const service = compose.services[app === 'ops-cli' ? 'ops-cli' : app];
      expect([...(service?.entrypoint ?? []), ...(service?.command ?? [])]).toContain(`apps/${app}/src/main.js`);
      expect(service?.build).toBe('.'); // the Dockerfile k8s/ deploys
      expect(service?.environment?.KAFKA_BROKERS).toBe('kafka:19092');
    }
  });

  // Debian's docker-compose validates the file without an engine; tools/dev/debian-tool.sh finds or
  // installs it, so this never skips: without it, the test fails and says why.
  it('passes docker-compose config validation', () => {
    const found = spawnSync('bash', [join(ROOT, 'tools/dev/debian-tool.sh'), 'docker-compose', 'docker-compose'], { encoding: 'utf8', timeout: 10 * 60_000 });
    if (found.status !== 0) throw new Error(`docker-compose could not be found or installed: ${found.stderr.trim()}`);
    const result = spawnSync(found.stdout.trim(), ['-f', FILE, 'config', '-q'], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  }, 10 * 60_000); // a first run may install the package
});
