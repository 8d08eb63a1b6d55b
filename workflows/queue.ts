// The deploy queue of one app in one environment (issue 17): id
// `queue/<env>/<ns>/<app>` on the environment's task queue. Requests arrive by
// update (update-with-start creates the queue), wait in order, and run one at a
// time as the app's real deploy workflow, a child under the lock id
// `deploy/<env>/<ns>/<app>`: admission's id check holds, and a deploy started
// outside the queue (`--queue reject`) is refused while the queue's runs.
// The queue continues as new when its history grows, and ends when idle.
import {
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  log,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { queueIdFor, validateEnvironmentName, type DeployTarget } from '../domain/names.js';
import { isDnsLabel } from '../domain/labels.js';
import { replyToFor } from '../domain/queue-request.js';
import { isMapping } from '../domain/spec-checks.js';
import { QueueBook, type Refusal } from './queue-book.js';
import { QueueReplies } from './queue-replies.js';
import { runQueued } from './queue-run.js';
import { enqueueSignal, enqueueUpdate, queueQuery, withdrawSignal, withdrawUpdate, type QueueInput, type QueueView } from './messages.js';

const DEFAULT_IDLE_SECONDS = 60;
const DEFAULT_HISTORY_LIMIT = 4000;

export async function deployQueue(input: QueueInput): Promise<QueueView> {
  const app = identity(input);
  const replies = new QueueReplies();
  const book = new QueueBook(app, (replyTo, reply) => replies.send(replyTo, reply));
  // A request from a workflow (signal or first input) cannot be refused to its face: it is dropped, and its waiter told why.
  const acceptFromWorkflow = (request: unknown) => {
    const problem = book.refusal(request);
    if (!problem) {
      book.enqueue(request);
      return;
    }
    log.warn('dropped a queued request', { problem: problem.message });
    const waiter = waiterOf(request, app);
    if (waiter) replies.send(waiter.replyTo, { ticket: waiter.ticket, finished: { ticket: waiter.ticket, kind: 'deploy', image: '', requestedBy: '', outcome: 'Failed', message: `the queue refused the request: ${problem.message}`, at: new Date().toISOString() } });
  };
  // What the previous run carried comes first: an update the server moved onto this run queues behind it.
  book.restore(input.pending, input.finished);
  if (input.initial) acceptFromWorkflow(input.initial);
  setHandler(queueQuery, () => book.view(), { description: 'What runs and what waits for this app\'s lock' });
  setHandler(enqueueUpdate, (request) => book.enqueue(request), {
    description: 'Queue a deploy of this app: { ticket, policy: fifo | latest-wins, input }',
    // Untrusted: a malformed, oversized or misdirected request is refused before it reaches history.
    validator: (request) => refuseIf(book.refusal(request)),
  });
  setHandler(withdrawUpdate, (request) => book.withdraw(request), {
    description: 'Take a waiting request back before it runs',
    validator: (request) => refuseIf(book.withdrawalProblem(request)),
  });
  // Workflows can signal but not update: the per-node schedule queues its resizes and a release its deploys this way.
  setHandler(enqueueSignal, acceptFromWorkflow);
  setHandler(withdrawSignal, (request) => {
    if (!book.withdrawalProblem(request)) book.withdraw(request);
  });

  const idle = bounded(input.idleSeconds, 1, 3600, DEFAULT_IDLE_SECONDS);
  const historyLimit = bounded(input.historyLimit, 50, 20_000, DEFAULT_HISTORY_LIMIT);
  try {
    for (;;) {
      if (!(await condition(() => book.hasPending, `${idle}s`))) {
        // A request can arrive as the idle timer fires: end only once every handler is done and nothing waits.
        await condition(allHandlersFinished);
        await replies.settled();
        if (!book.hasPending) return book.view();
        continue;
      }
      const info = workflowInfo();
      if (info.continueAsNewSuggested || info.historyLength > historyLimit) {
        await condition(allHandlersFinished);
        await replies.settled();
        await continueAsNew<typeof deployQueue>({ environment: app.environment, namespace: app.namespace, name: app.name, idleSeconds: idle, historyLimit, ...book.carry() });
      }
      const head = book.head;
      if (head) await runQueued(book, head, app);
    }
  } catch (err) {
    // Cancelling the queue takes back what waits; a deploy already running goes on (it is abandoned, not cancelled).
    if (isCancellation(err)) {
      await CancellationScope.nonCancellable(async () => {
        book.withdrawAll('the queue was cancelled');
        await replies.settled();
      });
    }
    throw err;
  }
}

/**
 * The queue checks itself: its id is its input's app and environment, or it
 * does nothing. Everything it causes names the environment's task queue
 * explicitly (the deploys it starts, its one read), so a queue started on
 * another task queue still reaches only that environment's worker.
 */
function identity(input: QueueInput): DeployTarget {
  const raw = (typeof input === 'object' && input !== null ? input : {}) as Partial<QueueInput>;
  const { workflowId } = workflowInfo();
  let environment = '';
  try {
    environment = validateEnvironmentName(raw.environment);
  } catch {
    // named below
  }
  const { namespace, name } = raw;
  const ok = environment !== '' && typeof namespace === 'string' && isDnsLabel(namespace, 63) && typeof name === 'string' && isDnsLabel(name, 54);
  if (!ok || workflowId !== queueIdFor(environment, namespace, name)) {
    throw ApplicationFailure.create({
      type: 'WorkflowIdMismatch',
      nonRetryable: true,
      message: `a deploy queue runs as queue/<environment>/<namespace>/<app> for the app its input names, not as ${workflowId.slice(0, 300)}`,
    });
  }
  return { environment, namespace, name };
}

/** The waiter a dropped request names, when it is the one its ticket may name. */
function waiterOf(request: unknown, app: DeployTarget): { replyTo: string; ticket: string } | undefined {
  if (!isMapping(request) || typeof request.ticket !== 'string' || request.replyTo !== replyToFor(app, request.ticket)) return undefined;
  return { replyTo: request.replyTo, ticket: request.ticket };
}

function refuseIf(problem: Refusal | undefined): void {
  if (problem) throw ApplicationFailure.create({ ...problem, nonRetryable: true });
}

function bounded(v: unknown, min: number, max: number, fallback: number): number {
  return typeof v === 'number' && Number.isInteger(v) ? Math.min(max, Math.max(min, v)) : fallback;
}
