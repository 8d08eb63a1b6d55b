// deployctl's client commands (bin/deployctl.js sends `worker` elsewhere).
// main() returns the exit code and never exits the process, so tests and the
// demo call it directly with their own streams and environment.
import { pathToFileURL } from 'node:url';
import { NamespaceNotFoundError } from '@temporalio/client';
import { InvalidSpecError } from '../domain/errors.js';
import { closestMatch } from '../domain/suggest.js';
import { sniffOutputFormat } from './args.js';
import type { Command } from './command.js';
import { codecServerCommand } from './commands/codec-server.js';
import { deployCommand } from './commands/deploy.js';
import { generalUsage, WORKER_USAGE } from './commands/help.js';
import { historyCommand } from './commands/history.js';
import { labelsCommand } from './commands/labels.js';
import { listCommand } from './commands/list.js';
import { approveCommand, pauseCommand, resumeCommand, retryCommand } from './commands/operator.js';
import { queueCommand } from './commands/queue.js';
import { releaseCommand } from './commands/release.js';
import { renderCommand } from './commands/render.js';
import { resetCommand } from './commands/reset.js';
import { rollbackCommand } from './commands/rollback.js';
import { setupCommand } from './commands/setup.js';
import { slackCommand } from './commands/slack.js';
import { statusCommand } from './commands/status.js';
import { validateCommand } from './commands/validate.js';
import { watchCommand } from './commands/watch.js';
import { workersCommand } from './commands/workers.js';
import { CliError, EXIT, PermissionDeniedError } from './errors.js';
import { processIo, type CliIo } from './io.js';
import { writeIssues } from './output.js';
import { isUnreachable } from './temporal.js';

export type { CliIo, Writer } from './io.js';

export const COMMANDS: readonly Command[] = [
  deployCommand,
  releaseCommand,
  renderCommand,
  validateCommand,
  statusCommand,
  watchCommand,
  retryCommand,
  rollbackCommand,
  resetCommand,
  pauseCommand,
  resumeCommand,
  approveCommand,
  listCommand,
  queueCommand,
  historyCommand,
  labelsCommand,
  workersCommand,
  setupCommand,
  slackCommand,
  codecServerCommand,
];

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') return help(rest[0], io);
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    if (name === 'worker' || name === 'release-worker') return fail(io, `deployctl ${name} is run by bin/deployctl.js (npx deployctl ${name} ...)`, EXIT.invalidInput);
    const guess = closestMatch(name, [...COMMANDS.map((c) => c.name), 'worker']);
    return fail(io, `deployctl: unknown command "${name}"${guess ? ` (did you mean ${guess}?)` : ''}; see deployctl --help`, EXIT.invalidInput);
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    return report(err, io, command.name, sniffOutputFormat(rest) === 'json');
  }
}

function help(topic: string | undefined, io: CliIo): number {
  if (topic === undefined) {
    io.stdout.write(generalUsage(COMMANDS) + '\n');
    return EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === topic);
  if (topic !== 'worker' && !command) return fail(io, `deployctl help: unknown command "${topic}"`, EXIT.invalidInput);
  io.stdout.write((command?.usage ?? WORKER_USAGE) + '\n');
  return EXIT.ok;
}

/** Turns what a command threw into a message and an exit code (and, for --output json, an error document). */
function report(err: unknown, io: CliIo, command: string, json: boolean): number {
  const asJson = (error: Record<string, unknown>) => {
    if (json) io.stdout.write(JSON.stringify({ error }, null, 2) + '\n');
  };
  if (err instanceof InvalidSpecError) {
    writeIssues(io, err.issues);
    asJson({ message: 'invalid input', exitCode: EXIT.invalidInput, issues: err.issues });
    return EXIT.invalidInput;
  }
  let message: string;
  let exitCode: number;
  if (err instanceof PermissionDeniedError) {
    // Which command was refused, then where and why.
    [message, exitCode] = [`deployctl ${command}: ${err.message}`, err.exitCode];
  } else if (err instanceof CliError) {
    [message, exitCode] = [err.message, err.exitCode];
  } else if (err instanceof NamespaceNotFoundError) {
    [message, exitCode] = [`Temporal namespace "${err.namespace}" does not exist (TEMPORAL_NAMESPACE)`, EXIT.unreachable];
  } else if (isUnreachable(err)) {
    [message, exitCode] = [`lost Temporal: ${err instanceof Error ? err.message : String(err)}`, EXIT.unreachable];
  } else {
    // Unexpected: keep the stack for whoever files the bug.
    [message, exitCode] = [`deployctl ${command}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`, EXIT.failed];
  }
  io.stderr.write(message + '\n');
  asJson({ message: message.split('\n')[0], exitCode });
  return exitCode;
}

function fail(io: CliIo, message: string, exitCode: number): number {
  io.stderr.write(message + '\n');
  return exitCode;
}

// Run directly (`tsx client/main.ts ...`, the npm `deployctl` script) rather than imported.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
