// Worker Deployment Versioning for the deploy worker. Every build of an
// environment's worker is a version of the Worker Deployment deployflow-<env>;
// the server hands the tasks of deploy-<env> to the current version only, so
// during a rolling upgrade old and new pods poll side by side and exactly one
// build runs the workflows. Deploy workflows AUTO_UPGRADE: their next task goes
// to whichever build is current (a deploy may wait a day for an approval; pinned
// to a build whose pods are gone, it would wait for ever). Every workflow change
// therefore stays behind patched(), proven by test/workflow/replay.test.ts.
import { Runtime, type Worker, type WorkerDeploymentOptions } from '@temporalio/worker';
import { workerDeploymentFor } from '../domain/names.js';
import { promotionOf, routingOf, type Promotion } from '../domain/worker-versions.js';

export interface WorkerVersioning {
  /** This build's id; derived from the workflow bundle when absent (worker/build-id.ts). */
  buildId?: string;
}

export function deploymentOptions(environment: string, buildId: string): WorkerDeploymentOptions {
  return {
    useWorkerVersioning: true,
    version: { deploymentName: workerDeploymentFor(environment), buildId },
    defaultVersioningBehavior: 'AUTO_UPGRADE',
  };
}

const GRPC_NOT_FOUND = 5;

export interface PromotionOutcome {
  promotion: Promotion | { kind: 'gave-up'; error: string };
  buildId: string;
}

/**
 * Makes the running worker's build current as soon as the server has registered
 * it (its first polls do that), unless a newer build is current. Gives up after
 * `timeoutMs` or when the worker stops; either way the worker keeps running and
 * `deployctl workers promote` can finish the job.
 */
export async function promoteWhenRegistered(worker: Worker, options: { timeoutMs?: number; intervalMs?: number } = {}): Promise<PromotionOutcome> {
  const version = worker.options.workerDeploymentOptions?.version;
  const connection = worker.connection;
  if (!version || !connection) throw new Error('promoteWhenRegistered needs a versioned worker with a connection');
  const { namespace, identity } = worker.options;
  const { deploymentName, buildId } = version;
  const logger = Runtime.instance().logger;
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  let lastError = 'the server did not register this build';
  while (Date.now() < deadline && ['INITIALIZED', 'RUNNING'].includes(worker.getState())) {
    try {
      const routing = routingOf(await connection.workflowService.describeWorkerDeployment({ namespace, deploymentName }));
      const promotion = promotionOf(routing, buildId);
      if (promotion.kind === 'promote') {
        // The conflict token makes a concurrent change (an operator's promote) win: we then decide again.
        await connection.workflowService.setWorkerDeploymentCurrentVersion({ namespace, deploymentName, buildId, identity, conflictToken: routing.conflictToken });
        logger.info('worker build promoted to current', { deploymentName, buildId, replaces: promotion.replaces ?? 'none' });
        return { promotion, buildId };
      }
      if (promotion.kind === 'already-current') {
        logger.info('worker build is current', { deploymentName, buildId });
        return { promotion, buildId };
      }
      if (promotion.kind === 'older') {
        logger.warn('worker build not promoted: a newer build is current (deployctl workers promote --allow-older overrides)', { deploymentName, buildId, current: promotion.current });
        return { promotion, buildId };
      }
    } catch (err) {
      // NotFound: the deployment does not exist until the first poll registers it.
      if ((err as { code?: number }).code !== GRPC_NOT_FOUND) lastError = err instanceof Error ? err.message : String(err);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 1000));
  }
  logger.error('worker build not promoted', { deploymentName, buildId, error: lastError });
  return { promotion: { kind: 'gave-up', error: lastError }, buildId };
}

/**
 * Resolves true once the worker's build is current (it gets tasks), false if the
 * worker stops first: a promotion by hand (`deployctl workers promote`) counts too.
 */
export async function untilCurrent(worker: Worker, intervalMs = 2000): Promise<boolean> {
  const version = worker.options.workerDeploymentOptions?.version;
  const connection = worker.connection;
  if (!version || !connection) throw new Error('untilCurrent needs a versioned worker with a connection');
  while (['INITIALIZED', 'RUNNING'].includes(worker.getState())) {
    try {
      const routing = routingOf(await connection.workflowService.describeWorkerDeployment({ namespace: worker.options.namespace, deploymentName: version.deploymentName }));
      if (routing.currentBuildId === version.buildId) return true;
    } catch {
      // not registered yet, or Temporal briefly away: ask again
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return false;
}
