// Following a deploy from a test through its `progress` query, and telling an
// update's refusal by the workflow's validator from any other failure.
import assert from 'node:assert/strict';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { DeployHandle } from '../../client/api.js';
import type { Phase } from '../../domain/phases.js';
import { progressQuery, type DeployProgress } from '../../workflows/messages.js';
import { liveStep } from '../../client/live-view.js';
import { waitingPodCounts } from '../../client/heartbeat.js';

/**
 * Polls the progress query until `until` holds (a phase, or any condition on the
 * progress), its step the live one (with the steps the step activity took since).
 */
export async function untilProgress(handle: DeployHandle, until: Phase | ((p: DeployProgress) => boolean), timeoutMs = 60_000): Promise<DeployProgress> {
  const done = typeof until === 'string' ? (p: DeployProgress) => p.phase === until : until;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [queried, description] = await Promise.all([handle.query(progressQuery), handle.describe()]);
    const progress = { ...queried, step: liveStep(queried, await waitingPodCounts(handle.client, description)) };
    if (done(progress)) return progress;
    if (Date.now() > deadline) throw new Error(`still ${progress.phase} at step ${progress.step}, waited for ${typeof until === 'string' ? until : 'a condition'}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function untilPhase(handle: DeployHandle, phase: Phase, timeoutMs = 60_000): Promise<void> {
  await untilProgress(handle, phase, timeoutMs);
}

/** The update was refused by the workflow's validator, with a reason matching `pattern`. */
export async function refused(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof WorkflowUpdateFailedError, `expected an update refusal, got ${String(err)}`);
    assert.match(String(err.cause?.message), pattern);
    return true;
  });
}
