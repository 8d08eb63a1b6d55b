// The release worker: polls the `release` task queue of the release namespace
// and runs release workflows. It holds no cluster credentials and only the
// release namespace's Temporal credentials: everything it does in an
// environment goes through that environment's Nexus endpoint to that
// environment's own worker.
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { ClientConnectConfig } from '@temporalio/envconfig';
import { RELEASE_TASK_QUEUE } from '../domain/release-plan.js';
import { createReleaseActivities } from '../activities/release.js';
import { codecSetup } from '../codec/data-converter.js';
import { workflowsPath } from './run.js';
import { bundleInChild } from './workflow-bundle.js';

export interface ReleaseWorkerConfig {
  temporal: ClientConnectConfig;
  workflowBundle?: WorkerOptions['workflowBundle'];
  webhooks?: string[];
  uiUrl?: string;
  codecEnv?: Readonly<Record<string, string | undefined>>;
  shutdownGraceSeconds?: number;
  /** Tests run side by side on one server: each with a queue of its own. */
  taskQueue?: string;
}

export async function createReleaseWorker(config: ReleaseWorkerConfig): Promise<Worker> {
  const { dataConverter } = codecSetup(config.codecEnv ?? process.env);
  const connection = await NativeConnection.connect(config.temporal.connectionOptions);
  return Worker.create({
    dataConverter,
    connection,
    namespace: config.temporal.namespace ?? 'default',
    taskQueue: config.taskQueue ?? RELEASE_TASK_QUEUE,
    workflowBundle: config.workflowBundle ?? (await bundleInChild(workflowsPath, dataConverter)),
    activities: createReleaseActivities({ webhooks: config.webhooks, uiUrl: config.uiUrl }),
    shutdownGraceTime: `${config.shutdownGraceSeconds ?? 30}s`,
    identity: `deployflow-release-worker@${process.pid}`,
  });
}
