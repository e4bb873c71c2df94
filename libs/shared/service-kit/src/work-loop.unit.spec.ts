import { WorkLoop } from './work-loop';

/** A loop whose idle time is an hour: any round that comes in this test came without waiting for it. */
function loopOf(tick: (round: number) => Promise<boolean>) {
  let rounds = 0;
  const waiters: { round: number; resolve: () => void }[] = [];
  const loop = new WorkLoop(
    'test',
    async () => {
      const more = await tick(++rounds);
      for (const waiter of waiters.filter((w) => w.round <= rounds)) waiter.resolve();
      return more;
    },
    3_600_000,
    { warn: () => undefined } as never,
  );
  const round = (n: number) => new Promise<void>((resolve) => (rounds >= n ? resolve() : waiters.push({ round: n, resolve })));
  return { loop, round, rounds: () => rounds };
}

describe('WorkLoop', () => {
  it('runs again at once while a round says it may have left work, then waits', async () => {
    const { loop, round, rounds } = loopOf(async (n) => n < 3);
    loop.start();
    await round(3);
    await new Promise((resolve) => setImmediate(resolve));
    expect(rounds()).toBe(3);
    await loop.stop();
  });

  it('runs again at once when woken during a round, though the round found nothing more', async () => {
    let wake: () => void = () => undefined;
    const { loop, round } = loopOf(async (n) => {
      if (n === 1) wake(); // new work arrives while the first round is under way
      return false;
    });
    wake = () => loop.wake();
    loop.start();
    await round(2);
    await loop.stop();
  });

  it('wakes from its wait when told there is work', async () => {
    const { loop, round } = loopOf(async () => false);
    loop.start();
    await round(1);
    loop.wake();
    await round(2);
    await loop.stop();
  });
});
