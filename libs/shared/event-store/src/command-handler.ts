import type { CaseEventEnvelope, EventMetadata } from '@caseline/case-contracts';
import type { ChainKeys } from './chain';
import { appendAfter, appendNewCases, NewEvent, readCaseAndHead, WrongExpectedVersion } from './event-store';
import type { Sql, Statement } from './sql';

export interface Decider<Command, Event extends { type: string; data: unknown }, State> {
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
  initialState(): State;
}

export interface CommandOptions {
  metadata: EventMetadata;
  /** Id of the n-th event this command appends (deterministic for consumers, random for new input). */
  eventId: (index: number) => string;
  schemaVersion: (type: string) => number;
  /** The writer's own rows that go with the events it appends (e.g. a read model or its outbox), in the same statement; also when it appends none. */
  alongside?: (events: NewEvent[]) => Statement[];
  maxAttempts?: number;
  /** Keys linking the appended events (ADR 0011); the development key when left out. */
  chainKeys?: ChainKeys;
}

export interface CommandResult<State> {
  appended: CaseEventEnvelope[];
  state: State;
}

export const foldCase = <Event extends { type: string; data: unknown }, State>(
  decider: Pick<Decider<unknown, Event, State>, 'evolve' | 'initialState'>,
  events: CaseEventEnvelope[],
): State => events.reduce((state, e) => decider.evolve(state, { type: e.type, data: e.data } as Event), decider.initialState());

/**
 * Opens new cases, batching the appends of concurrent callers into one INSERT: while a statement
 * is in flight, arrivals queue and go together in the next. Under load this turns many small
 * commits into few larger ones; alone, a caller waits for nobody.
 */
export class CaseOpener<Command, Event extends { type: string; data: unknown }, State> {
  private queue: { caseId: string; events: NewEvent[]; resolve: (events: CaseEventEnvelope[]) => void; reject: (error: unknown) => void }[] = [];
  private inFlight = 0;

  constructor(
    private readonly sql: Sql,
    private readonly decider: Decider<Command, Event, State>,
    private readonly options: { schemaVersion: (type: string) => number; maxConcurrentStatements?: number; maxBatch?: number; chainKeys?: ChainKeys },
  ) {}

  async open(caseId: string, command: Command, metadata: EventMetadata, eventId: (index: number) => string): Promise<CommandResult<State>> {
    const state = this.decider.initialState();
    const decided = this.decider.decide(command, state);
    const events = decided.map((event, index) => ({ eventId: eventId(index), type: event.type, schemaVersion: this.options.schemaVersion(event.type), data: event.data, metadata }));
    const appended = await new Promise<CaseEventEnvelope[]>((resolve, reject) => {
      this.queue.push({ caseId, events, resolve, reject });
      this.flush();
    });
    return { appended, state: decided.reduce(this.decider.evolve, state) };
  }

  private flush(): void {
    while (this.queue.length > 0 && this.inFlight < (this.options.maxConcurrentStatements ?? 4)) {
      const batch = this.queue.splice(0, this.options.maxBatch ?? 200);
      this.inFlight++;
      void this.write(batch).finally(() => {
        this.inFlight--;
        this.flush();
      });
    }
  }

  private async write(batch: CaseOpener<Command, Event, State>['queue']): Promise<void> {
    try {
      const appended = await appendNewCases(this.sql, batch, this.options.chainKeys);
      batch.forEach((entry, index) => entry.resolve(appended[index]));
    } catch (error) {
      if (batch.length === 1) return batch[0].reject(error);
      // One bad case must not fail its neighbours: write them one by one.
      await Promise.all(batch.map((entry) => appendNewCases(this.sql, [entry], this.options.chainKeys).then(([events]) => entry.resolve(events), entry.reject)));
    }
  }
}

/**
 * read → fold → decide → append: two statements, no transaction. The append names the version the
 * decision was made on; when another writer got to the case first it fails, and the decision is
 * made again on the new state (optimistic concurrency). The rows written alongside go with it.
 */
export async function handleCommand<Command, Event extends { type: string; data: unknown }, State>(
  sql: Sql,
  decider: Decider<Command, Event, State>,
  caseId: string,
  command: Command,
  options: CommandOptions,
): Promise<CommandResult<State>> {
  const maxAttempts = options.maxAttempts ?? 10;
  for (let attempt = 1; ; attempt++) {
    try {
      const { history, head } = await readCaseAndHead(sql, caseId);
      const state = foldCase(decider, history);
      const decided = decider.decide(command, state);
      const events = decided.map((event, index) => ({
        eventId: options.eventId(index),
        type: event.type,
        schemaVersion: options.schemaVersion(event.type),
        data: event.data,
        metadata: options.metadata,
      }));
      const { appended } = await appendAfter(sql, caseId, head, events, options.chainKeys, options.alongside?.(events) ?? []);
      return { appended, state: decided.reduce(decider.evolve, state) };
    } catch (error) {
      if (!(error instanceof WrongExpectedVersion) || attempt >= maxAttempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
    }
  }
}
