import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { Pool } from 'pg';
import type { EventMetadata } from '@caseline/case-contracts';
import { appendToCase, readCase } from '@caseline/event-store';
import { departmentAdapterMigrations } from '@caseline/department-adapter-feature';
import { intakeMigrations } from '@caseline/intake-feature';
import { notificationMigrations } from '@caseline/notification-feature';
import { statisticsMigrations } from '@caseline/statistics-feature';
import { routingMigrations } from '@caseline/routing-feature';
import { DATABASE_ROLES, excessPrivilege, prepareDatabase, roleDatabaseUrl } from '@caseline/service-kit';
import { asSql, TestSystem, testPool, waitFor } from '@caseline/testing';

type ServiceName = 'intake' | 'routing' | 'department-adapter' | 'notification';
// One table of each service's schema, and a row for it.
const services: { name: ServiceName; schema: string; migrations: typeof intakeMigrations; table: string; row: string }[] = [
  { name: 'intake', schema: 'intake', migrations: intakeMigrations, table: 'intake.api_keys', row: `(partner, key_sha256) VALUES ('roles-test', '\\x00')` },
  { name: 'routing', schema: 'routing', migrations: routingMigrations, table: 'routing.duplicates', row: `VALUES (gen_random_uuid(), gen_random_uuid(), 'roles-test')` },
  { name: 'department-adapter', schema: 'department_adapter', migrations: departmentAdapterMigrations, table: 'department_adapter.seen_signatures', row: `(department, signature) VALUES ('DOT', 'roles-test')` },
  { name: 'notification', schema: 'notification', migrations: notificationMigrations, table: 'notification.cases', row: `VALUES ('roles-test', gen_random_uuid())` },
];
const insert = (service: (typeof services)[number]): string => `INSERT INTO ${service.table} ${service.row}`;
const ALL_ROLES = [...services.map((s) => s.name), 'statistics', 'auditor'] as const;
/** A read model of the log: it reads the log and keeps its own tables, and appends nothing. */
const statistics = { name: 'statistics', schema: 'statistics', migrations: statisticsMigrations };
const metadata: EventMetadata = { actor: { kind: 'operator', id: 'op-1', name: 'Operator' }, channel: 'phone', at: '2026-11-22T10:00:00.000Z', correlationId: 'c-1' };
const event = () => ({ eventId: randomUUID(), type: 'Noted', schemaVersion: 1, data: {}, metadata });

const TABLE_PRIVILEGES = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'];

/** Not merely refused by the append-only trigger: PostgreSQL's privilege check says no first. */
const PERMISSION_DENIED = { code: '42501', message: expect.stringMatching(/permission denied|must be owner/) };

