// Waiting for an RC's pods: until enough are available (ready for
// minReadySeconds) and no more than allowed are running. A wait that sees no
// progress for progressDeadlineSeconds fails as RolloutStalled, naming what
// the pods report (ImagePullBackOff, CrashLoopBackOff, Unschedulable, ...).
import { ApplicationFailure } from '@temporalio/common';
import { summarizePods, type Pod, type PodProblem } from '../domain/pods.js';
import type { Kube } from './kube.js';
import { PodWatch } from './pod-watch.js';

export interface PodWaitInput {
  namespace: string;
  /** What is waited on, for messages: an RC name or "old RCs of awesome-api". */
  target: string;
  /** Which pods: `name=awesome-api,deployment=7f3c…` (or `deployment!=…` for the old ones). */
  labelSelector: string;
  /** Done when at least this many pods are available... */
  minAvailable: number;
  /** ...and at most this many pods are not terminating. */
  maxPods: number;
  minReadySeconds: number;
  progressDeadlineSeconds: number;
}

export interface PodCounts {
  total: number;
  ready: number;
  available: number;
  terminating: number;
  problems: PodProblem[];
}

/** What a wait needs from its surroundings (Temporal's activity context in production). */
export interface WaitHooks {
  heartbeat(counts: PodCounts): void;
  signal: AbortSignal;
  now(): number;
}

const RECHECK_MS = 1000;

export async function waitForPods(kube: Kube, input: PodWaitInput, hooks: WaitHooks): Promise<PodCounts> {
  const watch = new PodWatch(kube, input.namespace, input.labelSelector);
  hooks.signal.addEventListener('abort', () => watch.close());
  await watch.start();
  try {
    let lastProgressAt = hooks.now();
    let best = { available: -1, ready: -1, excess: Number.POSITIVE_INFINITY };
    for (;;) {
      if (hooks.signal.aborted) throw ApplicationFailure.create({ type: 'Cancelled', message: 'wait cancelled' });
      const now = hooks.now();
      const counts = summarizePods([...watch.pods.values()] as Pod[], input.minReadySeconds, now) as PodCounts;
      hooks.heartbeat(counts);
      if (counts.available >= input.minAvailable && counts.total <= input.maxPods) return counts;

      const excess = Math.max(0, counts.total - input.maxPods);
      if (counts.available > best.available || counts.ready > best.ready || excess < best.excess) {
        best = { available: Math.max(best.available, counts.available), ready: Math.max(best.ready, counts.ready), excess: Math.min(best.excess, excess) };
        lastProgressAt = now;
      } else if (now - lastProgressAt > input.progressDeadlineSeconds * 1000) {
        throw stalled(input, counts);
      }
      await watch.nextChange(RECHECK_MS);
    }
  } finally {
    watch.close();
  }
}

function stalled(input: PodWaitInput, counts: PodCounts): ApplicationFailure {
  const reasons = [...new Set(counts.problems.map((p) => p.reason))];
  const first = counts.problems[0];
  const detail = first ? `: ${reasons.join(', ')} (${first.pod}: ${first.message})` : '';
  return ApplicationFailure.create({
    type: 'RolloutStalled',
    nonRetryable: true,
    message:
      `${input.target}: no progress for ${input.progressDeadlineSeconds}s, ` +
      `${counts.available}/${input.minAvailable} pods available${detail}`,
    details: [{ reason: reasons[0] ?? 'ProgressDeadlineExceeded', reasons, counts }],
  });
}
