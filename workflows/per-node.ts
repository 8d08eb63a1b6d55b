// Per-node agents follow the nodes (DESIGN.md §6): a Temporal Schedule runs
// this workflow every minute; when the node count and the agent's RC differ,
// it starts the app's deploy workflow to resize the serving revision. Running
// it under the deploy's own workflow id is what keeps it from ever resizing
// during a deploy of the app: a running deploy makes the start fail, and a
// running resize makes a new deploy wait its turn (exit 3).
import { ApplicationFailure, startChild } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { taskQueueFor, workflowIdFor } from '../domain/names.js';
import * as cluster from './cluster.js';
import { searchAttributeKeys, type DeployInput, type PerNodeTarget } from './messages.js';
import type { deploy } from './deploy.js';

export type ReconcileOutcome = 'in-sync' | 'resized' | 'deploy-running' | 'not-deployed';

export async function reconcilePerNode(target: PerNodeTarget): Promise<ReconcileOutcome> {
  const [rcs, nodes] = await Promise.all([
    cluster.listReplicationControllers(target.namespace, target.name),
    cluster.countSchedulableNodes(),
  ]);
  const serving = rcs.filter((rc) => rc.replicas > 0).sort((a, b) => b.revision - a.revision)[0];
  if (!serving) return 'not-deployed';
  if (serving.replicas === nodes) return 'in-sync';

  const requestedBy = 'per-node schedule';
  const input: DeployInput = {
    environment: target.environment,
    app: { namespace: target.namespace, name: target.name },
    toRevision: serving.revision,
    requestedBy,
  };
  try {
    const child = await startChild<typeof deploy>('deploy', {
      workflowId: workflowIdFor(target.environment, target.namespace, target.name),
      taskQueue: taskQueueFor(target.environment),
      args: [input],
      // Like every deploy: no resize holds the app's lock forever.
      workflowExecutionTimeout: '7 days',
      staticSummary: `${target.name} → ${target.environment}: resize to ${nodes} nodes`,
      typedSearchAttributes: [
        { key: searchAttributeKeys.environment, value: target.environment },
        { key: searchAttributeKeys.app, value: target.name },
        { key: searchAttributeKeys.image, value: serving.image },
        { key: searchAttributeKeys.phase, value: 'Validating' },
        { key: searchAttributeKeys.requestedBy, value: requestedBy },
      ],
    });
    await child.result();
    return 'resized';
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return 'deploy-running';
    throw ApplicationFailure.create({ type: 'ResizeFailed', message: `resizing ${target.name} to ${nodes} nodes failed: ${String(err)}` });
  }
}
