import { ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePorts } from './system';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const system = require(join(__dirname, '../../../../tools/dev/system.js'));

/**
 * A PostgreSQL server of a test's own (initdb into a temp dir, on a free port), so the test can
 * crash and restart it without touching the machine's server that the rest of the run uses.
 * Needs PostgreSQL's server binaries (Debian: /usr/lib/postgresql/<version>/bin); as root they run
 * as the `postgres` user, since PostgreSQL refuses to run as root.
 */
export class PrivatePostgres {
  private constructor(
    private readonly bin: string,
    private readonly dir: string,
    readonly port: number,
  ) {}

  /** The directory of PostgreSQL's server binaries, if this machine has them. */
  static binaries(): string | undefined {
    const fromConfig = (() => {
      try {
        return execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
      } catch {
        return undefined;
      }
    })();
    const debian = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a)).map((v) => `/usr/lib/postgresql/${v}/bin`) : [];
    return [fromConfig, ...debian].find((dir) => dir && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')));
  }

  static async create(): Promise<PrivatePostgres> {
    const bin = PrivatePostgres.binaries();
    if (!bin) throw new Error('PostgreSQL server binaries (initdb, pg_ctl) not found');
    const dir = mkdtempSync(join(tmpdir(), 'caseline-postgres-'));
    const [port] = await freePorts(1);
    const server = new PrivatePostgres(bin, dir, port);
    if (userInfo().uid === 0) execFileSync('chown', ['postgres:postgres', dir]);
    server.run('initdb', ['-D', server.data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale', 'C', '--no-sync']);
    server.start();
    return server;
  }

  private get data(): string {
    return join(this.dir, 'data');
  }

  /** A connection string for a database on this server. */
  url(database: string): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  start(): void {
    const options = `-p ${this.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${this.dir} -c max_connections=200`;
    this.run('pg_ctl', ['-D', this.data, '-o', options, '-l', join(this.dir, 'server.log'), '-w', '-t', '60', 'start']);
  }

  /** Stops the server at once, as a crash would (immediate shutdown: recovery from the WAL at the next start). */
  crash(): void {
    this.run('pg_ctl', ['-D', this.data, '-m', 'immediate', '-w', 'stop']);
  }

  async destroy(): Promise<void> {
    try {
      this.run('pg_ctl', ['-D', this.data, '-m', 'fast', '-w', 'stop']);
    } catch {
      // not running
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private run(program: string, args: string[]): void {
    const command = join(this.bin, program);
    const [file, argv] = userInfo().uid === 0 ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
    execFileSync(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], cwd: this.dir });
  }
}

/**
 * A Kafka broker of a test's own (tools/kafka/kafka.sh run, on free ports and a temp data dir),
 * so the test can kill and restart it without touching the broker the rest of the run uses.
 */
export class PrivateKafka {
  private process?: ChildProcess;
  readonly log: string[] = [];

  private constructor(
    private readonly dir: string,
    private readonly port: number,
    private readonly controllerPort: number,
  ) {}

  static async create(): Promise<PrivateKafka> {
    const [port, controllerPort] = await freePorts(2);
    const broker = new PrivateKafka(mkdtempSync(join(tmpdir(), 'caseline-kafka-')), port, controllerPort);
    await broker.start();
    return broker;
  }

  get brokers(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const env = { ...process.env, KAFKA_PORT: String(this.port), KAFKA_CONTROLLER_PORT: String(this.controllerPort), KAFKA_DATA_DIR: this.dir, KAFKA_HEAP_OPTS: '-Xmx384m -Xms128m' };
    const child = spawn('bash', [join(system.ROOT, 'tools/kafka/kafka.sh'), 'run'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [child.stdout, child.stderr]) stream.on('data', (chunk: Buffer) => this.log.push(chunk.toString()));
    this.process = child;
    await system.waitForKafka([this.brokers], 90000);
  }

  /** Kills the broker (SIGKILL: no clean shutdown) and waits until it has gone. */
  async kill(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  async destroy(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * The secured broker of tools/kafka/kafka.sh (`start --secure`: SASL_SSL with SCRAM, a self-signed
 * CA, one user per service with its ACLs) on ports and a data dir of its own; the run's plaintext
 * broker is not touched. Each service's user is caseline-<service>, its password "<user>-dev".
 */
export class SecuredKafka {
  private constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly dir: string,
  ) {}

  /** Topics, groups and ACLs under `topicPrefix` (KAFKA_TOPIC_PREFIX). */
  static async create(topicPrefix: string): Promise<SecuredKafka> {
    const [port, controllerPort] = await freePorts(2);
    const dir = mkdtempSync(join(tmpdir(), 'caseline-kafka-secure-'));
    const env = { ...process.env, KAFKA_SECURE_PORT: String(port), KAFKA_SECURE_CONTROLLER_PORT: String(controllerPort), KAFKA_SECURE_DATA_DIR: dir, KAFKA_TOPIC_PREFIX: topicPrefix, KAFKA_HEAP_OPTS: '-Xmx256m -Xms64m' };
    const broker = new SecuredKafka(env, dir);
    try {
      broker.kafkaSh('start');
    } catch (error) {
      await broker.destroy(); // a failed start may leave a broker behind
      throw error;
    }
    return broker;
  }

  /** What a client needs: KAFKA_BROKERS, KAFKA_SASL_MECHANISM, KAFKA_SSL_CA_FILE. */
  clientEnv(): Record<string, string> {
    return Object.fromEntries(
      this.kafkaSh('client-env')
        .trim()
        .split('\n')
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
  }

  async destroy(): Promise<void> {
    try {
      this.kafkaSh('stop');
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }

  private kafkaSh(command: string): string {
    const result = spawnSync('bash', [join(system.ROOT, 'tools/kafka/kafka.sh'), command, '--secure'], { env: this.env, encoding: 'utf8', timeout: 150_000 });
    if (result.status !== 0) throw new Error(`kafka.sh ${command} --secure failed (${result.status}):\n${result.stderr}`);
    return result.stdout;
  }
}
