// The Worker Deployment of an environment as deployctl reads and changes it:
// which builds of the worker the server knows and which one is current (gets
// the tasks of deploy-<env>). worker/versioning.ts is the worker's side.
import { workerDeploymentFor } from '../domain/names.js';
import { routingOf, type DeploymentRouting } from '../domain/worker-versions.js';
import type { TemporalSession } from './temporal.js';

const GRPC_NOT_FOUND = 5;

/** undefined: no versioned worker of the environment ever polled (the deployment does not exist). */
export async function describeDeployment(session: TemporalSession, environment: string): Promise<DeploymentRouting | undefined> {
  try {
    const response = await session.client.workflowService.describeWorkerDeployment({
      namespace: session.namespace,
      deploymentName: workerDeploymentFor(environment),
    });
    return routingOf(response);
  } catch (err) {
    if ((err as { code?: number }).code === GRPC_NOT_FOUND) return undefined;
    throw err;
  }
}

/** Makes `buildId` current; the conflict token (from describeDeployment) refuses it if someone changed the routing meanwhile. */
export async function setCurrentBuild(session: TemporalSession, environment: string, buildId: string, conflictToken?: Uint8Array): Promise<void> {
  await session.client.workflowService.setWorkerDeploymentCurrentVersion({
    namespace: session.namespace,
    deploymentName: workerDeploymentFor(environment),
    buildId,
    conflictToken,
    identity: session.client.options.identity,
  });
}
