// `deployctl retry|pause|resume|approve NAME --env E`: operator decisions sent
// as updates to the running deploy (rollback has its own file: it can also
// redeploy a kept revision).
import type { OperatorCommand } from '../../workflows/messages.js';
import { outputFormat, parseCommand } from '../args.js';
import type { Command } from '../command.js';
import type { CliIo } from '../io.js';
import { OPERATOR_OPTIONS, sendOperatorUpdate } from '../operator-update.js';
import { Output } from '../output.js';
import { defaultRequester } from '../requester.js';
import { TARGET_OPTIONS, targetOf } from '../target.js';
import { withTemporal } from '../temporal.js';

type SimpleOperatorCommand = Exclude<OperatorCommand, 'rollback'>;

const WHAT: Record<SimpleOperatorCommand, { summary: string; when: string }> = {
  retry: { summary: 're-run the stalled step of a stuck deploy', when: 'Only a Stuck deploy (strategy.onFailure: wait) can be retried.' },
  pause: { summary: 'hold a rollout before its next step', when: 'Only a deploy that is applying or rolling out can be paused.' },
  resume: { summary: 'continue a paused rollout', when: 'Only a paused deploy can be resumed.' },
  approve: { summary: 'open the canary gate (approval: after-first-step)', when: 'Only a deploy awaiting approval can be approved.' },
};

function operatorCommand(name: SimpleOperatorCommand): Command {
  const usage = `deployctl ${name} NAME --env E [--namespace NS] [--reason TEXT] [--requested-by WHO]

Sends "${name}" to the running deploy of app NAME in environment E: ${WHAT[name].summary}.
${WHAT[name].when} A refusal prints the deploy's reason and exits 1.

Options:
  -e, --env E              environment (required)
  -n, --namespace NS       the app's Kubernetes namespace (default: default)
      --reason TEXT        recorded in the deploy's history
      --requested-by WHO   recorded too (default: $USER)
  -o, --output text|json   json: { workflowId, command, accepted, phase, message }
  -h, --help`;

  async function run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseCommand(name, argv, { ...TARGET_OPTIONS, ...OPERATOR_OPTIONS });
    if (values.help) {
      io.stdout.write(usage + '\n');
      return 0;
    }
    const out = new Output(io, outputFormat(values.output));
    const target = targetOf(name, positionals, values);
    const request = { reason: values.reason, requestedBy: values['requested-by'] ?? defaultRequester(io.env) };
    return withTemporal(io, (session) => sendOperatorUpdate(session, target, name, request, out), target.environment);
  }

  return { name, summary: WHAT[name].summary, usage, run };
}

export const retryCommand = operatorCommand('retry');
export const pauseCommand = operatorCommand('pause');
export const resumeCommand = operatorCommand('resume');
export const approveCommand = operatorCommand('approve');
