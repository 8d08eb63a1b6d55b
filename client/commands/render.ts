// `deployctl render`: the ReplicationController a deploy would create, as
// YAML, computed locally (no Temporal, no cluster) — a dry run to review.
import yaml from 'js-yaml';
import { renderReplicationController } from '../../domain/render.js';
import { checkDeploy } from '../../domain/check-deploy.js';
import { LABEL_POLICY_HELP, LABEL_POLICY_OPTIONS, resolveLabelPolicy } from '../label-policy-file.js';
import { WORKER_POLICY_HELP, WORKER_POLICY_OPTIONS, resolveWorkerPolicy } from '../worker-policy-file.js';
import { loadSpecFile } from '../spec-file.js';
import { noPositionals, optionalInt, outputFormat, parseCommand, required } from '../args.js';
import type { Command } from '../command.js';
import type { CliIo } from '../io.js';
import { Output } from '../output.js';
import { defaultRequester, defaultSource } from '../requester.js';

const usage = `deployctl render -f spec.yaml --env E --image REF [--replicas N]

Prints the ReplicationController manifest a deploy would apply (revision 1),
without contacting Temporal or the cluster. Refuses (exit 2) what a deploy
would refuse, including a spec that breaks the label policy.

Options:
  -f, --file FILE          the app spec (required)
  -e, --env E              target environment (required)
      --image REF          image to deploy (required)
      --replicas N         override the spec's replicas
      --requested-by WHO   recorded in the annotations (default: $USER)
      --source URL         commit or pipeline URL for the annotations
${LABEL_POLICY_HELP}
${WORKER_POLICY_HELP}
  -o, --output text|json   text is YAML; json is the manifest as JSON
  -h, --help`;

async function run(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand('render', argv, {
    file: { type: 'string', short: 'f' },
    env: { type: 'string', short: 'e' },
    image: { type: 'string' },
    replicas: { type: 'string' },
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
  noPositionals('render', positionals);
  const file = required(values.file, '-f/--file', 'render');
  const { policy } = resolveLabelPolicy(values['label-policy'], io.env);
  const checked = checkDeploy({
    spec: loadSpecFile(file),
    environment: required(values.env, '--env', 'render'),
    image: required(values.image, '--image', 'render'),
    replicas: optionalInt(values.replicas, '--replicas', 0),
    labelPolicy: policy,
    workerPolicy: resolveWorkerPolicy(values.policy, io.env).policy,
    requestedBy: values['requested-by'] ?? defaultRequester(io.env),
    source: values.source ?? defaultSource(io.env),
  });
  const manifest = renderReplicationController({
    spec: checked.spec,
    environment: checked.environment,
    image: checked.image,
    revision: 1,
    requestedBy: checked.requestedBy,
    source: checked.source,
    workflowId: checked.workflowId,
    replicas: checked.spec.replicas,
  });
  if (out.isJson) out.document(manifest);
  else io.stdout.write(yaml.dump(manifest, { noRefs: true, lineWidth: -1 }));
  return 0;
}

export const renderCommand: Command = { name: 'render', summary: 'print the ReplicationController a deploy would apply (dry run)', usage, run };
