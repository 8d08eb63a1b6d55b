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
import { QueueBook, type Refusal } from './queue-book.js';
import { runQueued } from './queue-run.js';
import { enqueueSignal, enqueueUpdate, queueQuery, withdrawUpdate, type QueueInput, type QueueView } from './messages.js';

const DEFAULT_IDLE_SECONDS = 60;
const DEFAULT_HISTORY_LIMIT = 4000;

export async function deployQueue(input: QueueInput): Promise<QueueView> {
  const app = identity(input);
  const book = new QueueBook(app);
  // What the previous run carried comes first: an update the server moved onto this run queues behind it.
  book.restore(input.pending, input.finished);
  if (input.initial && !book.refusal(input.initial)) book.enqueue(input.initial);
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
  // Workflows can signal but not update: the per-node schedule queues its resizes this way. A signal cannot be refused, so a bad one is dropped.
  setHandler(enqueueSignal, (request) => {
    const problem = book.refusal(request);
    if (problem) log.warn('dropped a queued request', { problem: problem.message });
    else book.enqueue(request);
  });

  const idle = bounded(input.idleSeconds, 1, 3600, DEFAULT_IDLE_SECONDS);
  const historyLimit = bounded(input.historyLimit, 50, 20_000, DEFAULT_HISTORY_LIMIT);
  try {
    for (;;) {
      if (!(await condition(() => book.hasPending, `${idle}s`))) {
        // A request can arrive as the idle timer fires: end only once every handler is done and nothing waits.
        await condition(allHandlersFinished);
        if (!book.hasPending) return book.view();
        continue;
      }
      const info = workflowInfo();
      if (info.continueAsNewSuggested || info.historyLength > historyLimit) {
        await condition(allHandlersFinished);
        await continueAsNew<typeof deployQueue>({ environment: app.environment, namespace: app.namespace, name: app.name, idleSeconds: idle, historyLimit, ...book.carry() });
      }
      const head = book.head;
      if (head) await runQueued(book, head, app);
    }
  } catch (err) {
    // Cancelling the queue takes back what waits; a deploy already running goes on (it is abandoned, not cancelled).
    if (isCancellation(err)) await CancellationScope.nonCancellable(async () => book.withdrawAll('the queue was cancelled'));
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

function refuseIf(problem: Refusal | undefined): void {
  if (problem) throw ApplicationFailure.create({ ...problem, nonRetryable: true });
}

function bounded(v: unknown, min: number, max: number, fallback: number): number {
  return typeof v === 'number' && Number.isInteger(v) ? Math.min(max, Math.max(min, v)) : fallback;
}
