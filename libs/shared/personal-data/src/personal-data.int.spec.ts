import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import type { CaseReported, EventMetadata } from '@caseline/case-contracts';
import { caseLogMigrations, migrate } from '@caseline/event-store';
import { CaseLog } from '@caseline/service-kit';
import { asSql, gridPlace, sessionOf, testPool } from '@caseline/testing';
import { openHistory, reporterPersonalData } from './case-personal-data';
import { PersonalDataErasure, RETENTION_ACTOR } from './personal-data-erasure';
import { PersonalDataReads } from './personal-data-reads';
import { PersonalDataVault } from './personal-data-vault';
import { privacyMigrations } from './privacy.migrations';

const operator = { kind: 'operator' as const, id: 'olivia', name: 'Olivia Operator' };

describe('personal data: residents\' keys, erasure and the record of reads (PostgreSQL)', () => {
  let pool: Pool;
  let dataSource: DataSource;
  let vault: PersonalDataVault;
  let caseLog: CaseLog;
  let erasure: PersonalDataErasure;

  // Each resident their own email and phone: a shared one would make them one resident (one key).
  let residents = 0;
  const resident = () => ({ name: 'Ana Díaz', email: `ana.${randomUUID()}@example.org`, phone: `+1 212 555 ${String(1000 + ++residents)}` });

  /** A case reported with these personal fields, sealed as intake seals them. */
  const report = async (fields: { name?: string; email?: string; phone?: string; privateDetails?: string }) => {
    const caseId = randomUUID();
    const personal = await vault.seal(fields, { caseId, role: 'reporter' });
    const data: CaseReported['data'] = { reference: `T-${caseId.slice(0, 8)}`, serviceCode: 'STREETLIGHT', serviceName: 'Streetlight out', description: 'Dark', location: gridPlace(0), channel: 'web', reporter: { language: 'en' }, ...(personal ? { personal } : {}) };
    const metadata: EventMetadata = { actor: { kind: 'resident', id: 'reporter', name: 'The reporter' }, channel: 'web', at: new Date().toISOString(), correlationId: caseId };
    await caseLog.open(caseId, { type: 'ReportCase', data }, metadata);
    return { caseId, data };
  };
  const keyOf = (data: CaseReported['data']) => data.personal!.k;
  const erasedEvents = async (caseId: string) => (await caseLog.history(caseId)).filter((e) => e.type === 'PersonalDataErased');

  beforeAll(async () => {
    pool = testPool(4);
    await migrate(await sessionOf(pool)(), 'case_log', caseLogMigrations);
    await migrate(await sessionOf(pool)(), 'privacy', privacyMigrations);
    dataSource = await new DataSource({ type: 'postgres', url: process.env.DATABASE_URL, extra: { max: 4 } }).initialize();
    vault = new PersonalDataVault(asSql(pool));
    caseLog = new CaseLog(dataSource);
    erasure = new PersonalDataErasure(asSql(pool), caseLog, 30);
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await pool?.end();
  });

  it('seals each resident\'s cases with one key, found again by email or phone, and opens them', async () => {
    const ana = resident();
    const first = await report({ ...ana, privateDetails: 'gate code 1234' });
    const second = await report({ email: ana.email.toUpperCase() });
    const byPhone = await report({ phone: ana.phone.replace('+1 212 555 ', '(212) 555-'), name: 'A. Díaz' });
    expect(keyOf(second.data)).toBe(keyOf(first.data));
    expect(keyOf(byPhone.data)).toBe(keyOf(first.data));
    expect(await reporterPersonalData(vault, first.data)).toEqual({ ...ana, privateDetails: 'gate code 1234' });
    const { rows } = await pool.query('SELECT data::text FROM case_log.events WHERE case_id = $1', [first.caseId]);
    for (const secret of [ana.name, ana.email, ana.phone, ana.phone.replace(/\D/g, ''), 'gate code']) expect(rows[0].data).not.toContain(secret);
    // An anonymous report with only a private note has a key of its own.
    const anonymous = await report({ privateDetails: 'behind the blue door' });
    expect(keyOf(anonymous.data)).not.toBe(keyOf(first.data));
    expect(await reporterPersonalData(vault, anonymous.data)).toEqual({ privateDetails: 'behind the blue door' });
  });

  it('gives two first reports racing each other keys that erasure by email finds both of', async () => {
    const { email } = resident();
    const reports = await Promise.all([report({ email }), report({ email }), report({ email })]);
    const keys = await erasure.keysOfResident({ email });
    expect(keys.sort()).toEqual([...new Set(reports.map((r) => keyOf(r.data)))].sort());
  });

  it('erases on request: every case of the resident unreadable, recorded once on each, the history kept', async () => {
    const ana = resident();
    const first = await report(ana);
    const second = await report({ email: ana.email });
    const other = await report(resident());
    const result = await erasure.eraseOnRequest(await erasure.keysOfResident({ email: ana.email }), operator);
    expect(result).toEqual({ keys: 1, cases: 2 });
    expect(await reporterPersonalData(vault, first.data)).toBe('erased');
    expect(await reporterPersonalData(vault, second.data)).toBe('erased');
    expect(await reporterPersonalData(vault, other.data)).toEqual(expect.objectContaining({ name: 'Ana Díaz' }));
    const [erased] = await erasedEvents(first.caseId);
    expect(erased.data).toEqual({ reason: 'request', of: 'reporter' });
    expect(erased.metadata.actor).toEqual(operator);
    expect((await caseLog.history(first.caseId)).map((e) => e.type)).toEqual(['CaseReported', 'PersonalDataErased']);
    // Asked again, or swept: nothing more is destroyed or recorded.
    expect(await erasure.eraseOnRequest(await erasure.keysOfResident({ email: ana.email }), operator)).toEqual({ keys: 0, cases: 0 });
    await erasure.sweep();
    expect(await erasedEvents(first.caseId)).toHaveLength(1);
    // The blind indexes went with the key: the same email later starts afresh.
    const later = await report({ email: ana.email });
    expect(keyOf(later.data)).not.toBe(keyOf(first.data));
    expect(await reporterPersonalData(vault, later.data)).toEqual({ email: ana.email });
  });

  it('erases the reporter of one case with every other case sealed with their key; a follower\'s key reaches the cases they follow', async () => {
    const ana = resident();
    const first = await report(ana);
    const second = await report({ phone: ana.phone });
    const followed = await report(resident());
    const follower = (await vault.seal({ email: ana.email }, { caseId: followed.caseId, role: 'follower' }))!;
    expect(follower.k).toBe(keyOf(first.data));
    await erasure.eraseOnRequest(await erasure.keysOfReporter(first.caseId), operator);
    expect(await reporterPersonalData(vault, second.data)).toBe('erased');
    expect(await vault.open(follower)).toBeUndefined();
    expect((await erasedEvents(followed.caseId)).map((e) => e.data)).toEqual([{ reason: 'request', of: 'follower' }]);
    expect(await reporterPersonalData(vault, followed.data)).toEqual(expect.objectContaining({ name: 'Ana Díaz' }));
  });

  it('destroys keys unused for the retention period in the sweep, and records it as the retention\'s doing', async () => {
    const old = await report(resident());
    const recent = await report(resident());
    await pool.query(`UPDATE privacy.resident_keys SET last_used_at = now() - interval '31 days' WHERE id = $1`, [keyOf(old.data)]);
    expect(await erasure.sweep()).toBeGreaterThanOrEqual(2); // one key destroyed, one erasure recorded
    expect(await reporterPersonalData(vault, old.data)).toBe('erased');
    expect(await reporterPersonalData(vault, recent.data)).not.toBe('erased');
    const [erased] = await erasedEvents(old.caseId);
    expect(erased.data).toEqual({ reason: 'retention', of: 'reporter' });
    expect(erased.metadata.actor).toEqual(RETENTION_ACTOR);
    // Without a retention period, nothing expires.
    await pool.query(`UPDATE privacy.resident_keys SET last_used_at = now() - interval '10 years' WHERE id = $1`, [keyOf(recent.data)]);
    await new PersonalDataErasure(asSql(pool), caseLog, undefined).sweep();
    expect(await reporterPersonalData(vault, recent.data)).not.toBe('erased');
  });

  it('records an erasure a crash left unrecorded at the next sweep, once, and then leaves the key be', async () => {
    const ana = resident();
    const first = await report(ana);
    const second = await report({ email: ana.email });
    const key = keyOf(first.data);
    // As destroy() leaves it when the process dies before recording: the key gone, no case told.
    await pool.query(`UPDATE privacy.resident_keys SET wrapped_key = NULL, destroyed_at = now(), destroyed_because = 'request', destroyed_by = $2 WHERE id = $1`, [key, JSON.stringify(operator)]);
    const unrecordedKeys = () => pool.query(`SELECT id FROM privacy.resident_keys WHERE destroyed_at IS NOT NULL AND erasures_recorded_at IS NULL`).then((r) => r.rows.map((row) => row.id as string));
    expect(await unrecordedKeys()).toContain(key);
    expect(await erasure.sweep()).toBeGreaterThanOrEqual(3); // two cases recorded, one key marked
    expect((await erasedEvents(first.caseId)).map((e) => e.metadata.actor)).toEqual([operator]);
    expect(await erasedEvents(second.caseId)).toHaveLength(1);
    expect(await unrecordedKeys()).not.toContain(key);
    // Swept again: nothing left to do for it.
    await erasure.sweep();
    expect(await erasedEvents(first.caseId)).toHaveLength(1);
  });

  it('never sweeps a key a seal holds: replicas and seals skip each other, and the next sweep takes it', async () => {
    const old = await report(resident());
    await pool.query(`UPDATE privacy.resident_keys SET last_used_at = now() - interval '31 days' WHERE id = $1`, [keyOf(old.data)]);
    const session = await pool.connect();
    try {
      await session.query('BEGIN');
      await session.query('SELECT id FROM privacy.resident_keys WHERE id = $1 FOR KEY SHARE', [keyOf(old.data)]); // as a seal in progress holds it
      await erasure.sweep();
      expect(await reporterPersonalData(vault, old.data)).not.toBe('erased');
    } finally {
      await session.query('ROLLBACK');
      session.release();
    }
    await erasure.sweep();
    expect(await reporterPersonalData(vault, old.data)).toBe('erased');
  });

  it('opens a history for sending: contacts in memory, what was erased stays sealed, and more can be sealed under the same key', async () => {
    const ana = resident();
    const { caseId, data } = await report(ana);
    const opened = await openHistory(vault, await caseLog.history(caseId));
    expect((opened.events[0].data as CaseReported['data']).reporter).toEqual({ language: 'en', name: ana.name, email: ana.email, phone: ana.phone });
    const address = opened.sealerOf(ana.email)!({ email: ana.email });
    expect(address.k).toBe(keyOf(data));
    expect(await vault.open(address)).toEqual({ email: ana.email });
    await erasure.eraseOnRequest([keyOf(data)], operator);
    expect(await vault.open(address)).toBeUndefined();
    const after = await openHistory(vault, await caseLog.history(caseId));
    expect((after.events[0].data as CaseReported['data']).reporter).toEqual({ language: 'en' });
    expect(after.sealerOf(ana.email)).toBeUndefined();
  });

  it('records staff reads, append-only', async () => {
    const reads = new PersonalDataReads(asSql(pool));
    const caseId = randomUUID();
    await reads.record({ actor: operator, caseId, reference: '100-000-019', fields: ['name', 'email'], purpose: 'GET /v1/cases/{reference}' });
    expect(await reads.ofCase(caseId)).toEqual([{ at: expect.any(String), actor: operator, reference: '100-000-019', fields: ['name', 'email'], purpose: 'GET /v1/cases/{reference}' }]);
    await expect(pool.query('UPDATE privacy.personal_data_reads SET actor_id = $1 WHERE case_id = $2', ['someone-else', caseId])).rejects.toThrow(/append-only/);
    await expect(pool.query('DELETE FROM privacy.personal_data_reads WHERE case_id = $1', [caseId])).rejects.toThrow(/append-only/);
  });
});
