// The worker of one environment: polls `deploy-<env>`, runs the deploy
// workflow and the cluster activities with this cluster's credentials.
import fs from 'node:fs';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { ClientConnectConfig } from '@temporalio/envconfig';
import type { KubeConfig } from '@kubernetes/client-node';
import { taskQueueFor } from '../domain/names.js';
import { DEFAULT_WORKER_POLICY, type WorkerPolicy } from '../domain/worker-policy.js';
import { createActivities } from '../activities/index.js';
import { kubeFromConfig } from '../activities/kube.js';
import { codecSetup } from '../codec/data-converter.js';
import { checkClusterEnvironment, readClusterUid } from './preflight.js';
import { activityInterceptors } from './activity-interceptors.js';
import { buildIdOfBundle } from './build-id.js';
import { deploymentOptions, type WorkerVersioning } from './versioning.js';
import { deployServiceHandler } from './deploy-service.js';
import { bundleInChild } from './workflow-bundle.js';
import { siblingModule, sourceOf } from './sibling-module.js';
import { cachedWorkflowsFor } from './workflow-cache.js';

export const workflowsPath = sourceOf(siblingModule(import.meta.url, '../workflows/index'));
/** Bundled with the workflows (a pre-built bundle must include them too). */
export const workflowInterceptorModules = [sourceOf(siblingModule(import.meta.url, '../workflows/cluster-pin'))];

export interface WorkerConfig {
  environment: string;
  kubeConfig: KubeConfig;
  /** Namespaces whose environment secret must match before starting. */
  namespaces: string[];
  /** What this worker agrees to write (default: DEFAULT_WORKER_POLICY). */
  policy?: WorkerPolicy;
  temporal: ClientConnectConfig;
  /** Pre-built workflow bundle (tests share one); bundled from source otherwise. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** How long in-flight activities may run on after a shutdown signal. */
  shutdownGraceSeconds?: number;
  /** Chat webhooks told about phase changes. */
  webhooks?: string[];
  /** Temporal Web UI base URL, for links in notifications. */
  uiUrl?: string;
  /** Where the codec keys come from (DEPLOYFLOW_CODEC_KEYS / DEPLOYFLOW_CODEC_KEY_FILE); process.env by default. */
  codecEnv?: Readonly<Record<string, string | undefined>>;
  /** Poll as a version of the environment's Worker Deployment (worker/versioning.ts); unversioned without. */
  versioning?: WorkerVersioning;
}

export async function createWorker(config: WorkerConfig): Promise<Worker> {
  const kube = kubeFromConfig(config.kubeConfig);
  await checkClusterEnvironment(kube, config.environment, config.namespaces);
  const cluster = await readClusterUid(kube);
  const { dataConverter } = codecSetup(config.codecEnv ?? process.env);
  const connection = await NativeConnection.connect(config.temporal.connectionOptions);
  // Bundled before the worker starts (its build id is derived from the bundle), in a child process (workflow-bundle.ts).
  const workflowBundle = config.workflowBundle ?? (await bundleInChild(workflowsPath, dataConverter, workflowInterceptorModules));
  return Worker.create({
    dataConverter,
    connection,
    namespace: config.temporal.namespace ?? 'default',
    taskQueue: taskQueueFor(config.environment),
    workflowBundle,
    ...(config.versioning && { workerDeploymentOptions: deploymentOptions(config.environment, config.versioning.buildId ?? buildIdOfBundle(bundleCode(workflowBundle))) }),
    interceptors: { activity: activityInterceptors(cluster) },
    activities: createActivities({
      kube,
      environment: config.environment,
      policy: config.policy ?? DEFAULT_WORKER_POLICY,
      webhooks: config.webhooks,
      uiUrl: config.uiUrl,
      cluster,
    }),
    // Releases reach this environment through its Nexus endpoint (deploy-<env>), handled here.
    nexusServices: [deployServiceHandler(config.environment)],
    shutdownGraceTime: `${config.shutdownGraceSeconds ?? 30}s`,
    // Live pod counts reach `deployctl watch` through heartbeat details: send them promptly.
    maxHeartbeatThrottleInterval: '1s',
    maxCachedWorkflows: cachedWorkflowsFor(),
    // Every rollout holds a wait activity that sits on a watch for most of its life.
    // With the SDK's default of 100 slots, 100 concurrent deploys filled them all and
    // each deploy's quick calls (list, create, delete) queued behind the waits.
    maxConcurrentActivityTaskExecutions: 1000,
    identity: `deployflow-worker/${config.environment}@${process.pid}`,
  });
}

function bundleCode(bundle: NonNullable<WorkerOptions['workflowBundle']>): string {
  return 'code' in bundle ? bundle.code : fs.readFileSync(bundle.codePath, 'utf8');
}
