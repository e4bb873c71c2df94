import { Report } from './reports';

export interface Submission {
  n: number;
  idempotencyKey: string;
  report: Report;
  startedAt: number;
  acceptedAt?: number;
  reference?: string;
  caseId?: string;
  attempts: number;
  /** An answer that is neither success nor worth retrying: the suite fails on it. */
  refused?: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const RETRIED = new Set([408, 429, 500, 502, 503, 504]);

/**
 * Residents reporting at a steady rate, as a portal would: each report carries an Idempotency-Key
 * and is sent again (same key) until intake answers it — through restarts of anything.
 */
export class ResidentStream {
  readonly submissions: Submission[] = [];
  /** What intake answered, by status ('no answer' for a refused or cut connection). */
  readonly answers = new Map<string, number>();
  private readonly pending = new Set<Promise<void>>();
  private timer?: NodeJS.Timeout;
  private abandoned = false;

  constructor(
    private readonly intakeUrl: string,
    private readonly reports: Report[],
    private readonly run: string,
  ) {}

  start(casesPerSecond: number): void {
    this.timer = setInterval(() => {
      const n = this.submissions.length;
      if (n >= this.reports.length) return;
      const submission: Submission = { n, idempotencyKey: `${this.run}-${n}`, report: this.reports[n], startedAt: Date.now(), attempts: 0 };
      this.submissions.push(submission);
      const sending = this.submit(submission).finally(() => this.pending.delete(sending));
      this.pending.add(sending);
    }, 1000 / casesPerSecond);
  }

  /** Stops reporting; resolves once every report sent so far has been answered. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  /** Stops at once, answered or not (a failed test must not leave residents retrying for ever). */
  abandon(): void {
    clearInterval(this.timer);
    this.abandoned = true;
  }

  private count(answer: string): void {
    this.answers.set(answer, (this.answers.get(answer) ?? 0) + 1);
  }

  private async submit(submission: Submission): Promise<void> {
    while (!this.abandoned) {
      submission.attempts++;
      try {
        const response = await fetch(`${this.intakeUrl}/v1/cases`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': submission.idempotencyKey },
          body: JSON.stringify(submission.report),
          signal: AbortSignal.timeout(10000),
        });
        this.count(String(response.status));
        if (response.status === 201 || response.status === 200) {
          const body = (await response.json()) as { reference: string; id: string };
          Object.assign(submission, { reference: body.reference, caseId: body.id, acceptedAt: Date.now() });
          return;
        }
        if (!RETRIED.has(response.status)) {
          submission.refused = `${response.status} ${await response.text()}`;
          return;
        }
      } catch {
        this.count('no answer');
      }
      await sleep(Math.min(2000, 100 * 2 ** Math.min(submission.attempts, 5)));
    }
  }
}
