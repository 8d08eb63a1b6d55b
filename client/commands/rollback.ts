// `deployctl rollback NAME --env E`: ask the running deploy to roll back (an
// update), or with --to-revision N start a new deploy of a kept revision.
import { startRedeploy } from '../api.js';
import { optionalInt, outputFormat, parseCommand, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { followDeploy } from '../follow.js';
import type { CliIo } from '../io.js';
import { OPERATOR_OPTIONS, sendOperatorUpdate } from '../operator-update.js';
import { Output } from '../output.js';
import { defaultRequester } from '../requester.js';
import { TARGET_OPTIONS, targetOf } from '../target.js';
import { withTemporal } from '../temporal.js';

const usage = `deployctl rollback NAME --env E [--namespace NS] [--reason TEXT] [--requested-by WHO]
deployctl rollback NAME --env E --to-revision N [--no-wait] [--supersede]

Without --to-revision: the running deploy of app NAME rolls back to the
previous revision (old RC back to full size, new RC removed).
With --to-revision N: deploys kept revision N again (its exact spec and
image, from the RC kept in the cluster), following it like deploy --wait.

Options:
  -e, --env E              environment (required)
  -n, --namespace NS       the app's Kubernetes namespace (default: default)
      --reason TEXT        recorded in the deploy's history
      --requested-by WHO   recorded too (default: $USER)
      --to-revision N      redeploy kept revision N (see deployctl history / status)
      --wait, --no-wait    with --to-revision: follow it to the end (default) or not
      --supersede          with --to-revision: roll back a running deploy first
  -o, --output text|json
  -h, --help`;

async function run(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand('rollback', argv, {
    ...TARGET_OPTIONS,
    ...OPERATOR_OPTIONS,
    'to-revision': { type: 'string' },
    wait: { type: 'boolean' },
    'no-wait': { type: 'boolean' },
    supersede: { type: 'boolean' },
  });
  if (values.help) {
    io.stdout.write(usage + '\n');
    return 0;
  }
  const out = new Output(io, outputFormat(values.output));
  const target = targetOf('rollback', positionals, values);
  const revision = optionalInt(values['to-revision'], '--to-revision', 1);
  const requestedBy = values['requested-by'] ?? defaultRequester(io.env);
  if (revision === undefined) {
    const misplaced = (['wait', 'no-wait', 'supersede'] as const).find((flag) => values[flag]);
    if (misplaced) throw new UsageError(`deployctl rollback: --${misplaced} only goes with --to-revision`);
    return withTemporal(io, (session) => sendOperatorUpdate(session, target, 'rollback', { reason: values.reason, requestedBy }, out), target.environment);
  }
  if (values.wait && values['no-wait']) throw new UsageError('deployctl rollback: --wait and --no-wait contradict each other');

  return withTemporal(io, async (session) => {
    const handle = await startRedeploy(session.client, { ...target, revision, requestedBy, supersede: values.supersede });
    if (values['no-wait']) {
      if (out.isJson) out.document({ workflowId: handle.workflowId, runId: handle.firstExecutionRunId });
      else out.line(handle.workflowId);
      return 0;
    }
    out.line(`redeploying revision ${revision} of ${target.name} in ${target.environment} (${handle.workflowId})`);
    return followDeploy(session, handle, out, target.environment);
  }, target.environment);
}

export const rollbackCommand: Command = {
  name: 'rollback',
  summary: 'roll a running deploy back, or redeploy a kept revision (--to-revision N)',
  usage,
  run,
};
