// `deployctl worker --env E [--policy FILE] [--context C] [--kubeconfig F] [--namespace NS]... [--build-id ID] [--no-promote] [--ready-file F]`
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { validateEnvironmentName } from '../domain/names.js';
import { profileForEnvironment } from '../client/profiles.js';
import { InvalidSpecError } from '../domain/errors.js';
import { loadKubeConfig } from './kubeconfig.js';
import { WORKER_POLICY_ENV, resolveWorkerPolicy } from '../client/worker-policy-file.js';
import { WrongClusterError } from './preflight.js';
import { CodecConfigError } from '../codec/keys.js';
import { createWorker } from './run.js';
import { BUILD_ID_ENV, validateBuildId } from './build-id.js';
import { promoteWhenRegistered, untilCurrent } from './versioning.js';
import { logLine } from './log.js';

const HELP = `deployctl worker --env E [--policy FILE] [--context KUBE_CONTEXT] [--kubeconfig FILE]
                 [--namespace NS]... [--notify-webhook URL]... [--build-id ID] [--no-promote]
                 [--ready-file FILE]

Runs the deploy worker of environment E: polls task queue deploy-E and applies
deploys to the cluster of the kubeconfig (KUBECONFIG, ~/.kube/config or the
in-cluster service account). Refuses to start if the cluster's environment
secret names another environment. --policy (or $${WORKER_POLICY_ENV}) is the
worker's own policy (examples/policy.yaml): the namespaces, images, volumes,
secrets, service accounts, ceilings and Pod Security level it agrees to write,
whatever reaches its task queue; without one: any namespace but kube-*, any
image, Pod Security baseline. Temporal settings: TEMPORAL_ADDRESS,
TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*, TEMPORAL_PROFILE (or a profile
named E in TEMPORAL_CONFIG_FILE).
Phase changes (started, awaiting approval, stuck, succeeded, rolled back,
failed) are posted to each --notify-webhook (or DEPLOYFLOW_WEBHOOKS,
comma-separated) as Slack-compatible JSON; DEPLOYFLOW_TEMPORAL_UI adds links.
Payloads are encrypted with DEPLOYFLOW_CODEC_KEYS (id:base64key,..., the first
one current) or the keys in the file DEPLOYFLOW_CODEC_KEY_FILE; without
either they travel in clear text.
The worker is build --build-id (or $${BUILD_ID_ENV}; default: a hash of its
workflow bundle and SDK version) of the Worker Deployment deployflow-E. Once
it polls it makes its build current, unless a newer build is current already
or --no-promote is given (then: deployctl workers promote --env E --build-id ID).
Running deploys move to the current build at their next step (auto-upgrade).
--ready-file FILE is created once this worker's build is current (removed at
start): a readiness probe on it keeps a rolling update from stopping the old
worker before the new one gets the tasks (examples/worker/deployment.yaml).`;

function jsonLog(entry: LogEntry): void {
  process.stdout.write(logLine(entry) + '\n');
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      env: { type: 'string' },
      context: { type: 'string' },
      kubeconfig: { type: 'string' },
      policy: { type: 'string' },
      namespace: { type: 'string', multiple: true },
      'notify-webhook': { type: 'string', multiple: true },
      'build-id': { type: 'string' },
      'no-promote': { type: 'boolean' },
      'ready-file': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (!values.env) {
    console.error('deployctl worker: --env is required\n\n' + HELP);
    return 2;
  }
  const environment = validateEnvironmentName(values.env);
  let buildId;
  try {
    buildId = validateBuildId(values['build-id'] ?? process.env[BUILD_ID_ENV]);
  } catch (err) {
    if (!(err instanceof InvalidSpecError)) throw err;
    console.error(`deployctl worker: invalid build id\n${err.message}`);
    return 2;
  }
  let policy;
  try {
    policy = resolveWorkerPolicy(values.policy, process.env);
  } catch (err) {
    if (!(err instanceof InvalidSpecError)) throw err;
    console.error(`deployctl worker: invalid worker policy\n${err.message}`);
    return 2;
  }
  Runtime.install({ logger: new DefaultLogger('INFO', jsonLog) });
  // A file left by an earlier run of this container must not say "ready" before this one is.
  const readyFile = values['ready-file'];
  if (readyFile) fs.rmSync(readyFile, { force: true });
  try {
    const worker = await createWorker({
      environment,
      kubeConfig: loadKubeConfig({ kubeconfig: values.kubeconfig, context: values.context }),
      namespaces: values.namespace ?? ['default'],
      policy: policy.policy,
      // The environment's own profile (its namespace and token) when the config file has one.
      temporal: loadClientConnectConfig({ profile: profileForEnvironment(process.env, environment) }),
      webhooks: values['notify-webhook'] ?? process.env.DEPLOYFLOW_WEBHOOKS?.split(',').map((u) => u.trim()).filter(Boolean) ?? [],
      uiUrl: process.env.DEPLOYFLOW_TEMPORAL_UI,
      versioning: { buildId },
    });
    const version = worker.options.workerDeploymentOptions?.version;
    Runtime.instance().logger.info('worker started', {
      environment,
      taskQueue: `deploy-${environment}`,
      pid: process.pid,
      policy: policy.file ?? 'default',
      podSecurity: policy.policy.podSecurity,
      deploymentName: version?.deploymentName,
      buildId: version?.buildId,
    });
    const running = worker.run();
    void (async () => {
      if (!values['no-promote']) await promoteWhenRegistered(worker);
      if (readyFile && (await untilCurrent(worker))) fs.writeFileSync(readyFile, `${version?.buildId}\n`);
    })();
    await running;
    return 0;
  } catch (err) {
    console.error(`deployctl worker: ${err instanceof Error ? err.message : String(err)}`);
    if (err instanceof CodecConfigError) return 2;
    return err instanceof WrongClusterError ? 1 : 4;
  }
}
