/** One command of the ops CLI, in a file of its own under commands/. */
export interface Command {
  name: string;
  /** One line, for the list of commands. */
  summary: string;
  usage: string;
  /** Resolves to the exit code: 0 all well, 1 the command found a problem. Throwing means it could not run (exit code 2). */
  run(args: string[]): Promise<number>;
}

/** Wrong arguments: the command's usage is shown. */
export class UsageError extends Error {}
