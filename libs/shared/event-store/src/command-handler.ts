import type { CaseEventEnvelope, EventMetadata } from '@caseline/case-contracts';
import { appendToCase, readCase, WrongExpectedVersion } from './event-store';
import type { Sql, Transactor } from './sql';

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
  /** Further writes in the same transaction, after the append (e.g. a read model or an inbox row). */
  alongside?: (sql: Sql, appended: CaseEventEnvelope[]) => Promise<void>;
  maxAttempts?: number;
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
 * read → fold → decide → append, in one transaction. When another writer got to the case first,
 * the decision is made again on the new state (optimistic concurrency).
 */
export async function handleCommand<Command, Event extends { type: string; data: unknown }, State>(
  transaction: Transactor,
  decider: Decider<Command, Event, State>,
  caseId: string,
  command: Command,
  options: CommandOptions,
): Promise<CommandResult<State>> {
  const maxAttempts = options.maxAttempts ?? 10;
  for (let attempt = 1; ; attempt++) {
    try {
      return await transaction(async (sql) => {
        const history = await readCase(sql, caseId);
        const state = foldCase(decider, history);
        const decided = decider.decide(command, state);
        const appended = await appendToCase(
          sql,
          caseId,
          history.length,
          decided.map((event, index) => ({
            eventId: options.eventId(index),
            type: event.type,
            schemaVersion: options.schemaVersion(event.type),
            data: event.data,
            metadata: options.metadata,
          })),
        );
        await options.alongside?.(sql, appended);
        return { appended, state: decided.reduce(decider.evolve, state) };
      });
    } catch (error) {
      if (!(error instanceof WrongExpectedVersion) || attempt >= maxAttempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
    }
  }
}
