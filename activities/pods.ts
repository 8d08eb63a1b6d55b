// Waiting for an RC's pods: until enough are available (ready for
// minReadySeconds) and no more than allowed are running. A wait that sees no
// progress for progressDeadlineSeconds fails as RolloutStalled, naming what
// the pods report (ImagePullBackOff, CrashLoopBackOff, Unschedulable, ...).
import { ApplicationFailure } from '@temporalio/common';
import { summarizePods, type Pod, type PodCounts } from '../domain/pods.js';
import type { Kube } from './kube.js';
import { PodWatch } from './pod-watch.js';
import { kubeCall } from './errors.js';
import { rcInfo, readReplicationController, type RcInfo } from './replication-controllers.js';

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
  /**
   * The RCs of the rollout and the size the workflow set: someone else
   * deleting or scaling one mid-rollout fails the wait as RolloutTampered.
   */
  expect?: Array<{ name: string; replicas: number }>;
}

export type { PodCounts } from '../domain/pods.js';

/** What a wait needs from its surroundings (Temporal's activity context in production). */
export interface WaitHooks {
  heartbeat(counts: PodCounts): void;
  signal: AbortSignal;
  now(): number;
}

const RECHECK_MS = 1000;
const RC_CHECK_MS = 5000;

export async function waitForPods(kube: Kube, input: PodWaitInput, hooks: WaitHooks): Promise<PodCounts> {
  const watch = new PodWatch(kube, input.namespace, input.labelSelector);
  hooks.signal.addEventListener('abort', () => watch.close());
  try {
    // The first tampering check needs no pods: it runs beside the list and watch, not after them.
    const started = await Promise.allSettled([watch.start(), checkUntouched(kube, input)]);
    for (const s of started) if (s.status === 'rejected') throw s.reason;
    let rcsCheckedAt = hooks.now();
    let lastProgressAt = hooks.now();
    let best = { available: -1, ready: -1, excess: Number.POSITIVE_INFINITY };
    for (;;) {
      if (hooks.signal.aborted) throw ApplicationFailure.create({ type: 'Cancelled', message: 'wait cancelled' });
      const now = hooks.now();
      if (now - rcsCheckedAt >= RC_CHECK_MS) {
        await checkUntouched(kube, input);
        rcsCheckedAt = now;
      }
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

/** Fails if an RC of the rollout was deleted or rescaled by someone other than this deploy. */
async function checkUntouched(kube: Kube, input: PodWaitInput): Promise<void> {
  const expect = input.expect ?? [];
  const rcs = await readExpected(kube, input, expect.map((e) => e.name));
  for (const [i, expected] of expect.entries()) {
    const rc = rcs[i];
    const problem = !rc
      ? `RC ${expected.name} was deleted by someone else during the rollout`
      : rc.replicas !== expected.replicas
        ? `RC ${expected.name} was scaled to ${rc.replicas} by someone else during the rollout (the deploy set ${expected.replicas})`
        : undefined;
    if (problem) {
      throw ApplicationFailure.create({ type: 'RolloutTampered', nonRetryable: true, message: problem, details: [{ reason: 'RolloutTampered' }] });
    }
  }
}

/**
 * The expected RCs in one request: they all carry the app's `name` label, which
 * the wait's selector starts with. One missing from the list is read by name,
 * so a relabelled RC is not taken for a deleted one.
 */
async function readExpected(kube: Kube, input: PodWaitInput, names: string[]): Promise<(RcInfo | undefined)[]> {
  const app = /(?:^|,)name=([^,]+)/.exec(input.labelSelector)?.[1];
  if (names.length < 2 || !app) return Promise.all(names.map((n) => readReplicationController(kube, input.namespace, n)));
  const list = await kubeCall(`list RCs of ${input.namespace}/${app}`, () =>
    kube.core.listNamespacedReplicationController({ namespace: input.namespace, labelSelector: `name=${app}` }),
  );
  const byName = new Map(list.items.map((rc) => [rc.metadata?.name ?? '', rcInfo(rc)]));
  return Promise.all(names.map((n) => byName.get(n) ?? readReplicationController(kube, input.namespace, n)));
}

function stalled(input: PodWaitInput, counts: PodCounts): ApplicationFailure {
  // Pods that should go away and stay are the controller's doing (a rollback waits
  // that out), whatever their containers report: name their problems only when
  // the wait was for pods to become available.
  const problems = input.minAvailable > 0 ? counts.problems : [];
  const reasons = [...new Set(problems.map((p) => p.reason))];
  const first = problems[0];
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
