import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kafkaSecurityWarnings, kafkaSettings } from './config';

const VARIABLES = ['NODE_ENV', 'KAFKA_BROKERS', 'KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD', 'KAFKA_SSL', 'KAFKA_SSL_CA_FILE'];

describe("kafkaSettings (a service's Kafka identity and TLS, from the environment)", () => {
  const saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));
  const dir = mkdtempSync(join(tmpdir(), 'caseline-kafka-settings-'));
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');

  const settingsWith = (env: Record<string, string>) => {
    for (const name of VARIABLES) delete process.env[name];
    Object.assign(process.env, env);
    return kafkaSettings('caseline-notification');
  };

  afterAll(() => {
    for (const name of VARIABLES) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('is plaintext and unauthenticated in development when nothing is set', () => {
    const settings = settingsWith({});
    expect(settings).toEqual({ clientId: 'caseline-notification', brokers: ['127.0.0.1:9092'], sasl: undefined, ssl: undefined });
    expect(kafkaSecurityWarnings(settings)).toEqual([]);
  });

  it('makes the service its own user, with the local secured broker’s password in development', () => {
    expect(settingsWith({ KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512' }).sasl).toEqual({ mechanism: 'scram-sha-512', username: 'caseline-notification', password: 'caseline-notification-dev' });
    expect(settingsWith({ KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_USERNAME: 'notify-eu', KAFKA_SASL_PASSWORD: 'p' }).sasl).toEqual({ mechanism: 'scram-sha-256', username: 'notify-eu', password: 'p' });
  });

  it('refuses to start in production without authentication, unless "none" is chosen (and then warns)', () => {
    expect(() => settingsWith({ NODE_ENV: 'production' })).toThrow(/KAFKA_SASL_MECHANISM is required in production/);
    const unauthenticated = settingsWith({ NODE_ENV: 'production', KAFKA_SASL_MECHANISM: 'none' });
    expect(unauthenticated.sasl).toBeUndefined();
    expect(kafkaSecurityWarnings(unauthenticated)).toEqual([expect.stringMatching(/unauthenticated/)]);
  });

  it('refuses to start in production with SASL but no password', () => {
    expect(() => settingsWith({ NODE_ENV: 'production', KAFKA_SASL_MECHANISM: 'scram-sha-512' })).toThrow(/KAFKA_SASL_PASSWORD/);
  });

  it('warns in production when SCRAM runs without TLS, and not with it', () => {
    const plain = settingsWith({ NODE_ENV: 'production', KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_PASSWORD: 'p' });
    expect(kafkaSecurityWarnings(plain)).toEqual([expect.stringMatching(/unencrypted.*KAFKA_SSL/)]);
    const tls = settingsWith({ NODE_ENV: 'production', KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_PASSWORD: 'p', KAFKA_SSL: 'true' });
    expect(kafkaSecurityWarnings(tls)).toEqual([]);
  });

  it.each([
    [{ KAFKA_SASL_MECHANISM: 'plain' }, /KAFKA_SASL_MECHANISM must be scram-sha-512, scram-sha-256 or none, got "plain"/],
    [{ KAFKA_SASL_USERNAME: 'caseline-notification' }, /KAFKA_SASL_USERNAME set, but KAFKA_SASL_MECHANISM is not set/],
    [{ KAFKA_SASL_MECHANISM: 'none', KAFKA_SASL_PASSWORD: 'hunter2' }, /KAFKA_SASL_PASSWORD set, but KAFKA_SASL_MECHANISM is none/],
    [{ KAFKA_SSL: 'yes' }, /KAFKA_SSL must be true or false, got "yes"/],
    [{ KAFKA_SSL: 'false', KAFKA_SSL_CA_FILE: '/etc/kafka/ca.pem' }, /KAFKA_SSL_CA_FILE is set but KAFKA_SSL=false/],
    [{ KAFKA_SSL_CA_FILE: '/nonexistent/ca.pem' }, /KAFKA_SSL_CA_FILE \/nonexistent\/ca\.pem cannot be read/],
  ])('refuses %j, naming the variable', (env, message) => {
    expect(() => settingsWith(env)).toThrow(message);
  });

  it('never puts the password in an error', () => {
    expect(() => settingsWith({ KAFKA_SASL_MECHANISM: 'scram-sha-1', KAFKA_SASL_PASSWORD: 'hunter2' })).toThrow(expect.objectContaining({ message: expect.not.stringContaining('hunter2') }));
    expect(() => settingsWith({ KAFKA_SASL_PASSWORD: 'hunter2' })).toThrow(expect.objectContaining({ message: expect.not.stringContaining('hunter2') }));
  });

  it('trusts the system CAs with KAFKA_SSL=true, and only the given CA with KAFKA_SSL_CA_FILE', () => {
    expect(settingsWith({ KAFKA_SSL: 'true' }).ssl).toEqual({});
    expect(settingsWith({ KAFKA_SSL_CA_FILE: caFile }).ssl).toEqual({ ca: expect.stringContaining('BEGIN CERTIFICATE') });
    const notPem = join(dir, 'ca.der');
    writeFileSync(notPem, Buffer.from([0x30, 0x82, 0x01]));
    expect(() => settingsWith({ KAFKA_SSL_CA_FILE: notPem })).toThrow(/KAFKA_SSL_CA_FILE .*ca\.der holds no PEM certificate/);
  });
});
