// The environment side of a release's soak (started by the `soak` Nexus
// operation on this environment's worker): what serves now, and — when the
// release names what must keep serving — a durable timer for the soak time
// raced against a read-only watch that fails on the first drop.
import { ActivityFailure, ApplicationFailure, CancellationScope, isCancellation, sleep, workflowInfo } from '@temporalio/workflow';
import { taskQueueFor } from '../domain/names.js';
import { isMapping } from '../domain/spec-checks.js';
import { soakVerdict } from '../domain/release-state.js';
import * as cluster from './cluster.js';
import type { SoakInput, SoakResult } from './deploy-service.js';

export async function soak(input: SoakInput): Promise<SoakResult> {
  if (!isMapping(input) || typeof input.namespace !== 'string' || typeof input.app !== 'string' || typeof input.seconds !== 'number') {
    throw ApplicationFailure.create({ type: 'InvalidInput', nonRetryable: true, message: 'soak: namespace, app and seconds are required' });
  }
  // Only this environment's worker may answer for its cluster.
  if (workflowInfo().taskQueue !== taskQueueFor(input.environment)) {
    throw ApplicationFailure.create({ type: 'EnvironmentMismatch', nonRetryable: true, message: `a soak of ${input.environment} runs on ${taskQueueFor(input.environment)}` });
  }
  const { namespace, app, expect } = input;
  if (!expect) return { serving: (await cluster.readServing(namespace, app)) ?? undefined };

  // Looked at once first: a zero-length soak (the check before promoting past a gate) is this alone.
  const verdict = soakVerdict(expect, await cluster.listReplicationControllers(namespace, app));
  if (!verdict.ok) {
    const type = verdict.kind === 'pinned' ? 'Pinned' : 'SoakFailed';
    throw ApplicationFailure.create({ type, message: verdict.message, nonRetryable: true, details: [{ reason: type }] });
  }
  if (input.seconds <= 0) return { serving: expect };

  const watch = new CancellationScope();
  const watching = watch.run(() => cluster.watchServing(namespace, app, expect));
  // The soak time is this timer: durable across worker restarts, never a poll.
  const elapsed = sleep(input.seconds * 1000).then(() => 'elapsed' as const);
  try {
    const first = await Promise.race([watching.then(() => 'watch-ended' as const), elapsed]);
    if (first === 'elapsed') {
      watch.cancel();
      await watching.catch((err) => {
        if (!isCancellation(err)) throw err;
      });
    }
  } catch (err) {
    // The release reads the watch's own failure (Pinned, SoakFailed), not the activity wrapper.
    throw err instanceof ActivityFailure && err.cause instanceof ApplicationFailure ? err.cause : err;
  }
  return { serving: expect };
}
