import { Instance } from '@caseline/testing';
import { CONSUMERS, FaultRig } from './fault-rig';

/** How hard the suite pushes: CI's short form, or the release check's long one (CASELINE_FAULTS=release). */
export interface FaultProfile {
  name: string;
  casesPerSecond: number;
  /** Each round injects every fault once; later rounds kill the other replica. */
  rounds: number;
  outageSeconds: number;
  departmentDownSeconds: number;
  /** Quiet reporting between two faults. */
  calmSeconds: number;
}

export const FAULT_PROFILES: Record<'ci' | 'release', FaultProfile> = {
  ci: { name: 'ci', casesPerSecond: 3, rounds: 1, outageSeconds: 3, departmentDownSeconds: 20, calmSeconds: 2 },
  release: { name: 'release', casesPerSecond: 8, rounds: 3, outageSeconds: 10, departmentDownSeconds: 120, calmSeconds: 10 },
};

export interface InjectedFault {
  name: string;
  startedAt: number;
  /** Seconds from the repair (or, for a replica, the kill) until every partition was consumed again. */
  recoverySeconds: number;
}

const sleep = (seconds: number) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

/** One fault: break something, (maybe) repair it, and time how long until every consumer has moved past the moment. */
interface Fault {
  name: string;
  run(rig: FaultRig): Promise<number>;
}

/** A process killed, and started again after the outage. */
const killAndRestart = (instance: Instance, outageSeconds: number): Fault => ({
  name: `${instance} killed (SIGKILL), restarted ${outageSeconds} s later`,
  async run(rig) {
    await rig.kill(instance);
    await sleep(outageSeconds);
    await rig.restart(instance);
    return rig.flowingAgain(Date.now());
  },
});

/** One of two replicas killed: the other takes its partitions before it comes back. */
const killReplica = (instance: Instance): Fault => ({
  name: `${instance} killed (SIGKILL) while its twin runs; restarted once the twin has its partitions`,
  async run(rig) {
    await rig.kill(instance);
    const recovered = await rig.flowingAgain(Date.now());
    await rig.restart(instance);
    return recovered;
  },
});

const faultsOf = (profile: FaultProfile, round: number): Fault[] => [
  killAndRestart('intake', profile.outageSeconds),
  ...CONSUMERS.map((name) => killReplica(round % 2 ? `${name}#2` : name)),
  killAndRestart('statistics', profile.outageSeconds),
  {
    name: `Kafka broker killed (SIGKILL), restarted ${profile.outageSeconds} s later`,
    async run(rig) {
      await rig.kafka.kill();
      await sleep(profile.outageSeconds);
      const restarted = Date.now();
      await rig.kafka.start();
      return rig.flowingAgain(restarted);
    },
  },
  {
    name: `PostgreSQL crashed (immediate shutdown), restarted ${profile.outageSeconds} s later`,
    async run(rig) {
      rig.postgres.crash();
      await sleep(profile.outageSeconds);
      rig.postgres.start();
      return rig.flowingAgain(Date.now());
    },
  },
  {
    name: `the departments' work-order systems down for ${profile.departmentDownSeconds} s`,
    async run(rig) {
      await rig.departments({ down: true });
      await sleep(profile.departmentDownSeconds);
      await rig.departments({ down: false });
      return rig.flowingAgain(Date.now());
    },
  },
];

/** Every fault of the profile, one after another, with calm reporting between them. */
export async function injectFaults(rig: FaultRig, profile: FaultProfile, log: (line: string) => void): Promise<InjectedFault[]> {
  const injected: InjectedFault[] = [];
  for (let round = 0; round < profile.rounds; round++) {
    for (const fault of faultsOf(profile, round)) {
      await sleep(profile.calmSeconds);
      const startedAt = Date.now();
      const recoverySeconds = await fault.run(rig);
      injected.push({ name: fault.name, startedAt, recoverySeconds });
      log(`fault ${injected.length}: ${fault.name} — every partition consumed again ${recoverySeconds.toFixed(1)} s later`);
    }
  }
  return injected;
}
