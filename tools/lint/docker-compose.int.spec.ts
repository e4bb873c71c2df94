import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const ROOT = join(__dirname, '../..');
const FILE = join(ROOT, 'docker-compose.yml');

/** docker-compose.yml cannot run here (no Docker engine); it must at least be a valid description of the whole system. */
describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(FILE, 'utf8'), { merge: true }) as { services: Record<string, { image?: string; command?: string[]; environment?: Record<string, string> }> };

  it('describes the broker, the database and every app from official images', () => {
    expect(compose.services.kafka.image).toMatch(/^apache\/kafka:4\./);
    expect(compose.services.postgres.image).toMatch(/^postgres:15/);
    for (const app of readdirSync(join(ROOT, 'apps'))) {
      expect(compose.services[app]?.command).toContain(`apps/${app}/src/main.ts`);
      expect(compose.services[app]?.image).toMatch(/^node:20/);
      expect(compose.services[app]?.environment?.KAFKA_BROKERS).toBe('kafka:19092');
    }
  });

  const dockerCompose = spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0;
  (dockerCompose ? it : it.skip)('passes docker-compose config validation', () => {
    const result = spawnSync('docker-compose', ['-f', FILE, 'config', '-q'], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
