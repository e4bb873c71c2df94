import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const system = require(join(__dirname, '../../../../tools/dev/system.js'));

/** Real PostgreSQL and Kafka for tests and benchmarks (see tools/dev/system.js); returns a release function. */
export const provideInfrastructure: (env: NodeJS.ProcessEnv, options: { database: string }) => Promise<() => Promise<void>> = system.provideInfrastructure;

export type ServiceName = 'intake' | 'routing' | 'department-adapter' | 'notification' | 'statistics' | 'department-simulator' | 'mail-catcher' | 'identity-provider';

/** A running copy of a service: its name for the first, `name#2`, `name#3`… for more replicas (each on a port of its own). */
export type Instance = ServiceName | `${ServiceName}#${number}`;

const serviceOf = (instance: Instance): ServiceName => instance.split('#')[0] as ServiceName;

/**
 * Free ports, all different: each listener stays open until every port is taken. (Ports taken one
 * at a time can repeat — the kernel may hand out a just-closed port again — and a service whose port
 * another of the system already has fails to start while the other answers its readiness probe.)
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer());
  try {
    return await Promise.all(
      servers.map(
        (server) =>
          new Promise<number>((resolve, reject) => {
            server.once('error', reject);
            server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
          }),
      ),
    );
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => (server.listening ? server.close(resolve) : resolve(undefined)))));
  }
}

const portEnvOf = (name: ServiceName): string => (system.SERVICES as { name: string; portEnv: string }[]).find((s) => s.name === name)!.portEnv;

/** The demo city's staff, one per role (config/demo-city/staff.json). */
export type StaffUsername = 'olivia.operator' | 'sam.supervisor' | 'ada.admin' | 'audrey.auditor' | 'dan.dot' | 'tess.311' | 'paula.parks' | 'prometheus';

