// `deployctl watch NAME --env E`: the live view of deploy --wait, attached to
// a deploy someone else started (CI, a colleague); exits like deploy does.
import { outputFormat, parseCommand } from '../args.js';
import type { Command } from '../command.js';
import { findDeploy } from '../find-deploy.js';
import { followDeploy } from '../follow.js';
import type { CliIo } from '../io.js';
import { Output } from '../output.js';
import { TARGET_OPTIONS, targetOf } from '../target.js';
import { withTemporal } from '../temporal.js';

const usage = `deployctl watch NAME --env E [--namespace NS]

Follows the latest deploy of app NAME in environment E until it ends, with
live progress, then prints its result (an ended deploy prints at once).
Exit codes as for deploy: 0 succeeded or unchanged, 1 failed or rolled back.

Options:
  -e, --env E              environment (required)
  -n, --namespace NS       the app's Kubernetes namespace (default: default)
  -o, --output text|json   json: the result only
  -h, --help`;

async function run(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand('watch', argv, TARGET_OPTIONS);
  if (values.help) {
    io.stdout.write(usage + '\n');
    return 0;
  }
  const out = new Output(io, outputFormat(values.output));
  const target = targetOf('watch', positionals, values);
  return withTemporal(io, async (session) => {
    const { handle } = await findDeploy(session, target);
    return followDeploy(session, handle, out, target.environment);
  }, target.environment);
}

export const watchCommand: Command = { name: 'watch', summary: 'follow a running deploy live until it ends', usage, run };
