// Runs deployctl's main() in-process with captured stdout/stderr and an
// environment of the test's choosing: no spawned processes, no patched globals.
import { main } from '../../client/main.js';
import type { Writer } from '../../client/io.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as the one JSON document --output json promises. */
  json<T = unknown>(): T;
}

class Capture implements Writer {
  text = '';
  constructor(readonly isTTY = false) {}
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

export async function runCli(argv: string[], env: Record<string, string | undefined> = {}, options: { tty?: boolean } = {}): Promise<CliRun> {
  const stdout = new Capture(options.tty);
  const stderr = new Capture();
  // As an operator of the stack runs it: with the stack's codec keys, unless the test says otherwise.
  const code = await main(argv, { stdout, stderr, env: { DEPLOYFLOW_CODEC_KEYS: process.env.DEPLOYFLOW_CODEC_KEYS, ...env } });
  return {
    code,
    stdout: stdout.text,
    stderr: stderr.text,
    json<T>() {
      return JSON.parse(stdout.text) as T;
    },
  };
}
