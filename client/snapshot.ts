// Asking a deploy where it stands: the `progress` query (answered by a worker,
// so it may fail or hang when none runs) and the live pod counts from
// describe(). Both are bounded in time and allowed to fail.
import type { Client } from '@temporalio/client';
import { progressQuery, type DeployProgress } from '../workflows/messages.js';
import type { DeployHandle } from './api.js';
import { waitingPodCounts } from './heartbeat.js';
import type { LiveSnapshot } from './live-view.js';

/** Without a worker the server holds a query until its own timeout; we give up sooner. */
const ANSWER_TIMEOUT_MS = 3000;

export async function queryProgress(client: Client, handle: DeployHandle): Promise<{ progress?: DeployProgress; error?: string }> {
  try {
    return { progress: await client.withDeadline(Date.now() + ANSWER_TIMEOUT_MS, () => handle.query(progressQuery)) };
  } catch (err) {
    return { error: shortReason(err) };
  }
}

export async function readSnapshot(client: Client, handle: DeployHandle): Promise<LiveSnapshot> {
  const [answer, description] = await Promise.all([
    queryProgress(client, handle),
    client.withDeadline(Date.now() + ANSWER_TIMEOUT_MS, () => handle.describe()).catch(() => undefined),
  ]);
  return { progress: answer.progress, queryError: answer.error, pods: description && (await waitingPodCounts(client, description)) };
}

function shortReason(err: unknown): string {
  // The SDK wraps the gRPC error ("Failed to query Workflow"); its cause says why.
  const inner = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  const message = inner instanceof Error ? inner.message : String(inner);
  if (/deadline|timed? ?out/i.test(message)) return `no answer within ${ANSWER_TIMEOUT_MS / 1000}s`;
  return message.split('\n')[0] ?? message;
}
