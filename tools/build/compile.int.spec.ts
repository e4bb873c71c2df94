import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from '@caseline/testing';

const ROOT = join(__dirname, '../..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { waitReady } = require(join(ROOT, 'tools/dev/system.js'));

/**
 * What the Dockerfile's build stage does, in a temporary copy of the tree: compile, delete every
 * TypeScript file, then start a service from its JavaScript alone. (No Docker engine here: this
 * proves the image's contents, not its build.)
 */
describe('the compiled services an image runs (tools/build/compile.mjs)', () => {
  const copy = mkdtempSync(join(tmpdir(), 'caseline-image-'));
  let service: ChildProcess | undefined;

  beforeAll(() => {
    for (const path of ['package.json', 'tsconfig.base.json', 'tools/build', 'apps', 'libs', 'config']) cpSync(join(ROOT, path), join(copy, path), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
    const compiled = spawnSync(process.execPath, ['tools/build/compile.mjs'], { cwd: copy, encoding: 'utf8' });
    expect(compiled.status).toBe(0);
    spawnSync('find', ['apps', 'libs', '-name', '*.ts', '-delete'], { cwd: copy });
  });
  afterAll(() => {
    service?.kill('SIGKILL');
    rmSync(copy, { recursive: true, force: true });
  });

  it('gives every deployed service an entry point in JavaScript, with no TypeScript left', () => {
    for (const name of ['intake', 'routing', 'department-adapter', 'notification', 'statistics', 'ops-cli']) expect(existsSync(join(copy, 'apps', name, 'src/main.js'))).toBe(true);
    expect(spawnSync('find', ['apps', 'libs', '-name', '*.ts'], { cwd: copy, encoding: 'utf8' }).stdout).toBe('');
  });

  it('starts a service from its JavaScript alone, against the real database', async () => {
    const [port] = await freePorts(1);
    service = spawn(process.execPath, ['apps/statistics/src/main.js'], { cwd: copy, env: { ...process.env, STATISTICS_PORT: String(port), LOG_LEVEL: 'silent' }, stdio: 'ignore' });
    await waitReady(`http://127.0.0.1:${port}/health/ready`, 60000, () => service!.exitCode === null);
    const figures = await fetch(`http://127.0.0.1:${port}/v1/statistics/figures`);
    expect(figures.status).toBe(401); // staff only: the compiled guards are in place
  });
});
