import type { CaseEventEnvelope } from '@caseline/case-contracts';
import { FollowedHistories } from './followed-histories';

const event = (caseId: string, caseVersion: number): CaseEventEnvelope =>
  ({ caseId, caseVersion, eventId: `${caseId}-${caseVersion}`, type: caseVersion === 1 ? 'CaseReported' : 'Noted', data: {}, metadata: {} }) as unknown as CaseEventEnvelope;
const versions = (history: CaseEventEnvelope[]) => history.map((e) => e.caseVersion);

describe('FollowedHistories', () => {
  /** The log as a reader sees it, counting reads. */
  function logOf(...cases: [string, number][]) {
    const log = new Map(cases.map(([caseId, length]) => [caseId, Array.from({ length }, (_, i) => event(caseId, i + 1))]));
    const reads: string[] = [];
    const read = async (caseId: string) => (reads.push(caseId), log.get(caseId) ?? []);
    return { read, reads };
  }

  it('grows a history from the events consumed in order, reading nothing', async () => {
    const { read, reads } = logOf(['a', 3]);
    const histories = new FollowedHistories(read);
    for (const version of [1, 2, 3]) expect(versions(await histories.through(event('a', version)))).toEqual(Array.from({ length: version }, (_, i) => i + 1));
    expect(reads).toEqual([]);
  });

  it('reads the case from the log when it has not seen the events before, and only then', async () => {
    const { read, reads } = logOf(['a', 4]);
    const histories = new FollowedHistories(read);
    expect(versions(await histories.through(event('a', 3)))).toEqual([1, 2, 3, 4]);
    expect(versions(await histories.through(event('a', 4)))).toEqual([1, 2, 3, 4]); // already known from the read
    expect(versions(await histories.through(event('a', 5)))).toEqual([1, 2, 3, 4, 5]);
    expect(reads).toEqual(['a']);
  });

  it('reads again across a gap (another replica consumed the events between)', async () => {
    const { read, reads } = logOf(['a', 5]);
    const histories = new FollowedHistories(read);
    await histories.through(event('a', 1));
    expect(versions(await histories.through(event('a', 5)))).toEqual([1, 2, 3, 4, 5]);
    expect(reads).toEqual(['a']);
  });

  it('keeps the cases used last, up to its capacity', async () => {
    const { read, reads } = logOf(['a', 2], ['b', 2], ['c', 2]);
    const histories = new FollowedHistories(read, 2);
    await histories.through(event('a', 1));
    await histories.through(event('b', 1));
    await histories.through(event('a', 2)); // a is used again: b is now the oldest
    await histories.through(event('c', 1)); // b falls out
    await histories.through(event('b', 2)); // read again; a, now the oldest, falls out
    await histories.through(event('c', 2));
    expect(reads).toEqual(['b']);
    await histories.through(event('a', 3));
    expect(reads).toEqual(['b', 'a']);
  });
});