/** A bearer token from the identity provider (options: another audience, or a lifetime, negative for an expired token). */
export async function signIn(identityProviderUrl: string, username: string, options: { audience?: string; lifetimeSeconds?: number } = {}): Promise<string> {
  const form = new URLSearchParams({ grant_type: 'password', username, password: 'caseline-demo', ...(options.audience ? { audience: options.audience } : {}), ...(options.lifetimeSeconds !== undefined ? { lifetime_seconds: String(options.lifetimeSeconds) } : {}) });
  const response = await fetch(`${identityProviderUrl}/token`, { method: 'POST', body: form });
  if (!response.ok) throw new Error(`Sign-in as ${username} failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

/**
 * Real service processes on free ports, against the test run's PostgreSQL and Kafka, started the
 * same way as the Quick start. Tests can kill and restart any of them.
 */
export class TestSystem {
  readonly env: NodeJS.ProcessEnv;
  private readonly processes = new Map<Instance, ChildProcess>();
  private readonly replicaPorts = new Map<Instance, string>();
  private readonly tokens: Partial<Record<StaffUsername, Promise<string>>> = {};
  readonly logs: string[] = [];

  private constructor(env: NodeJS.ProcessEnv) {
    this.env = env;
  }

  static async create(overrides: NodeJS.ProcessEnv = {}): Promise<TestSystem> {
    const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: '', NODE_ENV: 'test', KAFKA_SESSION_TIMEOUT_MS: '6000', WORK_ORDER_LEASE_SECONDS: '3', NOTIFICATION_LEASE_SECONDS: '3', SMS_QUIET_HOURS: 'off', COUNCIL_DIGEST_AT: 'off', RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '0', ...overrides };
    const portEnvs = [...(system.SERVICES as { portEnv: string }[]).map((service) => service.portEnv), 'MAIL_CATCHER_SMTP_PORT', 'INTAKE_SMTP_PORT'];
    const ports = await freePorts(portEnvs.length);
    portEnvs.forEach((name, i) => (env[name] = String(ports[i])));
    env.SMTP_PORT = env.MAIL_CATCHER_SMTP_PORT;
    const simulatorUrl = `http://127.0.0.1:${env.SIMULATOR_PORT}`;
    for (const department of ['DOT', 'DSNY', 'DEP']) env[`${department}_SYSTEM_URL`] = simulatorUrl;
    env.PARKS_SYSTEM_URL = `${simulatorUrl}/open311`;
    env.DEPARTMENT_POLL_MS = '300';
    env.OIDC_ISSUER = `http://127.0.0.1:${env.IDENTITY_PROVIDER_PORT}`;
    env.TRACKING_BASE_URL = `http://127.0.0.1:${env.INTAKE_PORT}/track`;
    env.DEPARTMENT_ADAPTER_PUBLIC_URL = `http://127.0.0.1:${env.DEPARTMENT_ADAPTER_PORT}`;
    env.NOTIFICATION_PUBLIC_URL = `http://127.0.0.1:${env.NOTIFICATION_PORT}`;
    env.SMS_API_URL = `http://127.0.0.1:${env.MAIL_CATCHER_PORT}/sms`;
    env.DEMO_PORTAL_WEBHOOK_URL = `http://127.0.0.1:${env.MAIL_CATCHER_PORT}/webhooks/demo-portal`;
    return new TestSystem(env);
  }

  url(instance: Instance): string {
    return `http://127.0.0.1:${this.replicaPorts.get(instance) ?? this.env[portEnvOf(serviceOf(instance))]}`;
  }

  /** Starts services (or more replicas of one, e.g. 'routing#2'); the identity provider first, once, since every service verifies staff against it. */
  async start(instances: Instance[], extraEnv: NodeJS.ProcessEnv = {}): Promise<void> {
    if (!this.processes.has('identity-provider') && !instances.includes('identity-provider')) instances = ['identity-provider', ...instances];
    for (const instance of instances) {
      const name = serviceOf(instance);
      if (instance !== name && !this.replicaPorts.has(instance)) this.replicaPorts.set(instance, String((await freePorts(1))[0]));
      const env = { ...this.env, ...extraEnv, ...(instance !== name ? { [portEnvOf(name)]: this.replicaPorts.get(instance) } : {}) };
      const child: ChildProcess = system.startService(name, env, { log: (line: string) => (process.env.CASELINE_TEST_LOGS ? process.stdout.write(line) : this.logs.push(line)) });
      this.processes.set(instance, child);
      try {
        // Two minutes: a service restarted mid-stream on a slow hour of a two-core machine (the fault
        // suite's) compiles its sources while every other part runs at full load.
        await system.waitReady(`${this.url(instance)}/health/ready`, 120_000, () => child.exitCode === null && child.signalCode === null);
      } catch (error) {
        throw new Error(`${instance} did not start: ${(error as Error).message}\n${this.logs.slice(-15).join('')}`);
      }
    }
  }

  /** Headers signing in as a member of the demo city's staff (config/demo-city/staff.json), e.g. 'olivia.operator'. */
  async as(username: StaffUsername): Promise<Record<string, string>> {
    this.tokens[username] ??= signIn(this.url('identity-provider'), username);
    return { authorization: `Bearer ${await this.tokens[username]}` };
  }

  /** fetch, signed in as a member of the demo city's staff. */
  async fetchAs(username: StaffUsername, url: string, init: RequestInit = {}): Promise<Response> {
    return fetch(url, { ...init, headers: { ...(init.headers as Record<string, string> | undefined), ...(await this.as(username)) } });
  }

  /** Resolves when the process has exited (e.g. after a failpoint killed it). */
  exited(instance: Instance): Promise<string> {
    const child = this.processes.get(instance)!;
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(String(child.signalCode ?? child.exitCode));
    return new Promise((resolve) => child.once('exit', (code, signal) => resolve(String(signal ?? code))));
  }

  async kill(instance: Instance, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.processes.get(instance);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = this.exited(instance);
    child.kill(signal);
    await exited;
  }

  async stop(): Promise<void> {
    await system.stopAll([...this.processes.values()]);
  }
}
