import { PrivatePostgres } from '@caseline/testing';
import { FaultRig, NOTIFICATION_LEASE_SECONDS } from './fault-suite/fault-rig';
import { FAULT_PROFILES, injectFaults } from './fault-suite/faults';
import { reconcile, settle } from './fault-suite/reconcile';
import { sampleReports } from './fault-suite/reports';
import { ResidentStream } from './fault-suite/resident-stream';

/*
 * The fault suite (issue 9): residents report a steady stream of real New York requests while every
 * part of Caseline is broken in turn — each service killed, one of two consumer replicas killed,
 * the Kafka broker and PostgreSQL restarted, the departments' systems down for a long stretch.
 * Then it reconciles everything and prints the figures; losses and duplicates must be zero.
 * CI runs the short form; `npm run faults` the release check (CASELINE_FAULTS=release).
 */
const profile = FAULT_PROFILES[process.env.CASELINE_FAULTS === 'release' ? 'release' : 'ci'];
const runs = PrivatePostgres.binaries() ? describe : describe.skip; // a private PostgreSQL is how it restarts one

runs(`the fault suite (${profile.name})`, () => {
  let rig: FaultRig;
  const lines: string[] = [];
  const log = (line: string) => {
    lines.push(line);
    process.stdout.write(`[faults] ${line}\n`);
  };

  beforeAll(async () => {
    rig = await FaultRig.create();
  }, 300000);
  afterAll(async () => {
    await rig?.destroy();
  }, 120000);

  it('loses nothing and does nothing twice while every part fails in turn', async () => {
    const started = Date.now();
    const run = `faults-${started}`;
    const stream = new ResidentStream(rig.system.url('intake'), sampleReports(20000, run), run);
    stream.start(profile.casesPerSecond);
    let faults;
    try {
      faults = await injectFaults(rig, profile, log);
      await new Promise((resolve) => setTimeout(resolve, profile.calmSeconds * 1000));
    } catch (error) {
      stream.abandon();
      throw error;
    }
    await stream.stop();
    const streamSeconds = (Date.now() - started) / 1000;

    const pool = rig.pool();
    try {
      const settledIn = await settle(rig, pool, 300000);
      const { figures, unconfirmed, losses, duplicates } = await reconcile(rig, pool, stream.submissions, run);
      const accepted = stream.submissions.filter((s) => s.acceptedAt);
      const waits = accepted.map((s) => s.acceptedAt! - s.startedAt).sort((a, b) => a - b);
      log(`${stream.submissions.length} reports over ${streamSeconds.toFixed(0)} s at ${profile.casesPerSecond}/s; ${faults.length} faults injected; settled ${settledIn.toFixed(0)} s after the last report`);
      log(`intake's answers: ${[...stream.answers].map(([status, n]) => `${status} ×${n}`).join(', ')}; longest wait for a reference ${(waits[waits.length - 1] / 1000).toFixed(1)} s`);
      for (const [name, value] of Object.entries(figures)) log(`  ${name.padEnd(56)} ${value}`);
      // Which fault left messages unconfirmed: the last one begun before the lease of each ran out.
      const leasedAt = (m: { at: number }) => m.at - NOTIFICATION_LEASE_SECONDS * 1000;
      for (const fault of faults) {
        const after = unconfirmed.filter((m) => leasedAt(m) >= fault.startedAt && !faults.some((later) => later.startedAt > fault.startedAt && leasedAt(m) >= later.startedAt));
        if (after.length) log(`  unconfirmed after "${fault.name}": ${after.length} (${after.filter((m) => m.sent).length} had gone out)`);
      }
      const kinds = new Map<string, string[]>();
      for (const problem of [...losses, ...duplicates]) {
        const kind = problem.replace(/^[^:]+: /, '').replace(/\d+/g, 'N');
        kinds.set(kind, [...(kinds.get(kind) ?? []), problem.split(':')[0]]);
      }
      for (const [kind, where] of kinds) log(`  ! ${kind}: ${where.length} (${where.slice(0, 5).join(', ')}${where.length > 5 ? ', …' : ''})`);

      expect(stream.submissions.filter((s) => s.refused).map((s) => s.refused)).toEqual([]);
      expect(figures['cases in the log']).toBe(stream.submissions.length);
      expect(losses).toEqual([]);
      expect(duplicates).toEqual([]);
    } finally {
      await pool.end();
    }
  }, 3600000);
});
