// A request to an app's queue is untrusted input (DESIGN §7: anyone who can
// send an update wrote it). The queue's validator runs this before the request
// reaches history: a malformed, oversized or misdirected request is refused and
// leaves no trace. The deploy it becomes is admitted again by the worker.
import { checkDeploy, TEXT_LIMITS } from './check-deploy.js';
import { InvalidSpecError } from './errors.js';
import { queuedDeployIdFor, type DeployTarget } from './names.js';
import { jsonBytes, QUEUE_LIMITS, TICKET_PATTERN, WAITING_POLICIES, type QueueEntry, type RequestKind, type WaitingPolicy } from './queue.js';
import { isMapping } from './spec-checks.js';

/** What a requester sends: its ticket, the policy, and the deploy workflow's input. */
export interface QueueRequest<I = unknown> {
  ticket: string;
  policy: WaitingPolicy;
  /** Absent: a deploy. The per-node schedule sends `resize`. */
  kind?: RequestKind;
  input: I;
  /** A workflow waiting for this request (its queuedDeployIdFor id): the queue signals it the request's start and end. */
  replyTo?: string;
}

export type CheckedRequest<I> = { entry: QueueEntry<I> } | { problem: string };

/** The queue entry a request becomes, or why it is refused. `now` is the workflow's clock. */
export function checkQueueRequest<I>(raw: unknown, queue: DeployTarget, now: string): CheckedRequest<I> {
  if (!isMapping(raw)) return { problem: 'the request must be a mapping of ticket, policy and input' };
  const { ticket, policy, kind = 'deploy', input, replyTo } = raw;
  if (typeof ticket !== 'string' || !TICKET_PATTERN.test(ticket)) return { problem: `ticket: must match ${TICKET_PATTERN}` };
  if (!WAITING_POLICIES.includes(policy as WaitingPolicy)) return { problem: `policy: must be one of ${WAITING_POLICIES.join(', ')} (reject never queues)` };
  if (kind !== 'deploy' && kind !== 'resize') return { problem: 'kind: must be deploy or resize' };
  if (!isMapping(input)) return { problem: 'input: must be the deploy workflow input' };
  // The queue signals only the one workflow a request of this ticket can name: no request turns the queue against another workflow.
  if (replyTo !== undefined && replyTo !== replyToFor(queue, ticket)) return { problem: `replyTo: must be ${replyToFor(queue, ticket)}, the queued deploy of this ticket` };
  const bytes = jsonBytes(input);
  if (bytes > QUEUE_LIMITS.requestBytes) return { problem: `input: is ${bytes} bytes; a queued request may carry at most ${QUEUE_LIMITS.requestBytes}` };
  const shown = describeInput(input, queue, kind);
  if (typeof shown === 'string') return { problem: shown };
  const entry: QueueEntry<I> = { ticket, kind, policy: policy as WaitingPolicy, ...shown, since: now, input: input as I, bytes, ...(replyTo !== undefined && { replyTo }) };
  return { entry };
}

/** The one workflow a request may ask the queue to answer. */
export function replyToFor(queue: DeployTarget, ticket: string): string {
  return queuedDeployIdFor(queue.environment, queue.namespace, queue.name, ticket);
}

/** Image and requester for people, once the input is known to be this queue's app in this environment. */
function describeInput(input: Record<string, unknown>, queue: DeployTarget, kind: RequestKind): { image: string; requestedBy: string } | string {
  if (input.environment !== queue.environment) return `input.environment: must be "${queue.environment}", this queue's environment`;
  if (input.toRevision !== undefined || kind === 'resize') {
    const { toRevision, app, requestedBy } = input;
    if (typeof toRevision !== 'number' || !Number.isInteger(toRevision) || toRevision < 1) return 'input.toRevision: must be an integer >= 1';
    if (!isMapping(app) || app.namespace !== queue.namespace || app.name !== queue.name) return `input.app: must be ${queue.namespace}/${queue.name}, this queue's app`;
    if (typeof requestedBy !== 'string' || requestedBy.length > TEXT_LIMITS.requestedBy) return `input.requestedBy: must be a string of at most ${TEXT_LIMITS.requestedBy} characters`;
    return { image: `revision ${toRevision}`, requestedBy };
  }
  try {
    // The worker's policy is the worker's to apply (admission); this is the request's own sense.
    const checked = checkDeploy({ ...input, spec: input.spec, image: input.image, environment: input.environment });
    if (checked.spec.namespace !== queue.namespace || checked.spec.name !== queue.name) return `input.spec: deploys ${checked.spec.namespace}/${checked.spec.name}, not this queue's app ${queue.namespace}/${queue.name}`;
    return { image: checked.image, requestedBy: checked.requestedBy };
  } catch (err) {
    if (err instanceof InvalidSpecError) return `input: ${err.message}`;
    throw err;
  }
}
