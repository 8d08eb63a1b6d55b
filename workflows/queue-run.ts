// Running the queue's head: the app's deploy workflow as a child under the
// lock id, so the worker's admission check (id and task queue) holds and a
// direct start of the same app is refused meanwhile. A deploy started outside
// the queue holds the lock: the head waits for it, then starts.
import {
  ApplicationFailure,
  CancelledFailure,
  ChildWorkflowCancellationType,
  ChildWorkflowFailure,
  ParentClosePolicy,
  sleep,
  startChild,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { deploySummary } from '../domain/check-deploy.js';
import type { QueueEntry } from '../domain/queue.js';
import { taskQueueFor, workflowIdFor, type DeployTarget } from '../domain/names.js';
import { searchAttributeKeys, type DeployInput, type DeployResult, type Outcome } from './messages.js';
import type { QueueBook } from './queue-book.js';
import * as cluster from './cluster.js';
import type { deploy } from './deploy.js';

/** Seconds between two looks at a lock held outside the queue: 1, 2, 4 … 30. */
const lockWait = (attempt: number) => Math.min(30, 2 ** attempt);

export async function runQueued(book: QueueBook, entry: QueueEntry<DeployInput>, app: DeployTarget): Promise<void> {
  const workflowId = workflowIdFor(app.environment, app.namespace, app.name);
  book.claim(entry);
  for (let attempt = 0; ; attempt++) {
    try {
      const input = entry.kind === 'resize' ? await servingResize(entry.input, app) : entry.input;
      if (!input) {
        book.finish(entry, ended(entry, app, 'Unchanged', `nothing of ${app.name} serves: there is nothing to resize`));
        return;
      }
      const child = await startChild<typeof deploy>('deploy', {
        workflowId,
        taskQueue: taskQueueFor(app.environment),
        args: [input],
        // Like every deploy: no request holds the app's lock forever.
        workflowExecutionTimeout: '7 days',
        // A deploy is never cut short by its queue: cancelling or ending the queue leaves it to finish (and roll back by itself).
        parentClosePolicy: ParentClosePolicy.ABANDON,
        cancellationType: ChildWorkflowCancellationType.ABANDON,
        staticSummary: deploySummary({ app: app.name, environment: app.environment, image: entry.image }),
        staticDetails: `**${app.name}** → **${app.environment}** (namespace \`${app.namespace}\`)\n\n- image: \`${entry.image}\`\n- requested by: ${entry.requestedBy}\n- queued as ${entry.ticket} (${entry.policy}, ${entry.kind})`,
        typedSearchAttributes: [
          { key: searchAttributeKeys.environment, value: app.environment },
          { key: searchAttributeKeys.app, value: app.name },
          { key: searchAttributeKeys.image, value: entry.image },
          { key: searchAttributeKeys.phase, value: 'Validating' },
          { key: searchAttributeKeys.requestedBy, value: entry.requestedBy },
        ],
      });
      book.started(entry, { workflowId, runId: child.firstExecutionRunId });
      book.finish(entry, await resultOf(child.result(), entry, app));
      return;
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) {
        if (err instanceof CancelledFailure) throw err;
        book.finish(entry, ended(entry, app, 'Failed', `the deploy could not start: ${err instanceof Error ? err.message : String(err)}`));
        return;
      }
      book.waiting(`${workflowId} runs a deploy started outside the queue`);
      await sleep(`${lockWait(attempt)}s`);
    }
  }
}

/**
 * A resize resizes what serves when its turn comes: a deploy that ran while it
 * waited may have replaced the revision it saw (resizing that one would roll
 * the deploy back).
 */
async function servingResize(input: DeployInput, app: DeployTarget): Promise<DeployInput | undefined> {
  const rcs = await cluster.listReplicationControllersOn(taskQueueFor(app.environment), app.namespace, app.name);
  const serving = rcs.filter((rc) => rc.replicas > 0).sort((a, b) => b.revision - a.revision)[0];
  return serving && { ...input, toRevision: serving.revision };
}

/** The deploy's result; its failure carries the result too (the deploy fails with it as details). */
async function resultOf(result: Promise<DeployResult>, entry: QueueEntry<DeployInput>, app: DeployTarget): Promise<DeployResult> {
  try {
    return await result;
  } catch (err) {
    if (!(err instanceof ChildWorkflowFailure)) throw err;
    const cause = err.cause;
    if (cause instanceof ApplicationFailure && cause.details?.[0]) return cause.details[0] as DeployResult;
    if (cause instanceof CancelledFailure) return ended(entry, app, 'RolledBack', 'cancelled; rolled back', 'Cancelled');
    return ended(entry, app, 'Failed', cause?.message ?? err.message, cause instanceof ApplicationFailure ? (cause.type ?? undefined) : undefined);
  }
}

function ended(entry: QueueEntry<DeployInput>, app: DeployTarget, outcome: Outcome, message: string, reason?: string): DeployResult {
  const { environment, namespace, name } = app;
  const workflowId = workflowIdFor(environment, namespace, name);
  return { outcome, workflowId, environment, namespace, app: name, image: entry.image, steps: 0, message, ...(reason && { reason }) };
}
