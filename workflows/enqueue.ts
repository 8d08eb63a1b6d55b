// How a workflow puts a request on an app's queue: workflows can signal but
// not update (or update-with-start), so it signals the queue, or starts the
// queue with the request as its first input when none runs. A queue that ends
// between the two is started again; a queue someone else starts between the
// two gets the signal.
import { ChildWorkflowCancellationType, getExternalWorkflowHandle, ParentClosePolicy, startChild } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { queueIdFor, taskQueueFor, type DeployTarget } from '../domain/names.js';
import { DEPLOY_QUEUE_WORKFLOW, enqueueSignal, type DeployInput, type QueueRequest } from './messages.js';
import type { deployQueue } from './queue.js';

/** True once the request reached the app's queue; false after three tries found no queue to take it. */
export async function enqueueFromWorkflow(app: DeployTarget, request: QueueRequest<DeployInput>): Promise<boolean> {
  const queueId = queueIdFor(app.environment, app.namespace, app.name);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await getExternalWorkflowHandle(queueId).signal(enqueueSignal, request);
      return true;
    } catch {
      // no queue runs: start one below
    }
    try {
      await startChild<typeof deployQueue>(DEPLOY_QUEUE_WORKFLOW, {
        workflowId: queueId,
        taskQueue: taskQueueFor(app.environment),
        args: [{ environment: app.environment, namespace: app.namespace, name: app.name, initial: request }],
        // The queue outlives whoever started it, and a cancelled starter (a release's deploy taken back) leaves it running.
        parentClosePolicy: ParentClosePolicy.ABANDON,
        cancellationType: ChildWorkflowCancellationType.ABANDON,
        staticSummary: `deploy queue: ${app.name} → ${app.environment}`,
      });
      return true;
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  }
  return false;
}
