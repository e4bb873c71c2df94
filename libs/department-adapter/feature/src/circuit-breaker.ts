/**
 * One per department system: when `threshold` of its last `window` deliveries failed it opens (a
 * failure rate, not failures in a row: with many deliveries in flight a flaky-but-up system fails a
 * few in a row often, a down one fails them all), and the adapter stops
 * sending to that system for a while (10 s, doubling each time a probe fails, up to 5 min) so a
 * broken system costs the others nothing; then one probe goes through, and a success closes it
 * (and releases the backlog). The pause is capped low (30 s by default): a probe is cheap, and the
 * cap bounds how long a system back from an outage waits for its work.
 * Refusals (4xx) are answers, not failures: the system is up.
 */
export class CircuitBreaker {
  /** The last `window` outcomes, true for a failure. */
  private recent: boolean[] = [];
  private opened = 0;
  private openUntil = 0;
  private probing = false;

  constructor(
    private readonly threshold = 10,
    private readonly baseOpenMs = 10_000,
    private readonly maxOpenMs = 30_000,
    private readonly now: () => number = Date.now,
    private readonly window = 20,
  ) {}

  private record(failed: boolean): number {
    this.recent.push(failed);
    if (this.recent.length > this.window) this.recent.shift();
    return this.recent.filter(Boolean).length;
  }

  get state(): 'closed' | 'open' | 'half-open' {
    if (this.opened === 0) return 'closed';
    return this.now() < this.openUntil || this.probing ? 'open' : 'half-open';
  }

  /** How many deliveries may start now, given how many the caller would like (a half-open circuit lets one probe through). */
  admit(wanted: number): number {
    const state = this.state;
    if (state === 'closed') return wanted;
    if (state === 'open' || wanted === 0) return 0;
    this.probing = true;
    return 1;
  }

  /** Returns true when this success closed an open circuit: the system is back. */
  success(): boolean {
    const recovered = this.opened > 0;
    this.record(false);
    if (recovered) this.recent = [];
    this.opened = 0;
    this.openUntil = 0;
    this.probing = false;
    return recovered;
  }

  failure(): void {
    const failures = this.record(true);
    if (this.probing || (this.opened === 0 && failures >= this.threshold)) {
      this.probing = false;
      this.opened++;
      this.openUntil = this.now() + Math.min(this.baseOpenMs * 2 ** (this.opened - 1), this.maxOpenMs);
    }
  }

  /** For operators: the state and when an open circuit will let a probe through. */
  describe(): { state: 'closed' | 'open' | 'half-open'; recentFailures: string; probeAfter?: string } {
    const state = this.state;
    return { state, recentFailures: `${this.recent.filter(Boolean).length} of the last ${this.recent.length}`, ...(state === 'open' && !this.probing ? { probeAfter: new Date(this.openUntil).toISOString() } : {}) };
  }
}
