// `deploy --queue fifo|latest-wins`: queue the request on the app's queue,
// show its position while it waits, then the deploy's live progress, then the
// outcome (Superseded is exit 0, like success: a newer request runs instead).
import { QUEUE_POLICIES, type QueuePolicy, type WaitingPolicy } from '../domain/queue.js';
import type { PreparedDeploy } from './api.js';
import { UsageError } from './args.js';
import { followDeploy } from './follow.js';
import { temporalUiUrl } from './links.js';
import type { Output } from './output.js';
import { enqueueDeploy, waitForTurn } from './queue.js';
import { exitCodeFor, printResult } from './result.js';
import type { TemporalSession } from './temporal.js';

export function queuePolicy(value: string | undefined): QueuePolicy {
  if (value === undefined) return 'reject';
  if (QUEUE_POLICIES.includes(value as QueuePolicy)) return value as QueuePolicy;
  throw new UsageError(`--queue must be one of ${QUEUE_POLICIES.join(', ')}, not "${value}"`);
}

export async function deployQueued(session: TemporalSession, prepared: PreparedDeploy, policy: WaitingPolicy, out: Output, noWait: boolean): Promise<number> {
  const { app, image } = prepared.meta;
  const environment = prepared.input.environment;
  const queued = await enqueueDeploy(session.client, prepared, policy);
  if (noWait) {
    if (out.isJson) out.document(queued);
    else out.line(`${queued.ticket} queued in ${queued.queueId} at position ${queued.position}`);
    return 0;
  }
  out.line(`queued ${image} for ${app} in ${environment} as ${queued.ticket} (${policy})`);
  for (const ticket of queued.superseded) out.line(`  it supersedes ${ticket}`);
  const turn = await waitForTurn(session.client, queued, (position, view) => {
    const ahead = view.running ? `behind ${view.running.ticket} (${view.running.image}, ${view.running.requestedBy})` : 'next';
    out.line(position === 0 ? `  next: ${view.running?.waitingFor ?? 'starting'}` : `  position ${position}, ${ahead}`);
  });
  if ('result' in turn) {
    printResult(out, turn.result, temporalUiUrl(out.io.env, session.namespace, queued.queueId));
    return exitCodeFor(turn.result.outcome);
  }
  out.line(`deploying ${image} to ${environment} (${turn.deploy.workflowId})`);
  return followDeploy(session, turn.deploy, out, environment, { ticket: queued.ticket });
}
