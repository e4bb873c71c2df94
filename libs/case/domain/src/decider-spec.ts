/** given / when / then for any decider: events in, command, expected events or error out. */
export interface Decider<Command, Event, State> {
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
  initialState(): State;
}

export function deciderSpec<Command, Event, State>(decider: Decider<Command, Event, State>) {
  return {
    given: (history: Event[]) => ({
      when: (command: Command) => {
        const run = () => decider.decide(command, history.reduce(decider.evolve, decider.initialState()));
        return {
          then: (expected: Event[]) => expect(run()).toEqual(expected),
          thenThrows: (matcher: (error: unknown) => boolean) => {
            let thrown: unknown;
            try {
              run();
            } catch (error) {
              thrown = error;
            }
            expect(thrown).toBeDefined();
            expect(matcher(thrown)).toBe(true);
          },
        };
      },
    }),
  };
}
