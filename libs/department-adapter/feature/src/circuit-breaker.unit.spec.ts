import { CircuitBreaker } from './circuit-breaker';

describe('a department system\'s circuit breaker', () => {
  let now = 0;
  const breaker = () => new CircuitBreaker(3, 1000, 4000, () => now, 5);

  beforeEach(() => (now = 1_000_000));

  it('stays closed while fewer than the threshold of the recent deliveries fail', () => {
    const circuit = breaker();
    for (const failed of [true, true, false, false, false, false, true, false, true]) {
      if (failed) circuit.failure();
      else circuit.success();
    }
    expect(circuit.admit(8)).toBe(8); // 2 of the last 5
    circuit.failure();
    expect(circuit.admit(8)).toBe(0); // 3 of the last 5
  });

  it('opens at the threshold, lets one probe through after the pause, and closes on its success', () => {
    const circuit = breaker();
    for (let i = 0; i < 3; i++) circuit.failure();
    expect(circuit.state).toBe('open');
    expect(circuit.admit(8)).toBe(0);
    now += 1000;
    expect(circuit.admit(8)).toBe(1);
    expect(circuit.admit(8)).toBe(0); // the probe is under way
    expect(circuit.success()).toBe(true); // closed again: the system is back
    expect(circuit.admit(8)).toBe(8);
  });

  it('doubles the pause each time a probe fails, up to the cap', () => {
    const circuit = breaker();
    for (let i = 0; i < 3; i++) circuit.failure();
    const pauses: number[] = [];
    for (let round = 0; round < 4; round++) {
      const start = now;
      while (circuit.admit(1) === 0) now += 100;
      pauses.push(now - start);
      circuit.failure();
    }
    expect(pauses).toEqual([1000, 2000, 4000, 4000]);
  });
});
