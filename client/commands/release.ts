// `deployctl release`: start a release (one image through environments in
// order) and follow it; `release status|approve|stop|list` are in release-operate.ts.
import { loadSpecFile } from '../spec-file.js';
import { outputFormat, parseCommand, required, noPositionals } from '../args.js';
import type { Command } from '../command.js';
import type { CliIo } from '../io.js';
import { Output } from '../output.js';
import { defaultRequester, defaultSource } from '../requester.js';
import { withTemporal } from '../temporal.js';
import { configuredPolicy, LABEL_POLICY_HELP, LABEL_POLICY_OPTIONS, resolveLabelPolicy } from '../label-policy-file.js';
import { WORKER_POLICY_HELP, WORKER_POLICY_OPTIONS, resolveWorkerPolicy } from '../worker-policy-file.js';
import { RELEASE_PROFILE } from '../../domain/release-plan.js';
import { prepareRelease, startRelease } from '../release-api.js';
import { followRelease } from '../release-view.js';
import { RELEASE_SUBCOMMANDS } from './release-operate.js';

const usage = `deployctl release -f app.yaml --image REF --through E1,E2[,...] [options]
deployctl release status|approve|stop NAME --image REF   (or the release id release/NAME/REF)
deployctl release list [--phase P] [--awaiting-approval]

Moves image REF through the environments in order as one workflow
(release/NAME/REF). For each environment: its deploy, carried out by that
environment's own worker in its own Temporal namespace (through the Nexus
endpoint deploy-E); then, after the deploy succeeded, the soak: the
environment must stay healthy (its serving RC fully available) for the soak
time. An environment named in --approve waits for \`deployctl release approve\`
before its deploy (who and why are recorded). A failure stops the release
there (a failed deploy rolls itself back); with --on-failure rollback the
environments already promoted are rolled back too, the last one first.
A manual rollback of an environment during the release pins it: the release
stops (outcome Pinned) and nothing is promoted again by itself.

Options:
  -f, --file FILE          the app spec (required)
      --image REF          image to release (required)
      --through E1,E2      environments in promotion order (required)
      --soak DURATION      after each deploy, e.g. 20s, 10m, 1h (default 0)
      --approve E          wait for approve before E's deploy (repeatable or comma-separated)
      --on-failure rollback|stop   default stop
      --no-wait            start it, print the release id and return
      --requested-by WHO   recorded on the release and its deploys (default: $USER)
      --source URL         commit or pipeline URL (default: the CI run's URL)
${LABEL_POLICY_HELP}
${WORKER_POLICY_HELP}
  -o, --output text|json   json: one document with the result
  -h, --help

Temporal: the release runs in the namespace of the Temporal profile
"${RELEASE_PROFILE}" when the config file has one (else TEMPORAL_*), on the release
worker (deployctl release-worker).
Exit codes: 0 promoted, 1 failed, pinned or stopped, 2 invalid input,
3 this release is already running, 4 cannot reach Temporal.`;

async function run(argv: string[], io: CliIo): Promise<number> {
  const sub = RELEASE_SUBCOMMANDS[argv[0] ?? ''];
  if (sub) return sub(argv.slice(1), io);
  const { values, positionals } = parseCommand('release', argv, {
    file: { type: 'string', short: 'f' },
    image: { type: 'string' },
    through: { type: 'string' },
    soak: { type: 'string' },
    approve: { type: 'string', multiple: true },
    'on-failure': { type: 'string' },
    'no-wait': { type: 'boolean' },
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
  noPositionals('release', positionals);
  const prepared = prepareRelease({
    spec: loadSpecFile(required(values.file, '-f/--file', 'release')),
    image: required(values.image, '--image', 'release'),
    through: required(values.through, '--through', 'release'),
    soak: values.soak,
    approve: values.approve,
    onFailure: values['on-failure'],
    requestedBy: values['requested-by'] ?? defaultRequester(io.env),
    source: values.source ?? defaultSource(io.env),
    labelPolicy: configuredPolicy(resolveLabelPolicy(values['label-policy'], io.env)),
    workerPolicy: resolveWorkerPolicy(values.policy, io.env).policy,
  });

  return withTemporal(io, async (session) => {
    const handle = await startRelease(session.client, prepared);
    if (values['no-wait']) {
      if (out.isJson) out.document({ releaseId: handle.workflowId });
      else out.line(handle.workflowId);
      return 0;
    }
    const { plan } = prepared.input;
    out.line(`releasing ${prepared.input.image} through ${plan.environments.join(' → ')} (${handle.workflowId})`);
    return followRelease(handle, out);
  }, RELEASE_PROFILE);
}

export const releaseCommand: Command = { name: 'release', summary: 'move one image through environments in order (soak, approval, pin)', usage, run };
