// The library API of the deploy queue (issue 17), for deployctl, CI scripts and
// releases: one entry point, submitDeploy, takes a prepared deploy and a policy
// and resolves to the deploy's result (or Superseded / Withdrawn).
//   const prepared = prepareDeploy({ spec, environment, image });
//   const result = await submitDeploy(client, prepared, 'fifo');
// Under the hood: enqueueDeploy (update-with-start on the app's queue
// workflow), then waitForTurn (the queue's position, then the deploy's run).
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { WithStartWorkflowOperation, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { queueIdFor, taskQueueFor, workflowIdFor } from '../domain/names.js';
import type { QueuePolicy, WaitingPolicy } from '../domain/queue.js';
import {
  DEPLOY_QUEUE_WORKFLOW,
  enqueueUpdate,
  queueQuery,
  type DeployResult,
  type FinishedTicket,
  type QueueInput,
  type QueueView,
} from '../workflows/messages.js';
import { startPrepared, waitForResult, type DeployHandle, type PreparedDeploy } from './api.js';
import { CliError, EXIT } from './errors.js';
import { ensurePerNodeSchedule } from './per-node-schedule.js';

export interface QueuedRequest {
  queueId: string;
  ticket: string;
  /** 1-based place among the waiting when it was queued. */
  position: number;
  /** The ticket that ran when it was queued. */
  running?: string;
  /** Tickets it replaced (latest-wins). */
  superseded: string[];
}

export interface QueueOptions {
  /** The request's id (default: a random one); enqueueing the same ticket twice queues it once. */
  ticket?: string;
  /** Seconds an empty queue lingers before it ends (tests shorten it). */
  idleSeconds?: number;
  /** History events after which the queue continues as new (tests shorten it). */
  historyLimit?: number;
}

/** How often a waiting requester looks at the queue (the live view redraws at the same pace). */
const POLL_MS = 1000;
/** A queue run ending just as the request arrived: Temporal says so, and the next attempt starts a new run. */
const ENQUEUE_ATTEMPTS = 5;

/** The queue refused the request: malformed (exit 2) or full (exit 3). */
export class QueueRefusedError extends CliError {}

/** Queues a checked deploy on its app's queue, creating the queue if none runs. */
export async function enqueueDeploy(client: Client, prepared: PreparedDeploy, policy: WaitingPolicy, options: QueueOptions = {}): Promise<QueuedRequest> {
  const { input, meta } = prepared;
  const queueId = queueIdFor(input.environment, meta.namespace, meta.app);
  const ticket = options.ticket ?? `${meta.app}-${randomUUID().slice(0, 8)}`;
  const { idleSeconds, historyLimit } = options;
  const queueInput: QueueInput = { environment: input.environment, namespace: meta.namespace, name: meta.app, ...(idleSeconds && { idleSeconds }), ...(historyLimit && { historyLimit }) };
  for (let attempt = 1; ; attempt++) {
    try {
      const answer = await client.workflow.executeUpdateWithStart(enqueueUpdate, {
        args: [{ ticket, policy, input }],
        // The update id is the ticket: a retried call is one request, not two.
        updateId: ticket,
        startWorkflowOperation: new WithStartWorkflowOperation(DEPLOY_QUEUE_WORKFLOW, {
          workflowId: queueId,
          taskQueue: taskQueueFor(input.environment),
          args: [queueInput],
          workflowIdConflictPolicy: 'USE_EXISTING',
          staticSummary: `deploy queue: ${meta.app} → ${input.environment}`,
        }),
      });
      if (input.spec?.perNode) await ensurePerNodeSchedule(client, { environment: input.environment, namespace: meta.namespace, name: meta.app });
      return { queueId, ...answer };
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) throw refusal(err, queueId);
      if (attempt < ENQUEUE_ATTEMPTS && closedMeanwhile(err)) continue;
      throw err;
    }
  }
}

/** What a queued request became: its deploy's run, or an ending without one. */
export type Turn = { deploy: DeployHandle } | { result: DeployResult };

/**
 * Waits until the request's deploy starts (or it ends without running),
 * telling `onWaiting` its position whenever it changes.
 */
export async function waitForTurn(client: Client, queued: QueuedRequest, onWaiting: (position: number, view: QueueView) => void = () => {}): Promise<Turn> {
  const queue = client.workflow.getHandle(queued.queueId);
  let shown = -1;
  for (;;) {
    const view = await queue.query(queueQuery);
    const { ticket } = queued;
    if (view.running?.ticket === ticket && view.running.deploy) return { deploy: deployHandle(client, view.running.deploy) };
    const finished = view.finished.find((f) => f.ticket === ticket);
    if (finished?.deploy) return { deploy: deployHandle(client, finished.deploy) };
    if (finished) return { result: endedUnrun(view, finished) };
    // 0: next, waiting for a lock held outside the queue.
    const position = view.running?.ticket === ticket ? 0 : view.pending.findIndex((p) => p.ticket === ticket) + 1;
    if (position === 0 && view.running?.ticket !== ticket) {
      throw new CliError(`${queued.queueId} no longer knows request ${ticket} (its queue ended and a new one began); see deployctl history`, EXIT.failed);
    }
    if (position !== shown) onWaiting((shown = position), view);
    await sleep(POLL_MS);
  }
}

/**
 * The one entry point: `reject` starts the deploy at once (exit 3 when one
 * runs, as always); `fifo` and `latest-wins` queue it and follow it to its end.
 */
export async function submitDeploy(client: Client, prepared: PreparedDeploy, policy: QueuePolicy, options: QueueOptions = {}): Promise<DeployResult> {
  if (policy === 'reject') return waitForResult(await startPrepared(client, prepared));
  return waitForQueued(client, await enqueueDeploy(client, prepared, policy, options));
}

/** A queued request's end: its deploy's result, or Superseded / Withdrawn. */
export async function waitForQueued(client: Client, queued: QueuedRequest): Promise<DeployResult> {
  const turn = await waitForTurn(client, queued);
  if ('result' in turn) return turn.result;
  return { ...(await waitForResult(turn.deploy)), queue: { ticket: queued.ticket } };
}

function deployHandle(client: Client, deploy: { workflowId: string; runId: string }): DeployHandle {
  return client.workflow.getHandle(deploy.workflowId, deploy.runId);
}

/** Superseded or Withdrawn, as a result like any deploy's. */
function endedUnrun(view: QueueView, f: FinishedTicket): DeployResult {
  return {
    outcome: f.outcome as DeployResult['outcome'],
    workflowId: workflowIdFor(view.environment, view.namespace, view.name),
    environment: view.environment,
    namespace: view.namespace,
    app: view.name,
    image: f.image,
    steps: 0,
    message: f.message,
    queue: { ticket: f.ticket, ...(f.supersededBy && { supersededBy: f.supersededBy }) },
  };
}

function refusal(err: WorkflowUpdateFailedError, queueId: string): QueueRefusedError {
  const cause = err.cause;
  const full = cause instanceof ApplicationFailure && cause.type === 'QueueFull';
  return new QueueRefusedError(`${queueId} refused the request: ${cause?.message ?? err.message}`, full ? EXIT.alreadyRunning : EXIT.invalidInput);
}

/** The queue run ended while the update was on its way (the server aborts it); a new attempt starts the next run. */
function closedMeanwhile(err: unknown): boolean {
  return err instanceof Error && /already completed|workflow execution.*(closed|completed)|workflow is closing/i.test(err.message);
}

