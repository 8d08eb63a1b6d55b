// Per-node agents follow the nodes (DESIGN.md §6): a Temporal Schedule runs
// this workflow every minute; when the node count and the agent's RC differ,
// it resizes the serving revision with a deploy under the app's own workflow
// id, which is what keeps it from ever resizing during a deploy of the app.
// Today the resize waits its turn in the app's queue (workflows/queue.ts) like
// any deploy; runs started before the queue existed start the deploy directly
// and give up when one runs.
import { ApplicationFailure, patched, startChild, uuid4 } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { queueIdFor, taskQueueFor, workflowIdFor } from '../domain/names.js';
import * as cluster from './cluster.js';
import { searchAttributeKeys, type DeployInput, type PerNodeTarget, type QueueRequest } from './messages.js';
import { enqueueFromWorkflow } from './enqueue.js';
import type { deploy } from './deploy.js';

export type ReconcileOutcome = 'in-sync' | 'resized' | 'queued' | 'deploy-running' | 'not-deployed';

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
  if (patched('resize-through-queue')) {
    await enqueueResize(target, { ticket: `resize-${uuid4()}`, policy: 'fifo', kind: 'resize', input });
    return 'queued';
  }
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

/** A waiting resize absorbs this one; the next check tries again when no queue took it. */
async function enqueueResize(target: PerNodeTarget, request: QueueRequest<DeployInput>): Promise<void> {
  if (await enqueueFromWorkflow(target, request)) return;
  const queueId = queueIdFor(target.environment, target.namespace, target.name);
  throw ApplicationFailure.create({ type: 'ResizeNotQueued', message: `could not queue a resize of ${target.name} in ${queueId}; the next check tries again` });
}
