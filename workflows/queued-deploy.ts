// A deploy that waits its turn in the app's queue, as one workflow a caller
// can follow to the deploy's end: the environment's Nexus handler starts one
// for each deploy a release asks for, so a release waits for the app's lock
// like any deploy (`fifo`) instead of failing on it. It queues its request
// with itself as replyTo, then waits for the queue's replies: the deploy run
// once it starts, then how it ended. Cancelled, it takes back a request still
// waiting, or cancels the deploy that runs (which rolls back), and returns
// how that ended.
import { ApplicationFailure, CancellationScope, condition, getExternalWorkflowHandle, isCancellation, setHandler, workflowInfo } from '@temporalio/workflow';
import { queueIdFor, queuedDeployIdFor, validateEnvironmentName, workflowIdFor, type DeployTarget } from '../domain/names.js';
import { TICKET_PATTERN, WAITING_POLICIES } from '../domain/queue.js';
import { isMapping } from '../domain/spec-checks.js';
import { enqueueFromWorkflow } from './enqueue.js';
import { queueReplySignal, withdrawSignal, type DeployResult, type QueuedDeployInput, type QueueReply } from './messages.js';

export async function queuedDeploy(request: QueuedDeployInput): Promise<DeployResult> {
  const app = identity(request);
  const { ticket, policy, input } = request;
  let run: QueueReply['deploy'];
  let end: QueueReply | undefined;
  setHandler(queueReplySignal, (reply) => {
    if (reply?.ticket !== ticket) return;
    if (reply.deploy) run = reply.deploy;
    if (reply.finished) end = reply;
  });

  const queued = await enqueueFromWorkflow(app, { ticket, policy, input, replyTo: workflowInfo().workflowId });
  if (!queued) throw ApplicationFailure.create({ type: 'NotQueued', message: `could not queue the deploy of ${app.name} in ${app.environment}: no queue took it`, nonRetryable: true });
  try {
    await condition(() => end !== undefined);
  } catch (err) {
    if (!isCancellation(err)) throw err;
    await CancellationScope.nonCancellable(() => takeBack(app, ticket, () => run, () => end !== undefined));
  }
  return resultOf(end!, app);
}

/** Withdraws the waiting request, or cancels the deploy once it runs, then waits for the queue to say how it ended. */
async function takeBack(app: DeployTarget, ticket: string, running: () => QueueReply['deploy'], ended: () => boolean): Promise<void> {
  const queue = getExternalWorkflowHandle(queueIdFor(app.environment, app.namespace, app.name));
  await queue.signal(withdrawSignal, { ticket, requestedBy: `cancelled ${workflowInfo().workflowId}` }).catch(() => undefined);
  // The request may already have been claimed when the withdrawal arrived: then its deploy is what to cancel.
  await condition(() => ended() || running() !== undefined);
  const deploy = running();
  if (!ended() && deploy) await getExternalWorkflowHandle(deploy.workflowId, deploy.runId).cancel().catch(() => undefined);
  await condition(ended);
}

/** The queue's ending as a deploy's result (Superseded, Withdrawn or a refusal carry no result of their own). */
function resultOf(end: QueueReply, app: DeployTarget): DeployResult {
  if (end.result) return { ...end.result, queue: { ticket: end.ticket } };
  const f = end.finished!;
  return {
    outcome: f.outcome as DeployResult['outcome'],
    workflowId: workflowIdFor(app.environment, app.namespace, app.name),
    environment: app.environment,
    namespace: app.namespace,
    app: app.name,
    image: f.image,
    steps: 0,
    message: f.message,
    queue: { ticket: f.ticket, ...(f.supersededBy && { supersededBy: f.supersededBy }) },
  };
}

/**
 * A queued deploy checks itself like the queue does: its id names its
 * ticket and the app and environment its input deploys, or it does nothing
 * (the queue and then the worker's admission check the rest).
 */
function identity(request: QueuedDeployInput): DeployTarget {
  const raw = (isMapping(request) ? request : {}) as Partial<QueuedDeployInput>;
  const input = (isMapping(raw.input) ? raw.input : {}) as Partial<QueuedDeployInput['input']>;
  const spec = isMapping(input.spec) ? input.spec : isMapping(input.app) ? input.app : {};
  let environment = '';
  try {
    environment = validateEnvironmentName(input.environment);
  } catch {
    // named below
  }
  const { namespace = 'default', name } = spec as { namespace?: unknown; name?: unknown };
  const ticket = raw.ticket;
  const ok =
    environment !== '' && typeof namespace === 'string' && typeof name === 'string' && typeof ticket === 'string' && TICKET_PATTERN.test(ticket) &&
    WAITING_POLICIES.includes(raw.policy as never) && workflowInfo().workflowId === queuedDeployIdFor(environment, namespace, name, ticket);
  if (!ok) {
    throw ApplicationFailure.create({
      type: 'WorkflowIdMismatch',
      nonRetryable: true,
      message: `a queued deploy runs as queued/<environment>/<namespace>/<app>/<ticket> for what its input deploys (policy fifo or latest-wins), not as ${workflowInfo().workflowId.slice(0, 300)}`,
    });
  }
  return { environment, namespace, name };
}
