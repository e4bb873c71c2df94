/**
 * BENCH_ONLY=security npm run bench — the cost of sealing residents' personal data (issue 7):
 *  1. the crypto alone, in process: sealing a reporter's fields with their data key (AES-256-GCM),
 *     wrapping a new data key under the master key, and opening;
 *  2. intake POST /v1/cases in one run, the same body but for the reporter: no contact (nothing
 *     sealed), a new resident each time (a key made: the worst case), one returning resident (their
 *     key found by blind index), then no contact again (how far the machine drifted meanwhile);
 *  3. the vault's seal alone against the same database (find or make the key, record the case),
 *     from as many concurrent callers as intake's connections: what it adds to each submission.
 */
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { masterKey, newDataKey, open, PersonalDataVault, seal, wrapKey } from '@caseline/personal-data';
import { asSql, gridPlace } from '@caseline/testing';
import { percentile } from './case-events';
import type { Throughput } from './http-load';

type Measure = (request: { url: string; method: 'POST'; contentType: string; body: () => string }, duration?: number) => Promise<Throughput>;

/** The n-th resident: their own email and phone (a shared one would make them one resident). */
const fields = (n: number) => ({
  name: 'Ana Díaz',
  email: `resident.${n}@example.org`,
  phone: `+1 212 ${200 + (Math.abs(n) % 800)} ${String(Math.abs(n) % 10_000).padStart(4, '0')}`,
  privateDetails: 'Gate code 1234, call before coming',
});
/** A submission's reporter, and the private details beside it. */
const reporting = (n: number) => {
  const { privateDetails, ...contact } = fields(n);
  return { reporter: { ...contact, language: 'en' }, privateDetails };
};

/** Microseconds per operation, over `rounds` of it. */
function timed(rounds: number, operation: (i: number) => void): number {
  const started = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) operation(i);
  return Number(process.hrtime.bigint() - started) / 1000 / rounds;
}

export function measureSealingCrypto(rounds = 20_000) {
  const master = masterKey();
  const keyId = randomUUID();
  const dataKey = newDataKey();
  const sealed = seal(keyId, dataKey, fields(0));
  timed(rounds, (i) => seal(keyId, dataKey, fields(i))); // warm-up
  return {
    sealMicros: timed(rounds, (i) => seal(keyId, dataKey, fields(i))),
    newKeyMicros: timed(rounds, () => wrapKey(master, keyId, newDataKey())),
    openMicros: timed(rounds, () => open(dataKey, sealed)),
  };
}

let places = 1_000_000; // far from run.ts's places: no report here is a duplicate of another
const submission = (intakeUrl: string, personal: () => object) => ({
  url: `${intakeUrl}/v1/cases`,
  method: 'POST' as const,
  contentType: 'application/json',
  body: () => JSON.stringify({ serviceCode: 'STREETLIGHT', description: 'The streetlight on the corner is out', location: gridPlace(places++), channel: 'web', ...personal() }),
});

export async function measureSealedIntake(intakeUrl: string, measure: Measure) {
  let residents = 0;
  await measure(submission(intakeUrl, () => ({})), 3); // warm-up (JIT, pools), not counted
  const withoutContact = await measure(submission(intakeUrl, () => ({})));
  const newResident = await measure(submission(intakeUrl, () => reporting(residents++)));
  const returningResident = await measure(submission(intakeUrl, () => reporting(-1)));
  const withoutContactAgain = await measure(submission(intakeUrl, () => ({})));
  return { withoutContact, newResident, returningResident, withoutContactAgain };
}

/** Seals a second (and latency in ms) through the vault, `concurrency` callers for `seconds`: a new resident each, or one returning. */
export async function measureVaultSeals(databaseUrl: string, concurrency: number, seconds: number) {
  const pool = new Pool({ connectionString: databaseUrl, max: concurrency });
  const vault = new PersonalDataVault(asSql(pool));
  const run = async (fieldsOf: (n: number) => object) => {
    const latencies: number[] = [];
    const deadline = Date.now() + seconds * 1000;
    let n = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (Date.now() < deadline) {
          const started = process.hrtime.bigint();
          await vault.seal(fieldsOf(n++), { caseId: randomUUID(), role: 'reporter' });
          latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
        }
      }),
    );
    latencies.sort((a, b) => a - b);
    return { perSecond: latencies.length / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
  };
  try {
    return { newResident: await run((n) => fields(100_000 + n)), returningResident: await run(() => fields(-2)) };
  } finally {
    await pool.end();
  }
}

const line = (name: string, r: Throughput, base: Throughput) => `${name}: ${r.perSecond.toFixed(0)}/s (${((r.perSecond / base.perSecond) * 100).toFixed(0)}% of no contact; p50 ${r.p50} ms, p99 ${r.p99} ms, ${r.failed} failed)`;

export function describeSealing(crypto: ReturnType<typeof measureSealingCrypto>, intake: Awaited<ReturnType<typeof measureSealedIntake>>, vault: Awaited<ReturnType<typeof measureVaultSeals>>): string {
  const base = intake.withoutContact;
  const seals = (name: string, r: { perSecond: number; p50: number; p99: number }) => `vault seals alone, ${name}: ${r.perSecond.toFixed(0)}/s (p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms)`;
  return [
    `sealing a reporter's fields: ${crypto.sealMicros.toFixed(1)} µs; a new data key wrapped: ${crypto.newKeyMicros.toFixed(1)} µs; opening: ${crypto.openMicros.toFixed(1)} µs`,
    line('intake POST /v1/cases, no contact', base, base),
    line('intake POST /v1/cases, a new resident each (key made)', intake.newResident, base),
    line('intake POST /v1/cases, one returning resident (key found)', intake.returningResident, base),
    line('intake POST /v1/cases, no contact again', intake.withoutContactAgain, base),
    seals('a new resident each', vault.newResident),
    seals('one returning resident', vault.returningResident),
  ].join('\n');
}
