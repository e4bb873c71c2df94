import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { Pool } from 'pg';
import { testPool } from '@caseline/testing';

const ROOT = resolve(__dirname, '../../../..');

export interface OpsRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** For the CLI's tests: `npm run ops -- …` as an operator runs it, a process of its own, with the test's environment and `env` on top. */
export function runOps(args: string[], env: NodeJS.ProcessEnv = {}): Promise<OpsRun> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/ops-cli/src/main.ts', ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

/**
 * A database of the spec's own (`<test database>_<suffix>`, made afresh), for imports of years-old
 * cases in districts "1"–"14" that the run's other suites (digests of overdue cases) would count.
 */
export async function ownDatabase(suffix: string): Promise<{ url: string; pool: Pool; drop: () => Promise<void> }> {
  const admin = testPool(1);
  const url = new URL(process.env.DATABASE_URL!);
  const database = `${url.pathname.slice(1)}_${suffix}`;
  await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${database}`);
  url.pathname = `/${database}`;
  const pool = new Pool({ connectionString: url.toString(), max: 2 });
  // pool.end() resolves once it has asked its idle clients to close, not once their backends are
  // gone: the DROP … WITH (FORCE) after it may terminate one, whose error the pool would otherwise
  // raise as unhandled (it failed a CI run, every test passed). The database is going away by design.
  pool.on('error', () => undefined);
  return {
    url: url.toString(),
    pool,
    drop: async () => {
      await pool.end();
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.end();
    },
  };
}