describe('database roles: each service has its own, with only the privileges it needs', () => {
  let owner: Pool;
  const pools = new Map<string, Pool>();
  const as = (name: (typeof ALL_ROLES)[number]): Pool => pools.get(name)!;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    // What every service's start does, as the owner (the test database's superuser).
    for (const service of [...services, statistics]) await prepareDatabase(service);
    owner = testPool(2);
    for (const name of ALL_ROLES) pools.set(name, new Pool({ connectionString: roleDatabaseUrl(name, DATABASE_ROLES[name].role), max: 1 }));
  });
  afterAll(async () => {
    await Promise.all([owner, ...pools.values()].map((pool) => pool.end()));
  });

  it('connects as the roles themselves, none of which may act as a superuser or owner', async () => {
    for (const name of ALL_ROLES) {
      const { rows } = await as(name).query('SELECT current_user AS user');
      expect(rows[0].user).toBe(DATABASE_ROLES[name].role);
      await expect(excessPrivilege(asSql(as(name)), DATABASE_ROLES[name])).resolves.toBeUndefined();
    }
    await expect(excessPrivilege(asSql(owner), DATABASE_ROLES.intake)).resolves.toMatch(/superuser/);
    const owned = await owner.query(
      `SELECT r.rolname FROM pg_roles r WHERE r.rolname LIKE 'caseline\\_%'
          AND (EXISTS (SELECT FROM pg_class WHERE relowner = r.oid) OR EXISTS (SELECT FROM pg_namespace WHERE nspowner = r.oid) OR EXISTS (SELECT FROM pg_database WHERE datdba = r.oid))`,
    );
    expect(owned.rows).toEqual([]);
  });

  describe.each(services)('$name', (service) => {
    const { name, schema } = service;
    it('appends to the case log and reads it, and writes its own tables', async () => {
      const caseId = randomUUID();
      await appendToCase(asSql(as(name)), caseId, 0, [event()]);
      expect(await readCase(asSql(as(name)), caseId)).toHaveLength(1);
      const client = await as(name).connect();
      try {
        await client.query('BEGIN');
        await client.query(insert(service));
        await client.query(`DELETE FROM ${service.table}`);
        await client.query(`UPDATE case_log.relay_checkpoints SET updated_at = now() WHERE false`);
        await client.query('ROLLBACK');
      } finally {
        client.release();
      }
    });

    it("holds exactly its grants: case log append, relay checkpoint, its own tables; nothing in the log's or other services' schemas", async () => {
      const { rows } = await owner.query<{ name: string; privileges: string }>(
        `SELECT n.nspname || '.' || c.relname AS name,
                array_to_string(ARRAY(SELECT p FROM unnest($3::text[]) WITH ORDINALITY AS u(p, i) WHERE has_table_privilege($1, c.oid, p) ORDER BY i), ',') AS privileges
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relkind IN ('r', 'p', 'v') AND n.nspname = ANY($2)`,
        [DATABASE_ROLES[name].role, ['case_log', 'public', ...services.map((s) => s.schema)], TABLE_PRIVILEGES],
      );
      const held = Object.fromEntries(rows.filter((r) => r.privileges).map((r) => [r.name, r.privileges]));
      const own = rows.filter((r) => r.name.startsWith(`${schema}.`) && r.name !== `${schema}.schema_migrations`);
      expect(own.length).toBeGreaterThan(0);
      expect(held).toEqual({
        'case_log.events': 'SELECT,INSERT',
        'case_log.relay_checkpoints': 'SELECT,INSERT,UPDATE',
        ...Object.fromEntries(own.map((r) => [r.name, 'SELECT,INSERT,UPDATE,DELETE'])),
      });
    });

    it.each([
      ['UPDATE', `UPDATE case_log.events SET type = 'Changed'`],
      ['DELETE', 'DELETE FROM case_log.events'],
      ['TRUNCATE', 'TRUNCATE case_log.events'],
      ['DELETE its relay checkpoint', 'DELETE FROM case_log.relay_checkpoints'],
      ['ALTER the log', 'ALTER TABLE case_log.events DISABLE TRIGGER events_append_only'],
      ['CREATE a table in its own schema', `CREATE TABLE ${schema}.extra (id int)`],
      ['DROP one of its own tables', `DROP TABLE ${schema}.schema_migrations`],
      ['record a migration', `INSERT INTO ${schema}.schema_migrations (id) VALUES ('forged')`],
      ['CREATE a schema', 'CREATE SCHEMA extra'],
    ])('may not %s', async (_what, statement) => {
      await expect(as(name).query(statement)).rejects.toMatchObject(PERMISSION_DENIED);
    });

    it("may neither read nor write another service's schema", async () => {
      for (const other of services.filter((s) => s.name !== name)) {
        await expect(as(name).query(insert(other))).rejects.toMatchObject(PERMISSION_DENIED);
        await expect(as(name).query(`SELECT FROM ${other.table}`)).rejects.toMatchObject(PERMISSION_DENIED);
      }
    });
  });

  describe('the statistics service', () => {
    it('reads the case log and keeps its own tables, and holds nothing more', async () => {
      const { rows } = await owner.query<{ name: string; privileges: string }>(
        `SELECT n.nspname || '.' || c.relname AS name,
                array_to_string(ARRAY(SELECT p FROM unnest($1::text[]) WITH ORDINALITY AS u(p, i) WHERE has_table_privilege('caseline_statistics', c.oid, p) ORDER BY i), ',') AS privileges
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relkind IN ('r', 'p', 'v') AND n.nspname NOT IN ('pg_catalog', 'information_schema')`,
        [TABLE_PRIVILEGES],
      );
      const held = Object.fromEntries(rows.filter((r) => r.privileges).map((r) => [r.name, r.privileges]));
      const own = rows.filter((r) => r.name.startsWith('statistics.') && r.name !== 'statistics.schema_migrations');
      expect(own.length).toBeGreaterThan(0);
      expect(held).toEqual({ 'case_log.events': 'SELECT', ...Object.fromEntries(own.map((r) => [r.name, 'SELECT,INSERT,UPDATE,DELETE'])) });
    });

    it('may not append to the log, move the relay, or touch another schema', async () => {
      await expect(appendToCase(asSql(as('statistics')), randomUUID(), 0, [event()])).rejects.toMatchObject(PERMISSION_DENIED);
      await expect(as('statistics').query('SELECT FROM case_log.relay_checkpoints')).rejects.toMatchObject(PERMISSION_DENIED);
      for (const service of services) await expect(as('statistics').query(`SELECT FROM ${service.table}`)).rejects.toMatchObject(PERMISSION_DENIED);
    });
  });

  describe('the auditor', () => {
    it('reads the case log', async () => {
      const caseId = randomUUID();
      await appendToCase(asSql(as('intake')), caseId, 0, [event()]);
      expect(await readCase(asSql(as('auditor')), caseId)).toHaveLength(1);
    });

    it('may write nothing, and read nothing else', async () => {
      await expect(appendToCase(asSql(as('auditor')), randomUUID(), 0, [event()])).rejects.toMatchObject(PERMISSION_DENIED);
      await expect(as('auditor').query('DELETE FROM case_log.events')).rejects.toMatchObject(PERMISSION_DENIED);
      await expect(as('auditor').query('SELECT FROM case_log.relay_checkpoints')).rejects.toMatchObject(PERMISSION_DENIED);
      for (const service of services) await expect(as('auditor').query(insert(service))).rejects.toMatchObject(PERMISSION_DENIED);
      const { rows } = await owner.query(
        `SELECT n.nspname || '.' || c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relkind IN ('r', 'p', 'v') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
            AND has_table_privilege('caseline_auditor', c.oid, $1)`,
        [TABLE_PRIVILEGES.join(',')],
      );
      expect(rows.map((r) => r.name)).toEqual(['case_log.events']);
    });
  });

  it('lets only the granted roles (and superusers) connect to the database', async () => {
    const { rows } = await owner.query(`SELECT has_database_privilege('public', current_database(), 'CONNECT,TEMPORARY') AS public`);
    expect(rows[0].public).toBe(false);
  });

  it("grants again after every migration run: a table added later is its own service's only", async () => {
    const more = { ...services[1], migrations: [...routingMigrations, { id: '9999-roles-test', sql: 'CREATE TABLE routing.roles_test (id int)' }] };
    await prepareDatabase(more);
    await as('routing').query('INSERT INTO routing.roles_test VALUES (1)');
    await expect(as('intake').query('INSERT INTO routing.roles_test VALUES (1)')).rejects.toMatchObject(PERMISSION_DENIED);
    await owner.query(`DROP TABLE routing.roles_test; DELETE FROM routing.schema_migrations WHERE id = '9999-roles-test'`);
  });
});

describe('the services connect as their own roles', () => {
  let system: TestSystem;
  let pool: Pool;
  beforeAll(async () => {
    system = await TestSystem.create();
    await system.start(services.map((s) => s.name));
    pool = testPool(1);
  });
  afterAll(async () => {
    await system?.stop();
    await pool?.end();
  });

  it.each(services.map((s) => s.name))('%s', async (name) => {
    // The readiness probe has just used the pool, and the log relay keeps trying its lock: connections are open.
    const users = await waitFor(async () => {
      const { rows } = await pool.query('SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1', [`caseline-${name}`]);
      return rows.length > 0 && rows.map((r) => r.usename);
    }, `connections of ${name}`);
    expect(users).toEqual([DATABASE_ROLES[name].role]);
  });
});
