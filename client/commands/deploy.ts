// `deployctl deploy`: validate locally, start the deploy workflow, and (by
// default) follow it to the end with a live view.
import { loadSpecFile } from '../spec-file.js';
import { prepareDeploy, startPrepared } from '../api.js';
import { noPositionals, optionalInt, outputFormat, parseCommand, required, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { followDeploy } from '../follow.js';
import type { CliIo } from '../io.js';
import { Output } from '../output.js';
import { defaultRequester, defaultSource } from '../requester.js';
import { withTemporal } from '../temporal.js';
import { deployQueued, queuePolicy } from '../queued-deploy.js';
import { configuredPolicy, LABEL_POLICY_HELP, LABEL_POLICY_OPTIONS, resolveLabelPolicy } from '../label-policy-file.js';
import { WORKER_POLICY_HELP, WORKER_POLICY_OPTIONS, resolveWorkerPolicy } from '../worker-policy-file.js';

const usage = `deployctl deploy -f spec.yaml --env E --image REF [options]

Deploys the app of spec.yaml to environment E with image REF (a full
reference, or :tag / @sha256:... for the spec's repository). The spec is
validated before anything is contacted, against the label policy too:
problems are listed and the exit code is 2. A configured policy travels with
the deploy, and the workflow enforces it again.

Options:
  -f, --file FILE          the app spec (required)
  -e, --env E              target environment (required)
      --image REF          image to deploy (required)
      --replicas N         override the spec's replicas
      --wait               follow the deploy to its end (default)
      --no-wait            start it, print the workflow id and return
      --supersede          roll back a running deploy of this app and go next
      --queue POLICY       when a deploy of this app runs: reject (default: exit 3),
                           fifo (wait in the app's queue, in order) or latest-wins
                           (wait, replacing what waits: those end Superseded, exit 0)
      --requested-by WHO   recorded on the deploy (default: $USER)
      --source URL         commit or pipeline URL (default: the CI run's URL)
${LABEL_POLICY_HELP}
${WORKER_POLICY_HELP}
  -o, --output text|json   json: one document with the result
  -h, --help

Exit codes: 0 succeeded or nothing to do, 1 failed or rolled back,
2 invalid input, 3 another deploy of this app is running (or its queue is
full), 4 cannot reach Temporal. A queued request superseded by a newer one
exits 0 with outcome Superseded: CI has nothing to retry.`;

async function run(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand('deploy', argv, {
    file: { type: 'string', short: 'f' },
    env: { type: 'string', short: 'e' },
    image: { type: 'string' },
    replicas: { type: 'string' },
    wait: { type: 'boolean' },
    'no-wait': { type: 'boolean' },
    supersede: { type: 'boolean' },
    queue: { type: 'string' },
    'requested-by': { type: 'string' },
    source: { type: 'string' },
    ...LABEL_POLICY_OPTIONS,
    ...WORKER_POLICY_OPTIONS,
  });
  if (values.help) {
    io.stdout.write(usage + '\n');
    return 0;
  }
  const out = new Output(io, outputFormat(values.output));
  noPositionals('deploy', positionals);
  if (values.wait && values['no-wait']) throw new UsageError('deployctl deploy: --wait and --no-wait contradict each other');
  const file = required(values.file, '-f/--file', 'deploy');
  const environment = required(values.env, '--env', 'deploy');
  const image = required(values.image, '--image', 'deploy');
  const replicas = optionalInt(values.replicas, '--replicas', 0);
  const policy = queuePolicy(values.queue);
  if (values.supersede && policy !== 'reject') throw new UsageError('deployctl deploy: --supersede goes with --queue reject (a queued request waits its turn instead)');
  const labelPolicy = configuredPolicy(resolveLabelPolicy(values['label-policy'], io.env));

  // Everything that can be wrong with the request is found here, before connecting.
  const prepared = prepareDeploy({
    spec: loadSpecFile(file),
    environment,
    image,
    replicas,
    requestedBy: values['requested-by'] ?? defaultRequester(io.env),
    source: values.source ?? defaultSource(io.env),
    supersede: values.supersede,
    labelPolicy,
    workerPolicy: resolveWorkerPolicy(values.policy, io.env).policy,
  });

  if (policy !== 'reject') return withTemporal(io, (session) => deployQueued(session, prepared, policy, out, values['no-wait'] ?? false), environment);
  return withTemporal(io, async (session) => {
    if (values.supersede) out.line(`--supersede: a running deploy of ${prepared.meta.app}, if any, is cancelled and rolls back first…`);
    const handle = await startPrepared(session.client, prepared);
    if (values['no-wait']) {
      if (out.isJson) out.document({ workflowId: handle.workflowId, runId: handle.firstExecutionRunId });
      else out.line(handle.workflowId);
      return 0;
    }
    out.line(`deploying ${prepared.meta.image} to ${environment} (${handle.workflowId})`);
    return followDeploy(session, handle, out, environment);
  }, environment);
}

export const deployCommand: Command = { name: 'deploy', summary: 'deploy an app spec with an image to an environment', usage, run };
