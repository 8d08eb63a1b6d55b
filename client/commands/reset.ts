// `deployctl reset NAME --env E --to-step N`: re-run a deploy from the start
// of step N through Temporal's Reset (see client/reset.ts for what that means).
import { optionalInt, outputFormat, parseCommand, required } from '../args.js';
import type { Command } from '../command.js';
import type { CliIo } from '../io.js';
import { Output } from '../output.js';
import { defaultRequester } from '../requester.js';
import { resetDeploy } from '../reset.js';
import { TARGET_OPTIONS, targetOf } from '../target.js';
import { withTemporal } from '../temporal.js';
import { OPERATOR_OPTIONS } from '../operator-update.js';

const usage = `deployctl reset NAME --env E --to-step N [--namespace NS] [--reason TEXT] [--requested-by WHO]

Re-runs the latest deploy of app NAME in environment E from the start of its
rollout step N, through Temporal's Reset: running, stuck, failed or rolled
back. The deploy takes up its history as it stood when step N began (operator
decisions sent after that are dropped) and step N plans from the RCs the
cluster runs now, so nothing is scaled twice and invariants I1/I2 hold. A
deploy that rolled back has its new RC created again. The reason and who
asked are recorded in the deploy's history (the reset event). Refused, exit
2, for a step the deploy never began or a deploy from before reset-safe
rollouts.

Options:
  -e, --env E              environment (required)
  -n, --namespace NS       the app's Kubernetes namespace (default: default)
      --to-step N          the rollout step to start again from (required, 1 = the first)
      --reason TEXT        recorded with the reset
      --requested-by WHO   recorded too (default: $USER)
  -o, --output text|json   json: { workflowId, resetRunId, eventId, runId, reason }
  -h, --help`;

async function run(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand('reset', argv, { ...TARGET_OPTIONS, ...OPERATOR_OPTIONS, 'to-step': { type: 'string' } });
  if (values.help) {
    io.stdout.write(usage + '\n');
    return 0;
  }
  const out = new Output(io, outputFormat(values.output));
  const target = targetOf('reset', positionals, values);
  const step = optionalInt(required(values['to-step'], '--to-step', 'reset'), '--to-step', 1) ?? 1;
  const request = { step, reason: values.reason, requestedBy: values['requested-by'] ?? defaultRequester(io.env) };
  return withTemporal(
    io,
    async (session) => {
      const done = await resetDeploy(session, target, request);
      if (out.isJson) out.document({ ...done });
      else out.line(`reset ${done.workflowId} to the start of step ${step} (run ${done.resetRunId}, event ${done.eventId}); it goes on as run ${done.runId}`);
      return 0;
    },
    target.environment,
  );
}

export const resetCommand: Command = { name: 'reset', summary: 'run a deploy again from the start of a rollout step (Temporal Reset)', usage, run };
