// Where the CLI reads and writes. main() takes these as a parameter so tests
// capture output and set the environment without touching process globals.

export interface Writer {
  write(text: string): unknown;
  /** Set on a terminal: the live view redraws in place instead of printing lines. */
  isTTY?: boolean;
  columns?: number;
}

export interface CliIo {
  stdout: Writer;
  stderr: Writer;
  env: Readonly<Record<string, string | undefined>>;
}

export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env };
}
