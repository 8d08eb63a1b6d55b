// The shape of one deployctl command; main() keeps a table of them.
import type { CliIo } from './io.js';

export interface Command {
  name: string;
  /** One line for the general help. */
  summary: string;
  /** The full text of `deployctl <name> --help`. */
  usage: string;
  /** Returns the exit code; throws CliError (or InvalidSpecError) for main() to report. */
  run(argv: string[], io: CliIo): Promise<number>;
}
